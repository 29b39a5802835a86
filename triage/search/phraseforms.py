"""The places of a phrase's words in ``phrases.bin`` without reading its papers' text: kept
from an earlier keystroke and narrowed (:class:`.phrases.KeptPhrases`), a word's filed
places (:mod:`.followers`), or for more words those of the last one that follow the kept
places of the first ones (:func:`preceded`)."""

from __future__ import annotations

from triage.search import phrases
from triage.search.phraseplaces import ALL, PRECEDED_SHARE, Form, first_form
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
    return None if after is None else file.preceded(after, before)


def first(kept: KeptPhrases, file: PhraseFile, exact: tuple[str, ...]) -> Form | None:
    """The places of ``exact``'s first words followed by its last one, if filed or kept."""
    if len(exact) < 2:
        return None
    return places(kept, file, exact[:-1], exact[-1], False, file.ranks_of_word(exact[-1]))
