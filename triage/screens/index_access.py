"""The app's one SearchIndex: opened lazily on a worker thread, used by one thread at a time.

The UI thread never waits for the index: marks only record which papers changed (and a DB
change on disk only records that a catch-up is due); the next worker that takes the lock
passes that on before it searches.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from triage.search import SearchIndex

Progress = Callable[[int, int], None]


class IndexAccess:
    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.lock = threading.Lock()
        """Held by the worker using the index."""
        self._index: SearchIndex | None = None
        self._pending_lock = threading.Lock()
        self._changed: set[str] = set()
        self._catch_up_due = False
        self._updated_from_disk = 0
        self._reopen_due = False

    @property
    def is_open(self) -> bool:
        """Open and reading the file the DB path names now."""
        return self._index is not None and not self._reopen_due

    def papers_changed(self, ids: Iterable[str]) -> None:
        """Called on the UI thread after a write; cheap, never blocks on a search."""
        with self._pending_lock:
            self._changed.update(ids)

    def catch_up_later(self) -> None:
        with self._pending_lock:
            self._catch_up_due = True

    def reopen_later(self) -> None:
        """The DB file was replaced: the index's connection still reads the old file."""
        with self._pending_lock:
            self._reopen_due = True

    def ready(self, progress: Progress | None = None) -> SearchIndex:
        """The open, up-to-date index. Call with `lock` held, on a worker thread."""
        with self._pending_lock:
            reopen, self._reopen_due = self._reopen_due, False
        if reopen and self._index is not None:
            self._index.close()
            self._index = None
        if self._index is None:
            self._index = SearchIndex.open(self.db_path, progress=progress)
        with self._pending_lock:
            changed, self._changed = self._changed, set()
            catch_up, self._catch_up_due = self._catch_up_due, False
        if catch_up:
            self._updated_from_disk += self._index.catch_up()
        if changed:
            self._index.papers_changed(changed)
        return self._index

    def catch_up_now(self) -> int | None:
        """Bring the index up to date with the store; how many papers changed on disk since
        the last call (whichever worker did the catching up).

        None when the index had to be (re)opened (opening catches up by itself, uncounted).
        Call with `lock` held, on a worker thread.
        """
        with self._pending_lock:
            was_open = self._index is not None and not self._reopen_due
        self.catch_up_later()
        self.ready()
        updated, self._updated_from_disk = self._updated_from_disk, 0
        return updated if was_open else None

    def close(self) -> None:
        with self.lock:
            if self._index is not None:
                self._index.close()
                self._index = None
