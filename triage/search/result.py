"""What a search returns: a count, ids in display order (computed lazily), and what to highlight."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from triage.search import bits
from triage.search.analysis import fold

_WORD = re.compile(r"\w+")
_BULK = 512


@dataclass
class SearchResult:
    """``terms`` holds folded surface forms (see :func:`~.analysis.fold`): every indexed word a query word
    matched (``diffusion`` -> diffusion, diffusions, diffuse) plus the word being typed as a
    prefix (``diff``), which highlights every word that starts with it."""

    query: str
    total: int
    ids: Sequence[str]
    terms: frozenset[str] = frozenset()
    hint: str | None = None
    suggestion: str | None = None
    prefixes: frozenset[str] = field(default=frozenset(), repr=False)

    def highlight_spans(self, text: str) -> list[tuple[int, int]]:
        if not self.terms:
            return []
        spans = []
        for match in _WORD.finditer(text):
            word = fold(match.group())
            if word in self.terms or any(word.startswith(prefix) for prefix in self.prefixes):
                spans.append(match.span())
        return spans


class RankedIds(Sequence):
    """Ids of disjoint row sets taken in turn, each newest first; rows become ids on demand,
    so the UI's first screen costs a few hundred bit operations, not 100,000 conversions."""

    def __init__(
        self, ids: Sequence[str], chunks: list[int], total: int, row_of: Mapping[str, int]
    ):
        self._ids = ids
        self._chunks = [chunk for chunk in chunks if chunk]
        self._all_chunks = tuple(self._chunks)
        self._rows: list[int] = []
        self._total = total
        self._row_of = row_of

    def __len__(self) -> int:
        return self._total

    def _fill(self, count: int) -> None:
        while len(self._rows) < count and self._chunks:
            chunk = self._chunks[0]
            wanted = count - len(self._rows)
            if wanted <= _BULK:
                head = bits.first_rows(chunk, wanted)
                self._rows.extend(head)
                rest = chunk >> (head[-1] + 1) << (head[-1] + 1)
                if rest:
                    self._chunks[0] = rest
                else:
                    self._chunks.pop(0)
            else:
                self._rows.extend(bits.to_rows(chunk))
                self._chunks.pop(0)

    def over(self, ids: Sequence[str]) -> bool:
        """Whether these are rows of the table whose ids are ``ids``."""
        return self._ids is ids

    def rows(self, count: int) -> list[int]:
        """The table rows of the first ``count`` papers."""
        self._fill(count)
        return self._rows[:count]

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self._total)
            self._fill(max(start, stop) if step > 0 else self._total)
            return [self._ids[row] for row in self._rows[index]]
        if index < 0:
            index += self._total
        if not 0 <= index < self._total:
            raise IndexError(index)
        self._fill(index + 1)
        return self._ids[self._rows[index]]

    def __iter__(self):
        self._fill(self._total)
        return (self._ids[row] for row in self._rows)

    def index(self, paper_id: str, start: int = 0, stop: int | None = None) -> int:
        """Where a paper is, from a bit test and counts: the UI keeps its cursor on a paper
        after every keystroke, and turning 100,000 rows into ids to find it took 15-30 ms."""
        row = self._row_of.get(paper_id)
        if row is not None:
            bit, before = 1 << row, 0
            for chunk in self._all_chunks:
                if chunk & bit:
                    position = before + (chunk & (bit - 1)).bit_count()
                    if start <= position and (stop is None or position < stop):
                        return position
                    break
                before += chunk.bit_count()
        raise ValueError(f"{paper_id!r} is not in the result")


class SortedIds(Sequence):
    """Ids of a row set in a precomputed order (``sort:title`` etc.), scanned lazily."""

    def __init__(
        self,
        ids: Sequence[str],
        members: int,
        order: Sequence[int],
        reverse: bool,
        total: int,
        row_of: Mapping[str, int],
    ):
        self._ids = ids
        self._row_of = row_of
        self._total = total
        self._order = order
        self._reverse = reverse
        self._members = members
        self._rows: list[int] | None = None

    def __len__(self) -> int:
        return self._total

    def _all_rows(self) -> list[int]:
        if self._rows is None:
            present = self._members.to_bytes((self._members.bit_length() + 7) // 8 or 1, "little")
            limit = len(present) * 8
            order = reversed(self._order) if self._reverse else self._order
            self._rows = [
                row for row in order if row < limit and present[row >> 3] >> (row & 7) & 1
            ]
        return self._rows

    def over(self, ids: Sequence[str]) -> bool:
        """Whether these are rows of the table whose ids are ``ids``."""
        return self._ids is ids

    def rows(self, count: int) -> list[int]:
        """The table rows of the first ``count`` papers."""
        return self._all_rows()[:count]

    def __getitem__(self, index):
        rows = self._all_rows()
        if isinstance(index, slice):
            return [self._ids[row] for row in rows[index]]
        return self._ids[rows[index]]

    def __iter__(self):
        return (self._ids[row] for row in self._all_rows())

    def index(self, paper_id: str, start: int = 0, stop: int | None = None) -> int:
        """Rows compared as numbers: no id is made for the papers before it."""
        row = self._row_of.get(paper_id)
        if row is None:
            raise ValueError(f"{paper_id!r} is not in the result")
        return self._all_rows().index(row, start, len(self) if stop is None else stop)
