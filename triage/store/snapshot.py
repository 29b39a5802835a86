"""A whole copy of a DB read in one snapshot, and the rows a merge writes.

The merge rules live in :mod:`triage.sync.merge`; this module only reads and writes rows.
Another copy is opened read-only and never written.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.store.connection import StoreError, check_sqlite_file, connect_read_only
from triage.store.identity import match_key
from triage.store.models import DEFAULT_STATE
from triage.store.notes import note_hash
from triage.store.reads import Reader
from triage.store.schema import IDENTITY_COLUMNS, SCHEMA_VERSION, schema_version
from triage.store.sync_state import LIBRARY_KEY, PUBLISH_IDS_KEY, publish_ids_of

REQUIRED_TABLES = {"meta", "papers", "listings", "annotations", "tags", "imports"}
PAPER_COLUMNS = ("id", "title", "title_key", "url", "added_at", "last_listed")
ALL_PAPER_COLUMNS = (*PAPER_COLUMNS, "match_key", *IDENTITY_COLUMNS)
"""What a merge compares of a paper. Not the abstract: the bulk of the file, needed only for
papers the other side lacks (see ``known`` in :func:`open_copy`)."""
IMPORT_COLUMNS = (
    "sha256",
    "name",
    "path",
    "size",
    "imported_at",
    "found",
    "new",
    "known",
    "skipped",
)


@dataclass
class Annotation:
    starred: int = 0
    starred_at: str | None = None
    state: str = DEFAULT_STATE
    state_at: str | None = None
    note: str = ""
    note_at: str | None = None

    def row(self) -> tuple[int, str | None, str, str | None, str, str | None]:
        return (self.starred, self.starred_at, self.state, self.state_at, self.note, self.note_at)


@dataclass
class Copy:
    """Everything a merge needs from one side, read in one consistent snapshot."""

    papers: dict[str, dict[str, Any]]
    listings: dict[tuple[str, str], tuple[str | None, int]]
    annotations: dict[str, Annotation]
    tags: dict[tuple[str, str], tuple[int, str]]
    history: dict[str, set[str]]
    imports: dict[str, dict[str, Any]]
    deletions: dict[str, tuple[str, str]]
    """Deleted paper -> (its title, when)."""

    def last_activity(self, paper: str) -> str:
        """The latest time anything of ``paper`` changed here (a deletion elsewhere after it
        wins; before it, the paper stays)."""
        times = [self.papers[paper]["added_at"] or ""] if paper in self.papers else []
        annotation = self.annotations.get(paper)
        if annotation is not None:
            times += [
                annotation.starred_at or "",
                annotation.state_at or "",
                annotation.note_at or "",
            ]
        times += [
            changed_at for (tagged, _), (_, changed_at) in self.tags.items() if tagged == paper
        ]
        return max(times, default="")


@dataclass(frozen=True)
class CopyFacts:
    """What a copy says of itself, before anything of it is merged."""

    library_id: str | None
    schema: int
    publish_ids: list[str]
    change_token: str | None


def open_copy(
    path: Path,
    *,
    this: Path | None = None,
    error: type[StoreError] = StoreError,
    known: Collection[str] = (),
) -> Copy:
    """Read another copy (not ``this`` DB itself) without ever writing to it; ``error`` is
    raised, with one line naming the file, for a file that is not a usable triage DB. Papers
    not in ``known`` (the ids the merging side has) come with their abstracts."""
    if not path.is_file():
        raise error(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    if this is not None and this.exists() and os.path.samefile(path, this):
        raise error(f"{path}: is this database itself; give the other copy")
    with _reading(path, error) as conn:
        _check(conn, path, error)
        conn.execute("BEGIN")  # one snapshot, even if its owner writes meanwhile
        copy = read_snapshot(conn)
        missing = [paper for paper in copy.papers if paper not in known]
        for paper, abstract in Reader(conn).texts(missing, ("abstract",)):
            copy.papers[paper]["abstract"] = abstract
        return copy


def check_copy(
    path: Path, *, error: type[StoreError] = StoreError, damaged: type[StoreError] | None = None
) -> CopyFacts:
    """Check a private copy of another DB (never the file a sync client writes: copy its bytes
    first): intact, a triage DB, not newer than this triage. Raises ``error`` saying why not
    (``damaged`` for a file that is an SQLite file but not intact)."""
    with _reading(path, error, immutable=True) as conn:
        try:
            intact = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError:
            intact = False
        if not intact:
            raise (damaged or error)(f"{path}: damaged (fails SQLite's quick_check)")
        schema = _check(conn, path, error)
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        return CopyFacts(
            meta.get(LIBRARY_KEY),
            schema,
            publish_ids_of(meta.get(PUBLISH_IDS_KEY)),
            meta.get("change_token"),
        )


@contextmanager
def _reading(
    path: Path, error: type[StoreError], *, immutable: bool = False
) -> Iterator[sqlite3.Connection]:
    check_sqlite_file(path, error)
    try:
        conn = connect_read_only(path, timeout=10, immutable=immutable)
    except sqlite3.Error as failure:
        raise error(f"{path}: cannot open: {failure}") from None
    try:
        yield conn
    except sqlite3.Error as failure:
        raise error(f"{path}: cannot read: {failure}") from None
    finally:
        conn.close()


def _check(conn: sqlite3.Connection, path: Path, error: type[StoreError]) -> int:
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise error(
            f"{path}: made by a newer triage (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade triage to merge it"
        )
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    if not tables >= REQUIRED_TABLES:
        raise error(f"{path}: not a triage database")
    return version


def read_snapshot(conn: sqlite3.Connection) -> Copy:
    """Every row a merge compares, from ``conn`` (inside one transaction for a consistent view)."""
    present = {row[1] for row in conn.execute("PRAGMA table_info(papers)")}
    # an older copy has fewer columns: what it lacks reads as empty
    selected = [column if column in present else "NULL" for column in ALL_PAPER_COLUMNS]
    papers = {
        row[0]: dict(zip(ALL_PAPER_COLUMNS, row))
        for row in conn.execute(f"SELECT {', '.join(selected)} FROM papers")
    }
    listings = {
        (paper, source): (listed_on, position)
        for paper, source, listed_on, position in conn.execute(
            "SELECT paper_id, source, listed_on, position FROM listings"
        )
    }
    annotations = {
        row[0]: Annotation(*row[1:])
        for row in conn.execute(
            "SELECT paper_id, starred, starred_at, state, state_at, note, note_at FROM annotations"
        )
    }
    tags = {
        (paper, tag): (present, changed_at)
        for paper, tag, present, changed_at in conn.execute(
            "SELECT paper_id, tag, present, changed_at FROM tags"
        )
    }
    history: dict[str, set[str]] = {}
    has_history = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'note_history'").fetchone()
    if has_history:
        for paper, digest in conn.execute("SELECT paper_id, note_hash FROM note_history"):
            history.setdefault(paper, set()).add(digest)
    for paper, annotation in annotations.items():  # a schema-1 copy knows only current notes
        if annotation.note:
            history.setdefault(paper, set()).add(note_hash(annotation.note))
    imports = {
        row[0]: dict(zip(IMPORT_COLUMNS, row))
        for row in conn.execute(f"SELECT {', '.join(IMPORT_COLUMNS)} FROM imports")
    }
    deletions = (
        {
            paper: (title, deleted_at)
            for paper, title, deleted_at in conn.execute(
                "SELECT paper_id, title, deleted_at FROM deletions"
            )
        }
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'deletions'").fetchone()
        else {}
    )
    # Rows of papers the copy does not have (a damaged copy) cannot be merged.
    listings = {key: value for key, value in listings.items() if key[0] in papers}
    annotations = {key: value for key, value in annotations.items() if key in papers}
    tags = {key: value for key, value in tags.items() if key[0] in papers}
    history = {key: value for key, value in history.items() if key in papers}
    return Copy(papers, listings, annotations, tags, history, imports, deletions)


class MergeRows:
    """The row writes of a merge, inside the caller's write transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add_paper(self, row: dict[str, Any]) -> None:
        """Insert a paper of the other copy (read with its abstract)."""
        values = [row[column] for column in ALL_PAPER_COLUMNS]
        values[ALL_PAPER_COLUMNS.index("match_key")] = row["match_key"] or match_key(row["title"])
        self.conn.execute(
            f"INSERT INTO papers ({', '.join(ALL_PAPER_COLUMNS)}, abstract, version) "
            f"VALUES ({', '.join('?' * len(ALL_PAPER_COLUMNS))}, ?, '')",
            [*values, row["abstract"]],
        )

    def set_identity(self, paper: str, row: dict[str, Any]) -> None:
        """Take the other copy's identity of a paper (its fetch was the later one)."""
        self.conn.execute(
            f"UPDATE papers SET {', '.join(f'{column} = ?' for column in IDENTITY_COLUMNS)} "
            "WHERE id = ?",
            [*(row[column] for column in IDENTITY_COLUMNS), paper],
        )

    def delete_paper(self, paper: str) -> None:
        for table in ("listings", "annotations", "tags", "note_history"):
            self.conn.execute(f"DELETE FROM {table} WHERE paper_id = ?", [paper])
        self.conn.execute("DELETE FROM papers WHERE id = ?", [paper])

    def put_deletion(self, paper: str, title: str, deleted_at: str) -> None:
        self.conn.execute(
            "INSERT INTO deletions (paper_id, title, deleted_at) VALUES (?, ?, ?) "
            "ON CONFLICT (paper_id) DO UPDATE SET deleted_at = excluded.deleted_at",
            [paper, title, deleted_at],
        )

    def drop_deletion(self, paper: str) -> None:
        self.conn.execute("DELETE FROM deletions WHERE paper_id = ?", [paper])

    def set_paper_dates(self, paper: str, added_at: str, last_listed: str) -> None:
        self.conn.execute(
            "UPDATE papers SET added_at = ?, last_listed = ? WHERE id = ?",
            [added_at, last_listed, paper],
        )

    def put_listing(self, paper: str, source: str, listed_on: str | None, position: int) -> None:
        self.conn.execute(
            "INSERT INTO listings (paper_id, source, listed_on, position) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (paper_id, source) DO UPDATE SET listed_on = excluded.listed_on, "
            "position = excluded.position",
            [paper, source, listed_on, position],
        )

    def add_import(self, record: dict[str, Any]) -> None:
        self.conn.execute(
            f"INSERT INTO imports ({', '.join(IMPORT_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(IMPORT_COLUMNS))})",
            [record[column] for column in IMPORT_COLUMNS],
        )

    def put_tag(self, paper: str, tag: str, present: int, changed_at: str) -> None:
        self.conn.execute(
            "INSERT INTO tags (paper_id, tag, present, changed_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (paper_id, tag) DO UPDATE SET present = excluded.present, "
            "changed_at = excluded.changed_at",
            [paper, tag, present, changed_at],
        )

    def put_annotation(self, paper: str, annotation: Annotation) -> None:
        self.conn.execute("INSERT OR IGNORE INTO annotations (paper_id) VALUES (?)", [paper])
        self.conn.execute(
            "UPDATE annotations SET starred = ?, starred_at = ?, state = ?, state_at = ?, "
            "note = ?, note_at = ? WHERE paper_id = ?",
            [*annotation.row(), paper],
        )

    def unpinned_history(self) -> set[tuple[str, str]]:
        """(paper, note hash) of texts remembered only as a moment of a local edit."""
        return set(
            self.conn.execute("SELECT paper_id, note_hash FROM note_history WHERE NOT pinned")
        )

    def pin_history(self, rows: Iterable[tuple[str, str]]) -> None:
        self.conn.executemany(
            "INSERT INTO note_history (paper_id, note_hash, recorded_at, pinned) "
            "VALUES (?, ?, '', 1) ON CONFLICT (paper_id, note_hash) DO UPDATE SET pinned = 1",
            list(rows),
        )
