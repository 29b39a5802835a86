"""Places of a phrase's first words in ``phrases.bin`` (see :mod:`.phrases`): each one's
paper, field, and the word that follows, found by searching the papers' word ids, or one
word further from a shorter phrase's places (:func:`following`); the forms of those places
that the next letters of the word after them choose (:class:`Form`), and their documents.
"""

from __future__ import annotations

import bisect
import operator
import os
import re
import sys
from array import array
from collections.abc import Iterable, Iterator
from itertools import compress, repeat
from operator import add, mul, sub
from typing import NamedTuple

from triage.search import bits

ID = 4  # bytes per word id
ALIGNMENT = ID - 1
# Reading a span costs ~10 calls (~8 µs), reading 8 KB more ~7 µs; a span of at most 128 KB
# stays in the heap (~15-25% faster at 100,000 papers than 2 KB and 1 MB)
SPAN_GAP = 8_192  # bytes between two papers up to which both are read at once
SPAN_BYTES = 1 << 17  # read at most this much at once
# a word's filed places (~0.1 µs each: read, then matched in a set) per place of the phrase
# before it (~1.5 µs to read the word after it), up to which they are searched for those
# that follow it
PRECEDED_SHARE = 8
ALL = range(2**32 - 1)  # the ranks of every word (the last is "no word follows")


class Places(NamedTuple):
    """Places of a phrase's first words: each one's document, the rank of the word that
    follows, whether it is in the title (1) or the abstract (0), and where in the file (in
    words) that following word stands (``relative``: where in its document, see
    :mod:`.followers`)."""

    docs: array
    ranks: array
    titles: array
    at: array
    relative: bool = False


def no_places() -> Places:
    return Places(array("I"), array("I"), array("B"), array("Q"))


class Layout(NamedTuple):
    """Where each paper's words start and its title ends (in words), and each word id's rank."""

    offsets: array
    middles: array
    rank_of_id: array


def scan(fd: int, layout: Layout, docnums: list[int], needle: bytes, ranks: range) -> Places:
    """The places of ``needle`` (word ids) in those papers (or in some between them, read
    with them) followed by a word whose rank is in ``ranks``, in the file's order."""
    offsets, middles, rank_of_id = layout
    found = no_places()
    finder = re.compile(re.escape(needle)).finditer
    for first, last in _spans(sorted(docnums), offsets):
        base = offsets[first]
        data = _read(fd, base * ID, (offsets[last + 1] - base) * ID)
        ends = list(map(re.Match.end, finder(data)))  # where the word after each begins
        if any(map(ALIGNMENT.__and__, ends)):  # one falls inside a word id: rare, slower
            ends = _aligned_ends(data, needle)
        following = list(map(operator.rshift, ends, repeat(2)))  # in words, within ``data``
        next_ranks = list(
            map(rank_of_id.__getitem__, map(memoryview(data).cast("I").__getitem__, following))
        )
        chosen = list(map(ranks.__contains__, next_ranks))
        following = list(compress(following, chosen))
        if not following:
            continue
        found.ranks.extend(compress(next_ranks, chosen))
        at = list(map(add, following, repeat(base)))
        found.at.extend(at)
        # bisected among the few papers of the span
        paper = list(
            map(
                sub,
                map(bisect.bisect_right, repeat(offsets), at, repeat(first + 1), repeat(last + 1)),
                repeat(1),
            )
        )
        found.docs.extend(paper)
        found.titles.extend(map(operator.lt, at, map(middles.__getitem__, paper)))
    return found


def _spans(docnums: list[int], offsets: array) -> Iterator[tuple[int, int]]:
    """(first, last) documents to read at once: neighbours, and the few between them."""
    first = previous = docnums[0]
    for docnum in docnums[1:]:
        start = offsets[docnum]
        if (start - offsets[previous + 1]) * ID > SPAN_GAP or (
            offsets[docnum + 1] - offsets[first]
        ) * ID > SPAN_BYTES:
            yield first, previous
            first = docnum
        previous = docnum
    yield first, previous


def _read(fd: int, offset: int, length: int) -> bytes:
    data = os.pread(fd, length, offset)
    if len(data) != length:
        raise OSError("phrase file truncated")
    return data


def _aligned_ends(data: bytes, needle: bytes) -> list[int]:
    found = []
    at = data.find(needle)
    while at >= 0:
        if at % ID == 0:
            found.append(at + len(needle))
        at = data.find(needle, at + 1)
    return found


def following(fd: int, layout: Layout, found: Places, ranks: range) -> Places:
    """The same places one word further (each one's next word read alone), where that word's
    rank is in ``ranks``: those of a phrase one word longer, when ``found`` are followed by
    that word."""
    at = found.at
    if found.relative:
        at = array("Q", map(add, map(layout.offsets.__getitem__, found.docs), at))
    at = array("Q", map(add, at, repeat(1)))
    data = b"".join(map(os.pread, repeat(fd), repeat(ID), map(mul, at, repeat(ID))))
    if len(data) != ID * len(at):
        raise OSError("phrase file truncated")
    next_ranks = array("I", map(layout.rank_of_id.__getitem__, memoryview(data).cast("I")))
    chosen = list(map(ranks.__contains__, next_ranks))
    docs, next_ranks, titles, at = (
        array(column.typecode, compress(column, chosen))
        for column in (found.docs, next_ranks, found.titles, at)
    )
    return Places(docs, next_ranks, titles, at)


NONZERO = bytes([0, *[1] * 255])


class Lanes(NamedTuple):
    """Places seen as big ints of one byte a place (a "lane"), where and/or/add run in C on
    every place at once: a form's places in ~7 ms for 660,000 places, the documents with one
    in ~0.3 ms, where any step per place in Python took ~50 ms (sorting them by rank ~190)."""

    ranks: list[bytes | int]  # byte k of each place's rank (least significant first), a lane
    # each, or the byte all places have there (the high bytes, often)
    titles: int  # 1 in the lanes of places in a title
    ends: int  # 1 in the lane of each document's last place (they stand together)
    inside: int  # 0xFF in every other lane
    ones: int  # 1 in every lane


def lanes_of(found: Places) -> Lanes:
    """The lanes of places in the file's order (as :func:`scan` and :func:`following` give
    them): a document's places stand together."""
    size = len(found.docs)
    raw = found.ranks.tobytes()
    ranks: list[bytes | int] = [raw[k::ID] for k in range(ID)]
    if sys.byteorder == "big":
        ranks.reverse()
    for part, data in enumerate(ranks):
        if isinstance(data, bytes) and data and data.count(data[:1]) == size:
            ranks[part] = data[0]
    docs = found.docs.tobytes()  # a place is a document's last if the next one's differs
    differ = (_lanes(docs[:-ID]) ^ _lanes(docs[ID:])).to_bytes(max(len(docs) - ID, 0), "little")
    ends = 1 << 8 * (size - 1) if size else 0
    for part in range(ID):
        ends |= _lanes(differ[part::ID].translate(NONZERO))
    ones = _lanes(b"\x01" * size)
    return Lanes(ranks, _lanes(found.titles.tobytes()), ends, (ones ^ ends) * 0xFF, ones)


def _lanes(data: bytes) -> int:
    return int.from_bytes(data, "little")


def ranked(lanes: Lanes, ranks: range) -> int:
    """1 in the lanes of places whose next word's rank is in ``ranks``."""
    return _below(lanes, ranks.stop) ^ _below(lanes, ranks.start) if ranks else 0


def _below(lanes: Lanes, bound: int) -> int:
    """1 in the lanes of ranks below ``bound``: compared byte by byte, the most significant
    deciding unless equal."""
    if bound >= 1 << 8 * ID:
        return lanes.ones
    below = 0
    for part, data in enumerate(lanes.ranks):
        byte = bound >> 8 * part & 0xFF
        if isinstance(data, int):
            below = lanes.ones if data < byte else below if data == byte else 0
        else:
            less = _lanes(data.translate(bytes(map(byte.__gt__, range(256)))))
            equal = _lanes(data.translate(bytes(map(byte.__eq__, range(256)))))
            below = less | equal & below
    return below


def with_one(lanes: Lanes, chosen: int, fields: tuple[str, ...]) -> int:
    """1 in the lane of the last place of each document with a ``chosen`` place in these
    fields: a 1 in a place before its document's last carries through the 0xFF lanes up to
    that one, and no further."""
    if fields == ("title",):
        chosen &= lanes.titles
    elif fields == ("abstract",):
        chosen &= lanes.ones ^ lanes.titles
    return (lanes.inside + (chosen & lanes.inside) | chosen) & lanes.ends


class Form(NamedTuple):
    """The places of ``found`` (as found in the file) whose next word's rank is in ``ranks``:
    1 in their lanes in ``chosen``, ``total`` of them; ``ends`` holds :func:`with_one` for
    fields asked; ``base``: 1 in the lanes of the places that are the phrase's (all of them,
    but those of a word's filed places that follow the phrase's first words, see
    :func:`.phraseforms.matched`)."""

    found: Places
    lanes: Lanes
    ranks: range
    chosen: int
    total: int
    ends: dict[tuple[str, ...], int]
    base: int


def first_form(found: Places, ranks: range) -> Form:
    """Places as found, all with a next word's rank in ``ranks``."""
    lanes = lanes_of(found)
    return Form(found, lanes, ranks, lanes.ones, len(found.docs), {}, lanes.ones)


def narrow(form: Form, ranks: range) -> Form:
    """The same places with a next word's rank in ``ranks`` instead (another letter of the
    word typed)."""
    chosen = ranked(form.lanes, ranks) & form.base
    return Form(form.found, form.lanes, ranks, chosen, chosen.bit_count(), {}, form.base)


def ends_of(form: Form, fields: tuple[str, ...]) -> int:
    ends = form.ends.get(fields)
    if ends is None:
        ends = form.ends[fields] = with_one(form.lanes, form.chosen, fields)
    return ends


def toggled_docs(earlier: Form, form: Form, fields: tuple[str, ...]) -> Iterable[int] | None:
    """The documents with a place in these fields in one form and none in the other (forms of
    the same places); None if the form's own documents are fewer."""
    ends = ends_of(form, fields)
    toggled = ends_of(earlier, fields) ^ ends
    return None if ends.bit_count() < toggled.bit_count() else _docs(form, toggled)


def docs_in(form: Form, fields: tuple[str, ...]) -> Iterable[int]:
    """The documents of the form's places in these fields (the title, the abstract or both)."""
    return _docs(form, ends_of(form, fields))


# up to one lane in 4 set, each is found by a search (memchr, ~80 ns a lane found), beyond
# every document is taken out of the array (~30 ns a place)
SPARSE = 4


def _docs(form: Form, ends: int) -> Iterable[int]:
    docs = form.found.docs
    lanes = ends.to_bytes(len(docs), "little")
    if ends.bit_count() * SPARSE > len(docs):
        return compress(docs, lanes)
    return map(docs.__getitem__, map(re.Match.start, re.finditer(b"\x01", lanes)))


def places_of(form: Form) -> Places:
    """The form's places themselves."""
    found = form.found
    if form.total == len(found.docs):
        return found
    chosen = form.chosen.to_bytes(len(found.docs), "little")
    docs, ranks, titles, at = (
        array(column.typecode, compress(column, chosen))
        for column in (found.docs, found.ranks, found.titles, found.at)
    )
    return Places(docs, ranks, titles, at, found.relative)


def stored_docnums(rows: list[int], stored_of: list[int]) -> list[int]:
    """The file's document of each row (rows of papers added since are left out)."""
    return [docnum for docnum in map(stored_of.__getitem__, rows) if docnum >= 0]


def rows_of(docnums: Iterable[int], current_row: list[int] | None, size: int) -> int:
    """The current rows of these documents (a paper gone from the store has none)."""
    return bits.from_flags(_flags(docnums, repeat(1), current_row, size))


_ANY = bytes(value > 0 for value in range(256))
_IN_TITLE = bytes(value >> 1 & 1 for value in range(256))


def rows_and_titles(form: Form, current_row: list[int] | None, size: int) -> tuple[int, int]:
    """The current rows of the form's documents with a place in the title or abstract, and
    in the title: one step a document for both (``"neural n`` at a million papers: 490,000
    and 97,000 documents, ~35 ms, ~60 one after the other)."""
    both = ends_of(form, ("title", "abstract"))
    values = (both | ends_of(form, ("title",)) << 1).to_bytes(len(form.found.docs), "little")
    docs = form.found.docs
    if both.bit_count() * SPARSE > len(docs):
        found: Iterable[int] = compress(docs, values)
        chosen: Iterable[int] = filter(None, values)
    else:
        at = list(map(re.Match.start, re.finditer(b"[\x01-\x03]", values)))
        found, chosen = map(docs.__getitem__, at), map(values.__getitem__, at)
    flags = _flags(found, chosen, current_row, size)
    return bits.from_flags(flags.translate(_ANY)), bits.from_flags(flags.translate(_IN_TITLE))


def _flags(
    docnums: Iterable[int], values: Iterable[int], current_row: list[int] | None, size: int
) -> bytearray:
    """A byte a row, the value of the document there (a plain loop: ~25 ns a document); the
    rows of papers gone from the store (negative) fall beyond ``size``, cut off."""
    rows = docnums if current_row is None else map(current_row.__getitem__, docnums)
    flags = bytearray(size + 2)
    for row, value in zip(rows, values):
        flags[row] = value
    del flags[size:]
    return flags
