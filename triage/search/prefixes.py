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
from collections.abc import Mapping
from itertools import groupby, islice, repeat
from operator import eq, sub
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from triage.core.cache import LRUCache
from triage.search import bits

if TYPE_CHECKING:
    from triage.search.table import Table

DENSE = 2_000  # postings of a word, or over a prefix's words, from which its set is worth storing
GROUPS = {"fixed": ("title", "abstract"), "title": ("title",)}
FILE = "prefixes.bin"
GONE = -2  # the current row of a stored paper no longer in the store
LOADED_ENTRIES = 4_096
LOADED_BYTES = 8_000_000  # of sets read (one is 12.5 KB at 100,000 papers, 125 KB at 1M)


def order_key(ids: list[str]) -> str:
    return hashlib.blake2b("\n".join(ids).encode("utf-8"), digest_size=12).hexdigest()


def build(postings: Mapping[str, Mapping[str, array]], ids: list[str], path: Path) -> None:
    """Write the sets of the frequent prefixes and words; ``ids`` name the documents in
    docnum order."""
    size = len(ids)
    entries: dict[str, tuple[int, int]] = {}
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as out:

        def write(key: str, members: int) -> None:
            data = zlib.compress(members.to_bytes((size + 7) // 8, "little"), 1)
            entries[key] = (out.tell(), len(data))
            out.write(data)

        for group, fields in GROUPS.items():
            tables = [postings.get(field, {}) for field in fields]
            counts: dict[str, int] = {}
            for table in tables:
                for word, length in zip(table, map(len, table.values())):
                    counts[word] = counts.get(word, 0) + length
            words = sorted(counts)
            # the frequent words' sets: stored, and united into every prefix they begin with
            frequent = {
                word: _rows(_lists(tables, word), size) for word in words if counts[word] >= DENSE
            }
            for word, rows in frequent.items():
                write(f"{group}={word}", rows)
            # longest prefixes first: a prefix's set unites its dense longer prefixes' sets
            # (in C) with its other words' postings, so each posting is visited once
            longer: dict[str, tuple[list[str], int]] = {}
            for level in reversed(_dense_prefixes(words, counts)):
                within: dict[str, list[str]] = {}
                for child in longer:
                    within.setdefault(child[:-1], []).append(child)
                sets: dict[str, tuple[list[str], int]] = {}
                for prefix, members in level.items():
                    key = f"{group}:{prefix}"
                    children = within.get(prefix, [])
                    if len(children) == 1 and len(longer[children[0]][0]) == len(members):
                        united = longer[children[0]][1]  # the same words: the same set
                        entries[key] = entries[f"{group}:{children[0]}"]
                    elif members == [prefix]:  # one frequent word
                        united = frequent[prefix]
                        entries[key] = entries[f"{group}={prefix}"]
                    else:
                        covered = {word for child in children for word in longer[child][0]}
                        rest = [word for word in members if word not in covered]
                        rare = [
                            found
                            for word in rest
                            if word not in frequent
                            for found in _lists(tables, word)
                        ]
                        united = _rows(rare, size) if rare else 0
                        for word in rest:
                            united |= frequent.get(word, 0)
                        for child in children:
                            united |= longer[child][1]
                        write(key, united)
                    sets[prefix] = (members, united)
                longer = sets
        ids_data = zlib.compress("\n".join(ids).encode("utf-8"), 1)
        ids_at = out.tell()
        out.write(ids_data)
        header = json.dumps(
            {
                "size": size,
                "order": order_key(ids),
                "ids": [ids_at, len(ids_data)],
                "sets": entries,
            }
        ).encode("utf-8")
        out.write(header)
        out.write(len(header).to_bytes(8, "little"))
    os.replace(temporary, path)


def _lists(tables: list[Mapping[str, array]], word: str) -> list[array]:
    return [table[word] for table in tables if word in table]


def _dense_prefixes(words: list[str], counts: Mapping[str, int]) -> list[dict[str, list[str]]]:
    """For each length from 1, the prefixes whose words (sorted) have ``DENSE`` postings or
    more, with their words; only the words of a dense prefix can make a longer one dense."""
    levels: list[dict[str, list[str]]] = []
    length = 1
    while words:
        level: dict[str, list[str]] = {}
        long_enough = (word for word in words if len(word) >= length)
        for prefix, grouped in groupby(long_enough, key=lambda word: word[:length]):
            members = list(grouped)
            if sum(map(counts.__getitem__, members)) >= DENSE:
                level[prefix] = members
        levels.append(level)
        words = [word for members in level.values() for word in members]
        length += 1
    return levels


def _rows(lists: list[array], size: int) -> int:
    flags = bytearray(size)
    for docnums in lists:
        for docnum in docnums:  # a plain loop: faster than map(flags.__setitem__, …)
            flags[docnum] = 1
    return bits.from_flags(flags)


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
        self.entries: dict[str, list[int]] = {}
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
            header = json.loads(handle.read(length))
            self.size: int = header["size"]
            self.order: str = header["order"]
            self.ids_extent: list[int] = header["ids"]
            self.entries = header["sets"]
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
        if table.size != self.size or order_key(table.ids) != self.order:
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
