"""Every place of a frequent word in ``phrases.bin`` with the word that follows it, filed by
word at build (see :mod:`.phrases`): ``"neural n`` reads the places of *neural* (~0.7 MB at
100,000 papers) instead of the text of its 58,000 papers (~95 MB).

A place is 8 bytes: the rank of the next word (3), the document (3), where in the document
the next word stands (15 bits) and whether the word is in the title (1 bit). The build files
them in the child that wrote the phrase file, once it has (the other process still writes
postings and prefix sets then): a chunk of the file's word ids at a time, each place's bytes
put together by slicing (in C), then appended to its word's array (~0.1 µs a place, a step
a place in all; the places of words not filed go to one array emptied each chunk). They are
written out whenever ~2 million are held, so a word's places lie in a few pieces (one a
write). Words in fewer than ``FOLLOWED_PLACES`` places are searched in the text as before
(a few thousand papers); so are the most frequent (``the``, ``of`` beyond ``MOST_PLACES``:
millions of places at a million papers, more than a keystroke reads), and papers too long for
15 bits (a handful, if any: scanned beside the filed places).
"""

from __future__ import annotations

import bisect
import sys
from array import array
from collections import Counter, deque
from collections.abc import Callable
from typing import BinaryIO, NamedTuple

from triage.search import phraseplaces
from triage.search.phraseplaces import ALL, Layout, Places

FOLLOWED_PLACES = 4_000  # estimated places of a word from which they are filed
MOST_PLACES = 1_500_000  # estimated places of a word beyond which they are not
SAMPLE_EVERY = 8  # one paper in this many counted to estimate them
CHUNK_WORDS = 1 << 18  # word ids read at once (a few MB of work arrays)
HELD_PLACES = 1 << 21  # filed places held before they are written out (16 MB)
RECORD = 8
LIMIT = 1 << 24  # ranks and documents in 3 bytes
LONG = 1 << 15  # words in a paper from which its places are not filed
TITLE = 0x8000

_TOP_BIT = bytes(byte >> 7 for byte in range(256))
_LOW_BITS = bytes(byte & 0x7F for byte in range(256))


class Filing(NamedTuple):
    """What the build files (the module's constants, sent to the process that files them)."""

    followed_places: int
    most_places: int
    sample_every: int
    long: int

    @classmethod
    def current(cls) -> Filing:
        return cls(FOLLOWED_PLACES, MOST_PLACES, SAMPLE_EVERY, LONG)

    def chosen(self, sampled: Counter[int]) -> list[int]:
        """The word ids whose places are filed, from their places counted in one paper in
        ``sample_every`` (id 0 separates fields)."""
        return sorted(
            word_id
            for word_id, places in sampled.items()
            if word_id and self.followed_places <= places * self.sample_every <= self.most_places
        )


def write(
    out: BinaryIO,
    read: Callable[[int, int], bytes],
    offsets: array,
    middles: array,
    rank_of_id: array,
    words: list[int],
    long: int = LONG,
) -> dict[str, list[int]]:
    """File the places of ``words`` (sorted ids) of the word ids ``read(offset, length)``
    gives, at the end of ``out``; returns the extents of the tables that find them (none if
    the file is too big for 3-byte ranks and documents, or the machine big-endian)."""
    documents = len(offsets) - 1
    if not words or sys.byteorder != "little" or max(documents, len(rank_of_id)) >= LIMIT:
        return {}
    long = min(long, LONG)
    within = (array("H", range(1, long)), array("H", range(TITLE + 1, TITLE + long)))
    others = array("Q")
    filed = [others] * len(rank_of_id)  # each word id's places (0, the separators: others)
    for word_id in words:
        filed[word_id] = array("Q")
    piece_offsets: list[array] = [array("Q") for _ in words]
    piece_counts: list[array] = [array("I") for _ in words]
    long_documents = array("I")
    held = 0

    def write_out() -> None:
        for number, word_id in enumerate(words):
            places = filed[word_id]
            if places:
                piece_offsets[number].append(out.tell())
                piece_counts[number].append(len(places))
                places.tofile(out)
                del places[:]

    first = 0
    while first < documents:
        last = bisect.bisect_left(offsets, offsets[first] + CHUNK_WORDS, first + 1) - 1
        last = max(last, first + 1)  # documents first..last-1
        base, end = offsets[first], offsets[last]
        ids = array("I")
        ids.frombytes(read(base * 4, (end - base) * 4))
        held += _file_chunk(
            ids, first, last, (offsets, middles, rank_of_id), within, filed, long_documents
        )
        held -= len(others)
        del others[:]
        if held >= HELD_PLACES:
            write_out()
            held = 0
        first = last
    write_out()
    extents: dict[str, list[int]] = {}
    starts = array("I", [0])
    for counts in piece_counts:
        starts.append(starts[-1] + len(counts))
    for name, data in (
        ("followed", array("I", words)),
        ("piece_starts", starts),
        ("piece_offsets", array("Q", (o for offs in piece_offsets for o in offs))),
        ("piece_counts", array("I", (c for counts in piece_counts for c in counts))),
        ("long_documents", long_documents),
    ):
        extents[name] = [out.tell(), len(data)]
        data.tofile(out)
    return extents


def _file_chunk(
    ids: array,
    first: int,
    last: int,
    layout: tuple[array, array, array],
    positions: tuple[array, array],
    filed: list[array],
    long_documents: array,
) -> int:
    """Append the places of documents first..last-1 (``ids``) to their words' arrays;
    ``positions``: where the next word stands from a document's start, in the abstract and
    in the title (with the title bit), for the longest documents filed."""
    offsets, middles, rank_of_id = layout
    in_abstract, in_title = positions
    size = len(ids)
    documents, within = array("I"), array("H")
    for document in range(first, last):
        length = offsets[document + 1] - offsets[document]
        documents.extend(array("I", [document]) * length)
        if length > len(in_abstract):  # its places go to the others' array, and it is scanned
            long_documents.append(document)
            within.frombytes(bytes(2 * length))
            start = offsets[document] - offsets[first]
            ids[start : start + length] = array("I", bytes(4 * length))
            continue
        title = middles[document] - offsets[document]
        within.extend(in_title[:title])
        within.extend(in_abstract[title:length])
    following = array("I", map(rank_of_id.__getitem__, ids))[1:].tobytes() + b"\xff" * 4
    places = bytearray(RECORD * size)
    in_documents = documents.tobytes()
    for lane in range(3):
        places[lane::RECORD] = following[lane::4]
        places[3 + lane :: RECORD] = in_documents[lane::4]
    at = within.tobytes()
    places[6::RECORD] = at[0::2]
    places[7::RECORD] = at[1::2]
    deque(map(array.append, map(filed.__getitem__, ids), memoryview(places).cast("Q")), 0)
    return size


def places(
    data: bytes, word_id: int, fd: int, layout: Callable[[], Layout], long: list[int]
) -> Places:
    """The places of a word's filed records, in the file's order, then those in the
    ``long`` documents, found in their text (where the next word stands counted from the
    document's start: ``relative``); ``layout`` is read only for those (~15 ms at a million
    papers)."""
    size = len(data) // RECORD
    ranks, documents, within = bytearray(4 * size), bytearray(4 * size), bytearray(4 * size)
    for lane in range(3):
        ranks[lane::4] = data[lane::RECORD]
        documents[lane::4] = data[3 + lane :: RECORD]
    top = data[7::RECORD]
    within[0::4] = data[6::RECORD]
    within[1::4] = top.translate(_LOW_BITS)
    found = Places(
        array("I", documents),
        array("I", ranks),
        array("B", top.translate(_TOP_BIT)),
        array("I", within),
        relative=True,
    )
    if long:
        read = layout()
        more = phraseplaces.scan(fd, read, long, array("I", [word_id]).tobytes(), ALL)
        found.docs.extend(more.docs)
        found.ranks.extend(more.ranks)
        found.titles.extend(more.titles)
        found.at.extend(map(int.__sub__, more.at, map(read.offsets.__getitem__, more.docs)))
    return found


class Filed:
    """The filed places of a phrase file, read with ``pread(offset, length)``."""

    def __init__(self, pread: Callable[[int, int], bytes], extents: dict[str, list[int]]):
        self._pread = pread
        self._extents = extents
        self.usable = "followed" in extents
        self._words = self._table("followed", "I") if self.usable else array("I")
        self.long_documents = list(self._table("long_documents", "I")) if self.usable else []

    def _table(self, name: str, typecode: str, start: int = 0, stop: int | None = None) -> array:
        offset, length = self._extents[name]
        loaded = array(typecode)
        stop = length if stop is None else stop
        loaded.frombytes(
            self._pread(offset + start * loaded.itemsize, (stop - start) * loaded.itemsize)
        )
        return loaded

    def _pieces(self, word_id: int) -> tuple[int, int] | None:
        """Where the pieces of a word id's places are listed (None if they are not filed)."""
        words = self._words
        number = bisect.bisect_left(words, word_id)
        if number == len(words) or words[number] != word_id:
            return None
        start, stop = self._table("piece_starts", "I", number, number + 2)
        return start, stop

    def count(self, word_id: int) -> int | None:
        """How many places of a word id are filed (None if they are not)."""
        pieces = self._pieces(word_id)
        return None if pieces is None else sum(self._table("piece_counts", "I", *pieces))

    def records(self, word_id: int) -> bytes | None:
        """The places of a word id (None if they are not filed)."""
        pieces = self._pieces(word_id)
        if pieces is None:
            return None
        piece_offsets = self._table("piece_offsets", "Q", *pieces)
        counts = self._table("piece_counts", "I", *pieces)
        return b"".join(map(self._pread, piece_offsets, map(RECORD.__mul__, counts)))
