"""Words and postings read from the Whoosh segments a block at a time.

Whoosh hands out document numbers one at a time, through a generator per wrapper (segments,
deletions): ~1 µs per posting, ~30 ms for a word in 20,000 papers. Its term iteration costs
~5 µs per word through five generators, and asking every segment for every word of an
expanded prefix cost more than the postings (~400 words x 11 segments for ``genera``). Here
each segment is asked only for the words it has, and where the fast paths are in force its
term table is scanned directly and posting blocks are decoded whole (one unpickle and a
running sum in C per block of 128 postings: :class:`~.whoosh_internals.TermTable`); other
segments go through Whoosh's own API. Deleted documents are included: the caller maps them
to no row.
"""

from __future__ import annotations

from array import array
from collections.abc import Container
from typing import Any

from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from triage.search.whoosh_internals import term_table


def vocabulary(reader: Any, field: str, prefix: str) -> list[str]:
    """Every word of ``field`` that begins with ``prefix``, sorted."""
    words: set[str] = set()
    for leaf, _ in reader.leaf_readers():
        words.update(segment_vocabulary(leaf, field, prefix))
    return sorted(words)


def segment_vocabulary(leaf: Any, field: str, prefix: str) -> list[str]:
    """Every word of ``field`` in one segment that begins with ``prefix``, sorted."""
    table = term_table(leaf)
    if table is None:
        return [word.decode("utf-8") for word in leaf.expand_prefix(field, prefix)]
    return [word for word, _ in table.words(field, prefix)]


def docnums(reader: Any, field: str, word: str) -> list[int]:
    """Document numbers (in ``reader``'s numbering) of every document with ``word`` in ``field``."""
    found: list[int] = []
    for leaf, base in reader.leaf_readers():
        table = term_table(leaf)
        try:
            if table is None:
                _public_docnums(leaf, field, word, base, found)
            else:
                table.decode(leaf.term_info(field, word), base, found)
        except TermNotFound:
            continue
    return found


def prefix_docnums(
    reader: Any, field: str, prefix: str, known: Container[str]
) -> tuple[list[str], dict[str, list[int]]]:
    """(every word of ``field`` that begins with ``prefix``, sorted; document numbers of
    those not ``known``)."""
    words: set[str] = set()
    found: dict[str, list[int]] = {}
    for leaf, base in reader.leaf_readers():
        table = term_table(leaf)
        if table is None:
            for raw in leaf.expand_prefix(field, prefix):
                word = raw.decode("utf-8")
                words.add(word)
                if word not in known:
                    _public_docnums(leaf, field, word, base, found.setdefault(word, []))
            continue
        for word, info in table.words(field, prefix):
            words.add(word)
            if word not in known:
                table.decode(info(), base, found.setdefault(word, []))
    return sorted(words), found


def field_postings(reader: Any, field: str) -> dict[str, array]:
    """Every word of ``field`` with its document numbers, through Whoosh's public API (for the
    prefix sets of an index built by Whoosh's own writer)."""
    return {
        word: array("I", reader.postings(field, word).all_ids())
        for word in reader.field_terms(field)
    }


def _public_docnums(leaf: Any, field: str, word: str, base: int, into: list[int]) -> None:
    matcher = leaf.postings(field, word)
    if isinstance(matcher, FilterMatcher):  # the segment's deletions: the caller skips them
        matcher = matcher.child
    into.extend(docnum + base for docnum in matcher.all_ids())
