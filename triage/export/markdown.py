"""Markdown export of a reading list.

Titles, abstracts, tags and notes come from dumps and from the user: they are untrusted.
Everything taken from a paper is escaped so that no input can end its list item, start
a heading, a table, a code block or a link, or emit raw HTML; terminal control
sequences are stripped (``strip_control``) so ``cat export.md`` is safe too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from triage.core.files import atomic_write
from triage.core.text import strip_control
from triage.core.wording import plural
from triage.export.arxiv import abs_url
from triage.store import STATES, Paper

STAR = "★"
ABSTRACT_LIMIT = 300

_WHITESPACE = re.compile(r"\s+")
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


class ExportError(Exception):
    """The export could not be written (one line, names the file)."""


def one_line(text: str) -> str:
    """Control-free text on one line, whitespace collapsed."""
    return _WHITESPACE.sub(" ", strip_control(text)).strip()


def escape_inline(text: str) -> str:
    """Markdown for literal text placed after other content on the same line."""
    text = _ENTITY.sub("&amp;", text)
    text = text.replace("<", "&lt;")
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    return _AUTOLINK.sub(lambda match: "\\" + match.group(), text)


def escape_line(text: str) -> str:
    """Markdown for literal text that starts a (continuation) line."""
    escaped = escape_inline(text.strip())
    if _BLOCK_MARK.match(escaped):
        return "\\" + escaped
    if number := _NUMBERED_ITEM.match(escaped):
        return f"{number.group()}\\{escaped[number.end() :]}"
    return escaped


def first_sentence(abstract: str) -> str:
    text = one_line(abstract)
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0]
    if len(sentence) > ABSTRACT_LIMIT:
        sentence = sentence[:ABSTRACT_LIMIT].rsplit(" ", 1)[0] + " …"
    return sentence


def _note_lines(note: str) -> list[str]:
    """A note's lines, escaped, blank runs collapsed to one, no blank ends."""
    lines: list[str] = []
    for raw in strip_control(note).split("\n"):
        line = escape_line(raw)
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _paper_item(paper: Paper) -> list[str]:
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
    return out


def export_markdown(papers: Sequence[Paper], *, title: str, query: str | None = None) -> str:
    """The papers as a Markdown reading list.

    One ``##`` section per state, in ``STATES`` order (unknown states after, by name),
    empty states left out. Inside a section starred papers come first, marked ★;
    otherwise papers keep the order given (the caller's list or search order).
    Each paper is a list item: bold title (a link to its arXiv page when its id is known),
    then sub-items for tags, note and the first sentence of the abstract. The output depends
    only on the arguments.
    """
    groups: dict[str, list[Paper]] = {}
    for paper in papers:
        groups.setdefault(paper.state, []).append(paper)
    order = [state for state in STATES if state in groups]
    order += sorted(state for state in groups if state not in STATES)

    starred = sum(paper.starred for paper in papers)
    count = plural(len(papers), "paper")
    lines = [f"# {escape_inline(one_line(title)) or 'Papers'}", ""]
    if query is not None and one_line(query):
        lines += [f"Query: {escape_inline(one_line(query))}", ""]
    lines += [f"{count}, {starred} starred." if starred else f"{count}.", ""]
    for state in order:
        group = groups[state]
        heading = escape_inline(one_line(state).capitalize())
        lines += [f"## {heading} ({len(group)})", ""]
        for paper in sorted(group, key=lambda paper: not paper.starred):
            lines += _paper_item(paper)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) in one step (see :func:`atomic_write`)."""
    try:
        atomic_write(path, text)
    except OSError as error:
        reason = error.strerror or str(error)
        raise ExportError(f"{Path(path).expanduser()}: cannot write: {reason}") from None
