"""What `triage list` shows of each paper it lists, read for many papers at once.

A listing of 33,806 papers of a million spent ~0.4 s looking each one up: its id in the id
index, then its row, its annotations, its earliest listing and its tags, paper by paper. Here
the rows of a chunk of papers are read in one pass in rowid order when the search's table knows
their rowids (one B-tree less, each page read once); the row holds the paper's date, and the
star, state and tags come from the search's table when it gives them (:data:`LineMarks`, as
caught up with the store by that search); else the annotations and tags, when there are fewer
of them than papers to show, are read whole instead of looked up per paper.

What is read comes as lookups for the caller to make the lines in one pass (:class:`LineTexts`),
not as an object a paper: for 33,806 papers, making them and then the lines took ~20 ms more.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from triage.store.models import DEFAULT_STATE

FIRST_CHUNK = 500  # papers of the first lines: they come at once
CHUNK = 32_000  # papers read at once after those: one pass in rowid order over many, bounded

# each paper looked up from the array of the wanted ones, in its order (a rowid or an id a
# row): 33,806 papers of a million ~5 ms less than ``IN (SELECT value FROM json_each(?))``,
# which first copies the array into a temporary index
_WANTED = "FROM json_each(?) j CROSS JOIN papers p ON p.{key} = j.value"
_PAPER = "SELECT p.id, p.title, p.last_listed " + _WANTED
_ANNOTATED_PAPER = (
    "SELECT p.id, p.title, p.last_listed, a.starred, a.state "
    f"{_WANTED} LEFT JOIN annotations a ON a.paper_id = p.id"
)
_IN_ARRAY = "IN (SELECT value FROM json_each(?))"


LineMarks = tuple[bool, str, list[str]]
"""What a line shows of the user's marks on a paper: starred, state, tags A-Z (a plain tuple:
a NamedTuple is slower to make). A paper without any mark has none: not starred, the default
state, no tags."""


class LineTexts(NamedTuple):
    """What the store holds of a chunk of papers to list, beside their marks."""

    ids: Sequence[str]
    """The papers, in their order (some may be unknown)."""
    papers: dict[str, tuple[Any, ...]]
    """Each known paper's (id, title, date, ...) by id: its date is :attr:`Paper.listed_on`,
    the one of the list's order and of the app's list."""


def as_json(values: Sequence[Any]) -> str:
    """Values bound as one JSON array (``IN (SELECT value FROM json_each(?))``): any number of
    them, where ``IN (?, …)`` stops at SQLite's limit on parameters."""
    return json.dumps(list(values))


class PaperLines:
    conn: sqlite3.Connection

    def line_texts(
        self,
        ids: Sequence[str],
        rowids: Sequence[int] | None = None,
        marks: Mapping[str, LineMarks] | None = None,
    ) -> Iterator[tuple[LineTexts, Mapping[str, LineMarks]]]:
        """What `triage list` shows of ``ids``, a chunk at a time: their texts, and the marks of
        those with any. ``rowids``: each paper's rowid as last read (see
        :meth:`~triage.store.Reader.list_rows`); a paper whose rowid names another paper now (a
        VACUUM renumbers rows) is read by its id. ``marks``: the star, state and tags of each
        paper that has any, if the caller knows them as they are now (the search caught up with
        the store); else they are read here."""
        start, size = 0, FIRST_CHUNK
        wholes: dict[tuple[str, int], list[tuple[Any, ...]] | None] = {}
        while start < len(ids):
            end = start + size
            chunk, chunk_rowids = ids[start:end], rowids[start:end] if rowids is not None else None
            if marks is not None:
                rows = self._line_rows(_PAPER, chunk, chunk_rowids)
                yield LineTexts(chunk, rows), marks
            else:
                yield self._texts_and_marks(chunk, chunk_rowids, wholes)
            start, size = end, CHUNK

    def _line_rows(
        self, sql: str, ids: Sequence[str], rowids: Sequence[int] | None
    ) -> dict[str, Any]:
        """``sql``'s row of each paper (``p``: papers; ``{key}``: what ``j``, the wanted
        papers, holds) by id, found by rowid where given."""
        rows: dict[str, tuple[Any, ...]] = {}
        if rowids is not None:  # in rowid order: each page read once, fewer B-tree steps
            found = self.conn.execute(sql.format(key="rowid"), [as_json(sorted(rowids))])
            rows = {row[0]: row for row in found}
        missing = [paper for paper in ids if paper not in rows]
        if missing:
            found = self.conn.execute(sql.format(key="id"), [as_json(missing)])
            rows.update((row[0], row) for row in found)
        return rows

    def _texts_and_marks(
        self,
        ids: Sequence[str],
        rowids: Sequence[int] | None,
        wholes: dict[tuple[str, int], list[tuple[Any, ...]] | None],
    ) -> tuple[LineTexts, dict[str, LineMarks]]:
        """``wholes``: the tables read whole (or found too large) for an earlier chunk."""
        annotations = self._all_if_fewer(
            "annotations", "SELECT paper_id, starred, state FROM annotations", len(ids), wholes
        )
        rows = self._line_rows(_PAPER if annotations is not None else _ANNOTATED_PAPER, ids, rowids)
        tags: Iterable[tuple[Any, ...]] | None = self._all_if_fewer(
            "tags", "SELECT paper_id, tag FROM tags WHERE present ORDER BY tag", len(ids), wholes
        )
        if tags is None:
            tags = self.conn.execute(
                f"SELECT paper_id, tag FROM tags WHERE present AND paper_id {_IN_ARRAY} "
                "ORDER BY tag",
                [as_json(ids)],
            )
        tags_of: dict[str, list[str]] = {}
        for paper, tag in tags:
            tags_of.setdefault(paper, []).append(tag)
        if annotations is not None:
            annotated = {paper: (starred, state) for paper, starred, state in annotations}
        else:
            annotated = {
                paper: row[3:] for paper, row in rows.items() if row[3] or row[4] is not None
            }
        marks: dict[str, LineMarks] = {}
        for paper in annotated.keys() | tags_of.keys():
            starred, state = annotated.get(paper, (0, None))
            state = DEFAULT_STATE if state is None else state
            marks[paper] = (bool(starred), state, tags_of.get(paper, []))
        return LineTexts(ids, rows), marks

    def _all_if_fewer(
        self,
        table: str,
        sql: str,
        count: int,
        wholes: dict[tuple[str, int], list[tuple[Any, ...]] | None],
    ) -> list[tuple[Any, ...]] | None:
        """The rows of ``sql`` (all of ``table``'s, or some) if ``table`` has fewer than
        ``count``: reading them costs less than looking ``count`` papers up. Else None. Read
        once per chunk size (``wholes``), not for each of a million papers' 32 chunks."""
        key = (table, count)
        if key not in wholes:
            counted = f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT ?)"
            if self.conn.execute(counted, [count]).fetchone()[0] >= count:
                wholes[key] = None
            else:
                wholes[key] = self.conn.execute(sql).fetchall()
        return wholes[key]
