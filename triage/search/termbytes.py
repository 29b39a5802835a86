"""The bytes of a Whoosh W3 segment's term table and posting blocks, built whole.

The bulk writer (:class:`~.whoosh_internals.BlockSegmentWriter`) writes what whoosh-reloaded
2.7's codec would, byte for byte, without its per-term and per-posting Python calls: a posting
block and an inlined term's postings are pickles (protocol 2) of ints, floats and tuples, put
together here from their parts (ints are never memoised by a pickler, so the rest of such a
pickle depends on the count alone); the term table's hash tables are packed a bucket at a time.
"""

from __future__ import annotations

import hashlib
import pickle
import struct
import sys
from array import array
from collections.abc import Sequence
from itertools import chain, islice
from operator import sub
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC as BLOCKS_MAGIC
from whoosh.system import pack_int, pack_long

INLINE_POSTINGS = 8  # a word in at most this many documents keeps its postings in the term table
BLOCK_LENGTH = struct.Struct("!i")  # before each posting block (negative: the last one)
POINTER_SIZE = 12  # a hash table slot (Whoosh's ``!Iq``): a term's hash, its entry's position
_ONE_AND_ZERO = b"G?\xf0\x00\x00\x00\x00\x00\x00K\x00"  # 1.0 and 0, pickled


class Bucket:
    """One of a term table's 256 lists of (term hash, entry position) pairs, which Whoosh keeps
    as tuples until the table is closed (~120 bytes a term), in two arrays (12 bytes): ~200 MB
    less at the peak of a million papers' build (1.9 million terms, ids included)."""

    __slots__ = ("hashes", "positions")

    def __init__(self) -> None:
        self.hashes = array("I")  # (the hash is 32 bits: see the table's hash function)
        self.positions = array("q")

    def __len__(self) -> int:
        return len(self.hashes)


def write_hashes(table: Any) -> None:
    """Whoosh's ``HashWriter._write_hashes`` for a table of :class:`Bucket` lists: each
    bucket's hash table (twice as many slots as entries, filled in order, an entry whose slot
    is taken put in the next free one) packed whole, not a slot at a time (~2 µs a term)."""
    dbfile = table.dbfile
    for bucket in table.buckets:
        slots = 2 * len(bucket)
        table.directory.append((dbfile.tell(), slots))
        hashes, positions, taken = array("I", bytes(4 * slots)), array("q"), bytearray(slots)
        positions.frombytes(bytes(8 * slots))
        for hashed, position in zip(bucket.hashes, bucket.positions):
            slot = (hashed >> 8) % slots
            while taken[slot]:
                slot = (slot + 1) % slots
            taken[slot] = 1
            hashes[slot], positions[slot] = hashed, position
        if sys.byteorder == "little":  # the table is big-endian
            hashes.byteswap()
            positions.byteswap()
        packed = bytearray(POINTER_SIZE * slots)
        hash_bytes, position_bytes = hashes.tobytes(), positions.tobytes()
        for byte in range(4):
            packed[byte::POINTER_SIZE] = hash_bytes[byte::4]
        for byte in range(8):
            packed[4 + byte :: POINTER_SIZE] = position_bytes[byte::8]
        dbfile.write(bytes(packed))


def md5_hash(key: bytes) -> int:
    """Whoosh's ``md5_hash`` (the md5 digest's last 4 bytes), without its hex round trip."""
    return int.from_bytes(hashlib.md5(key, usedforsecurity=False).digest()[12:], "big")


def _inlined_parts(count: int) -> tuple[bytes, bytes]:
    """The bytes before and after the document numbers in the pickle of
    ``(docnums, (1.0,) * count, (b"",) * count)``, an inlined term's postings."""
    pickled = pickle.dumps((tuple(range(count)), (1.0,) * count, (b"",) * count), 2)
    start = b"\x80\x02(" if count > 3 else b"\x80\x02"  # (up to 3: a tuple opcode after them)
    return start, pickled[len(start) + 2 * count :]  # (each number below 256: 2 bytes)


_INLINED = [(b"", b""), *map(_inlined_parts, range(1, INLINE_POSTINGS + 1))]


def inlined_postings(docnums: Sequence[int]) -> bytes:
    """``pickle.dumps((tuple(docnums), (1.0,) * n, (b"",) * n), 2)``: a rare word's postings
    in its term table entry (~1 µs a term less, ~2 s at a million papers)."""
    start, end = _INLINED[len(docnums)]
    return start + b"".join(map(pickled_int, docnums)) + end


def header_end(least: int, most: int) -> bytes:
    """The end of a field's posting block headers (see :func:`write_blocks`)."""
    return pickled_int(least) + pickled_int(most) + b"tq\x00."


def write_blocks(postfile: Any, limit: int, docnums: Sequence[int], header_end: bytes) -> bytes:
    """Write a term's posting blocks of ``limit`` documents; returns where they are, as its
    term info ends. A block is its header, ``pickle.dumps((length, last, 1.0, 0, least,
    most), 2)``, then :func:`pickled_block`."""
    start, count = postfile.tell(), len(docnums)
    pieces = [BLOCKS_MAGIC]
    for first in range(0, count, limit):
        block = docnums[first : first + limit]
        data = pickled_block(block)
        header = b"".join(
            (
                b"\x80\x02(",
                pickled_int(len(block)),
                pickled_int(block[-1]),
                _ONE_AND_ZERO,
                header_end,
            )
        )
        size = len(header) + len(data)
        pieces += (BLOCK_LENGTH.pack(-size if first + limit >= count else size), header, data)
    written = b"".join(pieces)
    postfile.write(written)
    return pack_long(start) + pack_int(len(written))


def pickled_block(block: Sequence[int]) -> bytes:
    """``pickle.dumps((deltas, None, None), 2)`` of a posting block, the codec's form: the first
    document number, then the gaps. Gaps under 256 (the frequent words' postings, most of
    them) are pickled as such ints are, ``K`` and a byte each, in C (~40% less time); a block
    whose gaps average 256 or more has a larger one, and is not tried."""
    length = len(block)
    if length > 3 and block[-1] - block[0] < 256 * (length - 1):  # (shorter: an opcode each)
        try:
            gaps = bytes(map(sub, islice(block, 1, None), block))
        except ValueError:  # a gap of 256 or more
            pass
        else:
            pickled = bytearray(2 * len(gaps))
            pickled[0::2] = b"K" * len(gaps)
            pickled[1::2] = gaps
            return b"\x80\x02(" + pickled_int(block[0]) + pickled + b"tq\x00NN\x87q\x01."
    return pickle.dumps((tuple(map(sub, block, chain((0,), block))), None, None), 2)


def pickled_int(number: int) -> bytes:
    """A non-negative int below 2**31 as pickle (protocol 2) writes it."""
    if number < 0x100:
        return b"K" + number.to_bytes(1, "little")
    if number < 0x10000:
        return b"M" + number.to_bytes(2, "little")
    return b"J" + number.to_bytes(4, "little")
