"""Importer for text dumps of the Hugging Face "Daily Papers" page.

Two formats are seen in the wild, and both are accepted:

* the *page* form: header lines (``new``, ``Get trending papers…``, ``Subscribe``,
  ``Daily Papers``, ``byAK and the research community``), a date line (``Oct 3``), then
  title and abstract lines separated by blank lines;
* the *compact* form: no blank lines, no date, and the first title glued to the header
  word (``SubscribeDynamicCity: …``).

Non-empty lines alternate title, abstract. Anything that cannot be paired is reported
with its line number and skipped, never silently dropped or mis-paired. Every date line starts
a new day: a file of several pages saved one after the other lists each day's papers on its day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from triage.core.wording import plural
from triage.importers.ahead import DumpsAhead
from triage.importers.decoding import NotText, clean_lines, decode
from triage.importers.files import UnreadableFile, expand_paths, read_limited, total_bytes
from triage.importers.once import store_once
from triage.store import Store
from triage.store.identity import paper_keys

PAGE_TEXT = {
    "new",
    "get trending papers in your email inbox!",
    "get trending papers in your email inbox once a day!",
    "subscribe",
    "daily papers",
    "byak and the research community",
}
_PAGE_TEXT_CHARS = max(map(len, PAGE_TEXT))  # a longer line is not page text: not case-folded
GLUED_HEADER = "Subscribe"
_MONTHS = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
_DATE_LINE = re.compile(
    r"^(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?P<day>\d{1,2})"
    r"(?:,?\s+(?P<year>\d{4}))?$",
    re.IGNORECASE,
)
_ISO_DATE_LINE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# The next page's header word glued to the last abstract of a file saved without a final newline.
_GLUED_NEW = re.compile(r"(?<=[.!?)\]])new$")
_SENTENCE_END = re.compile(r"[.!?]\s+[A-Z(]")
# An abstract is a paragraph of sentences; a title is one line, rarely this long, and never a
# sentence this long.
ABSTRACT_MIN_CHARS = 250
LONG_SENTENCE_CHARS = 600
DUMP_BYTES_A_PAPER = 1_500  # a title and abstract of a dump (a saved API response: more)


class DumpError(Exception):
    """This file cannot be imported; the message is one line naming the file."""


@dataclass
class DumpDay:
    """The papers listed under one date line (or before any: undated)."""

    listed_on: str | None
    entries: list[tuple[str, str]]
    keys: list[tuple[str, str, str]] | None = None
    """The entries' :func:`.identity.paper_keys`, computed by :func:`read_dump` (perhaps on
    another core: see :mod:`.ahead`)."""


@dataclass
class ParsedDump:
    days: list[DumpDay]  # in the file's order, each with at least one paper
    problems: list[str] = field(default_factory=list)  # "line N: …" for what was skipped
    warnings: list[str] = field(default_factory=list)  # e.g. the encoding used
    sha256: str = ""  # of the file's bytes: the same file is imported once
    size: int = 0
    resolved: str = ""  # the file's absolute path, symbolic links resolved (for the import log)

    @property
    def entries(self) -> list[tuple[str, str]]:
        return [entry for day in self.days for entry in day.entries]

    @property
    def listed_on(self) -> str | None:
        return self.days[0].listed_on


@dataclass
class ImportReport:
    path: Path
    found: int = 0
    new: int = 0
    known: int = 0
    skipped: int = 0
    already_imported: str | None = None  # when the same file was imported before
    listed_on: str | None = None
    days: list[str | None] = field(default_factory=list)  # the dates of a file of several days
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    def summary(self) -> str:
        if self.error:
            return f"error: {self.error}"
        if self.already_imported:
            return (
                f"{self.path}: already imported on {self.already_imported[:10]}, "
                f"nothing added ({plural(self.found, 'paper')})"
            )
        days = ""
        if len(self.days) > 1:
            days = f" on {len(self.days)} days ({', '.join(d or 'undated' for d in self.days)})"
        return (
            f"{self.path}: {plural(self.found, 'paper')} found{days}, {self.new} new, "
            f"{self.known} already known, {self.skipped} skipped"
        )


def looks_like_abstract(line: str) -> bool:
    return _abstract_weight(line) > 0


def _date_of(line: str, reference: dt.date) -> str | None:
    if not line[-1].isdecimal():  # what both forms end with (most lines are not dates)
        return None
    if match := _ISO_DATE_LINE.match(line):
        try:
            return dt.date(*map(int, match.groups())).isoformat()
        except ValueError:
            return None
    match = _DATE_LINE.match(line)
    if not match:
        return None
    month = _MONTHS[match["month"].lower()[:3]]
    day = int(match["day"])
    # The page shows no year: the most recent such day not after the reference.
    years = [int(match["year"])] if match["year"] else range(reference.year, reference.year - 8, -1)
    for year in years:
        try:
            date = dt.date(year, month, day)
        except ValueError:
            continue  # Feb 29 of a common year, or no such day at all
        if match["year"] or date <= reference:
            return date.isoformat()
    return None


@dataclass
class _Page:
    """A day's lines while parsing: the page text and date line before its papers, then them."""

    header: list[tuple[int, str]] = field(default_factory=list)
    listed_on: str | None = None
    date_line: tuple[int, str] | None = None
    body: list[tuple[int, str]] = field(default_factory=list)
    in_papers: bool = False  # an abstract was seen: a date line now starts the next day


def parse_dump(text: str, *, name: str, reference: dt.date | None = None) -> ParsedDump:
    """Pair titles and abstracts, day by day; ``reference`` dates a year-less date line."""
    reference = reference or dt.date.today()
    lines = clean_lines(text)
    problems: list[tuple[int, str]] = []  # (line number, message), sorted at the end
    pages = [_Page()]
    page_text: list[tuple[int, str]] = []  # after papers: a footer, or the next page's header
    saw_page_text = False
    for number, line in lines:
        page = pages[-1]
        if len(line) <= _PAGE_TEXT_CHARS and line.casefold() in PAGE_TEXT:
            saw_page_text = True
            (page_text if page.in_papers else page.header).append((number, line))
            continue
        date = _date_of(line, reference)
        glued = line.startswith(GLUED_HEADER) and _glued_to_header(
            line, page_text if page.in_papers else page.header
        )
        if (date is not None and (page.in_papers or page.listed_on is not None)) or (
            page.in_papers and page_text and glued
        ):  # the next page begins
            _unglue_new(page, page_text)
            pages.append(page := _Page(header=page_text))
            page_text = []
        if date is not None and page.listed_on is None and not page.in_papers:
            page.listed_on, page.date_line = date, (number, line)
            continue
        if page_text:
            problems.extend((n, f"line {n}: skipped page text {text!r}") for n, text in page_text)
            page_text = []
        kept = line
        if not page.body and glued:  # the compact form's first title, after its header word
            saw_page_text = True
            kept = line[len(GLUED_HEADER) :].strip()
        page.in_papers = page.in_papers or looks_like_abstract(kept)
        page.body.append((number, kept))
    problems.extend((n, f"line {n}: skipped page text {text!r}") for n, text in page_text)
    days = []
    for page in pages:
        if entries := _pair(page.body, problems):
            days.append(DumpDay(page.listed_on, entries))
        elif page.date_line and not page.body:
            number, line = page.date_line
            problems.append(
                (number, f"line {number}: skipped date line {line!r}: no papers after it")
            )
    entries = [entry for day in days for entry in day.entries]
    if not entries:
        raise DumpError(f"{name}: no title/abstract pairs found, not a Daily Papers dump")
    if not saw_page_text and sum(looks_like_abstract(a) for _, a in entries) * 2 < len(entries):
        raise DumpError(
            f"{name}: does not look like a Daily Papers dump (no page header, no abstracts)"
        )
    return ParsedDump(days, [message for _, message in sorted(problems)])


def _unglue_new(page: _Page, header: list[tuple[int, str]]) -> None:
    """Two pages saved one after the other, the first without a final newline: the second's
    ``new`` ends the first's last abstract (``…budgets.new``)."""
    if page.body and not any(line.casefold() == "new" for _, line in header):
        number, line = page.body[-1]
        page.body[-1] = (number, _GLUED_NEW.sub("", line))


def _glued_to_header(line: str, header: Sequence[tuple[int, str]]) -> bool:
    """The compact form's first title, e.g. ``SubscribeDynamicCity: …``.

    Not a title that merely starts with the word (``Subscriber Churn …``): that one
    follows a ``Subscribe`` line of its own, or no header at all and goes on in lower case.
    """
    if not line.startswith(GLUED_HEADER) or len(line) == len(GLUED_HEADER):
        return False
    if any(text.casefold() == GLUED_HEADER.casefold() for _, text in header):
        return False
    return bool(header) or not line[len(GLUED_HEADER)].islower()


def _pair(
    body: Sequence[tuple[int, str]], problems: list[tuple[int, str]]
) -> list[tuple[str, str]]:
    """Title then abstract; a line that fits neither role is reported and skipped.

    Lines are compared with their neighbours, so a title with a question in it
    (``Why…? A Study…!``) still heads the long paragraph that follows it.
    """
    entries: list[tuple[str, str]] = []
    weights = [_abstract_weight(line) for _, line in body] + [0]
    index = 0
    while index < len(body):
        number, line = body[index]
        following = body[index + 1][1] if index + 1 < len(body) else None
        weight, next_weight = weights[index], weights[index + 1]
        if following is None:
            problems.append((number, _unpaired(number, line, weight)))
            break
        if index + 2 < len(body) and weight <= next_weight < weights[index + 2]:
            # the next line is the next paper's title: this one has no abstract
            problems.append((number, _unpaired(number, line, weight)))
            index += 1
        elif weight and weight >= next_weight and not _long_title(line, following):
            problems.append((number, _unpaired(number, line, weight)))
            index += 1
        else:
            entries.append((line, following))
            index += 2
    return entries


def _abstract_weight(line: str) -> int:
    """2: surely an abstract (long, several sentences); 1: could be one (several sentences, or
    one very long one); 0: a title (one line, perhaps a long one)."""
    if len(line) >= ABSTRACT_MIN_CHARS:  # one sentence end decides: no need to count them all
        return 2 if _SENTENCE_END.search(line) else int(len(line) >= LONG_SENTENCE_CHARS)
    return int(len(_SENTENCE_END.findall(line)) >= 2)


def _long_title(line: str, following: str) -> bool:
    """A title as long as a short abstract (one sentence at most) heads a paragraph at least
    twice its length."""
    return len(_SENTENCE_END.findall(line)) <= 1 and len(following) >= 2 * len(line)


def _unpaired(number: int, line: str, weight: int) -> str:
    if weight:
        return f"line {number}: skipped a paragraph with no title: {line[:60]!r}"
    return f"line {number}: skipped a title with no abstract: {line[:80]!r}"


def read_dump(path: str | Path) -> ParsedDump:
    """Parse one file; raises DumpError with a one-line reason."""
    path = Path(path)
    try:
        data, status = read_limited(path)
        text, warnings = decode(data, str(path))
    except (UnreadableFile, NotText) as error:
        raise DumpError(str(error)) from None
    modified = dt.date.fromtimestamp(status.st_mtime)
    parsed = parse_dump(text, name=str(path), reference=min(modified, dt.date.today()))
    parsed.warnings.extend(warnings)
    parsed.sha256, parsed.size = hashlib.sha256(data).hexdigest(), len(data)
    parsed.resolved = str(path.resolve())  # here: perhaps on another core (see :mod:`.ahead`)
    for day in parsed.days:
        day.keys = [paper_keys(title) for title, _ in day.entries]
    return parsed


def import_file(
    store: Store, path: Path, read: Callable[[Path], ParsedDump] = read_dump
) -> ImportReport:
    """Import one dump whole (one transaction) or not at all; ``read`` parses it."""
    report = ImportReport(path)
    try:
        parsed = read(path)
    except DumpError as error:
        report.error = str(error)
        return report
    report.found = len(parsed.entries)
    report.skipped = len(parsed.problems)
    report.problems, report.warnings = parsed.problems, parsed.warnings
    report.listed_on = parsed.listed_on
    report.days = [day.listed_on for day in parsed.days]
    stored = store_once(store, parsed.sha256, lambda: _store_days(store, path, parsed), f"{path}: ")
    report.new, report.known, report.error = stored.new, stored.known, stored.error
    if stored.before:
        report.already_imported, report.known = stored.before, report.found
    return report


def _store_days(store: Store, path: Path, parsed: ParsedDump) -> tuple[int, int]:
    """Every day of the file in one transaction; returns (new, known).

    A file of one day lists its papers under its name; a file of several days under its name
    and each day, so a paper listed on two of its days keeps both listings. Each day is a row of
    the import log, the first keyed by the file's hash (so the file is imported once).
    """
    record = {
        "sha256": parsed.sha256,
        "name": path.name,
        "path": parsed.resolved or str(path.resolve()),
        "size": parsed.size,
    }
    new = known = 0
    with store.write():
        for number, day in enumerate(parsed.days):
            row = {**record, "found": len(day.entries), "skipped": len(parsed.problems)}
            source = path.name
            if len(parsed.days) > 1:
                source = f"{path.name} ({day.listed_on or 'undated'})"
            if number:
                digest = f"{parsed.sha256} day {number}".encode()
                row.update(sha256=hashlib.sha256(digest).hexdigest(), skipped=0)
            added, seen = store.add_papers(
                day.entries, source=source, listed_on=day.listed_on, record=row, keys=day.keys
            )
            new, known = new + added, known + seen
    return new, known


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    progress: Callable[[int, int, Path], None] | None = None,
) -> list[ImportReport]:
    """Import each file whole or not at all (a ``.json`` file as a saved API response); a bad
    file never stops the others. The files share transactions (see :mod:`triage.store.batches`):
    a thousand files are not a thousand commits."""
    from triage.importers.api import import_response_file  # it builds on this module

    files = expand_paths(paths)

    def import_one(numbered: tuple[int, Path]) -> ImportReport:
        done, path = numbered
        if progress:
            progress(done, len(files), path)
        if path.suffix.lower() == ".json":
            return import_response_file(store, path)
        return import_file(store, path, lambda _: ahead.read(done))

    coming = total_bytes(files) // DUMP_BYTES_A_PAPER
    # the next files parsed on another core meanwhile
    with DumpsAhead(files) as ahead, store.indexes_deferred(coming):
        reports = store.write_in_batches(list(enumerate(files)), import_one)
    if progress:
        progress(len(files), len(files), files[-1] if files else Path())
    return reports
