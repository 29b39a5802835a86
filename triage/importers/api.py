"""Daily Papers API responses, fetched or saved to a ``.json`` file, as papers with their identity.

``GET /api/daily_papers`` answers with a JSON array of items: ``paper`` {``id`` (the arXiv id),
``title``, ``summary``, ``authors`` [{``name``}], ``upvotes``, ``githubRepo``, ``projectPage``}
and the item's own ``publishedAt`` (the day it was listed), ``title``, ``summary`` and
``numComments``. Everything in it is untrusted: control sequences are stripped, an id is kept
only when it is an arXiv id and a link only when it is an http(s) URL. An item that cannot be
read is reported (``item 3: …``) and skipped, never half read.

A day's papers are listed under one source per day (:func:`listing_source`), so the same day
fetched again, or saved and imported, adds no second listing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.core.text import strip_control
from triage.importers.dump import ImportReport
from triage.importers.files import UnreadableFile, read_limited
from triage.importers.once import store_once
from triage.store import Entry, Identity, Store

# New-style ids (2611.01234) and old-style ones (hep-th/9901001, math.AG/0101001), maybe versioned.
_ARXIV_ID = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_LINK = re.compile(r"https?://[^\s\"<>]+", re.IGNORECASE)
MAX_LINK_CHARS = 2000
_JSON_KINDS = {
    dict: "an object",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


class ResponseError(Exception):
    """This response cannot be imported; the message is one line naming the file or day."""


@dataclass
class DayBatch:
    """The papers of one listing day, in the order the response gave them."""

    day: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class ParsedResponse:
    batches: list[DayBatch]  # one per listing day, in the order first seen
    problems: list[str] = field(default_factory=list)  # "item N: …"
    skipped: int = 0

    @property
    def found(self) -> int:
        return sum(len(batch.entries) for batch in self.batches)


def listing_source(day: str) -> str:
    """The listing's source for a day of the API: the same whichever way the day came in."""
    return f"Daily Papers {day}"


def decode_json(data: bytes, name: str) -> Any:
    """The JSON in ``data``; one line naming ``name`` and the place when it is not JSON."""
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        raise ResponseError(f"{name}: not UTF-8 text, not a Daily Papers API response") from None
    except json.JSONDecodeError as error:
        raise ResponseError(
            f"{name}: invalid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    except RecursionError:
        raise ResponseError(f"{name}: invalid JSON (nested too deeply)") from None


def parse_response(data: Any, *, name: str, default_day: str | None = None) -> ParsedResponse:
    """Entries by listing day; ``default_day`` dates an item without ``publishedAt``."""
    if not isinstance(data, list):
        raise ResponseError(
            f"{name}: not a Daily Papers API response (a JSON array of papers), "
            f"found {_JSON_KINDS.get(type(data), 'something else')}"
        )
    batches: dict[str, DayBatch] = {}
    parsed = ParsedResponse([])
    for number, item in enumerate(data, start=1):
        try:
            day, entry, notes = read_item(item, default_day)
        except ValueError as reason:
            parsed.problems.append(f"item {number}: skipped, {reason}")
            parsed.skipped += 1
            continue
        parsed.problems.extend(f"item {number}: {note}" for note in notes)
        batches.setdefault(day, DayBatch(day)).entries.append(entry)
    parsed.batches = list(batches.values())
    return parsed


def read_item(item: Any, default_day: str | None) -> tuple[str, Entry, list[str]]:
    """(listing day, entry, notes on what was left out); ValueError says why it is unusable."""
    if not isinstance(item, dict):
        raise ValueError("not a JSON object")
    paper = item.get("paper")
    paper = paper if isinstance(paper, dict) else {}
    title = _text(paper.get("title")) or _text(item.get("title"))
    if not title:
        raise ValueError("no title")
    abstract = _text(paper.get("summary")) or _text(item.get("summary"))
    if not abstract:
        raise ValueError(f"no abstract for {title[:80]!r}")
    day = _day(item.get("publishedAt")) or default_day
    if day is None:
        raise ValueError(f"no listing day (publishedAt) for {title[:80]!r}")
    notes = []
    arxiv_id = _text(paper.get("id"))
    if arxiv_id and not _ARXIV_ID.fullmatch(arxiv_id):
        notes.append(f"ignored an id that is not an arXiv id: {arxiv_id[:40]!r}")
        arxiv_id = ""
    identity = Identity(
        arxiv_id=arxiv_id or None,
        authors=_authors(paper.get("authors")),
        upvotes=_count(paper.get("upvotes")),
        comments=_count(item.get("numComments")),
        github_repo=_link(paper.get("githubRepo")) or _link(item.get("githubRepo")),
        project_page=_link(paper.get("projectPage")) or _link(item.get("projectPage")),
    )
    return day, Entry(title, abstract, identity), notes


def _text(value: Any) -> str:
    """Untrusted text on one line: no control sequences, whitespace collapsed."""
    return (
        " ".join(strip_control(value, keep_newlines=False).split())
        if isinstance(value, str)
        else ""
    )


def _day(value: Any) -> str | None:
    """The ISO day a timestamp such as ``2026-11-20T01:12:33.000Z`` starts with."""
    if not isinstance(value, str) or not _DAY.match(value):
        return None
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _authors(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    names = (_text(author.get("name")) for author in value if isinstance(author, dict))
    return tuple(name for name in names if name)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _link(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > MAX_LINK_CHARS:
        return None
    link = value.strip()
    return link if _LINK.fullmatch(link) else None


def store_batches(
    store: Store, batches: Sequence[DayBatch], record: dict[str, Any]
) -> tuple[int, int]:
    """Add every batch in one transaction, each day under its own listing source; returns
    (new, known).

    Each day gets its own row in the import log: ``record`` for the first, keyed by its
    ``sha256``, and for any other day a key derived from it and the day.
    """
    new = known = 0
    with store.write():
        for number, batch in enumerate(batches):
            row = {**record, "found": len(batch.entries)}
            if number:
                digest = f"{record['sha256']} {batch.day}".encode()
                row.update(sha256=hashlib.sha256(digest).hexdigest(), skipped=0)
            added, seen = store.add_papers(
                batch.entries, source=listing_source(batch.day), listed_on=batch.day, record=row
            )
            new, known = new + added, known + seen
    return new, known


def import_response_file(store: Store, path: Path) -> ImportReport:
    """Import one saved API response whole (one transaction) or not at all."""
    report = ImportReport(path)
    try:
        data, _ = read_limited(path)
    except UnreadableFile as error:
        report.error = str(error)
        return report
    try:
        parsed = parse_response(decode_json(data, str(path)), name=str(path))
    except ResponseError as error:
        report.error = str(error)
        return report
    report.problems, report.skipped, report.found = parsed.problems, parsed.skipped, parsed.found
    if not parsed.found:
        report.error = f"{path}: no papers found, nothing to import"
        return report
    report.listed_on = parsed.batches[0].day
    digest = hashlib.sha256(data).hexdigest()
    record = {
        "sha256": digest,
        "name": path.name,
        "path": str(path.resolve()),
        "size": len(data),
        "skipped": report.skipped,
    }
    stored = store_once(
        store, digest, lambda: store_batches(store, parsed.batches, record), f"{path}: "
    )
    report.new, report.known, report.error = stored.new, stored.known, stored.error
    if stored.before:
        report.already_imported, report.known = stored.before, report.found
    return report
