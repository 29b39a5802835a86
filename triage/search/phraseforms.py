"""The places of a phrase's words in ``phrases.bin`` without reading its papers' text: kept
from an earlier keystroke and narrowed (:class:`.phrases.KeptPhrases`), a word's filed
places (:mod:`.followers`), or for more words those of the last one that follow the kept
places of the first ones (:func:`preceded`)."""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable
from itertools import compress, repeat
from operator import add, sub

from triage.search import phrases
from triage.search.phraseplaces import (
    ALL,
    ID,
    PRECEDED_SHARE,
    SPARSE,
    Form,
    Layout,
    Places,
    first_form,
)
from triage.search.phrases import KeptPhrases, PhraseFile


def places(
    kept: KeptPhrases,
    file: PhraseFile,
    exact: tuple[str, ...],
    last: str,
    begun: bool,
    ranks: range,
) -> Form | None:
    """The places of ``exact`` followed by ``last`` (``begun``: or a word it begins, of
    ``ranks``), kept, or found (then kept) whatever follows and narrowed; None if they
    are not filed."""
    form = kept.places(exact, last, begun, ranks)
    if form is not None:
        return form
    if len(exact) == 1 and (filed := file.followed(exact[0])) is not None:
        kept.keep_filed(exact, filed)
    elif (found := preceded(kept, file, exact)) is not None:
        kept.keep_filed(exact, found)
    else:
        return None
    return kept.places(exact, last, begun, ranks)


def preceded(kept: KeptPhrases, file: PhraseFile, exact: tuple[str, ...]) -> Form | None:
    """Every filed place of ``exact``'s last word (or, too frequent to be filed, of the
    frequent words after the one before it) that follows the kept places of its first
    ones, past ``CHAINED_PLACES`` of these (each one's next word read alone costs ~1.5 µs,
    a filed place ~0.1 µs) and unless there are many more."""
    before = first(kept, file, exact)
    if before is None or before.total <= phrases.CHAINED_PLACES:
        return None
    through = file.word_id(exact[-1]) in file.filed.frequent  # (then not filed itself)
    word = exact[-2] if through else exact[-1]
    filed = file.filed_places(word, through)
    if filed is None or filed > PRECEDED_SHARE * before.total:
        return None
    if through:
        found = file.followed(word, through=True)
        after = None if found is None else first_form(found, ALL)
    else:
        after = places(kept, file, (word,), "", True, ALL)
    return None if after is None else matched(after, before, file.layout)


def first(kept: KeptPhrases, file: PhraseFile, exact: tuple[str, ...]) -> Form | None:
    """The places of ``exact``'s first words followed by its last one, if filed or kept."""
    if len(exact) < 2:
        return None
    return places(kept, file, exact[:-1], exact[-1], False, file.ranks_of_word(exact[-1]))


def matched(filed: Form, found: Form, layout: Callable[[], Layout]) -> Form:
    """The places of ``filed`` (every filed place of a word, :mod:`.followers`) that stand
    where the chosen places of ``found`` are followed by that word, whatever follows them:
    the places of a phrase one word longer, found by where they stand in a set of those of
    ``found``, in C rather than a step in Python for each place (``"large language m`` at
    a million papers: 91,000 places of *large language*, 290,000 filed places of
    *language*, ~50 ms instead of ~170)."""
    relative = found.found.relative and filed.found.relative
    offsets = array("Q") if relative else layout().offsets  # (~15 ms at a million papers)
    chosen = None if found.total == len(found.found.docs) else list(_chosen(found))
    words_at = set(_where(found.found, chosen, offsets, relative, 0))
    follows = bytes(map(words_at.__contains__, _where(filed.found, None, offsets, relative, 1)))
    base = int.from_bytes(follows, "little") & filed.base
    return Form(filed.found, filed.lanes, ALL, base, base.bit_count(), {}, base)


def _chosen(form: Form) -> Iterable[int]:
    """The positions of the form's chosen places among those found."""
    size = len(form.found.docs)
    if form.total == size:
        return range(size)
    lanes = form.chosen.to_bytes(size, "little")
    if form.total * SPARSE > size:
        return compress(range(size), lanes)
    return map(re.Match.start, re.finditer(b"\x01", lanes))


def _where(
    found: Places, positions: list[int] | None, offsets: array, relative: bool, back: int
) -> Iterable[int]:
    """Where the next word of each place (of those at ``positions``, or every one) stands,
    ``back`` words before it: as a document and a place in it (``relative``, see
    :func:`_keys`) or a place in the file."""
    if relative:
        keys = _keys(found, back)
        return keys if positions is None else map(keys.__getitem__, positions)
    docs: Iterable[int] = found.docs
    at: Iterable[int] = found.at
    if positions is not None:
        docs = map(found.docs.__getitem__, positions)
        at = map(found.at.__getitem__, positions)
    if back:
        at = map(sub, at, repeat(back))
    if found.relative:
        return map(add, map(offsets.__getitem__, docs), at)
    return at


def _keys(found: Places, back: int) -> memoryview:
    """Each (relative) place's document and where its next word stands in it, ``back`` words
    before (it stands after the place's word: no borrow from one lane to the next), as one
    8-byte number put together by slicing, in C (a map per place took ~3x as long)."""
    size = len(found.docs)
    at = _words_bytes(found.at)
    if back:
        at = (
            int.from_bytes(at, "little")
            - int.from_bytes(back.to_bytes(ID, "little") * size, "little")
        ).to_bytes(ID * size, "little")
    docs = _words_bytes(found.docs)
    keys = bytearray(2 * ID * size)
    for part in range(ID):
        keys[part :: 2 * ID] = at[part::ID]
        keys[ID + part :: 2 * ID] = docs[part::ID]
    return memoryview(keys).cast("Q")


def _words_bytes(column: array) -> bytes:
    return (column if column.itemsize == ID else array("I", column)).tobytes()
