"""Notes that could not be saved yet, kept in files until they are.

A note typed while the DB cannot be written (or whose paper vanished) must survive the app
quitting or crashing: every such text is also written to ``recovery/notes/PAPER.json`` in the
data dir (this machine's own, never synced), removed once the note reaches the DB, and offered
back the next time that paper's note is opened, and on the next start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from triage.core.files import atomic_write
from triage.core.paths import data_dir


@dataclass(frozen=True)
class RecoveredNote:
    paper_id: str
    title: str
    text: str
    base: str
    """The note as stored when the editor last saw it (to save over it like the editor would)."""
    path: Path


def folder() -> Path:
    return data_dir() / "recovery" / "notes"


def keep(paper_id: str, title: str, text: str, base: str) -> Path:
    """Write (or rewrite) the recovery file of a note; raises OSError."""
    target = folder() / f"{paper_id}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    record = {"paper_id": paper_id, "title": title, "text": text, "base": base}
    atomic_write(target, json.dumps(record, ensure_ascii=False))
    return target


def saved(paper_id: str) -> None:
    """The note reached the DB: its recovery file goes."""
    (folder() / f"{paper_id}.json").unlink(missing_ok=True)


def recovered(paper_id: str | None = None) -> list[RecoveredNote]:
    """The notes waiting in recovery files (of one paper, or all), unreadable files skipped."""
    paths = [folder() / f"{paper_id}.json"] if paper_id else sorted(folder().glob("*.json"))
    notes = []
    for path in paths:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            notes.append(
                RecoveredNote(
                    str(record["paper_id"]),
                    str(record["title"]),
                    str(record["text"]),
                    str(record.get("base", "")),
                    path,
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return notes
