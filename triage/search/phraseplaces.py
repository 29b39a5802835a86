"""Places of a phrase's first words in ``phrases.bin`` (see :mod:`.phrases`): each one's
paper, field, and the word that follows, found by searching the papers' word ids, or one
word further from a shorter phrase's places (:func:`following`).
"""

from __future__ import annotations

import bisect
import operator
import os
import re
from array import array
from collections.abc import Iterable, Iterator
from itertools import compress, repeat
from operator import add, mul, sub
from typing import NamedTuple

ID = 4  # bytes per word id
ALIGNMENT = ID - 1
# Reading a span costs ~10 calls (~8 µs), reading 8 KB more ~7 µs; a span of at most 128 KB
# stays in the heap (~15-25% faster at 100,000 papers than 2 KB and 1 MB)
SPAN_GAP = 8_192  # bytes between two papers up to which both are read at once
SPAN_BYTES = 1 << 17  # read at most this much at once


class Places(NamedTuple):
    """Places of a phrase's first words: each one's document, the rank of the word that
    follows, whether it is in the title (1) or the abstract (0), and where in the file (in
    words) that following word stands."""

    docs: array
    ranks: array
    titles: array
    at: array


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
    at = array("Q", map(add, found.at, repeat(1)))
    data = b"".join(map(os.pread, repeat(fd), repeat(ID), map(mul, at, repeat(ID))))
    if len(data) != ID * len(at):
        raise OSError("phrase file truncated")
    next_ranks = array("I", map(layout.rank_of_id.__getitem__, memoryview(data).cast("I")))
    chosen = list(map(ranks.__contains__, next_ranks))
    return Places(
        *(
            array(column.typecode, compress(column, chosen))
            for column in (found.docs, next_ranks, found.titles, at)
        )
    )


class Ranked(NamedTuple):
    """Places in the rank order of the word after each (a range of ranks is then a slice):
    their documents, the ranks and whether in the title moved into that order; where each
    stands in the file (read only to go one word further, for a few places) through
    ``order``, their indexes in ``found``. Moving the four columns of ~66,000 places (one
    letter after ``"neural``) took ~18 ms, this ~10 ms."""

    docs: array
    ranks: array
    titles: array
    order: array
    found: Places


Chosen = Places | Ranked


def by_rank(found: Places) -> Ranked:
    """The places in the rank order of their next word: the next letters of the word being
    typed are then a slice (see :func:`among`)."""
    order = sorted(range(len(found.ranks)), key=found.ranks.__getitem__)
    if len(order) < 2:  # (itemgetter of one index returns the item)
        return Ranked(found.docs, found.ranks, found.titles, array("I", order), found)
    take = operator.itemgetter(*order)
    return Ranked(
        array("I", take(found.docs)),
        array("I", sorted(found.ranks)),
        array("B", take(found.titles)),
        array("I", order),  # 4 bytes a place, not ~36 in a list
        found,
    )


def among(ranked: Ranked, ranks: range) -> Ranked:
    """The places whose next word's rank is in ``ranks``."""
    low = bisect.bisect_left(ranked.ranks, ranks.start)
    high = bisect.bisect_left(ranked.ranks, ranks.stop, low)
    return Ranked(
        ranked.docs[low:high],
        ranked.ranks[low:high],
        ranked.titles[low:high],
        ranked.order[low:high],
        ranked.found,
    )


def places_of(chosen: Chosen) -> Places:
    """The places themselves (those ranked, in their rank order)."""
    if isinstance(chosen, Places):
        return chosen
    at = array("Q", map(chosen.found.at.__getitem__, chosen.order))
    return Places(chosen.docs, chosen.ranks, chosen.titles, at)


def in_fields(chosen: Chosen, fields: tuple[str, ...]) -> Iterable[int]:
    """The documents of the places in these fields (the title, the abstract or both)."""
    if fields == ("title",):
        return compress(chosen.docs, chosen.titles)
    if fields == ("abstract",):
        return compress(chosen.docs, map(operator.not_, chosen.titles))
    return chosen.docs
