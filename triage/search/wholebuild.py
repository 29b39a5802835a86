"""Every paper written into a new index, its titles and abstracts split in a second process.

A whole build is Python CPU: at 100,000 papers, splitting ~23 million words of titles and
abstracts and numbering them for the phrase file (:mod:`.phrases`) was ~7 s of ~20. In bulk
(:mod:`.bulk`), a child process (a :class:`~triage.core.child.Child`) does that on the other
core while this one writes the rest: it is sent each batch of papers' titles and abstracts,
writes the phrase file, and answers with each paper's word numbers, by which the bulk writer
files postings (each paper's distinct ones are found by whichever process has time to spare,
see :attr:`.bulk.Split.distinct`); the child names the numbers at the end, then files the
places of frequent words in the phrase file (:mod:`.followers`, ~4-5 s at 100,000 papers)
and saves the search table read from the store (:func:`~.table.save_whole`, ~0.4 s, which
the opened index reads as a saved copy) while this process writes the prefix sets and the
term table (~5 s). The child holds the vocabulary and the phrase file's offsets, as this
process did: nothing is held twice. If it cannot start or fails, the build starts again in
this process alone (as it does with Whoosh's own writer).
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import time
from array import array
from collections.abc import Callable, Generator
from itertools import islice
from pathlib import Path
from typing import Any

from triage.core.child import Child, ChildFailed, answer, channels
from triage.core.cpu import usable_cores
from triage.search import bulk, followers, phrases, phrasewriter, prefixes, table
from triage.search.analysis import read_documents, words
from triage.search.table import SNAPSHOT_FILE
from triage.store import Reader

BATCH = 500  # papers sent to the child at once (and between two progress reports)

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)


class SplitFailed(Exception):
    """The child splitting words died, or did not answer."""


def fill(
    ix: Any,
    reader: Reader,
    directory: Path,
    in_bulk: bool,
    progress: Progress | None,
    table_from: Path | None = None,
) -> tuple[list[str], list[str]]:
    """Write every paper of the store into ``ix`` (a new index in ``directory``) and the
    phrase file, and, in bulk, the prefix sets; returns the papers and their versions, in
    document order. ``table_from``: the DB, whose search table the child saves in
    ``directory`` once the phrase file is written (it has ~0.5 s to spare at 100,000
    papers while this process writes the prefix sets and term table, see
    :func:`~.table.save_whole`)."""
    if in_bulk and usable_cores() > 1:
        try:
            splitter = _Splitter(directory / phrases.FILE)
        except (OSError, ValueError) as error:  # no process can be started
            log.warning("search index: words split in this process (%s)", error)
        else:
            try:
                return _fill(ix, reader, directory, progress, splitter, table_from)
            except SplitFailed as error:
                log.warning("search index: words split in this process (%s)", error)
                if ix.doc_count_all():  # it failed once the index was written: start afresh
                    ix = type(ix).create(ix.storage, ix.schema, ix.indexname)
            finally:
                splitter.close()
            for left in directory.glob(f"{phrases.FILE}.*.tmp"):  # the child's, if killed
                left.unlink(missing_ok=True)
    return _fill(ix, reader, directory, progress, None, None, in_bulk=in_bulk)


def _fill(
    ix: Any,
    reader: Reader,
    directory: Path,
    progress: Progress | None,
    splitter: _Splitter | None,
    table_from: Path | None,
    *,
    in_bulk: bool = True,
) -> tuple[list[str], list[str]]:
    total = reader.count()
    phrase_writer = None if splitter else phrasewriter.PhraseWriter(directory / phrases.FILE)
    writer = (
        bulk.BulkWriter(
            ix,
            words=words,
            prefix_path=directory / prefixes.FILE,
            record_words=phrase_writer.record if phrase_writer else None,
        )
        if in_bulk
        else ix.writer(limitmb=256)
    )
    papers: list[str] = []
    versions = Lines()
    batches = _batches(reader)
    try:
        batch = next(batches, [])
        if splitter and batch:
            splitter.send(batch)
        while batch:
            following = next(batches, [])
            if splitter and following:
                splitter.send(following)  # split while this process writes ``batch``
            if splitter:
                writer.add_documents([document for _, document in batch], splitter.receive())
            for version, document in batch:
                if phrase_writer:
                    if not in_bulk:
                        for field in phrases.FIELDS:
                            phrase_writer.record(field, words(document[field] or ""))
                    writer.add_document(**document)
                    phrase_writer.end_document()
                papers.append(document["id"])
                versions.append(version)
            if progress:
                progress(len(papers), total)
            batch = following
        if splitter:
            writer.vocabulary = splitter.vocabulary(prefixes.order_key(papers), table_from)
        elif phrase_writer:
            # the phrase file first: its words go before the index's commit, the build's peak
            phrase_writer.commit(prefixes.order_key(papers))
        writer.commit()
        if splitter:
            splitter.wait_for_phrases()
    except BaseException:
        if phrase_writer:
            phrase_writer.cancel()
        if not writer.is_closed:
            writer.cancel()
        raise
    finally:
        batches.close()
    return papers, versions.all()


def _batches(reader: Reader) -> Generator[list[tuple[str, dict]], None, None]:
    with contextlib.closing(read_documents(reader, None)) as documents:  # its query ends here
        while batch := list(islice(documents, BATCH)):
            yield batch


class _Splitter:
    """The child process splitting titles and abstracts, seen from the building process (a
    :class:`~triage.core.child.Child`: a batch is pickled whole, then written at once into a
    pipe that holds it, by a thread)."""

    def __init__(self, path: Path) -> None:
        self.child = Child(
            _CHILD, str(path), *map(str, followers.Filing.current()), name="index-words"
        )
        self.table_wanted = False

    def send(self, batch: list[tuple[str, dict]]) -> None:
        self.child.send([(document["title"], document["abstract"]) for _, document in batch])

    def _answer(self) -> Any:
        try:
            return self.child.receive()
        except ChildFailed as error:
            raise SplitFailed(f"the process splitting words ended ({error})") from None

    def receive(self) -> bulk.Split:
        """The split titles and abstracts of the oldest batch sent."""
        return bulk.Split(*self._answer())

    def vocabulary(self, order: str, table_from: Path | None) -> list[str]:
        """Every word, by number (the first is 1), once every batch is sent; ``order`` names
        the papers' order (see :func:`~.prefixes.order_key`), for the phrase file;
        ``table_from``: the DB whose table the child saves after it."""
        self.child.send(order)
        self.child.send(str(table_from or ""))
        self.table_wanted = table_from is not None
        words: list[str] = self._answer()
        return words

    def wait_for_phrases(self) -> None:
        """Until the child has written the phrase file (and saved the table, or given up)."""
        if self._answer() is not True:
            raise SplitFailed("the phrase file was not written")
        if self.table_wanted:  # if not saved, the index reads it itself once opened
            with contextlib.suppress(SplitFailed):
                self._answer()

    def close(self) -> None:
        """Let the child end (at once if the build failed: its input ends, its answers go
        nowhere) and wait for it."""
        self.child.close()


_CHILD = (
    "import sys; from triage.search.wholebuild import split_words; "
    "split_words(sys.argv[1], *map(int, sys.argv[2:]))"
)


def split_words(path: str, *filing: int) -> None:
    """The child: split each batch's titles and abstracts and write their phrase file; answer
    with their words' numbers (a :class:`~.bulk.Split`), then with the vocabulary, then True
    once the phrase file is written; then, if sent a DB's path, whether its table is saved."""
    texts, answers = channels()
    writer = phrasewriter.PhraseWriter(Path(path), filing=followers.Filing(*filing))
    try:
        number, asked = writer.ids.__getitem__, time.perf_counter()
        while isinstance(batch := pickle.load(texts), list):  # then the papers' order
            counts, ids, found = array("I"), array("I"), array("I")
            distinct = time.perf_counter() - asked >= bulk.SPARE_WAIT  # (see bulk.Split)
            for title, abstract in batch:
                title_words, abstract_words = words(title or ""), words(abstract or "")
                ids.extend(map(number, title_words))
                ids.append(0)
                ids.extend(map(number, abstract_words))
                ids.append(0)
                if distinct:  # from the words, whose hashes are kept (the parent's are ints)
                    title_set, abstract_set = set(title_words), set(abstract_words)
                    found.extend(map(number, title_set))
                    found.extend(map(number, abstract_set))
                    counts.extend(map(len, (title_words, abstract_words, title_set, abstract_set)))
                else:
                    counts.extend(map(len, (title_words, abstract_words) * 2))
            writer.add_documents(ids, zip(counts[0::4], counts[1::4]))
            answer(answers, (counts, found if distinct else ids, len(writer.ids), distinct))
            asked = time.perf_counter()
        answer(answers, list(writer.ids))  # numbered in order of first use
        writer.commit(batch)
        answer(answers, True)
    except (EOFError, BrokenPipeError):  # the parent gave up the build
        writer.cancel()
        return
    except BaseException:
        writer.cancel()
        raise
    del writer  # (its offsets: ~16 MB at a million papers)
    with contextlib.suppress(EOFError, BrokenPipeError):  # (the parent gave up)
        if db_path := pickle.load(texts):
            answer(answers, table.save_whole(Path(db_path), Path(path).with_name(SNAPSHOT_FILE)))


class Lines:
    """Strings without a newline, held joined a few thousand at a time: a build's million
    papers' versions in ~17 MB, not ~100 MB of strings and dict at its peak."""

    JOINED = 4_096

    def __init__(self) -> None:
        self.joined: list[str] = []
        self.pending: list[str] = []

    def append(self, line: str) -> None:
        self.pending.append(line)
        if len(self.pending) == self.JOINED:
            self.joined.append("\n".join(self.pending))
            self.pending.clear()

    def all(self) -> list[str]:
        return (
            "\n".join([*self.joined, *self.pending]).split("\n")
            if self.joined or self.pending
            else []
        )
