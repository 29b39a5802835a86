"""The prefix sets of a whole build (:mod:`.prefixes`) written by a child process while this one
writes the segment's term table.

Both need every posting, so both wait until the last paper is added: one after the other they
were ~2.8 s each of a 100,000-paper build, with the second core idle. The child is started with
the build (its start and imports hide behind the word splitting) and, once the postings are
complete, a thread sends it the titles' and abstracts' postings a first letter at a time (the
sets of two first letters share nothing), in pieces, while the term table is written: the
child holds one first letter's postings. If it cannot start, the sets are written in this
process, as before; if it fails, they are read back from the written segment (slower, as for
an index Whoosh's own writer built).
"""

from __future__ import annotations

import logging
import pickle
import sys
from array import array
from collections import defaultdict
from collections.abc import Iterator, Mapping
from itertools import accumulate
from pathlib import Path
from typing import Any

from triage.core.child import Child, ChildFailed, answer, channels
from triage.core.cpu import usable_cores
from triage.search import postings, prefixes

PIECE = 500_000  # postings sent at once (2 MB): what the sending holds beside the postings
# Past this many papers the sets are written in the build's own process: the child holds a
# first letter's postings (~100-190 MB at 1,000,000 papers) at the build's peak, with the word
# splitter alive too, which took a 1,000,000-paper build over 1.5 GB (1,530 MB in all)
CHILD_PAPERS = 500_000
_FIELDS = tuple(dict.fromkeys(field for group in prefixes.GROUPS.values() for field in group))
_CHILD = "from triage.search.prefixwriter import serve; serve()"
log = logging.getLogger(__name__)

Piece = dict[str, tuple[str, array, array]]  # field -> its words, their lengths, the postings


def start(papers: int) -> SetsChild | None:
    """A child ready to write the prefix sets of ``papers`` papers, if there is a second core,
    they are not too many, and it starts."""
    if usable_cores() < 2 or not sys.executable or papers > CHILD_PAPERS:
        return None
    try:
        return SetsChild()
    except (OSError, ValueError) as error:  # no process can be started
        log.warning("search index: prefix sets written in this process (%s)", error)
        return None


class SetsChild:
    """The child process (a :class:`~triage.core.child.Child`), seen from the build:
    :meth:`send` once every posting is known, then :meth:`finish`; or :meth:`cancel`."""

    def __init__(self) -> None:
        self.child = Child(_CHILD, name="prefix-sets")
        self.sent = False

    def send(self, path: Path, tables: Mapping[str, Mapping[str, array]], ids: list[str]) -> None:
        """Start sending the postings of ``tables`` (field -> word -> document numbers; the
        caller may drop words meanwhile) and ``ids``; the sets are written to ``path``."""
        copies = {field: dict(tables.get(field, {})) for field in _FIELDS}
        self.child.send_each(_messages(path, copies, ids))
        self.child.end_input()
        self.sent = True

    def finish(self) -> bool:
        """Wait until the sets are written (or until nothing was sent); False if the child
        failed."""
        if not self.sent:
            self.cancel()
            return True
        try:
            written = self.child.receive() is True
        except ChildFailed:
            written = False
        self.child.close(kill=not written)  # it exits once it has answered
        return written

    def cancel(self) -> None:
        """Stop the child (done or not) and wait for it and for the sending thread."""
        self.child.close(kill=True)


def _messages(path: Path, tables: dict[str, dict[str, array]], ids: list[str]) -> Iterator[Any]:
    """What the child is sent: where to write, each first letter's postings in pieces (taken
    out of ``tables``), then the ids."""
    try:
        yield (str(path), len(ids), prefixes.DENSE)
        by_letter: defaultdict[str, dict[str, list[str]]] = defaultdict(
            lambda: {field: [] for field in tables}
        )
        for field, table in tables.items():
            for word in table:
                by_letter[word[:1]][field].append(word)
        for letter in sorted(by_letter):
            yield from _pieces(tables, by_letter.pop(letter))
        yield "\n".join(ids)
    finally:
        tables.clear()


def _pieces(
    tables: dict[str, dict[str, array]], words: dict[str, list[str]]
) -> Iterator[tuple[Piece, bool]]:
    """One first letter's words (by field) and their postings, about :data:`PIECE` postings
    at a time, each taken out of ``tables``; True with the last piece."""
    piece: Piece = {}
    held = 0
    for field, listed in words.items():
        table = tables[field]
        start = 0
        while start < len(listed):
            end, lengths, docnums = start, array("I"), array("I")
            while end < len(listed) and (held < PIECE or end == start):
                docnums.extend(found := table.pop(listed[end]))
                lengths.append(len(found))
                held += len(found)
                end += 1
            piece[field] = ("\n".join(listed[start:end]), lengths, docnums)
            start = end
            if held >= PIECE:
                yield piece, False
                piece, held = {}, 0
    yield piece, True


def serve() -> None:
    """The child: the sets of each first letter's postings as they come, then the file."""
    source, answers = channels()
    path, size, dense = pickle.load(source)
    sets = prefixes.SetsFile(Path(path), size, dense)
    try:
        tables: dict[str, dict[str, array]] = {field: {} for field in _FIELDS}
        while isinstance(message := pickle.load(source), tuple):
            piece, last = message
            for field, (words, lengths, docnums) in piece.items():
                table = tables[field]
                ends = accumulate(lengths, initial=0)
                start = next(ends)
                for word, end in zip(words.split("\n"), ends):
                    table[word] = docnums[start:end]
                    start = end
            if last:
                sets.add(tables)
                tables = {field: {} for field in _FIELDS}
        sets.finish(message.split("\n") if message else [])
        answer(answers, True)
    except BaseException:
        sets.cancel()
        raise


def sets_from_index(storage: Any, indexname: str, path: Path) -> None:
    """The prefix sets of a committed index, its postings read back (for an index Whoosh's own
    writer built, or when the child failed)."""
    ix = storage.open_index(indexname)
    with ix.reader() as reader:
        if not reader.doc_count_all():
            return  # as the bulk writer, which writes no segment then
        ids = [
            paper
            for leaf, _ in reader.leaf_readers()
            if leaf.segment() is not None
            for paper in leaf.column_reader("id")
        ]
        prefixes.build(
            {field: postings.field_postings(reader, field) for field in _FIELDS}, ids, path
        )
