"""What every screen works with, built once by the app and handed to screens at construction.

Screens used to reach these through the untyped `self.app`; a typed session says what they
need (and lets mypy check it), and keeps them off the App's own attributes (an App attribute
named `watch` shadowed Textual's `App.watch`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from triage.store import Store, StoreError, WriteLog
from triage.store.connection import why_not_written
from triage.sync.watch import FileWatch
from triage.tui.index_access import IndexAccess
from triage.tui.shared_sync import BackgroundSync
from triage.tui.writer import UiCall, Writer

WRITE_AT_QUIT = 5.0
"""Seconds the app waits at quit for changes still being written."""

T = TypeVar("T")


@dataclass
class Session:
    db_path: Path
    writes: WriteLog
    """This app's own writes, from any of its stores: the file watch never reports them."""
    store: Store
    """The UI thread's store; replaced when the file on disk is another one (`reopen_store`)."""
    index: IndexAccess
    file_watch: FileWatch
    shared_sync: BackgroundSync
    """When to sync with the shared file (if one is set), and running it."""
    writer: Writer
    """Takes every change the UI makes, on a thread of its own (see `writer`)."""
    shown: Callable[[Sequence[str]], None] = lambda _: None
    """Refreshes what the screens show of these papers; set by the app (writes finish later
    than the keys that made them, when the screen that asked may be gone)."""

    @classmethod
    def open(
        cls,
        db_path: str | os.PathLike[str],
        ui: UiCall = lambda call: call(),
        trouble: Callable[[str | None], None] = lambda _: None,
    ) -> Session:
        """``ui`` runs a function on the UI thread (default: at once, on the writer's thread,
        for tests without an app); ``trouble`` hears why writes wait."""
        path = Path(db_path).expanduser()
        writes = WriteLog()
        return cls(
            db_path=path,
            writes=writes,
            store=Store(path, writes=writes),
            index=IndexAccess(path),
            file_watch=FileWatch(path, writes),
            shared_sync=BackgroundSync(path),
            writer=Writer(path, writes, ui, trouble),
        )

    def read(self, query: Callable[[Store], T]) -> T:
        """A read on the UI thread's store. The file may be damaged or replaced under the app
        at any moment: any failure is a StoreError saying what is wrong and what to do."""
        try:
            return query(self.store)
        except sqlite3.Error as error:
            raise StoreError(why_not_written(error, self.db_path)) from None

    def open_store(self) -> Store:
        """A store of its own for a worker thread (SQLite connections stay on their thread);
        its writes count as this app's own."""
        return Store(self.db_path, writes=self.writes)

    def after_write(self, ids: Iterable[str]) -> None:
        """Our own write: the index must learn of it; the file watch must not report it."""
        self.index.papers_changed(ids)
        self.file_watch.accept()
        self.shared_sync.local_change()

    def after_import(self) -> None:
        """Papers came in through a worker's own store (an import): the index catches up with
        the whole store, the file watch takes the file as ours, the shared file waits for it."""
        self.file_watch.accept()
        self.index.catch_up_later()
        self.shared_sync.local_change()

    def reopen_store(self) -> None:
        """The path names another file now (a synced copy): read that one. Raises StoreError,
        and then keeps the store it had."""
        fresh = self.open_store()
        self.store.close()
        self.store = fresh

    def close(self) -> None:
        self.writer.close(timeout=WRITE_AT_QUIT)
        self.index.close()
        self.store.close()
