"""Which papers changed since a given change token, in O(changes) instead of comparing every
paper's version.

Triggers in the file itself number every change of a paper (its row, its annotation, its tags)
in ``paper_changes`` (one row per paper ever changed: a deleted paper keeps its row), and log
each new ``change_token`` with the number reached (``change_log``, the latest
``LOG_ENTRIES``). A cache that was up to date at token T asks for the papers numbered after
T's entry. Being triggers, they count every writer of the file: this triage, an older one
(the tables are added without a schema version, so older versions still open the file and
their writes still fire them), a merge, a hand-written SQL statement.

The numbers are only comparable within one history of a file. A token is random and logged in
the file that made it, so a file that has T in its log went through the state at T: a copy of
it (a synced or published copy) carries its log on. A file without T (a restored backup from
before T, another machine's file that never had T, a log pruned past T, a file from before
these triggers) cannot tell: the caller compares every version as before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager

from triage.store.connection import StoreError

LOG_ENTRIES = 10_000
"""Tokens kept: a cache more writes behind than this compares every version once."""


def _record(paper: str) -> str:
    """The trigger statement that numbers a change of ``paper`` (an expression over NEW/OLD):
    a paper new here takes the next rowid, a known one moves to it. An upsert: its update is
    not overridden by the firing statement's conflict policy (an ``INSERT OR IGNORE`` makes a
    trigger's ``INSERT OR REPLACE`` ignore the new number)."""
    return (
        f"INSERT INTO paper_changes (paper_id) VALUES ({paper}) ON CONFLICT (paper_id) "
        "DO UPDATE SET seq = (SELECT max(seq) FROM paper_changes) + 1;"
    )


# What a write changes that a cache shows: a paper's row (its id never changes), its annotation
# and its tags (a triage write also gives the paper a new version: these catch hand-written
# SQL), a paper deleted. Few and short: the schema is read at every connection, and kept small
# it stays on the file's first page.
TRIGGERS = {
    "track_paper_insert": f"AFTER INSERT ON papers BEGIN {_record('NEW.id')} END",
    "track_paper_update": f"AFTER UPDATE ON papers BEGIN {_record('NEW.id')} END",
    "track_paper_delete": f"AFTER DELETE ON papers BEGIN {_record('OLD.id')} END",
    "track_annotation_insert": f"AFTER INSERT ON annotations BEGIN {_record('NEW.paper_id')} END",
    "track_annotation_update": f"AFTER UPDATE ON annotations BEGIN {_record('NEW.paper_id')} END",
    "track_tag_insert": f"AFTER INSERT ON tags BEGIN {_record('NEW.paper_id')} END",
    "track_tag_update": f"AFTER UPDATE ON tags BEGIN {_record('NEW.paper_id')} END",
    "track_token": "AFTER UPDATE OF value ON meta WHEN NEW.key = 'change_token' BEGIN "
    "INSERT INTO change_log (token, seq) VALUES (NEW.value, (SELECT ifnull(max(seq), 0) "
    "FROM paper_changes)); "
    f"DELETE FROM change_log WHERE id <= (SELECT max(id) FROM change_log) - {LOG_ENTRIES}; END",
}
NUMBER_NEW_PAPER = _record("?")
"""What ``track_paper_insert`` does for a new paper, for a writer that dropped it meanwhile
(see :func:`drop_new_paper_numbering`)."""
_NEW_PAPER_TRIGGER = "track_paper_insert"
_TABLES = (
    # seq is the rowid: numbering a new paper reads no maximum (an import numbers them all)
    "CREATE TABLE IF NOT EXISTS paper_changes (seq INTEGER PRIMARY KEY, "
    "paper_id TEXT NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS change_log (id INTEGER PRIMARY KEY, token TEXT NOT NULL, "
    "seq INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS idx_change_log_token ON change_log (token)",
)


def add_change_tracking(
    conn: sqlite3.Connection, write: Callable[..., AbstractContextManager[object]]
) -> None:
    """Add the tables and triggers if missing (without a schema version, as read indexes are).
    The current token is logged as the start: a cache up to date now stays so. A bookkeeping
    write: the token does not change, so no cache has to compare every version for it."""
    if not _missing(conn):
        return
    try:
        _add(conn, write)
    except (StoreError, sqlite3.OperationalError):
        pass  # a read-only or busy file: caches compare every paper until an open adds them


def _add(conn: sqlite3.Connection, write: Callable[..., AbstractContextManager[object]]) -> None:
    with write(bookkeeping=True):
        if _missing(conn):  # else another process added them meanwhile
            for statement in _TABLES:
                conn.execute(statement)
            # triggers missing from a file that had them (dropped by hand): changes made
            # meanwhile have no number, so no earlier token may be trusted any more
            conn.execute("DELETE FROM change_log")
            for name, body in TRIGGERS.items():
                conn.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
            conn.execute(
                "INSERT INTO change_log (token, seq) SELECT value, "
                "(SELECT coalesce(max(seq), 0) FROM paper_changes) "
                "FROM meta WHERE key = 'change_token'"
            )


def drop_new_paper_numbering(conn: sqlite3.Connection) -> str | None:
    """Inside a write transaction: drop the trigger that numbers each new paper, if it is this
    triage's own, and return the statement that makes it again (else None: nothing dropped).

    Firing a trigger for each of many new papers is a sixth of an import's time. Meanwhile
    the caller numbers each paper it adds itself (:data:`NUMBER_NEW_PAPER`, in the order
    added, which leaves the same numbers), and makes the trigger again before it commits: no
    other connection ever sees the file without it (a rollback, or a crash, brings it back).
    """
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", [_NEW_PAPER_TRIGGER]
    ).fetchone()
    if (
        row is None
        or row[0] != f"CREATE TRIGGER {_NEW_PAPER_TRIGGER} {TRIGGERS[_NEW_PAPER_TRIGGER]}"
    ):
        return None
    conn.execute(f"DROP TRIGGER {_NEW_PAPER_TRIGGER}")
    return str(row[0])


def _missing(conn: sqlite3.Connection) -> bool:
    present = {
        row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    return not present >= set(TRIGGERS)


def changed_since(conn: sqlite3.Connection, token: str | None) -> set[str] | None:
    """Papers changed (added, changed, deleted) since the file's change token was ``token``;
    None if this file cannot tell (see the module's docstring). Call inside a read
    transaction, with the current token read in it."""
    if token is None:
        return None
    try:
        row = conn.execute(
            "SELECT seq FROM change_log WHERE token = ? ORDER BY id DESC LIMIT 1", [token]
        ).fetchone()
        if row is None:
            return None
        return {
            paper
            for (paper,) in conn.execute(
                "SELECT paper_id FROM paper_changes WHERE seq > ?", [row[0]]
            )
        }
    except sqlite3.OperationalError:  # a file without the tables (opened before migrating)
        return None
