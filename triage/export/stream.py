"""Exports of any size: the papers are chosen first (their ids only), then read ``CHUNK`` at a
time and written as they are read, so memory does not grow with the papers' text, to a file that
appears whole or not at all (:func:`.markdown.write_atomically`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from triage.export.bibtex import bibtex_pieces
from triage.export.markdown import by_state, markdown_pieces
from triage.store import Paper, Reader, json_pieces

BLOCK_CHARS = 1 << 16
"""Pieces are handed on joined in blocks of about this many characters: few writes."""


@dataclass(frozen=True)
class Selection:
    """The papers an export holds: ``ids`` in their order (a search's, the view's), else every
    paper newest first; only the starred ones, one state, or those carrying every one of
    ``tags``, when asked."""

    ids: Sequence[str] | None = None
    starred: bool = False
    state: str | None = None
    tags: tuple[str, ...] = ()


def export_pieces(
    reader: Reader, selection: Selection, form: str, *, title: str, query: str | None
) -> tuple[int, Iterator[str]]:
    """(how many papers, the export's text in blocks): the papers are chosen now, read and
    written as the blocks are taken. ``form``: markdown, bibtex or json."""
    rows = reader.export_rows(
        selection.ids, starred=selection.starred, state=selection.state, tags=selection.tags
    )
    if form == "markdown":
        starred = [0]

        def counting_stars() -> Iterator[tuple[str, str, bool]]:
            for paper, state, is_starred in rows:
                starred[0] += is_starred
                yield paper, state, bool(is_starred)

        sections = by_state(counting_stars())
        count = sum(len(papers) for _, papers in sections)
        pieces = markdown_pieces(  # a reading list shows no listings: not read
            [(state, len(papers), _read(reader, papers, False)) for state, papers in sections],
            count=count,
            starred=starred[0],
            title=title,
            query=query,
        )
        return count, _blocks(pieces)
    ids = [row[0] for row in rows]
    papers = _read(reader, ids, True)
    return len(ids), _blocks(bibtex_pieces(papers) if form == "bibtex" else _json(papers))


def _json(papers: Iterable[Paper]) -> Iterator[str]:
    yield from json_pieces(papers)
    yield "\n"


def _read(reader: Reader, ids: Sequence[str], listings: bool) -> Iterator[Paper]:
    for chunk in reader.papers_in_chunks(ids, listings=listings):
        yield from chunk


def _blocks(pieces: Iterable[str]) -> Iterator[str]:
    block: list[str] = []
    size = 0
    for piece in pieces:
        block.append(piece)
        size += len(piece)
        if size >= BLOCK_CHARS:
            yield "".join(block)
            block, size = [], 0
    if block:
        yield "".join(block)
