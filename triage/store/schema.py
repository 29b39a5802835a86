"""The schema and its migrations.

A file made by a newer triage is refused, never changed. Indexes that only speed up reading are
added when missing, without a schema version, so older triage versions still open the file.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from triage.store.changes import add_change_tracking
from triage.store.connection import StoreError
from triage.store.identity import match_key, normalise_tag
from triage.store.models import DEFAULT_STATE, now
from triage.store.notes import note_hash

if TYPE_CHECKING:
    import sqlite_utils

SCHEMA_VERSION = 3
"""2: note_history (note ancestry, so a merge can tell who changed a note); 3: papers' identity
from the Daily Papers API (arXiv id, authors, links), a looser title key for matching, deleted
papers remembered, and each machine's sync settings."""
IDENTITY_COLUMNS = (
    "arxiv_id",
    "authors",
    "upvotes",
    "comments",
    "github_repo",
    "project_page",
    "identity_at",
)
READ_INDEXES = {
    "idx_papers_arxiv": "papers (arxiv_id)",
    "idx_papers_match": "papers (match_key)",
    # The list's order, covering: the built-in views list 100,000 ids at launch from this index
    # alone (0.1 s) instead of visiting every paper's row, abstract and all (0.4 s).
    "idx_papers_newest": "papers (last_listed, added_at, id)",
    # A paper's first listing date, covering: `triage list` shows it for each paper it lists
    # from this index alone, not from each listing's row (half of its reads).
    "idx_listings_dates": "listings (paper_id, listed_on)",
}


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(
    conn: sqlite3.Connection,
    path: Path,
    write: Callable[..., AbstractContextManager[sqlite_utils.Database]],
) -> None:
    """Bring the file at ``path`` to this schema; ``write`` opens a write transaction
    (``bookkeeping=True``: one that leaves the change token as it is)."""
    version = schema_version(conn)
    tables = _tables(conn) if version == 0 else set()
    if tables and not {"meta", "papers"} <= tables:
        raise StoreError(
            f"{path}: an SQLite database of another program, not triage's (left untouched)"
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: made by a newer triage (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade triage to open it"
        )
    # Sync clients must see one file: make sure an old WAL-mode file is switched back.
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode.lower() != "delete":
        conn.execute("PRAGMA journal_mode = DELETE")
    if version < SCHEMA_VERSION:
        with write() as db:
            # Another process may have migrated since the check above: decide under the lock.
            version = schema_version(conn)
            if version < 1:
                _create_schema_v1(db)
            if version < 2:
                _create_schema_v2(conn)
            if version < 3:
                _create_schema_v3(conn)
            if version < SCHEMA_VERSION:
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    _add_missing_indexes(conn, write)
    add_change_tracking(conn, write)


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _add_missing_indexes(
    conn: sqlite3.Connection, write: Callable[[], AbstractContextManager[object]]
) -> None:
    """Indexes only make reading faster: every triage version reads a file with or without
    them, so they are added when missing rather than by a schema version (which would make
    older versions on the user's other machines refuse the file)."""
    present = {
        row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    }
    missing = [(name, columns) for name, columns in READ_INDEXES.items() if name not in present]
    if missing:
        with write():
            for name, columns in missing:
                conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {columns}")


def _create_schema_v1(db: sqlite_utils.Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("meta").insert_all(
        [
            {"key": "db_uuid", "value": secrets.token_hex(16)},
            {"key": "change_token", "value": secrets.token_hex(8)},
            {"key": "created_at", "value": now()},
        ]
    )
    db.table("papers").create(
        {
            "id": str,
            "title": str,
            "title_key": str,
            "abstract": str,
            "url": str,
            "added_at": str,
            "last_listed": str,  # newest listing date (or import date): list order
            "version": str,  # random, new on every change of the paper or its annotations
        },
        pk="id",
        not_null={"title", "title_key", "abstract", "added_at", "last_listed", "version"},
    )
    db.table("papers").create_index(["last_listed"])
    db.table("listings").create(
        {"paper_id": str, "source": str, "listed_on": str, "position": int},
        pk=("paper_id", "source"),
        foreign_keys=[("paper_id", "papers", "id")],
    )
    db.table("annotations").create(
        {
            "paper_id": str,
            "starred": int,
            "starred_at": str,
            "state": str,
            "state_at": str,
            "note": str,
            "note_at": str,
        },
        pk="paper_id",
        foreign_keys=[("paper_id", "papers", "id")],
        not_null={"starred", "state", "note"},
        defaults={"starred": 0, "state": DEFAULT_STATE, "note": ""},
    )
    db.table("annotations").create_index(["state"])
    # A removed tag is kept with present=0 so a merge cannot resurrect it.
    db.table("tags").create(
        {"paper_id": str, "tag": str, "present": int, "changed_at": str},
        pk=("paper_id", "tag"),
        foreign_keys=[("paper_id", "papers", "id")],
        not_null={"present", "changed_at"},
    )
    db.table("tags").create_index(["tag"])
    db.table("imports").create(
        {
            "sha256": str,
            "name": str,
            "path": str,
            "size": int,
            "imported_at": str,
            "found": int,
            "new": int,
            "known": int,
            "skipped": int,
        },
        pk="sha256",
    )


def _create_schema_v2(conn: sqlite3.Connection) -> None:
    """note_history: every note text a paper has had (by hash), so a merge can tell
    whether a side changed the note since the copies last agreed. ``pinned`` rows came
    from a mark, a merge or an older edit and are never coalesced away."""
    conn.execute(
        "CREATE TABLE note_history (paper_id TEXT NOT NULL REFERENCES papers(id), "
        "note_hash TEXT NOT NULL, recorded_at TEXT NOT NULL, pinned INTEGER NOT NULL DEFAULT 1, "
        "PRIMARY KEY (paper_id, note_hash)) WITHOUT ROWID"
    )
    conn.executemany(
        "INSERT INTO note_history (paper_id, note_hash, recorded_at, pinned) VALUES (?, ?, ?, 1)",
        [
            (paper, note_hash(note), note_at or now())
            for paper, note, note_at in conn.execute(
                "SELECT paper_id, note, note_at FROM annotations WHERE note != ''"
            ).fetchall()
        ],
    )


def _create_schema_v3(conn: sqlite3.Connection) -> None:
    """Identity columns (imported data: an import may fill or refresh them), ``match_key``
    (see :func:`.identity.match_key`), ``deletions`` (a deleted paper stays deleted when an
    older copy is merged) and ``sync_settings`` (per machine, never merged)."""
    present = {row[1] for row in conn.execute("PRAGMA table_info(papers)")}
    kinds = ("TEXT", "TEXT", "INTEGER", "INTEGER", "TEXT", "TEXT", "TEXT", "TEXT")
    for column, kind in zip((*IDENTITY_COLUMNS, "match_key"), kinds):
        if column not in present:
            conn.execute(f"ALTER TABLE papers ADD COLUMN {column} {kind}")
    conn.executemany(
        "UPDATE papers SET match_key = ? WHERE id = ?",
        [
            (match_key(title), paper)
            for paper, title in conn.execute("SELECT id, title FROM papers")
        ],
    )
    _normalise_stored_tags(conn)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS deletions (paper_id TEXT PRIMARY KEY, title TEXT NOT NULL, "
        "deleted_at TEXT NOT NULL) WITHOUT ROWID"
    )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS sync_settings (machine TEXT NOT NULL, key TEXT NOT NULL, value TEXT, "
        "PRIMARY KEY (machine, key)) WITHOUT ROWID"
    )


def _normalise_stored_tags(conn: sqlite3.Connection) -> None:
    """Tags written before tags lost their leading ``#`` and were cut to a length (``##hash``):
    stored again in today's form, so they can be removed like any other. Where two rows become
    one, the later change wins."""
    rows = conn.execute("SELECT paper_id, tag, present, changed_at FROM tags").fetchall()
    for paper, tag, present, changed_at in rows:
        cleaned = normalise_tag(tag)
        if cleaned == tag:
            continue
        conn.execute("DELETE FROM tags WHERE paper_id = ? AND tag = ?", [paper, tag])
        if cleaned:
            conn.execute(
                "INSERT INTO tags (paper_id, tag, present, changed_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (paper_id, tag) DO UPDATE SET present = excluded.present, "
                "changed_at = excluded.changed_at WHERE excluded.changed_at > tags.changed_at",
                [paper, cleaned, present, changed_at],
            )
