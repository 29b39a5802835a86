"""Row sets of the short prefixes, precomputed when the index is built.

The first keystrokes (``d``, ``di``, ``dif``) match thousands of words and most papers:
uniting their Whoosh postings takes seconds at 100,000 papers. The bulk build has every
posting in memory anyway, so it stores the papers of each frequent 1-5 letter prefix in
``prefixes.bin``, in its own row order, for titles and abstracts (which never change once a
paper is stored) and for titles alone (for ranking). A query re-expresses a set in the current
order on first use; papers added since the build are matched on their text, as are notes and
tags (few, and changed by marks).
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from array import array
from collections import deque
from itertools import groupby, repeat
from pathlib import Path

from . import bits

LENGTHS = (1, 2, 3, 4, 5)
DENSE = 2_000  # postings over a prefix's words from which its set is worth storing
GROUPS = {"fixed": ("title", "abstract"), "title": ("title",)}
FILE = "prefixes.bin"


def order_key(ids: list[str]) -> str:
    return hashlib.blake2b("\n".join(ids).encode("utf-8"), digest_size=12).hexdigest()


def build(postings: dict[str, dict[str, array]], ids: list[str], path: Path) -> None:
    """Write the sets of the frequent prefixes; ``ids`` name the documents in docnum order."""
    size = len(ids)
    entries: dict[str, tuple[int, int]] = {}
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with temporary.open("wb") as out:
        for group, fields in GROUPS.items():
            tables = [postings.get(field, {}) for field in fields]
            words = sorted(set().union(*tables))
            for length in LENGTHS:
                long_enough = (word for word in words if len(word) >= length)
                for prefix, members in groupby(long_enough, key=lambda word: word[:length]):
                    lists = [table[word] for word in members for table in tables if word in table]
                    if sum(map(len, lists)) < DENSE:
                        continue
                    flags = bytearray(size)
                    for docnums in lists:
                        deque(map(flags.__setitem__, docnums, repeat(1)), 0)
                    data = zlib.compress(bits.from_flags(flags).to_bytes((size + 7) // 8, "little"), 1)
                    entries[f"{group}:{prefix}"] = (out.tell(), len(data))
                    out.write(data)
        ids_data = zlib.compress("\n".join(ids).encode("utf-8"), 1)
        ids_at = out.tell()
        out.write(ids_data)
        header = json.dumps({
            "size": size, "order": order_key(ids), "ids": [ids_at, len(ids_data)], "sets": entries,
        }).encode("utf-8")
        out.write(header)
        out.write(len(header).to_bytes(8, "little"))
    os.replace(temporary, path)


class PrefixSets:
    """The stored sets, read lazily; ``get`` answers in the current row order."""

    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[str, list[int]] = {}
        self._loaded: dict[str, int] = {}
        self._order_for: tuple | None = None  # (table generation, source rows or None)
        self._file = None
        try:
            # Kept open: a rebuild by another process replaces the file, not what we read.
            self._file = handle = path.open("rb")
            handle.seek(-8, os.SEEK_END)
            length = int.from_bytes(handle.read(8), "little")
            handle.seek(-8 - length, os.SEEK_END)
            header = json.loads(handle.read(length))
            self.size = header["size"]
            self.order = header["order"]
            self.ids_extent = header["ids"]
            self.entries = header["sets"]
        except (OSError, ValueError, KeyError):
            self.entries = {}
            self.close()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _read(self, offset: int, length: int) -> bytes:
        self._file.seek(offset)
        return zlib.decompress(self._file.read(length))

    def has(self, group: str, prefix: str) -> bool:
        return f"{group}:{prefix}" in self.entries

    def added_since(self, table) -> int:
        """Rows of papers the stored sets do not know (added after the build)."""
        self._source_rows(table)
        return self._order_for[2]

    def get(self, group: str, prefix: str, table) -> int:
        key = f"{group}:{prefix}"
        source = self._source_rows(table)
        if key not in self._loaded:
            stored = int.from_bytes(self._read(*self.entries[key]), "little")
            self._loaded[key] = stored if source is None else bits.permute(stored, source, self.size)
        return self._loaded[key]

    def _source_rows(self, table) -> list[int] | None:
        """For each current row, the stored row of the same paper (None: same order)."""
        if self._order_for is not None and self._order_for[0] == table.order_generation:
            return self._order_for[1]
        source, added = None, 0
        if table.size != self.size or order_key(table.ids) != self.order:
            stored_ids = self._read(*self.ids_extent).decode("utf-8").split("\n")
            stored_row = {paper: row for row, paper in enumerate(stored_ids)}
            source = [stored_row.get(paper, self.size) for paper in table.ids]
            added = bits.from_rows((row for row, old in enumerate(source) if old == self.size), table.size)
        if self._order_for is not None and self._order_for[1] != source:
            self._loaded.clear()
        self._order_for = (table.order_generation, source, added)
        return source
