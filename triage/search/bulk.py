"""A fast Whoosh segment writer for whole libraries.

Whoosh's own writer spends ~30 µs of pure Python per posting (analysis, a pickled external
sort, one codec call per posting): 100,000 papers have ~18 million postings, i.e. minutes.
This writer collects each term's document numbers in memory and hands the codec whole
posting blocks (:class:`~.whoosh_internals.BlockSegmentWriter`), which is ~10x faster. It
writes the postings Whoosh would for fields in the ``Existence`` format (every text field
here), so the result is an ordinary Whoosh segment; only a document's field length differs
(every word counted, where Whoosh's writer counts distinct words), which weighs in nothing but
the scores of "more like this". Used only while :func:`~.fastpaths.fast_paths` holds.
"""

from __future__ import annotations

import logging
from array import array
from collections import defaultdict, deque
from collections.abc import Callable
from itertools import count, repeat
from pathlib import Path
from typing import Any, NamedTuple

from whoosh.analysis import IDTokenizer
from whoosh.formats import Existence

from triage.search import prefixes, vocabulary
from triage.search.whoosh_internals import BlockSegmentWriter

log = logging.getLogger(__name__)

SPLIT_FIELDS = ("title", "abstract")  # the fields a batch's split gives, in its order
LISTED = "abstract"  # the one whose postings are held in a list by word number
SPARE_WAIT = 0.002  # seconds the word splitter waited for a batch: it has time to spare


class Split(NamedTuple):
    """A batch's titles and abstracts split into numbered words (see :mod:`.wholebuild`)."""

    counts: array
    """Each paper's words in its title and abstract, then the numbers given for each (4 a
    paper)."""
    numbers: array
    """Each paper's words' numbers in ``vocabulary``, its title's then its abstract's, paper
    after paper: its distinct words' if ``distinct``, else every word's, each field's
    followed by a 0."""
    known: int
    """How many words are numbered so far (the highest number)."""
    distinct: bool
    """Whether the child found each paper's distinct words: that costs either process ~1 s at
    100,000 papers (a set of its words, or of their numbers), of ~5 s each, so the child
    does it for a batch if it waited :data:`SPARE_WAIT` or more for it (this process was
    slower), and leaves it to this process if not: it did in ~36% of the batches at 100,000
    papers, in half at a million (this process's share grows faster)."""


WORDS, TERMS = "words", "terms"  # how a field's value becomes terms: split into words, or not
_FieldPlan = tuple[
    str, Any, str | None, bool, bool
]  # name, field, WORDS/TERMS/None, stored, column


def supported(schema: Any) -> bool:
    """True if every indexed field is in the Existence format."""
    return all(
        isinstance(schema[name].format, Existence)
        for name in schema.names()
        if schema[name].indexed
    )


class BulkWriter(BlockSegmentWriter):
    """``add_document`` then ``commit`` like any writer; text fields are split with
    :func:`~.analysis.words`, the same function as the fields' analyser."""

    def __init__(
        self,
        ix: Any,
        *,
        words: Callable[[str], list[str]],
        prefix_path: Path | None = None,
        record_words: Callable[[str, list[str]], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """``prefix_path``: also store the short prefixes' sets there (a new, whole index);
        ``record_words(field, words)``: told each text field's words (see :mod:`.phrases`)."""
        super().__init__(ix, **kwargs)
        self.split = words
        self.prefix_path = prefix_path
        self.record_words = record_words
        self.ids: list[str] = []
        self.simple_terms: dict[tuple[str, Any], set[str]] = {}
        self.plans: dict[tuple[str, ...], list[_FieldPlan]] = {}
        self.numbered: dict[str, Any] = {"title": defaultdict(lambda: array("I")), LISTED: []}
        """Postings of fields split elsewhere, by word number (see add_documents): the
        abstracts' in a list (an item is found faster than a dict's), the titles' few words'
        in a dict (a list holds an array for every word)."""
        self.vocabulary: list[str] = []
        """The words numbered 1, 2, … in ``numbered``, given before the commit."""

    def add_document(self, **fields: Any) -> None:
        self.add_documents([fields])

    def add_documents(self, documents: list[dict[str, Any]], split: Split | None = None) -> None:
        """Documents with the same fields, written a field at a time (the codec's
        per-document calls cost ~50 µs a paper); ``split``: their titles and abstracts split
        already (see :mod:`.wholebuild`)."""
        first = self.docnum
        stored: list[dict[str, Any]] = [{} for _ in documents]
        lengths: dict[str, list[int]] = {}
        columns: dict[str, tuple[Any, list[Any]]] = {}
        for name, field, kind, is_stored, column in self._plan(documents[0]):
            values = [document[name] for document in documents]
            if is_stored:
                for fields, value in zip(stored, values, strict=True):
                    if value is not None:
                        fields[name] = value
            if column:
                to_value = field.to_column_value
                columns[name] = (
                    field.column_type,
                    [v if v is None else to_value(v) for v in values],
                )
            if kind == WORDS and split is not None and name in SPLIT_FIELDS:
                lengths[name] = self._numbered_postings(name, values, first, split)
            elif kind == WORDS:
                lengths[name] = self._word_postings(name, values, first)
            elif kind == TERMS:
                postings = self.postings[name]
                for docnum, value in enumerate(values, first):
                    if value is None:
                        continue
                    if field.unique:  # the id: a number for each, not an array (see single)
                        self.add_unique(name, field, value, docnum)
                        continue
                    terms = self.untokenised_terms(name, field, value)
                    deque(map(array.append, map(postings.__getitem__, terms), repeat(docnum)), 0)
        self.add_columns(stored, lengths, columns)
        if self.prefix_path:
            self.ids.extend(document["id"] for document in documents)

    def _word_postings(self, name: str, values: list[str | None], first: int) -> list[int]:
        """File each document's distinct words; returns its word counts."""
        postings, lengths = self.postings[name], []
        for docnum, value in enumerate(values, first):
            words = self.split(value) if value is not None else []
            if self.record_words and value is not None:
                self.record_words(name, words)
            # postings[word].append(docnum) for every word, without a Python-level loop
            deque(map(array.append, map(postings.__getitem__, set(words)), repeat(docnum)), 0)
            lengths.append(len(words))
        self.longest[name] = max(self.longest[name], *lengths)
        return lengths

    def _numbered_postings(
        self, name: str, values: list[str | None], first: int, split: Split
    ) -> list[int]:
        """``_word_postings`` of words split and numbered elsewhere."""
        numbered, lengths = self.numbered[name], []
        if name == LISTED:
            numbered.extend(array("I") for _ in range(split.known + 1 - len(numbered)))
        counts, numbers, distinct = split.counts, split.numbers, split.distinct
        field, ends = SPLIT_FIELDS.index(name), 0 if distinct else 1  # (a 0 ends each field)
        at = 0
        for index, (docnum, value) in enumerate(zip(count(first), values)):
            title, abstract = counts[4 * index + 2], counts[4 * index + 3]
            start, given = (at, title) if field == 0 else (at + title + ends, abstract)
            at += title + abstract + 2 * ends
            lengths.append(counts[4 * index + field] if value is not None else 0)
            if value is not None:
                chosen = numbers[start : start + given]
                for number in chosen if distinct else set(chosen):
                    numbered[number].append(docnum)
        self.longest[name] = max(self.longest[name], *lengths)
        return lengths

    def _plan(self, fields: dict[str, Any]) -> list[_FieldPlan]:
        """How each field given is written, in name order: worked out once per set of names,
        not per document."""
        key = tuple(fields)
        plan = self.plans.get(key)
        if plan is None:
            plan = self.plans[key] = []
            for name in sorted(fields):
                field = self.schema[name]
                kind = (WORDS if field.scorable else TERMS) if field.indexed else None
                plan.append((name, field, kind, field.stored, bool(field.column_type)))
        return plan

    def untokenised_terms(self, name: str, field: Any, value: Any) -> set[str]:
        """Terms of an untokenised field (tags, state, dates), remembered by value."""
        key = (name, value)
        terms = self.simple_terms.get(key)
        if terms is None:
            terms = self.simple_terms[key] = {
                term.decode("utf-8") for term, *_ in field.index(value)
            }
        return terms

    def add_unique(self, name: str, field: Any, value: Any, docnum: int) -> None:
        """A unique field's terms, each in one document (or, if not, in ``postings``)."""
        single, postings = self.single[name], self.postings[name]
        if type(field.analyzer) is IDTokenizer:  # the value is the term (~4 µs a paper less)
            terms = [value]
        else:
            terms = [raw.decode("utf-8") for raw, *_ in field.index(value)]
        for found in terms:
            term = value if found == value else found  # the id's own string, not a copy
            if term in postings:
                postings[term].append(docnum)
            elif term in single:
                postings[term].extend((single.pop(term), docnum))
            else:
                single[term] = docnum

    def postings_complete(self) -> None:
        words = self.vocabulary
        for name in list(self.numbered):
            postings, numbered = self.postings[name], self.numbered.pop(name)
            numbers = enumerate(numbered) if name == LISTED else numbered.items()
            for number, docnums in numbers:  # (one field's held twice)
                if docnums:
                    postings[words[number - 1]] = docnums
            numbered.clear()
        if self.prefix_path:
            # here, not in a third process: the word splitter's filing of places (see
            # :mod:`.wholebuild`) has the second core meanwhile, and a third process only
            # took turns with both, holding the postings again (~50 MB at 100,000 papers)
            prefixes.build(self.postings, self.ids, self.prefix_path)

    def postings_written(self, words: dict[str, list[str]]) -> None:
        folder = getattr(self.storage, "folder", None)
        if folder is None:
            return
        # the words for did-you-mean: held now, ~0.4 s per field to list from the segment later
        directory = Path(folder)
        segment = self.newsegment.segment_id()
        try:
            vocabulary.write(words, vocabulary.path_for(directory, segment))
            vocabulary.remove_unused(
                directory, [segment, *(other.segment_id() for other in self.segments)]
            )
        except OSError as error:  # only a shortcut: the segment's term table has them too
            log.warning("search index word list not written: %s", error)
