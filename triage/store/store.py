"""One open triage DB: checks and migrates the file, and runs every write transaction.

Every write goes through :meth:`Store.write`, which takes the write lock up front
(``BEGIN IMMEDIATE``) so a read-modify-write never races another process, and gives the store a
new ``change_token`` so caches (the search index, a file watch) can tell that it changed, even
when the whole file is replaced by a copy.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from triage.store.connection import StoreError, WriteLog, check_sqlite_file, connect, describe
from triage.store.schema import migrate
from triage.store.writes import Writer

if TYPE_CHECKING:
    import sqlite_utils


class Store(Writer):
    """One open triage DB. Not shared between threads: open one per thread.

    ``writes``: where this store records its own writes (see :class:`WriteLog`); stores that
    share one count as one program to a file watch.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        writes: WriteLog | None = None,
    ) -> None:
        self.path = Path(path).expanduser()
        self.writes = writes if writes is not None else WriteLog()
        if self.path.exists() and self.path.stat().st_size:
            check_sqlite_file(self.path)
        elif not create:
            raise StoreError(f"{self.path}: no such database")
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"{self.path}: cannot create: {error.strerror}") from None
        try:
            conn = connect(self.path)
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: cannot open: {error}") from None
        super().__init__(conn)
        try:
            migrate(conn, self.path, self.write)
        except sqlite3.DatabaseError as error:
            conn.close()
            raise StoreError(f"{self.path}: {describe(error)}") from None
        except StoreError:
            conn.close()
            raise

    @functools.cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over this connection, made at the first write: a command that only
        reads (a search, a listing) starts without importing it."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn, execute_plugins=False)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def write(self, *, bookkeeping: bool = False) -> Iterator[sqlite_utils.Database]:
        """One write transaction holding the write lock from the start.

        Nested calls join the outer transaction. Every write changes ``change_token``, but for
        ``bookkeeping`` (this machine's sync records): nothing a cache or another copy must see.
        """
        db = self.db  # made (its PRAGMA run) before any transaction
        if self.conn.in_transaction:
            yield db
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreError(f"{self.path}: {describe(error)}") from None
        try:
            yield db
            if bookkeeping:
                self.conn.execute("COMMIT")
                return
            before = self.change_token()
            after = secrets.token_hex(8)
            self.conn.execute("UPDATE meta SET value = ? WHERE key = 'change_token'", [after])
            self.conn.execute("COMMIT")
            self.writes.record(before, after)
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
