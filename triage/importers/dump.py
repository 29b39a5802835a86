"""Importer for text dumps of the Hugging Face "Daily Papers" page.

Two formats are seen in the wild, and both are accepted:

* the *page* form: header lines (``new``, ``Get trending papers…``, ``Subscribe``,
  ``Daily Papers``, ``byAK and the research community``), a date line (``Oct 3``), then
  title and abstract lines separated by blank lines;
* the *compact* form: no blank lines, no date, and the first title glued to the header
  word (``SubscribeDynamicCity: …``).

Non-empty lines alternate title, abstract. Anything that cannot be paired is reported
with its line number and skipped, never silently dropped or mis-paired.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from triage.core.text import strip_control
from triage.store import Store, StoreError

PAGE_TEXT = {
    "new",
    "get trending papers in your email inbox!",
    "get trending papers in your email inbox once a day!",
    "subscribe",
    "daily papers",
    "byak and the research community",
}
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
# Not tab, newlines, form feed, nor ESC: a dump saved from a terminal may be full of colour codes.
_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_SENTENCE_END = re.compile(r"[.!?]\s+[A-Z(]")
# An abstract is a paragraph; a title is one line of a few words.
ABSTRACT_MIN_CHARS = 250


class DumpError(Exception):
    """This file cannot be imported; the message is one line naming the file."""


@dataclass
class ParsedDump:
    entries: list[tuple[str, str]]
    listed_on: str | None
    problems: list[str] = field(default_factory=list)  # "line N: …" for what was skipped
    warnings: list[str] = field(default_factory=list)  # e.g. the encoding used
    sha256: str = ""  # of the file's bytes: the same file is imported once
    size: int = 0


@dataclass
class ImportReport:
    path: Path
    found: int = 0
    new: int = 0
    known: int = 0
    skipped: int = 0
    already_imported: str | None = None  # when the same file was imported before
    listed_on: str | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    def summary(self) -> str:
        if self.error:
            return f"error: {self.error}"
        if self.already_imported:
            return (
                f"{self.path}: already imported on {self.already_imported[:10]}, "
                f"nothing added ({self.found} papers)"
            )
        return (
            f"{self.path}: {self.found} papers found, {self.new} new, "
            f"{self.known} already known, {self.skipped} skipped"
        )


def looks_like_abstract(line: str) -> bool:
    return _abstract_weight(line) > 0


def decode(data: bytes, name: str) -> tuple[str, list[str]]:
    """Text of a dump, liberal in encodings; refuses binary files."""
    if not data.strip():
        raise DumpError(f"{name}: empty file, nothing to import")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            if _looks_binary(text[:8192]):
                raise DumpError(f"{name}: binary file, not a Daily Papers text dump")
            return text, []
    if _looks_binary(data[:8192].decode("latin-1")):
        raise DumpError(f"{name}: binary file, not a Daily Papers text dump")
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        position = error.start
    try:
        text = data.decode("cp1252")
        encoding = "Windows-1252"
    except UnicodeDecodeError:
        text, encoding = data.decode("latin-1"), "Latin-1"
    line = data.count(b"\n", 0, position) + 1
    return text, [f"{name}: not UTF-8 (line {line}), decoded as {encoding}"]


def _looks_binary(sample: str) -> bool:
    """NUL bytes, or more than 1% control characters (a stray escape sequence is fine)."""
    return "\x00" in sample or len(_BINARY_CONTROL.findall(sample)) > len(sample) // 100


def _date_of(line: str, reference: dt.date) -> str | None:
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


def _spaced_separators(text: str) -> str:
    """U+2028/U+2029 inside a dump line become spaces: a title pasted with one stays whole
    (strip_control would start a new line there, as it does in notes)."""
    return text.replace("\u2028", " ").replace("\u2029", " ")


def parse_dump(text: str, *, name: str, reference: dt.date | None = None) -> ParsedDump:
    """Pair titles and abstracts; ``reference`` dates a year-less date line."""
    reference = reference or dt.date.today()
    lines = [
        (number, cleaned)
        for number, raw in enumerate(strip_control(_spaced_separators(text)).split("\n"), start=1)
        if (cleaned := " ".join(raw.split()))
    ]
    listed_on: str | None = None
    problems: list[tuple[int, str]] = []  # (line number, message), sorted at the end
    saw_page_text = saw_subscribe = in_papers = False
    body: list[tuple[int, str]] = []
    for number, line in lines:
        lowered = line.casefold()
        if lowered in PAGE_TEXT:
            saw_page_text = True
            saw_subscribe = saw_subscribe or lowered == GLUED_HEADER.casefold()
            if in_papers:  # header lines come before the papers, a footer after
                problems.append((number, f"line {number}: skipped page text {line!r}"))
            continue
        if not body and _glued_to_header(line, saw_page_text, saw_subscribe):
            saw_page_text = True
            body.append((number, line[len(GLUED_HEADER) :].strip()))
            continue
        if (date := _date_of(line, reference)) is not None:
            # The page's date line comes before the papers, perhaps after a stray line.
            if listed_on is None and not in_papers:
                listed_on = date
                continue
            if len(line) < 20:
                problems.append((number, f"line {number}: skipped stray date line {line!r}"))
                continue
        in_papers = in_papers or looks_like_abstract(line)
        body.append((number, line))
    entries = _pair(body, problems)
    if not entries:
        raise DumpError(f"{name}: no title/abstract pairs found, not a Daily Papers dump")
    if not saw_page_text and sum(looks_like_abstract(a) for _, a in entries) * 2 < len(entries):
        raise DumpError(
            f"{name}: does not look like a Daily Papers dump (no page header, no abstracts)"
        )
    return ParsedDump(entries, listed_on, [message for _, message in sorted(problems)])


def _glued_to_header(line: str, saw_page_text: bool, saw_subscribe: bool) -> bool:
    """The compact form's first title, e.g. ``SubscribeDynamicCity: …``.

    Not a title that merely starts with the word (``Subscriber Churn …``): that one
    follows a ``Subscribe`` line of its own, or no header at all and goes on in lower case.
    """
    if saw_subscribe or not line.startswith(GLUED_HEADER) or len(line) == len(GLUED_HEADER):
        return False
    return saw_page_text or not line[len(GLUED_HEADER)].islower()


def _pair(
    body: Sequence[tuple[int, str]], problems: list[tuple[int, str]]
) -> list[tuple[str, str]]:
    """Title then abstract; a line that fits neither role is reported and skipped.

    Lines are compared with their neighbours, so a title with a question in it
    (``Why…? A Study…!``) still heads the long paragraph that follows it.
    """
    entries: list[tuple[str, str]] = []
    index = 0
    while index < len(body):
        number, line = body[index]
        following = body[index + 1][1] if index + 1 < len(body) else None
        after = body[index + 2][1] if index + 2 < len(body) else None
        weight = _abstract_weight(line)
        if following is None:
            problems.append((number, _unpaired(number, line, weight)))
            break
        next_weight = _abstract_weight(following)
        if after is not None and weight <= next_weight < _abstract_weight(after):
            # the next line is the next paper's title: this one has no abstract
            problems.append((number, _unpaired(number, line, weight)))
            index += 1
        elif weight and weight >= next_weight:
            problems.append((number, _unpaired(number, line, weight)))
            index += 1
        else:
            entries.append((line, following))
            index += 2
    return entries


def _abstract_weight(line: str) -> int:
    """2: surely an abstract (long); 1: could be one (several sentences); 0: a title."""
    if len(line) >= ABSTRACT_MIN_CHARS:
        return 2
    return int(len(_SENTENCE_END.findall(line)) >= 2)


def _unpaired(number: int, line: str, weight: int) -> str:
    if weight:
        return f"line {number}: skipped a paragraph with no title: {line[:60]!r}"
    return f"line {number}: skipped a title with no abstract: {line[:80]!r}"


def read_dump(path: str | Path) -> ParsedDump:
    """Parse one file; raises DumpError with a one-line reason."""
    path = Path(path)
    try:
        data = path.read_bytes()
        modified = dt.date.fromtimestamp(path.stat().st_mtime)
    except IsADirectoryError:
        raise DumpError(f"{path}: is a directory") from None
    except OSError as error:
        raise DumpError(f"{path}: cannot read: {error.strerror or error}") from None
    text, warnings = decode(data, str(path))
    parsed = parse_dump(text, name=str(path), reference=min(modified, dt.date.today()))
    parsed.warnings.extend(warnings)
    parsed.sha256, parsed.size = hashlib.sha256(data).hexdigest(), len(data)
    return parsed


IMPORTED_SUFFIXES = (".txt", ".json")
"""What a directory's files are imported by: text dumps, and saved Daily Papers API responses."""


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; directories become every ``*.txt`` and ``*.json`` inside, by name."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(item for end in IMPORTED_SUFFIXES for item in path.glob(f"*{end}")))
        else:
            files.append(path)
    return files


def import_file(store: Store, path: Path) -> ImportReport:
    """Import one dump whole (one transaction) or not at all."""
    report = ImportReport(path)
    try:
        parsed = read_dump(path)
    except DumpError as error:
        report.error = str(error)
        return report
    report.found = len(parsed.entries)
    report.skipped = len(parsed.problems)
    report.problems, report.warnings = parsed.problems, parsed.warnings
    report.listed_on = parsed.listed_on
    digest = parsed.sha256
    try:
        if previous := store.known_import(digest):
            report.already_imported = previous["imported_at"]
            report.known = report.found
            return report
        report.new, report.known = store.add_papers(
            parsed.entries,
            source=path.name,
            listed_on=parsed.listed_on,
            record={
                "sha256": digest,
                "name": path.name,
                "path": str(path.resolve()),
                "size": parsed.size,
                "found": report.found,
                "skipped": report.skipped,
            },
        )
    except StoreError as error:
        report.error = str(error)
    except sqlite3.Error as error:  # e.g. disk full or locked mid-import: rolled back
        report.error = f"{path}: not imported, {store.path} refused it: {error}"
    if report.error:
        report.new = report.known = 0
    return report


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    progress: Callable[[int, int, Path], None] | None = None,
) -> list[ImportReport]:
    """Import each file on its own (a ``.json`` file as a saved API response); a bad file
    never stops the others."""
    from triage.importers.api import import_response_file  # it builds on this module

    files = expand_paths(paths)
    reports = []
    for done, path in enumerate(files):
        if progress:
            progress(done, len(files), path)
        is_response = path.suffix.lower() == ".json"
        reports.append((import_response_file if is_response else import_file)(store, path))
    if progress:
        progress(len(files), len(files), files[-1] if files else Path())
    return reports
