"""Values from another copy are checked before they are merged.

Another copy may come from a machine with a wrong clock, a damaged file or another program: a
time in the future would win every later merge, an unknown state or a tag that no command can
name would sit in the library for good. Such values are repaired where the intent is plain (a
time clamped to now, a tag normalised, a star of 2 read as starred) and dropped otherwise
(the copy's change then never wins), and counted so the report can say so.
"""

from __future__ import annotations

import datetime as dt

from triage.store import DEFAULT_STATE, STATES, normalise_tag
from triage.store.models import STAMP_FORMAT
from triage.store.snapshot import Copy

CLOCK_SLACK = dt.timedelta(days=1)


def repair(other: Copy, now: dt.datetime | None = None) -> int:
    """Repair or drop, in place, the values of ``other`` that must not be merged; returns how
    many were changed."""
    moment = now or dt.datetime.now(dt.UTC)
    latest = (moment + CLOCK_SLACK).strftime(STAMP_FORMAT)
    current = moment.strftime(STAMP_FORMAT)
    repaired = 0

    def stamp(value: str | None) -> str | None:
        nonlocal repaired
        if value is not None and not isinstance(value, str):
            repaired += 1
            return None
        if value is not None and value > latest:
            repaired += 1
            return current
        return value

    for annotation in other.annotations.values():
        if annotation.starred not in (0, 1):
            repaired += 1
            if isinstance(annotation.starred, int):
                annotation.starred = 1 if annotation.starred else 0
            else:
                annotation.starred, annotation.starred_at = 0, None
        if annotation.state not in STATES:
            repaired += 1
            annotation.state, annotation.state_at = DEFAULT_STATE, None
        if not isinstance(annotation.note, str):
            repaired += 1
            annotation.note, annotation.note_at = "", None
        annotation.starred_at = stamp(annotation.starred_at)
        annotation.state_at = stamp(annotation.state_at)
        annotation.note_at = stamp(annotation.note_at)
    for row in other.papers.values():
        row["identity_at"] = stamp(row.get("identity_at"))
    tags: dict[tuple[str, str], tuple[int, str]] = {}
    for (paper, tag), (present, changed_at) in sorted(other.tags.items()):
        cleaned = normalise_tag(tag) if isinstance(tag, str) else ""
        fixed_at = stamp(changed_at) or ""
        if cleaned != tag or present not in (0, 1):
            repaired += 1
        if not cleaned:
            continue
        entry = (1 if present else 0, fixed_at)
        tags[(paper, cleaned)] = max(tags.get((paper, cleaned), entry), entry, key=lambda e: e[1])
    other.tags.clear()
    other.tags.update(tags)
    return repaired
