"""The read side of the store: every query that reads papers, for every reader.

The app, the CLI and the search index all read through :class:`Reader`, over a Store's own
connection or a read-only one (the index reads from a worker thread). The list order, the
change token and the text of each searchable field are defined here once.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from triage.store.changes import changed_since
from triage.store.lines import PaperLines
from triage.store.models import DEFAULT_STATE, STATES, Identity, Listing, Paper
from triage.store.views import NEWEST_FIRST, BuiltInViews

T = TypeVar("T")
CHUNK = 500  # ids per `IN (...)`: well under SQLite's limit on bound parameters
"""The default list order: newest listing first, then newest added."""

TEXT_COLUMNS = {  # each searchable text field, over papers p LEFT JOIN annotations a
    "title": "p.title",
    "abstract": "p.abstract",
    "note": "a.note",
    "tagwords": "(SELECT group_concat(tag, ' ') FROM tags t WHERE t.paper_id = p.id AND t.present)",
    # the authors' names, in order; a value that is not JSON reads as none (as authors_from_json)
    "authors": "(SELECT group_concat(value, ', ') FROM json_each(CASE WHEN json_valid(p.authors) "
    "AND json_type(p.authors) = 'array' THEN p.authors ELSE '[]' END) WHERE type = 'text')",
}
_PAPER_JOIN = "FROM papers p LEFT JOIN annotations a ON a.paper_id = p.id"
_LIST_ROW = (
    "SELECT p.id, p.last_listed, coalesce(a.starred, 0), coalesce(a.state, ?), "
    f"coalesce(a.note, '') != '', p.rowid {_PAPER_JOIN}"
)
_DOCUMENT = f"""
SELECT p.id, p.version, p.title, p.abstract, p.added_at,
       coalesce(a.starred, 0), coalesce(a.state, ?), coalesce(a.note, ''),
       {TEXT_COLUMNS["tagwords"]}, p.last_listed, {TEXT_COLUMNS["authors"]}
{_PAPER_JOIN}
"""


_PAPER = (
    "SELECT p.id, p.title, p.abstract, p.added_at, p.url, coalesce(a.starred, 0), "
    "coalesce(a.state, ?), coalesce(a.note, ''), p.arxiv_id, p.authors, p.upvotes, "
    f"p.comments, p.github_repo, p.project_page, p.last_listed {_PAPER_JOIN}"
)


def authors_from_json(text: str | None) -> tuple[str, ...]:
    """Authors are stored as a JSON array, in order; anything else reads as none."""
    if not text:
        return ()
    try:
        names = json.loads(text)
    except ValueError:
        return ()
    return tuple(name for name in names if isinstance(name, str)) if isinstance(names, list) else ()


def _paper(row: tuple[Any, ...]) -> Paper:
    return Paper(
        id=row[0],
        title=row[1],
        abstract=row[2],
        added_at=row[3],
        url=row[4],
        starred=bool(row[5]),
        state=row[6],
        note=row[7],
        identity=Identity(row[8], authors_from_json(row[9]), row[10], row[11], row[12], row[13]),
        listed_on=row[14],
    )


def chunks(ids: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def marks(chunk: Sequence[Any]) -> str:
    return ",".join("?" * len(chunk))


class Reader(BuiltInViews, PaperLines):
    """Reads one DB through ``conn`` (a Store's, or a read-only connection of its own)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def _in_chunks(self, sql: str, ids: Sequence[str], *before: Any) -> Iterator[tuple[Any, ...]]:
        """Rows of ``sql`` (with ``{}`` where the id placeholders go) for every chunk of ids."""
        for chunk in chunks(ids):
            yield from self.conn.execute(sql.format(marks(chunk)), [*before, *chunk])

    # -- change tracking (for caches) ------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def change_token(self) -> str | None:
        """Changes on every committed write, in this process or any other."""
        return self.meta("change_token")

    def paper_versions(self) -> dict[str, str]:
        """Paper id -> version, new on every change of the paper or its annotations."""
        return dict(self.each_paper_version())

    def each_paper_version(self) -> Iterator[tuple[str, str]]:
        """(id, version) of every paper, read as they are consumed: a million in a dict are
        ~150 MB."""
        return iter(self.conn.execute("SELECT id, version FROM papers"))

    def token_and_versions(self) -> tuple[str | None, dict[str, str]]:
        """Both in one snapshot (outside any transaction of the caller's)."""
        self.conn.execute("BEGIN")
        try:
            return self.change_token(), self.paper_versions()
        finally:
            self.conn.execute("COMMIT")

    def changes_since(self, token: str | None) -> tuple[str | None, set[str] | None]:
        """(the change token now, the papers changed since the token was ``token``) in one
        snapshot, in O(changes); the papers are None when the file cannot tell (see
        :mod:`.changes`): compare :meth:`paper_versions` then."""
        self.conn.execute("BEGIN")
        try:
            return self.change_token(), changed_since(self.conn, token)
        finally:
            self.conn.execute("COMMIT")

    # -- papers ------------------------------------------------------------------------------

    def count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM papers").fetchone()[0])

    def is_empty(self) -> bool:
        """No paper yet: one row looked at, where counting a million takes ~0.1-0.3 s."""
        return self.conn.execute("SELECT 1 FROM papers LIMIT 1").fetchone() is None

    def ids_newest_first(self, limit: int = -1) -> list[str]:
        return [
            row[0]
            for row in self.conn.execute(f"SELECT id FROM papers p {NEWEST_FIRST} LIMIT ?", [limit])
        ]

    def located_newest_first(self, limit: int = -1) -> tuple[list[str], list[int]]:
        """:meth:`ids_newest_first`, with each paper's rowid (see :meth:`line_texts`): from
        the list order's index alone."""
        ids: list[str] = []
        rowids: list[int] = []
        sql = f"SELECT p.id, p.rowid FROM papers p {NEWEST_FIRST} LIMIT ?"
        for paper, rowid in self.conn.execute(sql, [limit]):
            ids.append(paper)
            rowids.append(rowid)
        return ids, rowids

    def unknown_ids(self, ids: Sequence[str]) -> list[str]:
        """The ids that name no paper here."""
        known = {row[0] for row in self._in_chunks("SELECT id FROM papers WHERE id IN ({})", ids)}
        return [paper for paper in ids if paper not in known]

    def ids_starting_with(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` ids that start with ``prefix`` (lower-case hex), in id order."""
        if not prefix or prefix.strip("0123456789abcdef"):
            return []  # ids are hex: nothing else can match, and GLOB must see no wildcard
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT id FROM papers WHERE id GLOB ? ORDER BY id LIMIT ?", [f"{prefix}*", limit]
            )
        ]

    def get(self, paper: str) -> Paper | None:
        found = self.papers([paper])
        return found[0] if found else None

    def papers(self, ids: Sequence[str] | None = None) -> list[Paper]:
        """Full records, in the order of ``ids`` (default: every paper, newest first)."""
        ids = self.ids_newest_first() if ids is None else ids
        return [paper for chunk in self.papers_in_chunks(ids) for paper in chunk]

    def papers_in_chunks(
        self, ids: Sequence[str], *, listings: bool = True
    ) -> Iterator[list[Paper]]:
        """Full records of ``ids`` in their order, ``CHUNK`` at a time: an export of any size
        holds one chunk; their ``listed`` read only when asked. Unknown ids are left out."""
        for chunk in chunks(ids):
            rows = self.conn.execute(
                f"{_PAPER} WHERE p.id IN ({marks(chunk)})", [DEFAULT_STATE, *chunk]
            )
            yield self._completed(rows, chunk, listings=listings)

    def _completed(
        self, rows: Iterable[tuple[Any, ...]], ids: Sequence[str], *, listings: bool
    ) -> list[Paper]:
        """The papers of ``rows`` (of ``_PAPER``) that are ``ids``, in their order, tags read."""
        found = {row[0]: _paper(row) for row in rows}
        self._add_tags(found, ids)
        if listings:
            for paper, source, listed_on, position in self.conn.execute(
                "SELECT paper_id, source, listed_on, position FROM listings "
                f"WHERE paper_id IN ({marks(ids)}) ORDER BY coalesce(listed_on, ''), source",
                ids,
            ):
                if paper in found:
                    found[paper].listed.append(Listing(source, listed_on, position))
        return [found[paper] for paper in ids if paper in found]

    def _add_tags(self, found: Mapping[str, Paper], ids: Sequence[str]) -> None:
        """Each found paper's present tags, in name order."""
        for paper, tag in self.conn.execute(
            f"SELECT paper_id, tag FROM tags WHERE present AND paper_id IN ({marks(ids)}) "
            "ORDER BY tag",
            ids,
        ):
            if paper in found:  # else added between the two reads: left out
                found[paper].tags.append(tag)

    def export_rows(
        self,
        ids: Sequence[str] | None = None,
        *,
        starred: bool = False,
        state: str | None = None,
        tags: Sequence[str] = (),
    ) -> Iterator[tuple[str, str, int]]:
        """(id, state, starred) of the papers an export holds, in the order of ``ids`` (default:
        every paper newest first), narrowed to the starred ones, one ``state``, or those
        carrying every one of ``tags``, when asked. Unknown ids are left out."""
        where, args = [], []
        if starred:
            where.append("a.starred")
        if state is not None:
            where.append("coalesce(a.state, ?) = ?")
            args += [DEFAULT_STATE, state]
        for tag in tags:
            where.append("p.id IN (SELECT paper_id FROM tags WHERE tag = ? AND present)")
            args.append(tag)
        select = f"SELECT p.id, coalesce(a.state, ?), coalesce(a.starred, 0) {_PAPER_JOIN}"
        if ids is None:
            condition = f"WHERE {' AND '.join(where)}" if where else ""
            yield from self.conn.execute(
                f"{select} {condition} {NEWEST_FIRST}", [DEFAULT_STATE, *args]
            )
            return
        for chunk in chunks(ids):
            condition = " AND ".join([f"p.id IN ({marks(chunk)})", *where])
            found = {
                row[0]: row
                for row in self.conn.execute(
                    f"{select} WHERE {condition}", [DEFAULT_STATE, *chunk, *args]
                )
            }
            yield from (found[paper] for paper in chunk if paper in found)

    def list_rows(
        self, ids: Sequence[str] | None = None
    ) -> Iterator[tuple[str, str, int, str, bool, int]]:
        """(id, last listed, starred, state, has a note, rowid) of every paper newest first, or
        of ``ids`` in no particular order: what the search's in-memory table holds. Read as
        they are consumed (a million rows as tuples are ~300 MB)."""
        if ids is None:
            return iter(self.conn.execute(f"{_LIST_ROW} {NEWEST_FIRST}", [DEFAULT_STATE]))
        return self._in_chunks(f"{_LIST_ROW} WHERE p.id IN ({{}})", ids, DEFAULT_STATE)

    def present_tags(self, ids: Sequence[str] | None = None) -> list[tuple[str, str]]:
        """(paper, tag) for every tag a paper carries (of ``ids``, or of every paper)."""
        if ids is None:
            return self.conn.execute("SELECT paper_id, tag FROM tags WHERE present").fetchall()
        return list(
            self._in_chunks(
                "SELECT paper_id, tag FROM tags WHERE present AND paper_id IN ({})", ids
            )
        )

    def texts(self, ids: Sequence[str], fields: Sequence[str]) -> Iterator[tuple[str, ...]]:
        """(id, then each field's current text, '' when empty) for these papers;
        fields are the search's: title, abstract, note, tagwords (the tags as words)."""
        selected = ", ".join(f"coalesce({TEXT_COLUMNS[field]}, '')" for field in fields)
        return self._in_chunks(f"SELECT p.id, {selected} {_PAPER_JOIN} WHERE p.id IN ({{}})", ids)

    def documents(self, ids: Sequence[str] | None = None) -> Iterator[tuple[Any, ...]]:
        """(id, version, title, abstract, added_at, starred, state, note, tags as words,
        the paper's date, authors as words) of ``ids``, or of every paper newest first: what
        the index holds."""
        if ids is None:
            yield from self.conn.execute(f"{_DOCUMENT} {NEWEST_FIRST}", [DEFAULT_STATE])
        else:
            yield from self._in_chunks(f"{_DOCUMENT} WHERE p.id IN ({{}})", ids, DEFAULT_STATE)

    def ids_dated(self, kind: str, first: str, last: str) -> Iterator[str]:
        """Papers added (``kind`` "added") or listed between two ISO days. A paper's listing
        date is ``last_listed``, as in the list's column and order: its latest listing, one
        without a date (a compact dump) counting as the day it was imported."""
        column = "substr(added_at, 1, 10)" if kind == "added" else "last_listed"
        sql = f"SELECT id FROM papers WHERE {column} BETWEEN ? AND ?"
        return (row[0] for row in self.conn.execute(sql, [first, last]))

    def added_runs(self) -> list[tuple[str, str, int]]:
        """(day listed, day added, how many papers) of each run of papers newest first that
        were listed on one day and added at one time: one pass over the list's index."""
        return self.conn.execute(
            "SELECT last_listed, substr(added_at, 1, 10), count(*) FROM papers "
            "GROUP BY last_listed, added_at ORDER BY last_listed DESC, added_at DESC"
        ).fetchall()

    def ids_with_arxiv(self, prefix: str) -> list[str]:
        """Papers whose arXiv id starts with ``prefix`` (a range of the arXiv id index)."""
        if not prefix:
            return []
        after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        sql = "SELECT id FROM papers WHERE arxiv_id >= ? AND arxiv_id < ?"
        return [row[0] for row in self.conn.execute(sql, [prefix, after])]

    def sort_values(self, key: str) -> dict[str, Any]:
        """Paper id -> what ``sort:key`` orders by (title: its identity key; added: the time;
        upvotes: the count, None when unknown)."""
        column = {"title": "title_key", "added": "added_at", "upvotes": "upvotes"}[key]
        return dict(self.conn.execute(f"SELECT id, {column} FROM papers"))

    # -- tags, notes, history ----------------------------------------------------------------

    def all_tags(self) -> dict[str, int]:
        """Tag -> number of papers carrying it, most used first."""
        return dict(
            self.conn.execute(
                "SELECT tag, count(*) FROM tags WHERE present GROUP BY tag ORDER BY count(*) DESC, tag"
            )
        )

    def note_history(self, paper: str) -> set[str]:
        """Hashes of every note text ``paper`` has had here (see :func:`.notes.note_hash`)."""
        return {
            row[0]
            for row in self.conn.execute(
                "SELECT note_hash FROM note_history WHERE paper_id = ?", [paper]
            )
        }

    def stats(self) -> dict[str, Any]:
        states = dict.fromkeys(STATES, 0)
        states.update(
            self.conn.execute(
                f"SELECT coalesce(a.state, ?), count(*) {_PAPER_JOIN} GROUP BY 1", [DEFAULT_STATE]
            )
        )
        return {
            "papers": self.count(),
            "starred": self.conn.execute(
                "SELECT count(*) FROM annotations WHERE starred"
            ).fetchone()[0],
            "states": states,
            "tags": self.all_tags(),
            "dumps_imported": self.conn.execute("SELECT count(*) FROM imports").fetchone()[0],
            "listings": self.conn.execute("SELECT count(*) FROM listings").fetchone()[0],
        }

    def known_import(self, sha256: str) -> dict[str, str] | None:
        row = self.conn.execute(
            "SELECT name, imported_at FROM imports WHERE sha256 = ?", [sha256]
        ).fetchone()
        return {"name": row[0], "imported_at": row[1]} if row else None

    def import_history(self) -> list[dict[str, Any]]:
        cursor = self.conn.execute("SELECT * FROM imports ORDER BY imported_at")
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor]
