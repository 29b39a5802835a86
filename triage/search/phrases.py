"""Phrases in titles and abstracts, found in a file of each paper's word ids.

The index records which papers have a word, not where (see :mod:`.analysis`), so a phrase's
papers are those with all its words whose text also has them in a row. Reading and matching
that text in SQLite took ~1.9 s for ``"neural network"`` at 100,000 papers. ``phrases.bin``
(read with ``pread``, never held) has each paper's title word ids, a 0, its abstract's, a 0
(4 bytes each); a word's id is its place of first appearance, ``rank`` its place in sorted
order: the word being typed is any word in a range of ranks.

A frequent word's places (4,000 or more, ~75% of all) are filed at build with the rank of
the word after each (:mod:`.followers`): ``"neural n`` reads the 87,000 places of *neural*
(~15 ms at 100,000 papers, ~0.15 s reading the text); a rarer word's are found by a ``re``
search of its id in the text of the papers with the phrase's words (~3 µs a paper), the
most frequent's (``to`` at a million papers) are filed after each filed word before them.

Typing a phrase asks for longer and longer forms of it. The places of its first words are kept
as found, and as big ints of a byte a place (:class:`.phraseplaces.Lanes`), where a next letter
of the last word chooses those of a narrower range of ranks in C, its papers the last letter's
with those that changed turned over (~10-16 ms a letter at 1M papers). A new word after a space
starts from the kept places followed by the word before it: the word after each is read alone
(~1.5 µs a place), or past ``CHAINED_PLACES`` the filed places of that word (or of the frequent
words after the one before) that follow them are matched by place in a set
(:mod:`.phraseforms`; at a million papers ``"large language m`` ~60 ms, was ~0.2 s;
``text-to-i`` ~40 ms, was ~0.5 s reading the text); a phrase typed at once reads within the
papers of an earlier form. Weighed and left: a memory map (a file truncated under it kills the
process, see :mod:`.storage`); stored sets of frequent word pairs (seconds and hundreds of MB
at build). Titles and abstracts never change once stored (as for :mod:`.prefixes`); papers
added since the build, notes, tags and authors are matched on their text (:mod:`.overlay`).
"""

from __future__ import annotations

import bisect
import json
import os
import sys
import time
from _thread import LockType
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from triage.core.cache import LRUCache
from triage.search import followers, phraseplaces
from triage.search.phraseplaces import ALL, ID, Form, Layout, Places

FILE = "phrases.bin"
FORMAT = 1
FIELDS = ("title", "abstract")
BLOCK = 256  # vocabulary words per block: a look-up reads one
KEPT_PHRASES = 64  # phrases' row sets kept to narrow the next keystroke's
KEPT_PLACES = 16  # phrases' places kept (~25 bytes each, 1-3 more a narrower form)
KEPT_PLACES_BYTES = 128_000_000  # and at most (a word's filed places: up to ~40 MB)
CHAINED_PLACES = 1_000  # places whose next word is read alone (scattered: 9,000 uncached ~0.1 s)
NO_WORD = 2**32 - 1  # the rank of "no word follows"
WARM_CHUNK = 1 << 20  # bytes read at once by warm_up
WARM_WAIT = 0.02  # seconds warm_up sleeps while a search goes on
# the most words warm_up reads (~270,000 papers): more would push out of the page cache what
# the searches read (postings, prefix sets, the DB); a million papers' 0.95 GB made the worst
# keystroke of the typing benchmark 510 ms instead of 124 on this machine (~6 GB of cache)
WARM_MOST = 256 << 20
_ENDIAN = sys.byteorder


class PhraseFile:
    """``phrases.bin`` read with ``pread``; ``usable`` is False if missing or damaged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.usable = False
        self.order = ""
        self._fd: int | None = None
        self._layout_read: Layout | None = None
        self.filed = followers.Filed(self._read, {})
        try:
            self._fd = os.open(path, os.O_RDONLY)
            end = os.fstat(self._fd).st_size
            length = int.from_bytes(os.pread(self._fd, 8, end - 8), "little")
            header = json.loads(os.pread(self._fd, length, end - 8 - length))
            self.extents: dict[str, list[int]] = header["extents"]
            self.blocks: list[list] = header["blocks"]
            self.first_words = [block[0] for block in self.blocks]
            self.order = header["order"]
            self.filed = followers.Filed(self._read, self.extents)
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

    def _layout(self) -> Layout:
        if self._layout_read is None:
            self._layout_read = Layout(
                self._array("offsets", "Q"),
                self._array("middles", "Q"),
                self._array("rank_of_id", "I"),
            )
        return self._layout_read

    def _open_fd(self) -> int:
        if self._fd is None:
            raise OSError(f"{self.path}: closed")
        return self._fd

    def places(self, docnums: list[int], exact: list[str], ranks: range) -> Places:
        """Every place where the words ``exact`` stand in a row in the title or abstract of
        those documents (or of some between them, read with them), followed by a word whose
        rank is in ``ranks``."""
        ids = [self.word_id(token) for token in exact]
        known = [word_id for word_id in ids if word_id is not None]
        if len(known) < len(ids) or not docnums:
            return phraseplaces.no_places()
        needle = array("I", known).tobytes()
        return phraseplaces.scan(self._open_fd(), self._layout(), docnums, needle, ranks)

    def followed(self, word: str, through: bool = False) -> Places | None:
        """Every place of ``word`` with the word after it, if they are filed (``through``:
        of the frequent words after it, see :func:`.followers.places`)."""
        word_id = self.word_id(word) if self.filed.usable else None
        if word_id is None or (records := self.filed.records(word_id, through)) is None:
            return None
        fd, long = self._open_fd(), self.filed.long_documents
        return followers.places(records, word_id, fd, self._layout, long, through)

    def filed_places(self, word: str, through: bool = False) -> int | None:
        """How many places of ``word`` (``through``: of the frequent words after it) are
        filed (None if they are not)."""
        return self.filed.count(self.word_id(word) if self.filed.usable else None, through)

    def following(self, found: Form, ranks: range) -> Places:
        """The chosen places one word further (:func:`.phraseplaces.following`)."""
        places = phraseplaces.places_of(found)
        return phraseplaces.following(self._open_fd(), self._layout(), places, ranks)

    def warm_up(self, stop: Callable[[], bool], turns: LockType) -> None:
        """Read the papers' words (the start of the file) once, in order, so that the page cache
        has them: a phrase's next words are read one at a time (``text-to-i``: 11,000 at 100,000
        papers), ~2 µs each from memory, ~12 µs from this machine's disk, as after a reboot (~78
        ms instead of 20). In order, its 95 MB take ~0.13 s from the disk (~45 ms of CPU), ~20
        ms when they are cached already; not past ``WARM_MOST``. Each megabyte is read holding
        ``turns``, the lock searches hold, so that they never wait on the disk behind it; while
        a search holds it, the warm-up sleeps (``WARM_WAIT``) rather than wait for it (each
        wake-up would take the interpreter from the typing). It stops once ``stop()`` says so.
        For a file opened for it (:func:`warm_up`): its descriptor no longer reads ahead."""
        try:
            end, fd = self.extents["offsets"][0], self._open_fd()
            if end > WARM_MOST:
                return
            if hasattr(os, "posix_fadvise"):  # no reading ahead (8 MB here) beyond each turn
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
            buffer, offset = memoryview(bytearray(WARM_CHUNK)), 0
            while offset < end and not stop():
                if not turns.acquire(blocking=False):
                    time.sleep(WARM_WAIT)
                    continue
                try:
                    read = os.preadv(fd, [buffer[: end - offset]], offset)
                finally:
                    turns.release()
                if not read:
                    return
                offset += read
        except OSError:  # only a warm-up: the searches will say what is wrong
            return

    def layout(self) -> Layout:
        """Where each paper's words start and its title ends (read once: ~15 ms at 1M)."""
        return self._layout()


def warm_up(path: Path, stop: Callable[[], bool], turns: LockType) -> None:
    """:meth:`PhraseFile.warm_up` on a descriptor of its own: searches and a rebuild may go
    on meanwhile."""
    file = PhraseFile(path)
    try:
        if file.usable:
            file.warm_up(stop, turns)
    finally:
        file.close()


Key = tuple[tuple[str, ...], tuple[str, ...], bool]  # fields, words, the last one begun
PlacesKey = tuple[tuple[str, ...], str, bool]  # first words, the last one, begun


class KeptPlaces(NamedTuple):
    form: Form
    earlier: PlacesKey | None  # the kept form this one was narrowed from
    earlier_form: Form | None


class KeptPhrases:
    """Row sets of recent phrases, whose earlier forms bound a longer one's papers, and the
    places of their first words, which the next letters of the last one only narrow."""

    def __init__(self) -> None:
        self._sets: LRUCache[Key, int] = LRUCache(KEPT_PHRASES)
        self._places: LRUCache[PlacesKey, KeptPlaces] = LRUCache(
            KEPT_PLACES, maxbytes=KEPT_PLACES_BYTES, size_of=_bytes_of
        )

    def clear(self) -> None:
        self._sets.clear()
        self._places.clear()

    def get_or_compute(self, key: Key, compute: Callable[[], int]) -> int:
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = compute()
        return found

    def places(self, exact: tuple[str, ...], last: str, begun: bool, ranks: range) -> Form | None:
        """The places of ``exact`` followed by ``last`` (``begun``: or by a word it begins,
        ``ranks`` the ranks of those words): kept, or narrowed from the kept places of the
        longest shorter start of ``last`` (then kept too, with the places that changed); the
        empty start stands for every filed place of ``exact``, whatever follows
        (:meth:`keep_filed`)."""
        key = (exact, last, begun)
        kept = self._places.get(key)
        if kept is not None:
            return kept.form
        shorter = [] if begun else [(exact, last, True)]
        shorter += [(exact, last[:length], True) for length in range(len(last) - 1, -1, -1)]
        for earlier in shorter:
            kept = self._places.get(earlier)
            if kept is not None:
                form = phraseplaces.narrow(kept.form, ranks)
                self._places[key] = KeptPlaces(form, earlier, kept.form)
                return form
        return None

    def keep_places(
        self, exact: tuple[str, ...], last: str, begun: bool, found: Places, ranks: range
    ) -> Form:
        """Places found in the file (in its order), all followed by a word of ``ranks``."""
        form = phraseplaces.first_form(found, ranks)
        self._places[(exact, last, begun)] = KeptPlaces(form, None, None)
        return form

    def keep_filed(self, exact: tuple[str, ...], found: Places | Form) -> None:
        """Every place of ``exact`` whatever follows: as filed (:mod:`.followers`), or those
        of its last word's that follow its first words (:func:`.phraseforms.matched`)."""
        form = found if isinstance(found, Form) else phraseplaces.first_form(found, ALL)
        self._places[(exact, "", True)] = KeptPlaces(form, None, None)

    def narrowed_rows(
        self,
        fields: tuple[str, ...],
        places: PlacesKey,
        current_row: list[int] | None,
        size: int,
    ) -> int | None:
        """The kept row set of the earlier form these places were narrowed from, with the
        documents that gained their first place or lost their last turned over: the work of
        the places that changed (a letter of ``"neural netw`` removes a few of 480,000 at a
        million papers), not of them all. None if that set is gone or many places changed."""
        kept = self._places.get(places)
        if kept is None or kept.earlier is None or kept.earlier_form is None:
            return None
        earlier_exact, earlier_last, earlier_begun = kept.earlier
        earlier = self._sets.get((fields, (*earlier_exact, earlier_last), earlier_begun))
        if earlier is None:
            return None
        toggled = phraseplaces.toggled_docs(kept.earlier_form, kept.form, fields)
        return (
            None if toggled is None else earlier ^ phraseplaces.rows_of(toggled, current_row, size)
        )

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


def _bytes_of(kept: KeptPlaces) -> int:
    """~25 bytes a place for a form's own places and lanes, a bit a place for a narrower one."""
    return len(kept.form.found.docs) * (25 if kept.earlier is None else 1)
