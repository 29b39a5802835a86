"""SearchIndex: the search over one DB, kept up to date with the store.

A query is evaluated over bit sets of rows (:mod:`.evaluation`), its words from the Whoosh
index (:mod:`.conditions`). Papers changed since the last index commit are "pending" and
matched on their current text, so a mark shows before the commit lands. Commits happen when
200 papers are pending and on ``close``. Catching up with a change made elsewhere costs
O(papers changed): the store says which changed since the token the index and the table are
up to date with (:mod:`triage.store.changes`); only when it cannot (a DB file replaced by one
of another history) is every paper's version compared. Index files are read without a
memory mapping (:mod:`.storage`): one truncated by another program while open makes the
search that meets it fail, and it is answered again on the index rebuilt from the store.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from _thread import LockType
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from triage.core.paths import cache_dir_for
from triage.search import phrases, prefixes
from triage.search.conditions import TextConditions
from triage.search.docrows import DocRows
from triage.search.evaluation import QueryEvaluator
from triage.search.linemarks import line_marks
from triage.search.prefixes import PrefixSets
from triage.search.result import RankedIds, SearchResult, SortedIds
from triage.search.table import SNAPSHOT_FILE, Table
from triage.search.textindex import IndexLocked, Progress, TextIndex
from triage.search.vocabulary import Vocabulary
from triage.store import Reader, Store, StoreError, connect_read_only
from triage.store.lines import LineMarks

log = logging.getLogger(__name__)

FLUSH_AT = 200  # pending papers: past this, index them now instead of overlaying
LEFT_PENDING = 20  # pending papers a one-off command's close leaves to the next catch-up
REBUILD_AFTER = 1_000  # papers added since the last full build, and ...
REBUILD_SHARE = 50  # ... one paper in this many: past both, opening rebuilds the index

FileIdentity = tuple[int, int]  # (device, inode)
T = TypeVar("T")


class SearchIndex:
    """Search over one DB. Use from one thread at a time (any thread)."""

    def __init__(
        self,
        db_path: Path,
        conn: sqlite3.Connection,
        text: TextIndex,
        file_identity: FileIdentity | None = None,
    ) -> None:
        self.db_path = db_path
        self.conn = conn
        self.reader = Reader(conn)
        self._file_identity = file_identity  # of the file ``conn`` reads
        self.text = text
        self.table = Table(self.reader, text.directory / SNAPSHOT_FILE)
        self._lock = threading.RLock()
        self._closed = False
        self._pending: set[str] = set()  # changed in the store, not yet committed to the index
        self._announced: set[str] = set()  # by the owner, since the last catch-up
        self._prefix_sets = PrefixSets(text.directory / prefixes.FILE)
        self._conditions = TextConditions(self.table, self._prefix_sets, self.reader)
        self._evaluator = QueryEvaluator(self.table, self._conditions, Vocabulary(text.directory))
        self._reader: Any = text.take_reader() or text.ix.reader()
        self._searcher: Any = None  # Whoosh's, over ``_reader``: made for "more like this" only
        self._deleted: set[int] = set()  # Whoosh document numbers
        self._docrow_map = DocRows(text, self.table)
        self._docrows: Sequence[int] = []
        # what the index holds: changes since are caught up (the table catches up on its own)
        self._seen_token: str | None = text.change_token
        self._reader_opened()

    @property
    def fast_paths(self) -> bool:
        """Whether this index uses the fast paths (see :mod:`.whoosh_internals`)."""
        return self.text.fast

    @property
    def stored_sets(self) -> int:
        """How many prefix and word sets the last full build stored: the first keystrokes and
        frequent words are answered from them."""
        return len(self._prefix_sets.entries)

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls, db_path: str | Path, *, progress: Progress | None = None, rebuild: bool = False
    ) -> SearchIndex:
        """Open the DB's index, rebuilding it if asked, missing or damaged, and catch up."""
        db_path = Path(db_path).expanduser()
        conn, identity = _connect(db_path, create=True)
        text = TextIndex(cache_dir_for(db_path, "index"))
        if rebuild or not text.open():
            with text.rebuilding():
                if rebuild or not text.open():  # built by another process while we waited?
                    # the build's other process saves the table (opened as a saved copy)
                    text.rebuild(Reader(conn), progress, table_from=db_path)
        index = cls(db_path, conn, text, identity)
        index.catch_up()
        if not rebuild and index.papers_since_build > max(
            REBUILD_AFTER, index.table.size // REBUILD_SHARE
        ):
            index.close(save=False)
            return cls.open(db_path, progress=progress, rebuild=True)
        if index.table.needs_saving:
            # read whole (its copy could not catch up: the store's change log no longer names
            # its token) or far behind: saved now, since the app quits without saving, and
            # each later start would read a million papers whole again (~8 s, +150 MB)
            index.save_table(reopen=True)
        return index

    @property
    def papers_since_build(self) -> int:
        """Papers added after the last full build: the stored prefix sets and phrase file do
        not know them, so searches match them on their text. A library grown by daily imports
        would slowly lose its fast paths; rebuilding once per N/50 papers added costs O(1) a
        paper."""
        return self.table.size - self._prefix_sets.known(self.table)

    @property
    def worth_saving(self) -> bool:
        """Whether a one-off command (a `triage list`) should commit on closing: not for a
        few papers changed elsewhere (another terminal's mark), which the next process
        matches on their text for less than a commit takes (~0.2 ms a paper against ~45 ms);
        for more, or when the table's copy lags far behind."""
        return len(self._pending) > LEFT_PENDING or self.table.needs_saving

    def close(self, *, save: bool = True) -> None:
        """`save=False` leaves the papers changed since the last commit to the next open's
        catch-up: quitting the app must not wait for an index commit. With `save`, the
        pending papers are committed, and the table saved if it lags far behind its copy."""
        with self._lock:
            if self._closed:
                return
            if save:
                try:
                    self.catch_up()
                except (IndexLocked, OSError, StoreError) as error:
                    log.info("search index not saved on close: %s", error)
                else:
                    self.save_table(reopen=False)
            self._reader.close()
            self._prefix_sets.close()
            self._conditions.close()
            self.text.close()
            self.conn.close()
            self._closed = True

    def save_table(self, *, reopen: bool) -> None:
        """Commit the pending papers and, if the table lags far behind its copy, save it;
        ``reopen=False``: no search follows."""
        with self._lock:
            try:
                self._recovering(lambda: self.flush(reopen=reopen))
                token = self._seen_token
                if self.table.needs_saving and not self._pending and token == self._token():
                    self.table.save(
                        self.text.directory / SNAPSHOT_FILE,
                        token,
                        docrows=self._docrow_map.saved(),
                    )
            except (IndexLocked, OSError, StoreError) as error:
                # the state file still names the old versions: the next open catches up
                log.info("search index not saved: %s", error)

    # -- keeping up with the store --------------------------------------------------------------

    def papers_changed(self, ids: Iterable[str]) -> None:
        """The owner changed these papers: the next search sees them (and the next catch-up
        does not count them as changed elsewhere)."""
        with self._lock:
            ids = list(dict.fromkeys(ids))
            self._announced.update(ids)
            self._reread(ids)

    def _reread(self, ids: list[str], seen: str | None = None) -> None:
        """``seen``: the store's token that ``ids`` are every change up to (a catch-up's), so
        that a flush here records it, not the token before them (the next open would index
        the same papers again)."""
        with self._lock:
            if not ids:
                return
            reordered = self.table.refresh(ids)
            self._pending.update(ids)
            if seen is not None:
                self._seen_token = seen
            self._conditions.changed.forget(ids)
            if reordered:
                self._docrows_from_table()
            self._evaluator.set_pending(self._pending)
            if len(self._pending) >= FLUSH_AT:
                self._try_flush()

    def catch_up(self) -> int:
        """Re-read the papers anyone changed since, also after the DB file was replaced (a
        synced copy); returns how many papers changed. Raises StoreError if a replacing file
        is not a usable DB (the index keeps serving the old one)."""
        with self._lock:
            self._reopen_if_replaced()
            token, changed = self.reader.changes_since(self._seen_token)
            if token == self._seen_token:
                return 0
            if changed is None:  # the store cannot say: compare every paper's version
                stale, gone = self.text.stale(self.reader)
                if not stale and not gone and not self._pending:
                    # a change that touched no paper (a paper changed and changed back): noted,
                    # so that the next open need not compare every version again
                    self.text.record_token(token)
                changed = stale | gone
                # pending papers are re-read too: a replaced file holds their rows anew
                self._reread(list(changed | self._pending), token)
            else:
                self._reread(list(changed), token)
            news = changed - self._announced
            self._announced.clear()
            self._seen_token = token
            return len(news)

    def _reopen_if_replaced(self) -> None:
        """Point the connection at the file the DB path names now, if it is another file."""
        try:
            identity = _identity(self.db_path)
        except OSError:  # moved away mid-sync: keep reading the one we have
            return
        if identity == self._file_identity:
            return
        conn, identity = _connect(self.db_path, create=False)
        old, self.conn = self.conn, conn
        self.reader = Reader(conn)
        self._file_identity = identity
        self.table.reader = self.reader
        self._conditions.use_store(self.reader)
        old.close()

    def flush(self, *, reopen: bool = True) -> None:
        """Index the pending papers now (raises IndexLocked if another process is writing);
        ``reopen=False``: no search follows (closing)."""
        with self._lock:
            if not self._pending:
                return
            written = list(self._pending)
            # every change up to the token seen is now indexed: it was pending or committed
            self.text.write(self.reader, written, self._seen_token)
            self._pending.difference_update(written)
            if reopen:
                self._refresh_reader()

    def _try_flush(self) -> None:
        try:
            self._recovering(self.flush)
        except IndexLocked:
            log.info("search index locked by another process: update deferred")

    def _recovering(self, action: Callable[[], T]) -> T:
        """``action()``; if it fails because index files changed under the open index, once
        more on the index opened anew."""
        with self._lock:
            try:
                return action()
            except Exception:
                if not self.text.damaged():
                    raise
            log.warning("search index %s changed while open: opened anew", self.text.directory)
            self._reopen_damaged()
            return action()

    def _reopen_damaged(self) -> None:
        """Open the index files anew, rebuilt from the store unless another process did that
        already (a truncated segment file does not open)."""
        for close in (self._reader.close, self._prefix_sets.close, self.text.close):
            try:
                close()
            except Exception:  # its files are damaged: nothing more to do with them
                pass
        with self.text.rebuilding():
            if not self.text.open() or self.text.damaged():
                self.text.rebuild(self.reader)
        self._prefix_sets = PrefixSets(self.text.directory / prefixes.FILE)
        self._conditions.prefix_sets = self._prefix_sets
        self._reader = self.text.take_reader() or self.text.ix.reader()
        self._reader_opened()

    def _token(self) -> str | None:
        return self.reader.change_token()

    def _refresh_reader(self) -> None:
        """A reader of the index as committed now. Not Whoosh's searcher ``refresh``: the one
        of whoosh-reloaded 2.7 keeps every segment of the old reader, those merged away
        included, so a paper's old text (a note's old words) went on matching, and their
        files stayed open."""
        old, self._reader = self._reader, self.text.ix.reader()
        try:
            old.close()
        except Exception:  # its segments were merged away by another process
            pass
        self._reader_opened()

    def _reader_opened(self) -> None:
        self._searcher = None
        reader = self._reader
        self.text.note_files(reader)
        self._conditions.use_index(reader)
        self._deleted = {
            base + docnum
            for leaf, base in reader.leaf_readers()
            if leaf.has_deletions()
            for docnum in leaf.deleted_docs_set
        }
        self._docrows_from_table()

    def _docrows_from_table(self) -> None:
        """Whoosh document number -> row (``table.size`` for deleted or unknown documents);
        a list, as indexing it is the inner loop of turning postings into rows."""
        self._docrows = self._docrow_map.build(self._reader, self._deleted)
        self._conditions.use_rows(self._docrows)
        self._evaluator.set_pending(self._pending)

    # -- searching ------------------------------------------------------------------------------

    def warm_up(self, stop: Callable[[], bool], turns: LockType) -> None:
        """Bring what searches read at random into the page cache, on a thread of its own
        after opening, taking ``turns`` with them (:func:`.phrases.warm_up`)."""
        phrases.warm_up(self.text.directory / phrases.FILE, stop, turns)

    def search(self, query: str) -> SearchResult:
        text = query if isinstance(query, str) else str(query)
        try:
            return self._recovering(lambda: self._evaluator.search(text, self._reader))
        except Exception as error:  # a query must never take the UI down
            log.exception("search failed for %r", query)
            return SearchResult(str(query), 0, [], frozenset(), f"search failed: {error}", None)

    def located(
        self, result: SearchResult, limit: int | None = None
    ) -> tuple[list[str], list[int] | None, dict[str, LineMarks] | None]:
        """The first ``limit`` ids of ``result`` (all by default), with each paper's rowid in
        the store and, for those with any, its star, state and tags as caught up at the
        search: `triage list` reads the rest of their lines without looking their ids up (see
        :meth:`~triage.store.Reader.line_texts`). No rowids or marks for a result of rows
        since moved."""
        ids = result.ids
        count = len(ids) if limit is None else min(limit, len(ids))
        with self._lock:
            table = self.table
            if not isinstance(ids, RankedIds | SortedIds) or not ids.over(table.ids):
                return list(ids[:count]), None, None
            rows = ids.rows(count)
            found = table.ids_at(rows)
            marks = {found[at]: marked for at, marked in line_marks(table, rows).items()}
            return found, list(map(table.rowids.__getitem__, rows)), marks

    def more_like(self, paper_id: str, limit: int = 50) -> SearchResult:
        from triage.search import similar  # with Whoosh's searching and query classes

        try:
            return self._recovering(
                lambda: similar.more_like(self._whoosh_searcher(), self.reader, paper_id, limit)
            )
        except Exception as error:
            log.exception("more_like failed for %r", paper_id)
            return SearchResult(
                f"like:{paper_id}", 0, [], frozenset(), f"search failed: {error}", None
            )

    def _whoosh_searcher(self) -> Any:
        """Whoosh's searcher over the open reader (it leaves closing the reader to us)."""
        if self._searcher is None:
            from whoosh.searching import Searcher

            self._searcher = Searcher(self._reader, closereader=False, fromindex=self.text.ix)
        return self._searcher


def _identity(db_path: Path) -> FileIdentity:
    status = os.stat(db_path)
    return status.st_dev, status.st_ino


def _connect(db_path: Path, *, create: bool) -> tuple[sqlite3.Connection, FileIdentity]:
    """A read-only connection and the identity of the file it reads (taken before connecting,
    so a replacement in between is seen as one at the next catch-up)."""
    Store(db_path, create=create).close()  # creates or migrates; raises StoreError for a bad file
    identity = _identity(db_path)
    conn = connect_read_only(db_path, timeout=10, check_same_thread=False)
    conn.isolation_level = None
    return conn, identity
