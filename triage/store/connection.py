"""Opening DB files safely: checks before opening, connections set up for a synced single file,
errors in one line, and the log of this program's own writes.

The DB may be synced by Dropbox, Syncthing or git, so it stays a single self-contained file:
rollback journal (no WAL sidecars), short write transactions, ``busy_timeout`` so a second
process waits instead of failing.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

BUSY_TIMEOUT_MS = 10_000
SQLITE_HEADER = b"SQLite format 3\x00"
WRITE_LOG_ENTRIES = 1_000


class StoreError(Exception):
    """A problem with the DB file the user must hear about (one line, names the file)."""


def describe(error: sqlite3.Error) -> str:
    """SQLite's message, said so the user knows what to do."""
    message = str(error)
    if "locked" in message or "busy" in message:
        return "database is locked by another program (try again when it is done)"
    if "not a database" in message or "malformed" in message:
        return f"corrupt or not a triage database ({message}); left untouched"
    return message


def why_not_written(error: Exception, path: Path) -> str:
    """What a failed write means for the user, and what to do, in one line."""
    message = str(error)
    lowered = message.lower()
    if not path.exists() or "moved" in lowered or "no such database" in lowered:
        return f"{path} is gone (deleted or moved): put it back or restore a backup"
    if "locked" in lowered or "busy" in lowered:
        return f"{path} is locked by another program: it is saved once that program lets go"
    if "readonly" in lowered or "read-only" in lowered or "permission" in lowered:
        return f"{path} is read-only (file permissions or a read-only disk): make it writable"
    if "full" in lowered or "no space" in lowered:
        return f"the disk holding {path} is full: free some space"
    if "newer triage" in lowered:
        return f"{path} was replaced by a file from a newer triage: upgrade triage, or put the old file back"
    if "not a database" in lowered or "malformed" in lowered or "not an sqlite" in lowered:
        return f"{path} is not a triage database any more (replaced or damaged): put the right file back"
    return f"{path}: {message}"


def check_sqlite_file(path: Path, error: type[StoreError] = StoreError) -> None:
    """Refuse (never overwrite) a missing file or one that is not an SQLite database."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise error(f"{path}: no such database") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not a triage database") from None
    except OSError as failure:
        raise error(f"{path}: cannot read: {failure.strerror}") from None
    if header != SQLITE_HEADER:
        raise error(f"{path}: not an SQLite database (left untouched)")


def connect(path: Path) -> sqlite3.Connection:
    """A connection configured for a synced single-file DB."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def connect_read_only(
    path: Path,
    *,
    timeout: float = BUSY_TIMEOUT_MS / 1000,
    check_same_thread: bool = True,
    immutable: bool = False,
) -> sqlite3.Connection:
    """A connection that cannot write: other copies, backups and the index only read.

    ``immutable``: a private copy nobody writes: no locks, and no journal beside it is read.
    """
    return sqlite3.connect(
        f"{Path(path).resolve().as_uri()}?mode=ro{'&immutable=1' if immutable else ''}",
        uri=True,
        timeout=timeout,
        check_same_thread=check_same_thread,
    )


def read_change_token(path: Path) -> str | None:
    """The DB's change token through a short-lived read-only connection; None if unreadable now."""
    try:
        conn = connect_read_only(path, timeout=0.2)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'change_token'").fetchone()
        return row[0] if row else ""
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def copy_consistent(source: Path, target: Path) -> None:
    """Copy the DB at ``source`` to a new file ``target`` with SQLite's backup API, in one step
    (one read lock: consistent while others write), check the copy, and fsync it."""
    src = connect_read_only(source)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
        if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("the copy failed its integrity check")
    finally:
        dst.close()
        src.close()
    with target.open("rb") as handle:
        os.fsync(handle.fileno())


def write_snapshot(conn: sqlite3.Connection, target: Path) -> None:
    """Write a consistent copy of the DB open on ``conn`` to the new file ``target`` and fsync
    it, without this machine's sync settings (a copy opened elsewhere, say by git's merge
    driver, must not publish anywhere). The copy is written without a journal: nothing but
    ``target`` appears beside it (a half-written ``target`` is only ever a temporary the
    caller renames when done)."""
    dst = sqlite3.connect(str(target), isolation_level=None)
    try:
        dst.execute("PRAGMA journal_mode = OFF")
        dst.execute("PRAGMA synchronous = OFF")
        conn.backup(dst)  # one step: one read transaction, so the copy is consistent
        dst.execute("DELETE FROM sync_settings")
    finally:
        dst.close()
    with target.open("rb") as handle:
        os.fsync(handle.fileno())


class WriteLog:
    """The change tokens a program's own writes went from and to, so that a watch on the file
    can tell them from another program's, whatever the timing. Share one between the stores
    (connections) whose writes count as one program's; it keeps the latest entries only."""

    def __init__(self, entries: int = WRITE_LOG_ENTRIES) -> None:
        self._next: OrderedDict[str | None, str] = OrderedDict()
        self._entries = entries
        self._lock = threading.Lock()  # stores on several threads share one log

    def record(self, before: str | None, after: str) -> None:
        with self._lock:
            self._next[before] = after
            if len(self._next) > self._entries:
                self._next.popitem(last=False)

    def entries(self) -> list[tuple[str | None, str]]:
        """(before, after) of each write kept, oldest first: another process's log, passed on."""
        with self._lock:
            return list(self._next.items())

    def leads(self, before: str | None, after: str | None) -> bool:
        """Whether these writes alone lead from change token ``before`` to ``after``."""
        seen = set()
        with self._lock:
            while before != after and before in self._next and before not in seen:
                seen.add(before)
                before = self._next[before]
        return before == after
