"""Phrases in titles and abstracts, found in a file of each paper's word ids.

The index records which papers have a word, not where (see :mod:`.analysis`), so a phrase's
papers are those with all its words whose text also has them in a row. Reading and matching
that text in SQLite took ~1.9 s for ``"neural network"`` at 100,000 papers. The build writes
``phrases.bin`` instead (~1 GB per million papers, read with ``pread``, never held): each
paper's title word ids, a 0, its abstract's, a 0 (4 bytes each). The places of a phrase's
first words are then one ``re`` search of their ids over the candidate papers, read a span
of neighbours at a time, and what follows each place is a look-up, all in C (~2 µs a place
with the reading: ``"neural n``, 87,000 places of *neural*, ~0.2 s). The word being typed
(the last of an unclosed phrase or of a hyphenated word) is any word in a range of the
sorted vocabulary: a word's id is its place of first appearance at build, ``rank`` its
place in sorted order.

Typing a phrase asks for longer and longer forms of it. The places of its first words (with
the rank of the word after each, and whether it is in the title) are kept in rank order: the
next letters of the last word only take a slice of them, without reading (~3-6 ms a
keystroke). A new word after a space reads again, within the papers of the earlier form
(kept apart from the evaluator's cache, which evicts them). The cost that remains is the
first letter after a space or a hyphen, in proportion to the places of the words before it
(``"in t``: every place of *in*, ~0.6 s at 100,000 papers). Weighed and left: stored sets
of frequent word pairs (counting pairs at build costs seconds and hundreds of MB at 100,000
papers, and the word being typed still needs the places). Titles and abstracts never change
once stored (as for :mod:`.prefixes`); papers added since the build are matched on their
text (:mod:`.overlay`), as are notes, tags and authors.
"""

from __future__ import annotations

import bisect
import json
import operator
import os
import re
import sys
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import compress, count, repeat
from operator import add, mul, sub
from pathlib import Path
from typing import NamedTuple

from triage.core.cache import LRUCache
from triage.search import bits

FILE = "phrases.bin"
FORMAT = 1
FIELDS = ("title", "abstract")
BLOCK = 256  # vocabulary words per block: a look-up reads one
KEPT_PHRASES = 64  # phrases' row sets kept to narrow the next keystroke's
KEPT_PLACES = 16  # phrases' places kept (17 bytes each: ~4 MB for "the t")
CHAINED_PLACES = 20_000  # a phrase's places, up to which the word after each is read alone
ID = 4  # bytes per word id
NO_WORD = 2**32 - 1  # the rank of "no word follows"
SPAN_GAP = 2_048  # bytes between two papers to check up to which both are read at once
SPAN_BYTES = 1 << 20  # read at most this much at once
_ENDIAN = sys.byteorder


class PhraseWriter:
    """Collects the words of each document's title and abstract while the index is built."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        self.out = self.temporary.open("wb")
        self.ids: defaultdict[str, int] = defaultdict(count(1).__next__)  # 0 separates fields
        self.offsets = array("Q", [0])
        self.middles = array("Q")  # where each title ends
        self.papers: list[str] = []
        self.fields: dict[str, list[str]] = {}

    def record(self, field: str, words: list[str]) -> None:
        """The words of a field of the document being added (others are ignored)."""
        if field in FIELDS:
            self.fields[field] = words

    def end_document(self, paper: str) -> None:
        ids = array("I", map(self.ids.__getitem__, self.fields.get("title", ())))
        self.middles.append(self.offsets[-1] + len(ids))
        ids.append(0)
        ids.extend(map(self.ids.__getitem__, self.fields.get("abstract", ())))
        ids.append(0)  # no phrase runs on into the next paper
        ids.tofile(self.out)
        self.offsets.append(self.offsets[-1] + len(ids))
        self.papers.append(paper)
        self.fields = {}

    def commit(self, order: str) -> None:
        """Write the vocabulary and the header; ``order`` names the documents' order (as
        :func:`~.prefixes.order_key`)."""
        out = self.out
        vocabulary = sorted(self.ids)
        ids_by_rank = array("I", map(self.ids.__getitem__, vocabulary))
        rank_of_id = array("I", bytes(ID * (len(vocabulary) + 1)))
        rank_of_id[0] = NO_WORD
        for rank, word_id in enumerate(ids_by_rank):
            rank_of_id[word_id] = rank
        extents = {}
        for name, data in (
            ("offsets", self.offsets),
            ("middles", self.middles),
            ("ids_by_rank", ids_by_rank),
            ("rank_of_id", rank_of_id),
        ):
            extents[name] = [out.tell(), len(data)]
            data.tofile(out)
        blocks = []
        for start in range(0, len(vocabulary), BLOCK):
            text = "\n".join(vocabulary[start : start + BLOCK]).encode("utf-8")
            blocks.append([vocabulary[start], out.tell(), len(text)])
            out.write(text)
        header = json.dumps(
            {
                "format": FORMAT,
                "order": order,
                "size": len(self.papers),
                "byteorder": _ENDIAN,
                "extents": extents,
                "blocks": blocks,
            }
        ).encode("utf-8")
        out.write(header)
        out.write(len(header).to_bytes(8, "little"))
        out.close()
        os.replace(self.temporary, self.path)

    def cancel(self) -> None:
        self.out.close()
        self.temporary.unlink(missing_ok=True)


class PhraseFile:
    """``phrases.bin`` read with ``pread``; ``usable`` is False if missing or damaged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.usable = False
        self.order = ""
        self._fd: int | None = None
        self._offsets: array | None = None
        self._middles: array | None = None
        self._rank_of_id: array | None = None
        try:
            self._fd = os.open(path, os.O_RDONLY)
            end = os.fstat(self._fd).st_size
            length = int.from_bytes(os.pread(self._fd, 8, end - 8), "little")
            header = json.loads(os.pread(self._fd, length, end - 8 - length))
            self.extents: dict[str, list[int]] = header["extents"]
            self.blocks: list[list] = header["blocks"]
            self.first_words = [block[0] for block in self.blocks]
            self.order = header["order"]
            self.usable = header["format"] == FORMAT and header["byteorder"] == _ENDIAN
        except (OSError, ValueError, KeyError, TypeError):
            self.close()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self.usable = False

    def _read(self, offset: int, length: int) -> bytes:
        if self._fd is None:
            raise OSError(f"{self.path}: closed")
        data = os.pread(self._fd, length, offset)
        if len(data) != length:
            raise OSError(f"{self.path}: truncated")
        return data

    def _array(self, name: str, typecode: str) -> array:
        offset, length = self.extents[name]
        loaded = array(typecode)
        loaded.frombytes(self._read(offset, length * loaded.itemsize))
        return loaded

    # -- the vocabulary ----------------------------------------------------------------------

    def _block(self, number: int) -> list[str]:
        _, offset, length = self.blocks[number]
        return self._read(offset, length).decode("utf-8").split("\n")

    def rank(self, word: str) -> int:
        """Place of the first vocabulary word >= ``word``."""
        number = bisect.bisect_right(self.first_words, word) - 1
        if number < 0:
            return 0
        return number * BLOCK + bisect.bisect_left(self._block(number), word)

    def word_id(self, word: str) -> int | None:
        number = bisect.bisect_right(self.first_words, word) - 1
        if number < 0:
            return None
        block = self._block(number)
        place = bisect.bisect_left(block, word)
        if place == len(block) or block[place] != word:
            return None
        offset = self.extents["ids_by_rank"][0] + (number * BLOCK + place) * ID
        return int.from_bytes(self._read(offset, ID), _ENDIAN)

    def ranks_of_word(self, word: str) -> range:
        """The rank of ``word`` (empty if no paper has it)."""
        rank = self.rank(word)
        return range(rank, rank + 1) if self.word_id(word) is not None else range(0)

    def ranks_of_prefix(self, prefix: str) -> range:
        """Ranks of the words that begin with ``prefix``."""
        return range(self.rank(prefix), self.rank(prefix + "\U0010ffff"))

    # -- papers ------------------------------------------------------------------------------

    def _loaded(self) -> tuple[array, array, array]:
        if self._offsets is None:
            self._offsets = self._array("offsets", "Q")
            self._middles = self._array("middles", "Q")
            self._rank_of_id = self._array("rank_of_id", "I")
        assert self._middles is not None and self._rank_of_id is not None
        return self._offsets, self._middles, self._rank_of_id

    def places(self, docnums: list[int], exact: list[str]) -> Places:
        """Every place where the words ``exact`` stand in a row in the title or abstract of
        those documents (or of some between them, read with them), with the rank of the word
        that follows (``NO_WORD`` at the end of a field)."""
        found = Places(array("I"), array("I"), array("B"), array("Q"))
        ids = [self.word_id(token) for token in exact]
        known = [word_id for word_id in ids if word_id is not None]
        if len(known) < len(ids) or not docnums:
            return found
        offsets, middles, rank_of_id = self._loaded()
        needle = array("I", known).tobytes()
        finder = re.compile(re.escape(needle)).finditer
        for first, last in _spans(sorted(docnums), offsets):
            base = offsets[first]
            data = self._read(base * ID, (offsets[last + 1] - base) * ID)
            at = list(map(re.Match.start, finder(data)))
            if any(map(ALIGNMENT.__and__, at)):  # one falls inside a word id: rare, slower
                at = _aligned_places(data, needle)
            if not at:
                continue
            words = list(map(operator.rshift, at, repeat(2)))  # word offsets in ``data``
            following = list(map(add, words, repeat(len(known))))
            found.at.extend(map(add, following, repeat(base)))
            found.ranks.extend(
                map(rank_of_id.__getitem__, map(memoryview(data).cast("I").__getitem__, following))
            )
            # bisected in a short list of small ints: in ``offsets`` it is slower
            starts = list(map(sub, offsets[first : last + 1], repeat(base)))
            paper = list(map(sub, map(partial(bisect.bisect_right, starts), words), repeat(1)))
            found.docs.extend(map(add, paper, repeat(first)))
            title_ends = list(map(sub, middles[first : last + 1], repeat(base)))
            found.titles.extend(map(operator.lt, words, map(title_ends.__getitem__, paper)))
        return found

    def following(self, found: Places) -> Places:
        """The same places one word further (each one's next word read alone): those of a
        phrase one word longer, when ``found`` are followed by that word, not a field's end."""
        _, _, rank_of_id = self._loaded()
        if self._fd is None:
            raise OSError(f"{self.path}: closed")
        at = array("Q", map(add, found.at, repeat(1)))
        data = b"".join(map(os.pread, repeat(self._fd), repeat(ID), map(mul, at, repeat(ID))))
        if len(data) != ID * len(at):
            raise OSError(f"{self.path}: truncated")
        ranks = array("I", map(rank_of_id.__getitem__, memoryview(data).cast("I")))
        return Places(found.docs, ranks, found.titles, at)


class Places(NamedTuple):
    """Places of a phrase's first words: each one's document, the rank of the word that
    follows, whether it is in the title (1) or the abstract (0), and where in the file (in
    words) that following word stands."""

    docs: array
    ranks: array
    titles: array
    at: array


ALIGNMENT = ID - 1


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


def _aligned_places(data: bytes, needle: bytes) -> list[int]:
    found = []
    at = data.find(needle)
    while at >= 0:
        if at % ID == 0:
            found.append(at)
        at = data.find(needle, at + 1)
    return found


Key = tuple[tuple[str, ...], tuple[str, ...], bool]  # fields, words, the last one begun
PlacesKey = tuple[tuple[str, ...], str, bool]  # first words, the last one, begun


class KeptPhrases:
    """Row sets of recent phrases, whose earlier forms bound a longer one's papers, and the
    places of their first words, which the next letters of the last one only narrow."""

    def __init__(self) -> None:
        self._sets: LRUCache[Key, int] = LRUCache(KEPT_PHRASES)
        self._places: LRUCache[PlacesKey, Places] = LRUCache(KEPT_PLACES)

    def clear(self) -> None:
        self._sets.clear()
        self._places.clear()

    def get_or_compute(self, key: Key, compute: Callable[[], int]) -> int:
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = compute()
        return found

    def places(self, exact: tuple[str, ...], last: str, begun: bool) -> Places | None:
        """The kept places (in rank order) of ``exact`` followed by ``last`` (``begun``: or
        by a word it begins), or by a word that a shorter start of ``last`` begins."""
        if not begun and (kept := self._places.get((exact, last, False))) is not None:
            return kept
        for length in range(len(last), 0, -1):
            kept = self._places.get((exact, last[:length], True))
            if kept is not None:
                return kept
        return None

    def keep_places(self, exact: tuple[str, ...], last: str, begun: bool, found: Places) -> None:
        self._places[(exact, last, begun)] = found

    def bound(self, tokens: tuple[str, ...], begun: bool) -> int | None:
        """The smallest kept set (titles and abstracts) of an earlier form of this phrase: its
        first words the same, the last one begun (while typed) or the same."""
        key = (FIELDS, tokens, begun)
        bound = None
        for kept in list(self._sets):
            kept_fields, kept_tokens, kept_prefix = kept
            if kept_fields != FIELDS or not 1 < len(kept_tokens) <= len(tokens) or kept == key:
                continue
            *same, last = kept_tokens
            if list(tokens[: len(same)]) != same:
                continue
            word = tokens[len(same)]
            if word == last or (kept_prefix and word.startswith(last)):
                members = self._sets.get(kept)
                if members is not None and (
                    bound is None or members.bit_count() < bound.bit_count()
                ):
                    bound = members
        return bound


def stored_docnums(rows: list[int], stored_of: list[int]) -> list[int]:
    """The file's document of each row (rows of papers added since are left out)."""
    return [docnum for docnum in map(stored_of.__getitem__, rows) if docnum >= 0]


def by_rank(found: Places, ranks: range) -> Places:
    """The places whose next word's rank is in ``ranks``, in rank order: the next letters of
    the word being typed are then a slice (see :func:`among`)."""
    chosen = list(map(ranks.__contains__, found.ranks))
    kept = Places(*(array(column.typecode, compress(column, chosen)) for column in found))
    order = sorted(range(len(kept.ranks)), key=kept.ranks.__getitem__)
    return Places(*(array(column.typecode, map(column.__getitem__, order)) for column in kept))


def among(found: Places, ranks: range) -> Places:
    """The places (in rank order) whose next word's rank is in ``ranks``."""
    low = bisect.bisect_left(found.ranks, ranks.start)
    high = bisect.bisect_left(found.ranks, ranks.stop, low)
    return Places(*(column[low:high] for column in found))


def in_fields(found: Places, fields: tuple[str, ...]) -> Iterable[int]:
    """The documents of the places in these fields (the title, the abstract or both)."""
    if fields == ("title",):
        return compress(found.docs, found.titles)
    if fields == ("abstract",):
        return compress(found.docs, map(operator.not_, found.titles))
    return found.docs


def rows_of(docnums: Iterable[int], current_row: list[int] | None, size: int) -> int:
    """The current rows of these documents (a paper gone from the store has none)."""
    if current_row is None:
        return bits.from_rows(docnums, size)
    return bits.from_rows([row for row in map(current_row.__getitem__, docnums) if row >= 0], size)
