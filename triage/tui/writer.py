"""The app's one writer: a thread that owns the write connection and takes every change.

The UI never waits on a lock: it hands each change over as a job and goes on. A job that
cannot be written (the file locked, read-only, full, deleted, replaced, damaged, from a newer
triage) is never dropped: the writer says what is wrong, keeps the job and every job after it,
and tries again every few seconds, reopening the path each time, so putting the right file
back (or freeing the disk, or the other program letting go) is all it takes. Only a job the
DB refuses for good (its paper no longer exists) fails, and its sender decides what to keep.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from triage.store import Store, StoreError, WriteLog
from triage.store.connection import why_not_written

RETRY_SECONDS = 2.0
log = logging.getLogger(__name__)

UiCall = Callable[[Callable[[], None]], None]
"""Runs a function on the UI thread (the app's ``call_from_thread``)."""


@dataclass
class Job:
    label: str
    run: Callable[[Store], Any]
    """The write; returns what ``done`` gets."""
    done: Callable[[Any], None] | None = None
    """On the UI thread, after the write."""
    refused: Callable[[ValueError], None] | None = None
    """On the UI thread, if the DB refuses the change for good (no such paper)."""


class Writer:
    def __init__(
        self,
        db_path: Path,
        writes: WriteLog,
        ui: UiCall,
        trouble: Callable[[str | None], None],
    ) -> None:
        """``trouble``: told on the UI thread what keeps jobs waiting, and None once they are
        all written again."""
        self.db_path = db_path
        self.writes = writes
        self._ui = ui
        self._trouble = trouble
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._wake = threading.Event()
        self._waiting = 0
        self._lock = threading.Lock()
        self.trouble: str | None = None
        """Why jobs wait right now (None: they do not)."""
        self._store: Store | None = None
        self._thread = threading.Thread(target=self._loop, name="triage-writer", daemon=True)
        self._thread.start()

    @property
    def waiting(self) -> int:
        """Jobs not yet written (for the quit question)."""
        with self._lock:
            return self._waiting

    def submit(self, job: Job) -> None:
        with self._lock:
            self._waiting += 1
        self._jobs.put(job)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every job handed over so far is written (tests, benchmarks)."""
        deadline = time.monotonic() + timeout
        while self.waiting and time.monotonic() < deadline:
            time.sleep(0.005)
        return not self.waiting

    def close(self, timeout: float) -> bool:
        """Write what waits, for at most ``timeout`` seconds; True if everything was written."""
        self._jobs.put(None)
        self._wake.set()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                break
            self._write(job)
            with self._lock:
                self._waiting -= 1
        if self._store is not None:
            self._store.close()

    def _write(self, job: Job) -> None:
        troubled = False
        attempts = 0
        while True:
            attempts += 1
            try:
                store = self._open()
                result = job.run(store)
            except ValueError as refusal:  # the DB says no for good: no retry can help
                if job.refused is not None:
                    self._tell(partial(job.refused, refusal))
                break
            except (StoreError, sqlite3.Error, OSError) as error:
                self._drop_store()
                if attempts == 1:
                    continue  # the file was replaced (a synced copy): the path's file may do
                troubled = True
                self.trouble = why_not_written(error, self.db_path)
                self._tell(partial(self._trouble, self.trouble))
                self._wake.wait(RETRY_SECONDS)
                self._wake.clear()
                continue
            if job.done is not None:
                self._tell(partial(job.done, result))
            break
        if troubled:
            self.trouble = None
            self._tell(partial(self._trouble, None))

    def _tell(self, call: Callable[[], None]) -> None:
        """Hand a result to the UI; whatever it does with it, the writer goes on."""
        try:
            self._ui(call)
        except Exception:
            log.exception("the UI failed to take a write's result")

    def _open(self) -> Store:
        if self._store is None:
            # never create: a missing file is the user's to put back, not an empty DB's
            self._store = Store(self.db_path, create=False, writes=self.writes)
        return self._store

    def _drop_store(self) -> None:
        if self._store is not None:
            try:
                self._store.close()
            except sqlite3.Error:
                pass
            self._store = None
