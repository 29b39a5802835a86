"""Many small writes (the files of an import) in few transactions.

A commit waits for the disk (a few fsyncs): an import of a thousand files committed one by one
spends most of its time waiting. Here the files read in about a second share one transaction,
and another program's write waits about a second at most (longer only where a commit itself
takes long: see :data:`COMMIT_SHARE`). A file is still kept whole or not at
all: if one fails, the batch is undone and its files are written again one by one. (A savepoint
per file would undo it alone, but costs a copy of every page it changes: a quarter of the
import.) Within a batch the new papers are numbered for caches by the writer, not by a trigger
each (see :func:`.changes.drop_new_paper_numbering`).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from triage.core.cpu import usable_cores
from triage.store.changes import drop_new_paper_numbering
from triage.store.connection import StoreError
from triage.store.deletions import Deleter

BATCH_SECONDS = 1.0
"""How long one transaction of a batched write holds the write lock, at least."""
COMMIT_SHARE = 8
"""A batch lasts at least this many times as long as the last one took to commit (at most
:data:`MAX_BATCH_SECONDS`). A commit of a large store writes most pages of its indexes again,
twice (journal, file), however few papers the batch added (new papers' ids and titles land all
over them): 0.36 s a commit at a million papers, a third of a batch of a second. Batches of
three seconds imported a million papers in 40 s, not 50; at 100,000 papers a commit takes
~0.1 s and a batch stays a second."""
MAX_BATCH_SECONDS = 5.0
"""Well within another triage's :data:`.connection.BUSY_TIMEOUT_MS` waiting for the lock."""
CACHE_SHARE = 8
"""SQLite's page cache while writing in batches: an eighth of the file, at least
:data:`MIN_CACHE_KIB`. A new paper goes into indexes at random places (by id, by loose title,
its change number, its listing): they must stay in memory, or every insert reads a page back
and every batch writes half the file again (a fourfold slower import of a million papers)."""
MIN_CACHE_KIB = 65_536
BULK_SETTINGS = {
    # each statement that fires a trigger (every paper inserted) keeps the pages it changes
    # in a statement journal: in memory, not in a temporary file (half the time of an insert)
    "temp_store": 2,
    "cache_size": -MIN_CACHE_KIB,
}
"""PRAGMAs of a connection writing in batches (restored after)."""

DEFERRED_INDEXES = ("idx_listings_dates", "idx_papers_newest")
"""Read indexes a large import drops while it writes and makes again at its end (one sort of
every row): its papers' ids are random, so each batch changed pages all over them, and each
commit wrote those pages twice (journal, file). A million papers imported into a new DB took
81 s with them, 53 s without (their making included). They only speed up reading: a store
opened after an import that was stopped before making them again adds them (see
:func:`.schema.migrate`)."""
DEFER_FROM = 20_000
"""Papers an import is expected to add, from which it defers the indexes, if the store holds
no more than that (else making them again costs more than keeping them)."""

Item = TypeVar("Item")
Result = TypeVar("Result")


class Batched(Deleter):
    numbering_new_papers = False
    """Inside a batch: whoever adds a paper numbers it too (see
    :func:`.changes.drop_new_paper_numbering`)."""

    def write_in_batches(
        self, items: Sequence[Item], write: Callable[[Item], Result]
    ) -> list[Result]:
        """``write(item)`` for each item in order, in transactions of about
        :data:`BATCH_SECONDS` (or longer: see :data:`COMMIT_SHARE`); ``write`` says in its
        result what it kept, and raises when its write fails inside this transaction (see
        :func:`triage.importers.once.store_once`). Then, or if a batch cannot be begun or
        committed, none of the batch is kept: its items and every item after them are written
        again one transaction each, as without batches, so each result says what was kept."""
        results: list[Result] = []
        seconds = BATCH_SECONDS
        with self._bulk_settings():
            while len(results) < len(items):
                start = len(results)
                batch: list[Result] = []
                self._size_cache()
                try:
                    with self.write(), self._new_papers_numbered_here():
                        deadline = time.monotonic() + seconds
                        while start + len(batch) < len(items) and (
                            not batch or time.monotonic() < deadline
                        ):
                            batch.append(write(items[start + len(batch)]))
                        committing = time.monotonic()
                except (StoreError, sqlite3.Error):
                    results.extend(write(item) for item in items[start:])
                    break
                committed = time.monotonic() - committing
                seconds = min(MAX_BATCH_SECONDS, max(BATCH_SECONDS, COMMIT_SHARE * committed))
                results.extend(batch)
        return results

    @contextlib.contextmanager
    def indexes_deferred(self, coming: int) -> Iterator[None]:
        """Meanwhile, the :data:`DEFERRED_INDEXES` dropped if ``coming`` papers (an estimate)
        are many and more than the store holds; made again, the same, at the end."""
        dropped: list[str] = []
        if coming >= DEFER_FROM and coming >= self.count():
            try:
                dropped = self._drop_indexes(DEFERRED_INDEXES)
            except (StoreError, sqlite3.Error):  # then kept: the import is only slower
                dropped = []
        try:
            yield
        finally:
            if dropped:
                # if this fails (the file locked or gone), the next open makes them; another
                # process's open may have made them meanwhile
                with (
                    contextlib.suppress(StoreError, sqlite3.Error),
                    self._sorting_on_every_core(),
                    self.write(bookkeeping=True),
                ):
                    for statement in dropped:
                        self.conn.execute(statement.replace(" INDEX ", " INDEX IF NOT EXISTS ", 1))

    @contextlib.contextmanager
    def _sorting_on_every_core(self) -> Iterator[None]:
        """Meanwhile, SQLite sorts (makes an index) on as many threads as there are cores:
        the deferred indexes of a million papers took 2.1 s on one of two cores, 1.5 s on
        both (more threads than cores: slower)."""
        before = self.conn.execute("PRAGMA threads").fetchone()[0]
        self.conn.execute(f"PRAGMA threads = {usable_cores() - 1}")
        try:
            yield
        finally:
            self.conn.execute(f"PRAGMA threads = {int(before)}")

    def _drop_indexes(self, names: Sequence[str]) -> list[str]:
        """Drop those of these indexes that exist; returns the statements that made them."""
        statements: list[str] = []
        with self.write(bookkeeping=True):
            for name in names:
                row = self.conn.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", [name]
                ).fetchone()
                if row is not None:
                    self.conn.execute(f"DROP INDEX {name}")
                    statements.append(row[0])
        return statements

    @contextlib.contextmanager
    def _new_papers_numbered_here(self) -> Iterator[None]:
        """Inside a write: the papers added meanwhile numbered by :meth:`add_papers`, not by a
        trigger each; the trigger is made again at the end (or by the rollback of a failure)."""
        make_trigger = drop_new_paper_numbering(self.conn)
        self.numbering_new_papers = make_trigger is not None
        try:
            yield
        finally:
            self.numbering_new_papers = False
        if make_trigger is not None:
            self.conn.execute(make_trigger)

    def _size_cache(self) -> None:
        pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
        size = self.conn.execute("PRAGMA page_size").fetchone()[0]
        kib = max(MIN_CACHE_KIB, pages * size // 1024 // CACHE_SHARE)
        self.conn.execute(f"PRAGMA cache_size = -{int(kib)}")

    @contextlib.contextmanager
    def _bulk_settings(self) -> Iterator[None]:
        """This connection set for many writes meanwhile: see :data:`BULK_SETTINGS`."""
        before = {name: self.conn.execute(f"PRAGMA {name}").fetchone()[0] for name in BULK_SETTINGS}
        for name, value in BULK_SETTINGS.items():
            self.conn.execute(f"PRAGMA {name} = {value}")
        try:
            yield
        finally:
            for name, value in before.items():
                self.conn.execute(f"PRAGMA {name} = {int(value)}")
