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
(a few thousand papers), as are papers too long for 15 bits (a handful, if any: scanned
beside the filed places). The places of the most frequent (``the``, ``to`` beyond
``MOST_PLACES``: millions at a million papers, more than a keystroke reads) are filed after
each filed word before them instead (:class:`_Through`: ``text-to-i`` reads the 140,000 of
those after *text*), the same one append a place (+16% to the file at a million papers).
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

    def frequent(self, sampled: Counter[int]) -> list[int]:
        """The word ids too frequent to be filed (``the``, ``to`` at a million papers)."""
        return sorted(
            word_id
            for word_id, places in sampled.items()
            if word_id and places * self.sample_every > self.most_places
        )


def write(
    out: BinaryIO,
    read: Callable[[int, int], bytes],
    offsets: array,
    middles: array,
    rank_of_id: array,
    words: list[int],
    long: int = LONG,
    frequent: list[int] | None = None,
) -> dict[str, list[int]]:
    """File the places of ``words`` (sorted ids) of the word ids ``read(offset, length)``
    gives, at the end of ``out``, and under ``len(rank_of_id)`` + a word's id, the places of
    the ``frequent`` words (not filed) that follow it (:func:`_through`); returns the extents
    of the tables that find them (none if the file is too big for 3-byte ranks and
    documents, or the machine big-endian)."""
    documents = len(offsets) - 1
    vocabulary = len(rank_of_id)
    if not words or sys.byteorder != "little" or max(documents, vocabulary) >= LIMIT:
        return {}
    long = min(long, LONG)
    within = (array("H", range(1, long)), array("H", range(TITLE + 1, TITLE + long)))
    others = array("Q")
    # each word id's places (0, the separators: others), then the frequent words' after it
    filed = [others] * (2 * vocabulary)
    through = _Through(frequent or [], vocabulary)
    if through.groups:
        words = [*words, *(vocabulary + word_id for word_id in words)]
    for word_id in words:
        filed[word_id] = array("Q")
    piece_offsets: list[array] = [array("Q") for _ in words]
    piece_counts: list[array] = [array("I") for _ in words]
    long_documents = array("I")
    held = 0
    ranks = rank_of_id.tolist()  # its ints made once, not one a place (~8 ms of ~50 a chunk)

    def write_out() -> None:
        at, pieces = out.tell(), []
        for number, word_id in enumerate(words):
            if places := filed[word_id]:
                piece_offsets[number].append(at)
                piece_counts[number].append(len(places))
                at += RECORD * len(places)
                pieces.append(places)
        out.writelines(pieces)  # no tell() nor bytes copy a piece (~0.9 million at 1M papers)
        for places in pieces:
            del places[:]

    first = 0
    while first < documents:
        last = bisect.bisect_left(offsets, offsets[first] + CHUNK_WORDS, first + 1) - 1
        last = max(last, first + 1)  # documents first..last-1
        base, end = offsets[first], offsets[last]
        ids = array("I")
        ids.frombytes(read(base * 4, (end - base) * 4))
        held += _file_chunk(
            ids, first, last, (offsets, middles, ranks), within, filed, long_documents, through
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
        ("frequent", array("I", frequent or [])),
    ):
        extents[name] = [out.tell(), len(data)]
        data.tofile(out)
    return extents


def _file_chunk(
    ids: array,
    first: int,
    last: int,
    layout: tuple[array, array, list[int]],
    positions: tuple[array, array],
    filed: list[array],
    long_documents: array,
    through: _Through,
) -> int:
    """Append the places of documents first..last-1 (``ids``) to their words' arrays (those
    of frequent words to the arrays of the words before them, see :class:`_Through`);
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
    owners = through.owners(ids) if through.groups else ids
    deque(map(array.append, map(filed.__getitem__, owners), memoryview(places).cast("Q")), 0)
    return size


class _Through:
    """Where the places of the frequent words go: to the array of the word before each, at
    ``vocabulary`` + its id (that of a word not filed empties each chunk). ``"text to i``
    finds the words after *text to* there (~110,000 places at a million papers, where the
    word after each read alone took ~0.2 s). Each place's array is chosen for all at once by
    big-int operations on a chunk's ids (4-byte lanes: no step a place), the same one
    append a place as before."""

    def __init__(self, frequent: list[int], vocabulary: int) -> None:
        self.vocabulary = vocabulary
        lows: dict[int, bytearray] = {}
        for word_id in frequent:
            lows.setdefault(word_id >> 8, bytearray(256))[word_id & 0xFF] = 1
        self.groups = [(high, bytes(table)) for high, table in lows.items()]
        self._capacity = 0
        self._repeated: dict[int, int] = {}

    def owners(self, ids: array) -> array:
        """Each place's array: its word's, or, for a frequent word's, ``vocabulary`` + the
        id of the word before it (the first place's is in the chunk before: not moved)."""
        raw = ids.tobytes()
        size = len(ids)
        words = _as_int(raw)
        below = self._lanes(0xFFFFFF, size)
        upper = words >> 8 & below  # each id but its low byte (ids are below 2**24)
        hits = 0  # 1 in the lowest bit of the lane of each place of a frequent word
        for high, table in self.groups:
            low = bytearray(4 * size)
            low[0::4] = raw[0::4].translate(table)
            # bit 24 of a lane set where the id's upper bytes are not ``high`` (no carry out)
            differ = (upper ^ self._lanes(high, size)) + below & self._lanes(1 << 24, size)
            hits |= _as_int(low) & ~(differ >> 24)
        hits &= ~1
        if not hits:
            return ids
        chosen = hits * 0xFFFFFFFF  # every bit of those lanes
        # the id before each (a lane further) plus ``vocabulary``: below 2**25, no carry
        before = (words << 32 & chosen) + (self._lanes(self.vocabulary, size) & chosen)
        owners = array("I")
        owners.frombytes((words & ~chosen | before).to_bytes(4 * size, "little"))
        return owners

    def _lanes(self, value: int, size: int) -> int:
        """``value`` in each of at least ``size`` 4-byte lanes (those beyond a chunk's are
        masked off by its own), made again only for a chunk longer than any before."""
        if size > self._capacity:
            self._capacity, self._repeated = size, {}
        if value not in self._repeated:
            self._repeated[value] = _as_int(value.to_bytes(4, "little") * self._capacity)
        return self._repeated[value]


def _as_int(data: bytes | bytearray) -> int:
    return int.from_bytes(data, "little")


def places(
    data: bytes,
    word_id: int,
    fd: int,
    layout: Callable[[], Layout],
    long: list[int],
    through: bool = False,
) -> Places:
    """The places of a word's filed records (``through``: of the frequent words after it),
    in the file's order, then those in the ``long`` documents, found in their text (where
    the next word stands counted from the document's start: ``relative``); ``layout`` is
    read only for those (~15 ms at a million papers)."""
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
        if through:  # (the places of any word after it: those wanted are picked by place)
            more = phraseplaces.following(fd, read, more, ALL)
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
        self.frequent = set(self._table("frequent", "I")) if "frequent" in extents else set()
        """The words whose places are filed after the words before them (:class:`_Through`)."""

    def _table(self, name: str, typecode: str, start: int = 0, stop: int | None = None) -> array:
        offset, length = self._extents[name]
        loaded = array(typecode)
        stop = length if stop is None else stop
        loaded.frombytes(
            self._pread(offset + start * loaded.itemsize, (stop - start) * loaded.itemsize)
        )
        return loaded

    def _pieces(self, key: int) -> tuple[int, int] | None:
        """Where the pieces of places filed under ``key`` are listed (None if none are)."""
        if not self.usable:
            return None
        words, word_id = self._words, key
        number = bisect.bisect_left(words, word_id)
        if number == len(words) or words[number] != word_id:
            return None
        start, stop = self._table("piece_starts", "I", number, number + 2)
        return start, stop

    def _key(self, word_id: int, through: bool) -> int:
        """Where the places of a word id are filed (``through``: those of the frequent words
        after it, see :func:`write`)."""
        return self._extents["rank_of_id"][1] + word_id if through else word_id

    def count(self, word_id: int | None, through: bool = False) -> int | None:
        """How many places of a word id are filed (None if they are not)."""
        pieces = None if word_id is None else self._pieces(self._key(word_id, through))
        return None if pieces is None else sum(self._table("piece_counts", "I", *pieces))

    def records(self, word_id: int, through: bool = False) -> bytes | None:
        """The places of a word id (None if they are not filed)."""
        pieces = self._pieces(self._key(word_id, through))
        if pieces is None:
            return None
        piece_offsets = self._table("piece_offsets", "Q", *pieces)
        counts = self._table("piece_counts", "I", *pieces)
        return b"".join(map(self._pread, piece_offsets, map(RECORD.__mul__, counts)))
