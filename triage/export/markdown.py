"""Markdown export of a reading list.

Titles, abstracts, tags and notes come from dumps and from the user: they are untrusted.
Everything taken from a paper is escaped so that no input can end its list item, start
a heading, a table, a code block or a link, or emit raw HTML; terminal control
sequences are stripped (``strip_control``) so ``cat export.md`` is safe too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from triage.core.files import atomic_file
from triage.core.text import strip_control, strips_alike_when_cut
from triage.core.wording import plural
from triage.export.arxiv import abs_url
from triage.store import STATES, Paper

STAR = "★"
ABSTRACT_LIMIT = 300
OPENING = ABSTRACT_LIMIT + 100
"""Characters of an abstract read for its first sentence, when they are enough."""

# Backslash-escapable punctuation that changes meaning anywhere in a line.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]|{}~#])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# Bare URLs and e-mail addresses become links in GFM renderers: break the pattern, keep the text.
_AUTOLINK = re.compile(r"(?<=\w)(:)(?=//)|(?<=\bwww)(\.)|(?<=\w)(@)(?=\w)", re.IGNORECASE)
# What turns the start of a line into a block: lists, quotes, setext underlines, numbered items.
_BLOCK_MARK = re.compile(r"[-+=>:]")
_NUMBERED_ITEM = re.compile(r"\d{1,9}(?=[.)])")
# Where a period ends no sentence: "(e.g. ImageNet)", "Smith et al. (2024)", "Fig. 3".
_ABBREVIATIONS = (
    "e.g.", "i.e.", "et al.", "etc.", "vs.", "cf.", "fig.", "figs.", "eq.", "eqs.", "sec.",
    "tab.", "ref.", "refs.", "no.", "approx.", "resp.", "incl.", "w.r.t.", "a.k.a.",
)  # fmt: skip
_NOT_AN_ABBREVIATION = "".join(
    rf"(?<!\b{re.escape(variant)})"
    for abbreviation in _ABBREVIATIONS
    for variant in {abbreviation, abbreviation.capitalize()}
)
_SENTENCE_END = re.compile(rf"(?<=[.!?]){_NOT_AN_ABBREVIATION}\s+(?=[A-Z0-9(\"'])")
# Where a sentence may end: found by a plain scan, then checked against the abbreviations.
_MAY_END = re.compile(r"[.!?]\s")


class ExportError(Exception):
    """The export could not be written (one line, names the file)."""


def one_line(text: str) -> str:
    """Control-free text on one line, whitespace collapsed."""
    if text.isprintable() and "  " not in text:
        return text.strip(" ")  # no control, and no whitespace but single spaces: most text
    return " ".join(strip_control(text).split())  # split: the whitespace `\s` matches


def _backslashed(match: re.Match[str]) -> str:
    return "\\" + match.group()


def escape_inline(text: str) -> str:
    """Markdown for literal text placed after other content on the same line."""
    if "&" in text:
        text = _ENTITY.sub("&amp;", text)
    text = _INLINE_SPECIAL.sub(_backslashed, text.replace("<", "&lt;"))
    if "//" not in text and "@" not in text and "www." not in text.lower():
        return text  # nothing to break: most text, and the pattern is slow to run
    return _AUTOLINK.sub(_backslashed, text)


def escape_line(text: str) -> str:
    """Markdown for literal text that starts a (continuation) line."""
    escaped = escape_inline(text.strip())
    if _BLOCK_MARK.match(escaped):
        return "\\" + escaped
    if number := _NUMBERED_ITEM.match(escaped):
        return f"{number.group()}\\{escaped[number.end() :]}"
    return escaped


def first_sentence(abstract: str) -> str:
    text = _opening(abstract)
    sentence = text
    for candidate in _MAY_END.finditer(text):  # a scan: faster than the abbreviations at each place
        if _SENTENCE_END.match(text, candidate.start() + 1):
            sentence = text[: candidate.start() + 1]
            break
    if len(sentence) > ABSTRACT_LIMIT:
        sentence = sentence[:ABSTRACT_LIMIT].rsplit(" ", 1)[0] + " …"
    return sentence


def _opening(abstract: str) -> str:
    """``one_line(abstract)``, or as much of its start as decides the first sentence: an
    export reads thousands of abstracts, whose first sentence is a small part.

    The abstract's first ``OPENING`` characters on one line are the start of the whole on one
    line, if no escape sequence begins in them (one could run on past the cut). Its first
    ``ABSTRACT_LIMIT + 2`` characters decide the first sentence: one ending within them ends
    there in the whole too; one that does not is longer than ``ABSTRACT_LIMIT``, and cut."""
    if len(abstract) > OPENING and strips_alike_when_cut(abstract, OPENING):
        text = one_line(abstract[:OPENING])
        if len(text) >= ABSTRACT_LIMIT + 2:
            return text
    return one_line(abstract)


def _note_lines(note: str) -> list[str]:
    """A note's lines, escaped, blank runs collapsed to one, no blank ends."""
    if not note:
        return []  # most papers
    lines: list[str] = []
    for raw in strip_control(note).split("\n"):
        line = escape_line(raw)
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _paper_item(paper: Paper) -> str:
    marker = f"{STAR} " if paper.starred else ""
    title = escape_inline(one_line(paper.title)) or "(untitled)"
    if url := abs_url(paper.identity.arxiv_id):
        title = f"[{title}]({url})"
    out = [f"- {marker}**{title}**"]
    if paper.tags:
        out.append("  - Tags: " + ", ".join(escape_inline(one_line(tag)) for tag in paper.tags))
    note = _note_lines(paper.note)
    if note:
        # A backslash at the end of a line is a hard break: the note keeps its lines.
        out.append("  - Note: " + "\\\n    ".join(note))
    if sentence := first_sentence(paper.abstract):
        out.append("  - " + escape_line(sentence))
    return "\n".join(out)


T = TypeVar("T")


def by_state(papers: Iterable[tuple[T, str, bool]]) -> list[tuple[str, list[T]]]:
    """(state, its papers) of (paper, state, starred) triples, as a reading list shows them:
    states in ``STATES`` order (unknown states after, by name), starred papers first in each,
    else in the order given."""
    groups: dict[str, tuple[list[T], list[T]]] = {}
    for paper, state, starred in papers:
        groups.setdefault(state, ([], []))[0 if starred else 1].append(paper)
    order = [state for state in STATES if state in groups]
    order += sorted(state for state in groups if state not in STATES)
    return [(state, groups[state][0] + groups[state][1]) for state in order]


def markdown_pieces(
    sections: Iterable[tuple[str, int, Iterable[Paper]]],
    *,
    count: int,
    starred: int,
    title: str,
    query: str | None = None,
) -> Iterator[str]:
    """A reading list, piece by piece, from its ``sections`` ((state, how many, its papers) in
    the order of :func:`by_state`): the papers may be read while it is written."""
    head = [f"# {escape_inline(one_line(title)) or 'Papers'}", ""]
    if query is not None and one_line(query):
        head += [f"Query: {escape_inline(one_line(query))}", ""]
    counted = plural(count, "paper")
    head.append(f"{counted}, {starred} starred." if starred else f"{counted}.")
    yield "\n".join(head)
    for state, size, papers in sections:
        yield f"\n\n## {escape_inline(one_line(state).capitalize())} ({size})\n"
        for paper in papers:
            yield "\n" + _paper_item(paper)
    yield "\n"


def export_markdown(papers: Sequence[Paper], *, title: str, query: str | None = None) -> str:
    """The papers as a Markdown reading list.

    One ``##`` section per state, in ``STATES`` order (unknown states after, by name),
    empty states left out. Inside a section starred papers come first, marked ★;
    otherwise papers keep the order given (the caller's list or search order).
    Each paper is a list item: bold title (a link to its arXiv page when its id is known),
    then sub-items for tags, note and the first sentence of the abstract. The output depends
    only on the arguments.
    """
    sections = by_state((paper, paper.state, paper.starred) for paper in papers)
    return "".join(
        markdown_pieces(
            [(state, len(group), group) for state, group in sections],
            count=len(papers),
            starred=sum(paper.starred for paper in papers),
            title=title,
            query=query,
        )
    )


def write_atomically(path: str | os.PathLike[str], text: str | Iterable[str]) -> None:
    """Replace ``path`` with ``text`` (UTF-8; or its pieces, written as they come) in one step:
    if making the pieces fails, ``path`` is left as it was (see :func:`atomic_file`)."""
    pieces = [text] if isinstance(text, str) else text
    try:
        with atomic_file(path) as (handle, _):
            for piece in pieces:
                handle.write(piece.encode("utf-8"))
    except OSError as error:
        reason = error.strerror or str(error)
        raise ExportError(f"{Path(path).expanduser()}: cannot write: {reason}") from None
