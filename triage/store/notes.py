"""Notes and their conflict format.

Both `triage merge` and :meth:`Store.save_note` keep every conflicting text in one note. The
block is the same whichever copy is merged into which: versions are ordered by save time, then
text. ``note_history`` remembers each text a note has had, by :func:`note_hash`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable

CONFLICT_TAG = "merge-conflict"
# Saves of the same note closer together than this are one edit: only the last text is remembered
# in note_history, so typing does not grow the synced file by one row per keystroke.
NOTE_EDIT_WINDOW = dt.timedelta(minutes=2)


def note_hash(text: str) -> str:
    """Identity of a note text in note_history (the empty note is every paper's implicit start)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


_CONFLICT_START = "<<<<<<< note saved "
_CONFLICT_NEXT = "======= note saved "
CONFLICT_END = ">>>>>>> end of conflicting notes: keep what you want, then delete the marker lines"
_CONFLICT_BLOCK = re.compile(
    rf"\A{re.escape(_CONFLICT_START)}(?P<label>[^\n]*)\n(?P<body>.*)\n{re.escape(CONFLICT_END)}\Z",
    re.S,
)
_CONFLICT_SEPARATOR = re.compile(rf"\n{re.escape(_CONFLICT_NEXT)}([^\n]*)\n")


def conflict_label(stamp: str | None) -> str:
    """`2026-11-23T09:12:01.5Z` -> `2026-11-23 09:12:01 UTC`, readable and sortable."""
    if not stamp:
        return "at an unknown time"
    return f"{stamp[:10]} {stamp[11:19]} UTC"


def conflict_versions(note: str, stamp: str | None) -> list[tuple[str, str]]:
    """The (label, text) versions in a note: several if it is a conflict block, else one."""
    match = _CONFLICT_BLOCK.match(note)
    if not match:
        return [(conflict_label(stamp), note)] if note else []
    labels = [match["label"]]
    parts = _CONFLICT_SEPARATOR.split(match["body"])
    texts = parts[0::2]
    labels += parts[1::2]
    return [(label, text) for label, text in zip(labels, texts) if text]


def join_conflicting_notes(versions: Iterable[tuple[str, str]]) -> str:
    """One note holding every distinct non-empty text, oldest first.

    ``versions`` are (label, text) pairs as from :func:`conflict_versions` (so a note that is
    already a conflict block adds its versions, never a nested block). A single distinct text
    is returned as is, without markers.
    """
    earliest: dict[str, str] = {}
    for label, text in versions:
        if text and (text not in earliest or label < earliest[text]):
            earliest[text] = label
    ordered = sorted((label, text) for text, label in earliest.items())
    if len(ordered) <= 1:
        return ordered[0][1] if ordered else ""
    parts = [f"{_CONFLICT_START}{ordered[0][0]}\n{ordered[0][1]}"]
    parts += [f"{_CONFLICT_NEXT}{label}\n{text}" for label, text in ordered[1:]]
    return "\n".join(parts) + "\n" + CONFLICT_END
