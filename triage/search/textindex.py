"""The Whoosh index: a disposable cache of the store's text, in the user cache dir.

What it holds is described in :mod:`.analysis`. Beside it (:mod:`.indexstate`), the store's
change token it is up to date with, so opening it after another process or machine changed the
DB re-indexes only the papers the store says changed since (see :mod:`triage.store.changes`),
and each paper's version as indexed, compared one by one when the store cannot say.

Whether it is written, stored and read through the fast paths or through Whoosh's own is
decided when it is made (:func:`~.fastpaths.fast_paths`); the results are the same.
Either way no file is memory-mapped (see :mod:`.storage`), and the sizes of the files a
search reads are noted, so that one truncated under the open index is recognised as damage.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import accumulate, takewhile
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import MERGE_SMALL

from triage.core.files import atomic_write
from triage.search import bulk, fastpaths, prefixes, whoosh_internals
from triage.search.analysis import make_schema, read_documents, words
from triage.search.indexstate import IndexState
from triage.search.storage import SEGMENT_SUFFIX
from triage.store import Reader

SCHEMA_VERSION = 11
"""2: Existence format; 3: one word splitter; 4, 5: prefix sets; 6: longer prefixes, words;
7: words NFKC-folded; 8: authors, the paper's date (its latest listing); 9: word ids for
phrases, word lists for suggestions; 10: frequent words' places filed (:mod:`.followers`)."""
BULK_AT = 200  # documents per write from which the bulk writer is used
MERGED_AT_MOST = 400  # papers of small segments a write of a few papers may rewrite (~1.5 ms each)
FOLDED_SHARE = 2  # a bulk write rewrites the smaller segments' papers up to this many times its own
LOCK_RETRIES = 5
LOCK_DELAY = 0.05
OPEN_ATTEMPTS = 3
SWAP_WAIT = 5.0  # seconds a rebuild waits for another process's writer before swapping anyway
INDEX_NAME = "MAIN"  # Whoosh's default name: indexes built before it was named open as they are

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)


class IndexLocked(Exception):
    """Another process is writing the index; try again later."""


class TextIndex:
    """The Whoosh index directory plus its state file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.state = IndexState(directory, SCHEMA_VERSION)
        self.fast = fastpaths.fast_paths()
        """Written, stored and read through the fast paths (else through Whoosh's own)."""
        self._ix: Any = None
        self.change_token: str | None = None
        """The store's change token up to which every change is indexed, as opened."""
        self._reader: Any = None  # the one opened to check the index, until someone takes it
        self._sizes: dict[str, tuple[int, int]] = {}  # (inode, size) of the files searches read

    @property
    def ix(self) -> Any:
        """The open Whoosh index."""
        if self._ix is None:
            raise RuntimeError(f"{self.directory}: the search index is not open")
        return self._ix

    # -- opening ---------------------------------------------------------------------------

    def open(self) -> bool:
        """Open the index; False if it is missing, corrupt or of an older schema."""
        for attempt in range(OPEN_ATTEMPTS):
            try:
                current, token = self.state.token()
            except FileNotFoundError:
                # never built, or lost: a rebuild swaps in whole directories, under the lock
                # that ``rebuilding`` takes before opening again, so waiting would not help
                return False
            except (OSError, ValueError):
                current, token = None, None  # damaged, or being replaced: try again
            try:
                if current is None:
                    raise ValueError("unreadable index state")
                if not current:
                    return False
                # never a memory mapping: a file truncated under it kills the process (SIGBUS)
                storage = (
                    whoosh_internals.SegmentStorage(str(self.directory))
                    if self.fast
                    else FileStorage(str(self.directory), supports_mmap=False)
                )
                self._ix = storage.open_index(INDEX_NAME)
                self.change_token = token
                self._close_reader()
                self._reader = self._ix.reader()
                return True
            except Exception:  # another process may be committing or swapping in a rebuild
                self._ix = None
                self._close_reader()
                time.sleep(LOCK_DELAY * (attempt + 1))
        return False  # damaged: rebuild from the store

    @contextmanager
    def rebuilding(self) -> Iterator[None]:
        """One process at a time builds this index; the others wait, then open its result.
        Two building at once swapped their directories in turn, from under each other's
        writes (an app and a CLI started together on a new machine)."""
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        lock = FileStorage(str(self.directory.parent)).lock(f"{self.directory.name}_REBUILD")
        lock.acquire(blocking=True)
        try:
            yield
        finally:
            lock.release()

    def rebuild(
        self,
        reader: Reader,
        progress: Progress | None = None,
        table_from: Path | None = None,
    ) -> None:
        """Index every paper into a fresh directory, then swap it in; ``table_from``: the
        DB, whose search table the build also saves there if it can (:mod:`.wholebuild`)."""
        # imported here: a search that builds nothing need not import what starts a child
        # process (subprocess, signal, fcntl: ~3 ms of every `triage list`)
        from triage.search import prefixwriter, wholebuild

        building = self.directory.with_name(f"{self.directory.name}.building-{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        token = reader.change_token()
        total = reader.count()
        ix = whoosh_index.create_in(str(building), make_schema(), indexname=INDEX_NAME)
        in_bulk = self.fast and bulk.supported(ix.schema)
        try:
            papers, versions = wholebuild.fill(ix, reader, building, in_bulk, progress, table_from)
            if not in_bulk:
                prefixwriter.sets_from_index(ix.storage, ix.indexname, building / prefixes.FILE)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        versions_of = dict(zip(papers, versions, strict=True))
        self.state.write(building / self.state.path.name, token, versions_of)
        self._swap_in(building)
        if progress and total == 0:
            progress(0, 0)
        if not self.open():
            raise RuntimeError(f"{self.directory}: the rebuilt search index does not open")
        self._note_segment_ids(papers)

    def _swap_in(self, building: Path) -> None:
        """Replace the index directory while holding its write lock, so no writer is cut off."""
        old = self.directory.with_name(f"{self.directory.name}.old-{os.getpid()}")
        lock = None
        if self.directory.is_dir():
            # the one Whoosh's writers take (``ix.lock("WRITELOCK")``), without opening the index
            lock = FileStorage(str(self.directory)).lock(f"{INDEX_NAME}_WRITELOCK")
            deadline = time.monotonic() + SWAP_WAIT
            while not lock.acquire() and time.monotonic() < deadline:
                time.sleep(LOCK_DELAY)
        try:
            if self.directory.exists():
                os.replace(self.directory, old)
            os.replace(building, self.directory)
        except OSError:
            # another process swapped in its own fresh build meanwhile: use that one
            # (opening catches up with anything it missed)
            shutil.rmtree(building, ignore_errors=True)
        finally:
            if lock is not None and lock.locked:
                lock.release()
            shutil.rmtree(old, ignore_errors=True)

    def take_reader(self) -> Any:
        """The reader opened by :meth:`open` (None if taken): opening one reads the index's
        table of contents again."""
        reader, self._reader = self._reader, None
        return reader

    def _close_reader(self) -> None:
        reader = self.take_reader()
        if reader is not None:
            reader.close()

    # -- writing ---------------------------------------------------------------------------

    def stale(self, reader: Reader) -> tuple[set[str], set[str]]:
        """(papers whose indexed version differs from the store's, papers no longer in the
        store): every paper compared, O(N), for when the store cannot say what changed."""
        indexed = self.state.versions()
        changed: set[str] = set()
        known = 0  # papers of the store that the index has: all of them, unless some are gone
        for paper, version in reader.each_paper_version():  # not a second dict of a million
            was = indexed.get(paper)
            known += was is not None
            if was != version:
                changed.add(paper)
        if known == len(indexed):
            return changed, set()
        return changed, set(indexed).difference(paper for paper, _ in reader.each_paper_version())

    def write(self, reader: Reader, ids: Iterable[str], token: str | None = None) -> None:
        """Re-index these papers from the store (absent ones are deleted); ``token``: the
        store's change token up to which every change is indexed once they are (None: not
        known). Raises IndexLocked."""
        ids = list(dict.fromkeys(ids))
        many = len(ids) >= BULK_AT
        writer = self._writer(many=many)
        indexed: dict[str, str | None] = {}
        try:
            if many:
                ids += self._folded(writer, ids)
            for paper in ids:
                writer.delete_by_term("id", paper)
                indexed[paper] = None
            for version, document in read_documents(reader, ids):
                writer.add_document(**document)
                indexed[document["id"]] = version
            if many:
                writer.commit(mergetype=_without_emptied_segments)
            else:
                writer.commit(mergetype=_merge_small_segments)
        except BaseException:
            if not writer.is_closed:
                writer.cancel()
            raise
        try:
            self.state.indexed(indexed, token)
        except OSError as error:  # the next open compares more papers: nothing is lost
            log.info("search index state not updated: %s", error)
            return
        self.change_token = token

    def record_token(self, token: str | None) -> None:
        """Record that the index is up to date with the store at ``token`` (the caller found
        every version equal). Skipped while another process writes the index."""
        lock = self.ix.lock("WRITELOCK")
        if not lock.acquire():
            return
        try:
            self.state.indexed({}, token)
            self.change_token = token
        except OSError as error:
            log.info("search index state not updated: %s", error)
        finally:
            lock.release()

    def _folded(self, writer: Any, ids: list[str]) -> list[str]:
        """The papers of the smallest segments (never the largest), to write again with
        ``ids`` (their segments, left without a paper, are then dropped), up to
        :data:`FOLDED_SHARE` times as many: each bulk write (another machine's merge, a large
        `triage mark`) adds a segment that no merge takes (see :func:`_merge_small_segments`),
        and 14 of them made keystrokes 3-8 times slower at 10,000-100,000 papers. Folded in
        tiers, the segments stay few and a write costs O(its papers)."""
        with writer.reader() as reader:
            leaves = [leaf for leaf, _ in reader.leaf_readers()]
            if len(leaves) < 2:
                return []
            largest = max(leaves, key=lambda leaf: leaf.doc_count_all())
            smaller = sorted(
                (leaf for leaf in leaves if leaf is not largest), key=lambda leaf: leaf.doc_count()
            )
            folded, budget = [], FOLDED_SHARE * len(ids)
            for leaf in smaller:
                budget -= leaf.doc_count()
                if budget < 0:
                    break
                folded.append(leaf)
            known = set(ids)
            return [
                paper
                for leaf in folded
                for docnum, paper in enumerate(self.segment_ids(leaf))
                if not leaf.is_deleted(docnum) and paper not in known
            ]

    def _writer(self, *, many: bool) -> Any:
        for attempt in range(LOCK_RETRIES):
            try:
                return self._new_writer(many=many)
            except whoosh_index.LockError:
                time.sleep(LOCK_DELAY * (attempt + 1))
        raise IndexLocked()

    def _new_writer(self, *, many: bool) -> Any:
        ix = self.ix
        if many and self.fast and bulk.supported(ix.schema):
            return bulk.BulkWriter(ix, words=words, limitmb=64)
        return ix.writer(limitmb=64)

    def segment_ids(self, leaf: Any) -> list[str]:
        """Paper id of each document of a segment; read once, then from a file (a segment
        never changes: iterating its id column costs ~0.3 s per 100,000)."""
        path = self.directory / _ids_file(leaf)
        try:
            ids = path.read_text(encoding="utf-8").split("\n")
            if len(ids) != leaf.doc_count_all():
                raise ValueError(path)
        except (OSError, ValueError):
            ids = list(leaf.column_reader("id"))
            try:
                atomic_write(path, "\n".join(ids))
            except OSError:  # only a cache: another process swapped in its own rebuild
                pass
        return ids

    def _note_segment_ids(self, papers: list[str]) -> None:
        """Save what :meth:`segment_ids` reads of a new build's one segment: its documents
        are the papers in the order added (its id column read: ~0.3 s a 100,000)."""
        leaves = [leaf for leaf, _ in self._reader.leaf_readers() if leaf.segment() is not None]
        if len(leaves) != 1 or leaves[0].doc_count_all() != len(papers):
            return
        column = leaves[0].column_reader("id")
        if column[0] == papers[0] and column[len(papers) - 1] == papers[-1]:
            with contextlib.suppress(OSError):  # only a cache (see :meth:`segment_ids`)
                atomic_write(self.directory / _ids_file(leaves[0]), "\n".join(papers))

    def forget_segment_ids(self, segments: Iterable[str]) -> None:
        """Remove the files of :meth:`segment_ids` but those of these segments (the others
        were merged away)."""
        names = {f"docids-{segment}.txt" for segment in segments}
        for old in self.directory.glob("docids-*.txt"):
            if old.name not in names:
                old.unlink(missing_ok=True)

    def note_files(self, reader: Any) -> None:
        """Remember the size of the files a search reads through ``reader``: its segments
        (never changed once written) and the prefix sets (replaced only by a rebuild, which
        swaps in a new directory)."""
        names = [prefixes.FILE] + [
            f"{leaf.segment().segment_id()}{SEGMENT_SUFFIX}"
            for leaf, _ in reader.leaf_readers()
            if leaf.segment() is not None
        ]
        self._sizes = {}
        for name in names:
            try:
                status = (self.directory / name).stat()
            except OSError:  # an index without documents has no segment, or no prefix sets
                continue
            self._sizes[name] = (status.st_ino, status.st_size)

    def damaged(self) -> bool:
        """Whether a file noted by :meth:`note_files` has another size now: another program
        truncated it. A file gone or replaced is not damage: another process merged it away
        or swapped in a rebuild, and the open one is still read."""
        for name, (inode, size) in self._sizes.items():
            try:
                status = (self.directory / name).stat()
            except FileNotFoundError:
                continue
            if status.st_ino == inode and status.st_size != size:
                return True
        return False

    def close(self) -> None:
        self._close_reader()
        self._ix = None


def _merge_small_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh's MERGE_SMALL (its smallest segments merged once there are five or more of few
    papers) up to :data:`MERGED_AT_MOST` papers. A bulk write commits without merging, and
    Whoosh's own policy later merged 15 such segments piled up at 100,000 papers in one
    close: 8.8 s of pure Python, the interpreter held all along. Segments left without a
    paper are dropped, which costs nothing."""
    segments = _without_emptied_segments(writer, segments)
    ordered = sorted(segments, key=lambda segment: segment.doc_count_all())
    smallest = list(
        takewhile(
            lambda total: total <= MERGED_AT_MOST,
            accumulate(segment.doc_count_all() for segment in ordered),
        )
    )
    return MERGE_SMALL(writer, ordered[: len(smallest)]) + ordered[len(smallest) :]


def _without_emptied_segments(writer: Any, segments: list[Any]) -> list[Any]:
    """No merge (a bulk write's papers are many), but the segments whose papers it all wrote
    again are dropped."""
    return [segment for segment in segments if segment.doc_count() > 0]


def _ids_file(leaf: Any) -> str:
    return f"docids-{leaf.segment().segment_id()}.txt"
