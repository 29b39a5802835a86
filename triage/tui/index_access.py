"""The app's one SearchIndex: opened lazily on a worker thread, used by one thread at a time.

The UI thread never waits for the index: marks only record which papers changed (and a DB
change on disk only records that a catch-up is due); the next worker that takes the lock
passes that on before it searches.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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
        self._closed = threading.Event()

    @property
    def is_open(self) -> bool:
        return self._index is not None

    def papers_changed(self, ids: Iterable[str]) -> None:
        """Called on the UI thread after a write; cheap, never blocks on a search."""
        with self._pending_lock:
            self._changed.update(ids)

    def catch_up_later(self) -> None:
        with self._pending_lock:
            self._catch_up_due = True

    def ready(self, progress: Progress | None = None) -> SearchIndex:
        """The open, up-to-date index. Call with `lock` held, on a worker thread.

        A DB file replaced on disk (a synced copy) needs no reopening: its catch-up reads the
        file the path names now, and counts the papers that differ.
        """
        if self._index is None:
            # Imported here, on the worker: Whoosh takes a tenth of a second to import, and
            # the first rows never wait for it.
            from triage.search import SearchIndex

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

        None when the index had to be opened (opening catches up by itself, uncounted).
        Call with `lock` held, on a worker thread.
        """
        was_open = self._index is not None
        self.catch_up_later()
        self.ready()
        updated, self._updated_from_disk = self._updated_from_disk, 0
        return updated if was_open else None

    def warm_up(self) -> None:
        """Once the index is open, on a worker thread without `lock`: what searches read at
        random is brought into the page cache (after a reboot, a phrase's first keystrokes
        read it from the disk), a piece at a time between searches. Quitting stops it."""
        index = self._index
        if index is not None:
            index.warm_up(self._closed.is_set, self.lock)

    def close(self) -> None:
        """On quit: what changed since the last index commit is caught up by the next open,
        in the background, rather than committed now while the user waits for the shell."""
        self._closed.set()
        with self.lock:
            if self._index is not None:
                self._index.close(save=False)
                self._index = None
