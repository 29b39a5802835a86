"""Words like the ones typed (suggestions for a query that finds nothing) and papers like one."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from whoosh.analysis import STOP_WORDS

from triage.search.analysis import analyse, words
from triage.search.result import SearchResult
from triage.search.vocabulary import FIELDS, Vocabulary
from triage.store import Reader

KEY_WORDS = 12  # words of a paper that find papers like it
SHORTEST_CORRECTED = 4  # a shorter word is too short to tell what it was meant to be
_WORD_RUN = re.compile(r"\w+")


def suggest(
    text: str,
    word_runs: list[tuple[tuple[str, ...], list[str]]],
    vocabulary: Vocabulary,
    index_reader: Any,
    finds: Callable[[tuple[str, ...], str, bool], bool],
    uncommitted: Callable[[tuple[str, ...], str], list[str]],
) -> str | None:
    """The query with unknown words replaced by the closest indexed word of their fields, if
    any. Only close spellings count: one letter off up to 5 letters, two beyond, the first
    letter kept (a word of another script is not "corrected" into a Latin one); among equally
    close words, the one in more papers. ``finds(fields, word, prefix)``: whether the word (or
    a word it begins) finds a paper now; ``uncommitted(fields, first)``: the words beginning with
    ``first`` of papers changed since the last index commit."""
    suggestion = text
    for fields, tokens in word_runs:
        corrected = tuple(field for field in fields if field in FIELDS)
        for token in tokens:
            if (
                len(token) < SHORTEST_CORRECTED
                or not corrected
                or vocabulary.begins(index_reader, fields, token)
                or finds(fields, token, True)
            ):
                continue
            distance = 1 if len(token) <= 5 else 2
            best = next(
                (
                    word
                    for word in vocabulary.closest(
                        index_reader, corrected, token, distance, uncommitted(corrected, token[0])
                    )
                    if finds(fields, word, False)  # not only in papers deleted or changed since
                ),
                None,
            )
            if best:
                suggestion = _replace_word(suggestion, token, best)
    return suggestion if suggestion != text else None


def more_like(searcher: Any, store: Reader, paper_id: str, limit: int) -> SearchResult:
    """Papers sharing the paper's most telling words, best first (the paper itself left out)."""
    from whoosh.query import Or, Term  # ~30 ms to import: not for suggestions, which need none

    label = f"like:{paper_id}"
    row = next(iter(store.texts([paper_id], ("title", "abstract"))), None)
    if row is None:
        return SearchResult(label, 0, [], frozenset(), f"no paper with id {paper_id}", None)
    keys = _key_words(searcher, paper_id, row[1], row[2])
    if not keys:
        return SearchResult(label, 0, [], frozenset(), None, None)
    query = Or([Term(field, word) for word in keys for field in ("title", "abstract")])
    hits = searcher.search(query, limit=limit + 1)
    ids = [hit["id"] for hit in hits if hit["id"] != paper_id][:limit]
    return SearchResult(label, len(ids), ids, frozenset(keys), None, None)


def _key_words(searcher: Any, paper_id: str, title: str, abstract: str) -> list[str]:
    """The paper's most telling words that other papers share, by tf-idf (title words count
    double). Whoosh's own key terms prefer the rarest words, often ones no other paper has
    (a model's name, a figure), which then find nothing but the paper itself."""
    reader = searcher.reader()
    others = reader.doc_count() or 1
    itself = 1 if searcher.document_number(id=paper_id) is not None else 0
    title_words = analyse(title)
    abstract_words = analyse(abstract)
    counts = Counter(abstract_words)
    for word in title_words:
        counts[word] += 2
    in_title, in_abstract = set(title_words), set(abstract_words)
    scored = []
    for word, count in counts.items():
        if word in STOP_WORDS or len(word) < 2 or not any(char.isalpha() for char in word):
            continue
        # papers other than this one with the word (one with it in both fields counts twice)
        sharing = (
            reader.doc_frequency("title", word)
            + reader.doc_frequency("abstract", word)
            - itself * ((word in in_title) + (word in in_abstract))
        )
        if sharing > 0:
            scored.append((count * math.log(1 + others / sharing), word))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [word for _, word in scored[:KEY_WORDS]]


def _replace_word(text: str, old: str, new: str) -> str:
    """Each word of ``text`` that is ``old`` in its indexed form becomes ``new``; quotes,
    brackets, signs and spacing stay as typed."""
    return _WORD_RUN.sub(lambda run: new if words(run.group()) == [old] else run.group(), text)
