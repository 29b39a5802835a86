"""Row sets of the frequent prefixes, precomputed when the index is built.

The first keystrokes (``d``, ``di``, ``dif``) match thousands of words and most papers:
uniting their Whoosh postings takes seconds at 100,000 papers, and a longer prefix of a
frequent stem (``genera``: ~117,000 postings of ``generation``, ``generalization``, …) still
tens of milliseconds. The bulk build has every posting in memory anyway, so it stores the
papers of each prefix, of any length, whose words have ``DENSE`` postings or more in
``prefixes.bin``, in its own row order, for titles and abstracts (which never change once a
paper is stored) and for titles alone (for ranking). A prefix with the same words as the one
a letter shorter (``transfo``, ``transfor``) shares its set. The words with ``DENSE``
postings or more have their sets stored too: a word's stem family (``generation`` also finds
``generated``, ``general``, …) would otherwise decode them. Sets are read from the file on first use and
re-expressed in the current order, and kept up to ``LOADED_BYTES`` (a long session meets
thousands); papers added since the build are matched on their text, as are notes and tags
(few, and changed by marks).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from itertools import accumulate, islice, repeat
from operator import eq, sub
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from triage.core.cache import LRUCache
from triage.search import bits
from triage.search.setsheader import read_header

if TYPE_CHECKING:
    from triage.search.table import Table

DENSE = 2_000  # postings of a word, or over a prefix's words, from which its set is worth storing
SPARSE = 16  # a set is compressed if one row in this many or fewer is in it (denser sets shrink
# little, at ~150 µs each: 1 s of a build at 100,000 papers)
GROUPS = {"fixed": ("title", "abstract"), "title": ("title",)}
FILE = "prefixes.bin"
GONE = -2  # the current row of a stored paper no longer in the store
LOADED_ENTRIES = 4_096
LOADED_BYTES = 8_000_000  # of sets read (one is 12.5 KB at 100,000 papers, 125 KB at 1M)
FEW_ROWS_SHARE = 100  # a set of fewer rows than one in this many is made a bit at a time (~0.1 µs
# a row), not through a byte per row (~1 ns a row of the library: 1.1 ms a set at 1M papers)
_BITS = [1 << bit for bit in range(8)]


def order_key(ids: Iterable[str]) -> str:
    return hashlib.blake2b("\n".join(ids).encode("utf-8"), digest_size=12).hexdigest()


def build(postings: Mapping[str, Mapping[str, array]], ids: list[str], path: Path) -> None:
    """Write the sets of the frequent prefixes and words; ``ids`` name the documents in
    docnum order."""
    sets = SetsFile(path, len(ids))
    try:
        sets.add(postings)
        sets.finish(ids)
    except BaseException:
        sets.cancel()
        raise


class SetsFile:
    """``prefixes.bin`` being written: :meth:`add` takes every word's postings, then
    :meth:`finish`."""

    def __init__(self, path: Path, size: int) -> None:
        """``size``: the documents."""
        self.path, self.size, self.dense = path, size, DENSE
        self.entries: dict[str, tuple[int, int]] = {}
        self.temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        self.out = self.temporary.open("wb")

    def _write(self, key: str, members: int) -> None:
        raw = members.to_bytes((self.size + 7) // 8, "little")
        if members.bit_count() * SPARSE <= self.size:
            # runs of zero bytes: zlib's run-length strategy compresses a sparse set ~2x faster
            # than its default and ~25% smaller (zlib.compress: 15 of a million papers' 44 s)
            packer = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS, 8, zlib.Z_RLE)
            data = packer.compress(raw) + packer.flush()
        else:
            data = zlib.compress(raw, 0)  # (stored as it is)
        self.entries[key] = (self.out.tell(), len(data))
        self.out.write(data)

    def add(self, postings: Mapping[str, Mapping[str, array]]) -> None:
        """The sets of these words' prefixes: all the words, in every field, of their first
        letters."""
        for group, fields in GROUPS.items():
            tables = [postings.get(field, {}) for field in fields]
            counts: dict[str, int] = {}
            for table in tables:
                for word, length in zip(table, map(len, table.values())):
                    counts[word] = counts.get(word, 0) + length
            words = sorted(counts)
            # postings of the words before each one, in word order
            before = array("Q", accumulate(map(counts.__getitem__, words), initial=0))
            del counts
            group_words = _Words(tables, words, before, self.size, self.dense)
            _write_group(group, group_words, self._write, self.entries)

    def finish(self, ids: list[str]) -> None:
        """Write the documents' ids and the header, and put the file in place."""
        out = self.out
        ids_data = zlib.compress("\n".join(ids).encode("utf-8"), 1)
        ids_at = out.tell()
        out.write(ids_data)
        header = json.dumps(
            {
                "size": self.size,
                "order": order_key(ids),
                "ids": [ids_at, len(ids_data)],
                "sets": self.entries,
            }
        ).encode("utf-8")
        out.write(header)
        out.write(len(header).to_bytes(8, "little"))
        out.close()
        os.replace(self.temporary, self.path)

    def cancel(self) -> None:
        self.out.close()
        self.temporary.unlink(missing_ok=True)


class _Words(NamedTuple):
    """A group's words, sorted, with what the prefix sets are made of."""

    tables: list[Mapping[str, array]]  # the group's fields' postings
    sorted: list[str]
    before: array  # postings of the words before each one (and of all, last)
    size: int  # documents
    dense: int  # postings from which a prefix's or a word's set is stored (:data:`DENSE`)

    def postings(self, lo: int, hi: int) -> int:
        return self.before[hi] - self.before[lo]


class _Prefix:
    """A dense prefix being completed: its words are ``sorted[lo:hi]``, ``at`` the next one
    to look at; ``united`` holds its finished longer prefixes' sets, ``rare`` the ranges of
    its other words."""

    __slots__ = ("at", "children", "hi", "last_child", "lo", "prefix", "rare", "united")

    def __init__(self, prefix: str, lo: int, hi: int) -> None:
        self.prefix, self.lo, self.hi, self.at = prefix, lo, hi, lo
        self.united, self.children, self.last_child = 0, 0, ("", 0)
        self.rare: list[tuple[int, int]] = []


def _write_group(
    group: str, words: _Words, write: Callable[[str, int], None], entries: dict
) -> None:
    """The sets of a group's prefixes whose words have ``DENSE`` postings or more, and of its
    frequent words. Depth first, in word order: a prefix's set unites its dense longer
    prefixes' sets (in C) with its other words' postings, so each posting is visited once,
    and only the sets of the prefixes being completed are held (one per length), not every
    frequent word's or a whole length's (GBs at 1M papers)."""
    ordered = words.sorted
    stack = [_Prefix("", 0, len(ordered))]
    while stack:
        node = stack[-1]
        length = len(node.prefix) + 1
        if node.at < node.hi and len(ordered[node.at]) < length:  # the prefix as a word
            node.at += 1
        if node.at < node.hi and words.postings(node.at, node.hi) < words.dense:
            node.rare.append((node.at, node.hi))  # nothing left can be dense
            node.at = node.hi
        if node.at < node.hi:
            start = node.at
            child = ordered[start][:length]
            end = bisect_right(ordered, child, start, node.hi, key=lambda word: word[:length])
            node.at = end
            if words.postings(start, end) >= words.dense:
                stack.append(_Prefix(child, start, end))
            else:
                node.rare.append((start, end))
            continue
        stack.pop()
        if stack:
            united = _finish(group, node, words, write, entries)
            parent = stack[-1]
            parent.united |= united
            parent.children += 1
            parent.last_child = (node.prefix, node.hi - node.lo)


def _finish(
    group: str, node: _Prefix, words: _Words, write: Callable[[str, int], None], entries: dict
) -> int:
    """Write a dense prefix's set (and its word's, if frequent) and return it."""
    prefix, lo, hi = node.prefix, node.lo, node.hi
    key = f"{group}:{prefix}"
    word_set = 0
    if words.sorted[lo] == prefix and words.postings(lo, lo + 1) >= words.dense:  # frequent
        word_set = _rows(_lists(words.tables, prefix), words.size)
        write(f"{group}={prefix}", word_set)
    if node.children == 1 and node.last_child[1] == hi - lo:
        entries[key] = entries[f"{group}:{node.last_child[0]}"]  # the same words: the same set
        return node.united
    if hi - lo == 1:  # one frequent word
        entries[key] = entries[f"{group}={prefix}"]
        return word_set
    rare: list[array] = []
    for start, end in node.rare:  # (their order does not matter: their rows are united)
        ordered = words.sorted[start:end]
        for table in words.tables:
            rare.extend(filter(None, map(table.get, ordered)))  # (a word's postings: never empty)
    if not word_set and words.sorted[lo] == prefix:  # the prefix is a rare word
        rare.extend(_lists(words.tables, prefix))
    united = (_rows(rare, words.size) if rare else 0) | word_set | node.united
    write(key, united)
    return united


def _lists(tables: list[Mapping[str, array]], word: str) -> list[array]:
    return [table[word] for table in tables if word in table]


def _rows(lists: list[array], size: int) -> int:
    if sum(map(len, lists)) * FEW_ROWS_SHARE < size:  # few rows: their bits set one by one
        members = bytearray((size + 7) // 8)
        for docnums in lists:
            for docnum in docnums:
                members[docnum >> 3] |= _BITS[docnum & 7]
        return int.from_bytes(members, "little")
    flags = bytearray(size + -size % 8)
    for docnums in lists:
        for docnum in docnums:  # a plain loop: faster than map(flags.__setitem__, …)
            flags[docnum] = 1
    return _packed(flags)


def _packed(flags: bytearray) -> int:
    """One byte per row (0 or 1; a multiple of 8 rows) -> bit set, each bit place's bytes
    taken whole (bit k of byte j is row 8j + k): 8 C passes, ~2x faster than parsing a digit
    per row (:func:`~.bits.from_flags`)."""
    members = 0
    for place in range(8):
        members |= int.from_bytes(flags[place::8], "little") << place
    return members


class _Order(NamedTuple):
    """How the stored rows map to the current ones (see ``PrefixSets._order``)."""

    generation: int  # the table's order generation it was worked out for
    rows: list[int] | None  # current row of each stored row; None: the same order
    added: int  # rows of papers added since the build
    moves: list[tuple[int, int, int]] | None  # runs of rows that moved together
    source: list[int] | None  # if too many runs: the stored row of each current row


class PrefixSets:
    """The stored sets, read lazily; ``get`` answers in the current row order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: Mapping[str, list[int]] = {}
        # by extent (shared sets load once); re-reading one costs ~0.1 ms at 100,000 papers
        self._loaded: LRUCache[tuple[int, int], int] = LRUCache(
            LOADED_ENTRIES, maxbytes=LOADED_BYTES, size_of=sys.getsizeof
        )
        self._order_for: _Order | None = None
        self._file: BinaryIO | None = None
        try:
            # Kept open: a rebuild by another process replaces the file, not what we read.
            self._file = handle = path.open("rb")
            handle.seek(-8, os.SEEK_END)
            length = int.from_bytes(handle.read(8), "little")
            handle.seek(-8 - length, os.SEEK_END)
            header, self.entries = read_header(handle.read(length))
            self.size: int = header["size"]
            self.order: str = header["order"]
            self.ids_extent: list[int] = header["ids"]
        except (OSError, ValueError, KeyError):
            self.entries = {}
            self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _read(self, offset: int, length: int) -> bytes:
        if self._file is None:
            raise OSError(f"{self.path}: closed")
        self._file.seek(offset)
        return zlib.decompress(self._file.read(length))

    def known(self, table: Table) -> int:
        """How many of the table's papers the sets were built with (0 without a file)."""
        if self._file is None:
            return 0
        return table.size - self.added_since(table).bit_count()

    def has(self, group: str, prefix: str) -> bool:
        return f"{group}:{prefix}" in self.entries

    def has_word(self, group: str, word: str) -> bool:
        return f"{group}={word}" in self.entries

    def added_since(self, table: Table) -> int:
        """Rows of papers the stored sets do not know (added after the build)."""
        return self._order(table).added

    def current_rows(self, table: Table) -> list[int] | None:
        """The current row of each stored row (``GONE``: no longer in the store); None: the
        same rows (other files written with the sets use it, see :mod:`.phrases`)."""
        return self._order(table).rows

    def get(self, group: str, prefix: str, table: Table) -> int:
        return self._get(f"{group}:{prefix}", table)

    def get_word(self, group: str, word: str, table: Table) -> int:
        return self._get(f"{group}={word}", table)

    def _get(self, name: str, table: Table) -> int:
        offset, length = self.entries[name]
        key = (offset, length)
        order = self._order(table)
        loaded = self._loaded.get(key)
        if loaded is None:
            loaded = int.from_bytes(self._read(offset, length), "little")
            if order.moves is not None:
                loaded = bits.move(loaded, order.moves)
            elif order.source is not None:
                loaded = bits.permute(loaded, order.source, self.size)
            self._loaded[key] = loaded
        return loaded

    def _order(self, table: Table) -> _Order:
        """How the stored rows map to the current ones, worked out once per order."""
        if self._order_for is not None and self._order_for.generation == table.order_generation:
            return self._order_for
        rows: list[int] | None = None
        added, moves, source = 0, None, None
        if table.size != self.size or table.order_key != self.order:
            offset, length = self.ids_extent
            stored_ids = self._read(offset, length).decode("utf-8").split("\n")
            rows = list(map(table.row_of.get, stored_ids, repeat(GONE)))
            moves = _runs(rows)
            if moves is None:  # too scattered: row by row
                source = [self.size] * table.size
                for old, new in enumerate(rows):
                    if new != GONE:
                        source[new] = old
                known = bits.from_rows((new for new in rows if new != GONE), table.size)
            else:
                known = 0
                for new, _, length in moves:
                    known |= ((1 << length) - 1) << new
            added = table.all & ~known
        if self._order_for is not None and self._order_for.rows != rows:
            self._loaded.clear()
        self._order_for = _Order(table.order_generation, rows, added, moves, source)
        return self._order_for


def _runs(rows: list[int]) -> list[tuple[int, int, int]] | None:
    """(current row, stored row, length) of each run of stored rows that are still together
    (``rows``: the current row of each stored row, or ``GONE``); None past ``bits.MAX_RUNS``.
    Papers added to the top of the list, or a few moved to it, leave a handful of runs."""
    # where a stored row does not follow the previous one, found in C rather than row by row
    follows = bytes(map(eq, map(sub, islice(rows, 1, None), rows), repeat(1)))
    starts = [0]
    position = follows.find(0)
    while position >= 0:
        starts.append(position + 1)
        if len(starts) > 4 * bits.MAX_RUNS:  # papers gone from the store also break runs
            return None
        position = follows.find(0, position + 1)
    runs = [
        (rows[start], start, end - start)
        for start, end in zip(starts, [*starts[1:], len(rows)])
        if rows and rows[start] != GONE
    ]
    return runs if len(runs) <= bits.MAX_RUNS else None
