"""Row sets of text conditions: words (with their stem family), prefixes and phrases.

They come from the Whoosh index (postings turned into row sets, frequent words' sets kept)
or, for frequent prefixes and words, from the sets precomputed at build (:mod:`.prefixes`),
completed with the papers added since, matched on their text (:mod:`.overlay`). Papers
changed since the last index commit are corrected by the caller (see :mod:`.evaluation`).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from triage.core.cache import LRUCache
from triage.search import bits, phraseforms, phraseplaces, phrases, postings, prefixes
from triage.search.analysis import TEXT_FIELDS, fold, stem
from triage.search.overlay import ChangedText
from triage.search.prefixes import PrefixSets
from triage.search.table import Table
from triage.search.vocabulary import words_bytes
from triage.store import Reader

TERM_CACHE_ENTRIES = 2_000
TERM_CACHE_BYTES = 8_000_000  # a frequent word's set is 12.5 KB at 100,000 papers, 125 KB at 1M
VOCABULARY_ENTRIES = 64  # prefixes whose indexed words are kept
VOCABULARY_BYTES = 6_000_000
VOCABULARY_WORDS = 20_000  # a prefix with more words is not kept
FAMILY_ENTRIES = 512
FREQUENT_TERM = 500  # papers: a word in more is kept as a set once decoded

log = logging.getLogger(__name__)


class TextConditions:
    """Text conditions over one Whoosh reader; :meth:`use_index` and :meth:`use_rows` say when
    the reader or the document -> row list changes, :meth:`use_store` when the DB file does."""

    def __init__(self, table: Table, prefix_sets: PrefixSets, store: Reader) -> None:
        self.table = table
        self.prefix_sets = prefix_sets
        self.store = store
        self.changed = ChangedText(store)
        """Current words of the papers the index or the stored sets do not know as they are."""
        self._index: Any = None
        self._docrows: Sequence[int] = []
        self._terms: LRUCache[tuple[str, str], int] = LRUCache(
            TERM_CACHE_ENTRIES, maxbytes=TERM_CACHE_BYTES, size_of=sys.getsizeof
        )
        self._vocabularies: LRUCache[tuple[str, str], list[str]] = LRUCache(
            VOCABULARY_ENTRIES, maxbytes=VOCABULARY_BYTES, size_of=words_bytes
        )
        self._families: LRUCache[tuple[tuple[str, ...], str], frozenset[str]] = LRUCache(
            FAMILY_ENTRIES
        )
        self._phrases: phrases.PhraseFile | None = None
        self._phrases_for: PrefixSets | None = None  # the sets it was opened with
        self._kept = phrases.KeptPhrases()
        self._stored_of: tuple[int, list[int]] = (-1, [])  # order generation, stored row of each

    def use_index(self, reader: Any) -> None:
        """A new Whoosh reader: its words may differ."""
        self._index = reader
        self._vocabularies.clear()
        self._families.clear()

    def use_rows(self, docrows: Sequence[int]) -> None:
        """Whoosh document number -> row (``table.size`` for none): the kept sets are stale."""
        self._docrows = docrows
        self._terms.clear()
        self._kept.clear()

    def close(self) -> None:
        if self._phrases is not None:
            self._phrases.close()

    def use_store(self, store: Reader) -> None:
        self.store = store
        self.changed = ChangedText(store)

    # -- what evaluation asks ------------------------------------------------------------------

    def single(self, kind: str, fields: tuple[str, ...], word: str) -> int:
        """A whole word matches its stem family; a word being typed also every word it begins."""
        # a short word being typed: its prefix already covers its stem family (as in the overlay)
        family = {word} if kind == "prefix" and len(word) <= 4 else self.stem_family(fields, word)
        group = "fixed" if fields == TEXT_FIELDS else "title" if fields == ("title",) else None
        if kind != "prefix":
            return self._family_postings(group, fields, family)
        others = [member for member in family if not member.startswith(word)]
        if group and self.prefix_sets.has(group, word):
            # the stored set (with what completes it) has every word that begins with ``word``
            result = self._stored_prefix(group, fields, word)
        else:
            result = 0
            for field in fields:
                result |= self._prefix_postings(field, word)
        return result | self._family_postings(group, fields, others)

    def phrase(self, fields: tuple[str, ...], tokens: list[str], prefix: bool = False) -> int:
        """Papers whose text has ``tokens`` in a row; ``prefix``: the last one is being typed,
        any word that begins with it. Titles and abstracts from :mod:`.phrases` where the
        index was built with it, the rest from the store."""
        fixed = tuple(field for field in fields if field in phrases.FIELDS)
        file = self._phrase_file() if fixed else None
        if file is None:
            return self._text_phrase(fields, tokens, prefix)
        table = self.table
        try:
            result = self._kept.get_or_compute(
                (fixed, tuple(tokens), prefix),
                lambda: self._stored_phrase(file, fixed, tokens, prefix),
            )
        except (OSError, ValueError, IndexError) as error:  # truncated or damaged under us
            log.warning("phrase file %s unreadable (%s): phrases read the store", file.path, error)
            file.close()
            return self._text_phrase(fields, tokens, prefix)
        added = self.prefix_sets.added_since(table)
        if added:
            ids = table.ids
            result |= self.changed.matching(
                [ids[row] for row in bits.to_rows(added)], table, fixed, tokens, prefix
            )
        rest = tuple(field for field in fields if field not in fixed)
        return result | self._text_phrase(rest, tokens, prefix) if rest else result

    def _phrase_file(self) -> phrases.PhraseFile | None:
        """The phrase file written with the prefix sets in use, if it has their order."""
        sets = self.prefix_sets
        if self._phrases_for is not sets:
            if self._phrases is not None:
                self._phrases.close()
            self._phrases = phrases.PhraseFile(sets.path.with_name(phrases.FILE))
            self._phrases_for = sets
            self._kept.clear()
            self._stored_of = (-1, [])
        file = self._phrases
        if file is None or not file.usable or not sets.entries:
            return None
        return file if file.order == getattr(sets, "order", None) else None

    def _stored_phrase(
        self, file: phrases.PhraseFile, fields: tuple[str, ...], tokens: list[str], prefix: bool
    ) -> int:
        """The phrase's papers among those the file has: where its first words stand in a
        row, followed by its last word (or one that begins with it). The places are kept
        (titles and abstracts at once): the next letters of a word being typed only narrow
        them; a longer form's are found from them (the word after each read alone, or
        :func:`.phraseforms.preceded`), else in the papers of an earlier form with its words."""
        table = self.table
        current = self.prefix_sets.current_rows(table)
        exact, last = tuple(tokens[:-1]), tokens[-1]
        ranks = file.ranks_of_prefix(last) if prefix else file.ranks_of_word(last)
        form = phraseforms.places(self._kept, file, exact, last, prefix, ranks)
        if form is not None:
            narrowed = self._kept.narrowed_rows(fields, (exact, last, prefix), current, table.size)
            if narrowed is not None:
                return narrowed
        else:
            first = phraseforms.first(
                self._kept, file, exact
            )  # each next word read (~1.5 µs a place)
            found = None if first is None else file.following(first, ranks)
            if found is None:
                bound = self._kept.bound(tuple(tokens), prefix)
                candidates = table.all if bound is None else bound
                for token in exact:
                    candidates &= self._built_with(phrases.FIELDS, token, prefix=False)
                candidates &= self._built_with(phrases.FIELDS, last, prefix)
                found = file.places(self._docnums_in(candidates), list(exact), ranks)
            form = self._kept.keep_places(exact, last, prefix, found, ranks)
        if fields != phrases.FIELDS:
            return phraseplaces.rows_of(phraseplaces.docs_in(form, fields), current, table.size)
        rows, titles = phraseplaces.rows_and_titles(form, current, table.size)
        self._kept.get_or_compute((("title",), tuple(tokens), prefix), lambda: titles)  # asked next
        return rows

    def _built_with(self, fields: tuple[str, ...], word: str, prefix: bool) -> int:
        """Papers known at build with ``word`` (or, ``prefix``, a word it begins) in these
        fields of their title and abstract: a stored set if there is one."""
        group = "fixed" if fields == phrases.FIELDS else "title" if fields == ("title",) else None
        sets, table = self.prefix_sets, self.table
        if group and prefix and sets.has(group, word):
            return sets.get(group, word, table)
        if group and not prefix and sets.has_word(group, word):
            return sets.get_word(group, word, table)
        result = 0
        for field in fields:
            result |= (
                self._prefix_postings(field, word) if prefix else self._postings(field, [word])
            )
        return result

    def _docnums_in(self, rows: int) -> list[int]:
        """The phrase file's (and the prefix sets') document of each of these rows that has one."""
        table = self.table
        current = self.prefix_sets.current_rows(table)
        if current is None:
            return bits.to_rows(rows)
        if self._stored_of[0] != table.order_generation:
            stored_of = [-1] * table.size
            for docnum, row in enumerate(current):
                if row >= 0:
                    stored_of[row] = docnum
            self._stored_of = (table.order_generation, stored_of)
        return phraseplaces.stored_docnums(bits.to_rows(rows), self._stored_of[1])

    def _text_phrase(self, fields: tuple[str, ...], tokens: list[str], prefix: bool) -> int:
        """Papers with every word (from the index) whose text has them in a row (from the store)."""
        candidates = self.table.all
        exact = tokens[:-1] if prefix else tokens
        for token in exact:
            found = 0
            for field in fields:
                found |= self._postings(field, [token])
            candidates &= found
        if prefix:  # (also the words of its stem family: candidates only)
            candidates &= self.single("prefix", fields, tokens[-1])
        ending = r"\w*" if prefix else r"(?!\w)"
        pattern = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, tokens)) + ending)
        ids = self.table.ids
        candidate_ids = [ids[row] for row in bits.to_rows(candidates)]
        rows = [
            self.table.row_of[paper]
            for paper, *texts in self.store.texts(candidate_ids, fields)
            if any(pattern.search(fold(text)) for text in texts)
        ]
        return bits.from_rows(rows, self.table.size)

    def stem_family(self, fields: tuple[str, ...], word: str) -> frozenset[str]:
        """Indexed words with the same stem as ``word`` (its stem may end differently: study/studi)."""
        key = (fields, word)
        family = self._families.get(key)
        if family is not None:
            return family
        root = stem(word)
        members = {word}
        if len(root) >= 3:  # shorter: a word being typed this short is matched as a prefix anyway
            start = root[:-2] if len(root) >= 6 else root[:-1] if len(root) >= 4 else root
            for field in fields:
                members.update(
                    candidate
                    for candidate in self._vocabulary(field, start)
                    if candidate == word or stem(candidate) == root
                )
        family = self._families[key] = frozenset(members)
        return family

    # -- from the index ------------------------------------------------------------------------

    def _rows_of_docs(self, docnums: list[int]) -> int:
        if not docnums:
            return 0
        return bits.from_mapped(docnums, self._docrows, self.table.size)

    def _postings(self, field: str, words: Iterable[str]) -> int:
        """Papers with any of ``words`` in ``field``. Frequent words' sets are kept: decoding
        their postings is the slow part, and typing ``dif``, ``diff``, ``diffu`` meets them again."""
        docnums: list[int] = []
        result = 0
        for word in words:
            key = (field, word)
            cached = self._terms.get(key)
            if cached is not None:
                result |= cached
                continue
            found = postings.docnums(self._index, field, word)
            if len(found) < FREQUENT_TERM:
                docnums.extend(found)
            else:
                result |= self._keep_term(key, found)
        return result | self._rows_of_docs(docnums)

    def _keep_term(self, key: tuple[str, str], docnums: list[int]) -> int:
        rows = self._terms[key] = self._rows_of_docs(docnums)
        return rows

    def _prefix_postings(self, field: str, prefix: str) -> int:
        """Papers with a word that begins with ``prefix`` in ``field`` (as :meth:`_postings` of
        its vocabulary, read segment by segment)."""
        terms = self._terms
        known = {
            key[1]: members
            for key in terms
            if key[0] == field
            and key[1].startswith(prefix)
            and (members := terms.get(key)) is not None
        }
        words, found = postings.prefix_docnums(self._index, field, prefix, known)
        self._remember_vocabulary(field, prefix, words)
        result = 0
        for members in known.values():
            result |= members
        docnums: list[int] = []
        for word, numbers in found.items():
            if len(numbers) < FREQUENT_TERM:
                docnums.extend(numbers)
            else:
                result |= self._keep_term((field, word), numbers)
        return result | self._rows_of_docs(docnums)

    def _vocabulary(self, field: str, prefix: str) -> list[str]:
        """Indexed words that begin with ``prefix``. Typing meets the same and longer prefixes
        again (``tra``, ``tran``): kept, and a longer prefix's words are taken from a shorter's."""
        key = (field, prefix)
        found = self._vocabularies.get(key)
        if found is not None:
            return found
        for length in range(len(prefix) - 1, 0, -1):
            shorter = self._vocabularies.get((field, prefix[:length]))
            if shorter is not None:
                found = [word for word in shorter if word.startswith(prefix)]
                break
        else:
            found = postings.vocabulary(self._index, field, prefix)
        self._remember_vocabulary(field, prefix, found)
        return found

    def _remember_vocabulary(self, field: str, prefix: str, words: list[str]) -> None:
        if len(words) <= VOCABULARY_WORDS:
            self._vocabularies[(field, prefix)] = words

    # -- from the stored sets ------------------------------------------------------------------

    def _family_postings(
        self, group: str | None, fields: tuple[str, ...], words: Iterable[str]
    ) -> int:
        """Papers with any of ``words`` in ``fields``: frequent words' sets as stored at build
        for the group's fields (completed with the papers added since, matched on their text),
        the rest from the index."""
        words = list(words)
        sets = self.prefix_sets
        stored = [word for word in words if sets.has_word(group, word)] if group else []
        result = 0
        if group and stored:
            table = self.table
            for word in stored:
                result |= sets.get_word(group, word, table)
            added = sets.added_since(table)
            ids = table.ids
            result = result & ~added | self.changed.containing(
                [ids[row] for row in bits.to_rows(added)], table, prefixes.GROUPS[group], stored
            )
        rest = [word for word in words if word not in stored]
        for field in fields:
            result |= self._postings(
                field, rest if group and field in prefixes.GROUPS[group] else words
            )
        return result

    def _stored_prefix(self, group: str, fields: tuple[str, ...], word: str) -> int:
        """A precomputed prefix set, completed with the papers it cannot know: those added
        since it was built, and (for all fields) notes and tags."""
        table = self.table
        stored = self.prefix_sets.get(group, word, table)
        added = self.prefix_sets.added_since(table)
        ids = table.ids
        result = stored & ~added | self.changed.matching(
            [ids[row] for row in bits.to_rows(added)], table, fields, [word], prefix=True
        )
        if group == "fixed":
            # from the index, like any word of a field without stored sets (the pending papers'
            # are corrected by the overlay): notes' and tags' vocabularies are small
            result |= self._prefix_postings("note", word) | self._prefix_postings("tagwords", word)
        return result
