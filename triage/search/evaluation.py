"""The query language evaluated over bit sets of rows (see :mod:`.bits`).

Text conditions come from :class:`~.conditions.TextConditions`, structured ones (star, state,
tags, note presence, dates) from the in-memory :class:`~.table.Table`. Papers changed since
the last index commit are "pending": their text conditions are evaluated on their current
text (:mod:`.overlay`), so a mark shows before the commit lands.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from triage.core.cache import LRUCache
from triage.search import query as ql
from triage.search.analysis import TEXT_FIELDS, analyse
from triage.search.conditions import TextConditions
from triage.search.result import RankedIds, SearchResult, SortedIds
from triage.search.table import Table
from triage.search.vocabulary import Vocabulary

CACHE_ENTRIES = 512  # conditions' row sets, until the index or the pending papers change
CACHE_BYTES = 4_000_000  # of those row sets (one is 12.5 KB at 100,000 papers, 125 KB at 1M)
RELEVANCE_WORDS = 6  # words beyond this do not refine the title-match tiers

CacheKey = tuple[object, ...]


class Context:
    """What evaluation learnt for ranking, highlighting and suggestions."""

    def __init__(self) -> None:
        self.terms: set[str] = set()
        self.prefixes: set[str] = set()
        self.words: list[tuple[tuple[str, ...], list[str]]] = []  # (fields, words) of each run
        self.ranking_sets: list[int] = []
        """Rows ranked higher for each they are in: a query word in the title, the arXiv id."""


class QueryEvaluator:
    def __init__(self, table: Table, conditions: TextConditions, vocabulary: Vocabulary) -> None:
        self.table = table
        self.conditions = conditions
        self._pending: set[str] = set()
        self._pending_bits = 0
        self._cache: LRUCache[CacheKey, int] = LRUCache(
            CACHE_ENTRIES, maxbytes=CACHE_BYTES, size_of=sys.getsizeof
        )
        self.vocabulary = vocabulary

    def set_pending(self, pending: set[str]) -> None:
        """The papers changed since the last index commit (also: the index or rows changed)."""
        self._pending = pending
        self._pending_bits = self.table.bits_of(pending)
        self._cache.clear()

    def search(self, text: str, index_reader: Any) -> SearchResult:
        parsed = ql.parse(text)
        context = Context()
        members = self._evaluate(parsed.tree, context, positive=True)
        if members is None:
            members = self.table.all
        total = members.bit_count()
        ids, row_of = self.table.ids, self.table.paper_rows
        ordered: Sequence[str]
        if parsed.sort:
            order, backwards = self.table.order(*parsed.sort)
            ordered = SortedIds(ids, members, order, backwards, total, row_of)
        elif context.ranking_sets:
            ordered = RankedIds(ids, _tiers(members, context.ranking_sets), total, row_of)
        else:
            ordered = RankedIds(ids, [members], total, row_of)
        suggestion = (
            _suggest(
                text,
                context.words,
                self.vocabulary,
                index_reader,
                self._finds,
                self._uncommitted_words,
            )
            if total == 0 and context.words
            else None
        )
        return SearchResult(
            text,
            total,
            ordered,
            frozenset(context.terms),
            parsed.hint,
            suggestion,
            frozenset(context.prefixes),
        )

    def _evaluate(self, node: object, context: Context, positive: bool) -> int | None:
        """Row set for ``node``; None means "no condition" (e.g. a word of punctuation only)."""
        if node is None:
            return None
        if isinstance(node, ql.And):
            result = None
            for child in node.children:
                value = self._evaluate(child, context, positive)
                if value is not None:
                    result = value if result is None else result & value
            return result
        if isinstance(node, ql.Or):
            # every branch evaluated: each adds its words to the context (highlighting)
            values = [self._evaluate(child, context, positive) for child in node.children]
            united = 0
            for value in values:
                if value is None:
                    return None
                united |= value
            return united
        if isinstance(node, ql.Not):
            value = self._evaluate(node.child, context, not positive)
            return None if value is None else self.table.all & ~value
        if isinstance(node, ql.Nothing):
            return 0
        if isinstance(node, ql.Flag):
            members = self._flag(node)
            if positive and node.kind == "arxiv":  # the paper itself before papers citing it
                context.ranking_sets.append(members)
            return members
        if isinstance(node, ql.Words):
            return self._words(node, context, positive)
        raise TypeError(f"not a query node: {node!r}")

    def _flag(self, flag: ql.Flag) -> int:
        table = self.table
        kind, value = flag.kind, flag.value
        if kind == "starred":
            return table.starred
        if kind == "unstarred":
            return table.all & ~table.starred
        if kind == "has_note":
            return table.has_note
        if kind == "state" and isinstance(value, str):
            return table.state.get(value, 0)
        if kind in ("tag", "tag_typed") and isinstance(value, str):
            typing = kind == "tag_typed"
            return self._cached(
                (kind, value, table.generation), lambda: table.tagged(value, typing=typing)
            )
        if kind == "arxiv" and isinstance(value, str):
            return self._cached(("arxiv", value, table.generation), lambda: table.with_arxiv(value))
        if kind in ("added", "listed") and isinstance(value, tuple):
            first, last = value
            return self._cached(
                ("date", kind, value, table.generation), lambda: table.dated(kind, first, last)
            )
        raise ValueError(f"not a filter: {flag!r}")

    def _words(self, node: ql.Words, context: Context, positive: bool) -> int | None:
        tokens = analyse(" ".join(node.words))
        if not tokens:
            return None
        conditions = self.conditions
        fields = tuple(f if f != "tags" else "tagwords" for f in (node.fields or TEXT_FIELDS))
        phrase = len(tokens) > 1
        prefix = node.prefix  # the word being typed: alone, or last in a phrase or hyphenated word
        if phrase:
            result = self._cached(
                ("phrase", fields, tuple(tokens), prefix),
                lambda: conditions.phrase(fields, tokens, prefix),
            )
            title = (
                self._cached(
                    ("phrase", ("title",), tuple(tokens), prefix),
                    lambda: conditions.phrase(("title",), tokens, prefix),
                )
                if "title" in fields
                else 0
            )
        else:
            kind = "prefix" if prefix else "word"
            result = self._cached(
                (kind, fields, tokens[0]), lambda: conditions.single(kind, fields, tokens[0])
            )
            title = (
                self._cached(
                    (kind, ("title",), tokens[0]),
                    lambda: conditions.single(kind, ("title",), tokens[0]),
                )
                if "title" in fields
                else 0
            )
        if self._pending_bits:
            pending, changed = self._pending, conditions.changed
            result = result & ~self._pending_bits | changed.matching(
                pending, self.table, fields, tokens, prefix
            )
            if title:
                title = title & ~self._pending_bits | changed.matching(
                    pending, self.table, ("title",), tokens, prefix
                )
        if positive:
            context.words.append((fields, tokens))
            if phrase:
                context.terms.update(tokens)
            else:
                context.terms.update(conditions.stem_family(fields, tokens[0]))
            if prefix:
                context.prefixes.add(tokens[-1])
                context.terms.add(tokens[-1])
            if "title" in fields and len(context.ranking_sets) < RELEVANCE_WORDS:
                context.ranking_sets.append(title)
        return result

    def _finds(self, fields: tuple[str, ...], word: str, prefix: bool) -> bool:
        """Whether ``word`` (as a prefix: or a word it begins) finds a paper in ``fields`` now,
        the papers changed since the last index commit included."""
        node = ql.Words((word,), fields, prefix)
        return bool(self._words(node, Context(), positive=False))

    def _uncommitted_words(self, fields: tuple[str, ...], first: str) -> list[str]:
        if not self._pending:
            return []
        return self.conditions.changed.words_beginning(self._pending, fields, first)

    def _cached(self, key: CacheKey, compute: Callable[[], int]) -> int:
        return self._cache.get_or_compute(key, compute)


def _suggest(*args: Any) -> str | None:
    """:func:`.similar.suggest`, imported only when a query finds nothing (with Whoosh's
    query classes and rapidfuzz)."""
    from triage.search import similar

    return similar.suggest(*args)


def _tiers(members: int, ranking_sets: list[int]) -> list[int]:
    """Papers in more of the ranking sets first (more query words in their title), then
    newest first."""
    at_least = [members] + [0] * len(ranking_sets)
    for ranking in ranking_sets:
        for count in range(len(ranking_sets), 0, -1):
            at_least[count] |= at_least[count - 1] & ranking
    tiers = [at_least[-1]]
    for count in range(len(ranking_sets) - 1, -1, -1):
        tiers.append(at_least[count] & ~at_least[count + 1])
    return tiers
