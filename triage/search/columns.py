"""Columns of the search's in-memory table (:mod:`.table`) held compactly, and found by id.

The table's copy is read at every open: a million rows of a list of days (one reference
each) took ~8 ms to unpickle, as an array of day numbers well under 1 ms.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import compress, count, repeat
from typing import overload

from triage.store.id_column import IdColumn

SCANNED_PAPERS = 4  # papers whose rows are found one by one (list.index), before scanning once
SCANS = 3  # passes over every id to find papers' rows, before making the dict instead
SEARCHED_PAPERS = 32  # papers found at once one by one in an IdColumn's text (below)
DROPPED_DICT_SHARE = 8  # a segment of one in this many papers or more is mapped by a dropped dict


def rowid_array(rowids: Iterable[int]) -> array:
    """Rowids as 32-bit numbers while they fit (SQLite's rowids of a growing table do)."""
    values = rowids if isinstance(rowids, array) else list(rowids)
    return array(
        "I" if max(values, default=0) < 2**32 and min(values, default=0) >= 0 else "q", values
    )


class DayColumn(Sequence[str]):
    """ISO days, one a row, as numbers into the distinct days."""

    def __init__(self, days: list[str], numbers: array) -> None:
        self._days = days
        self._numbers = numbers

    @classmethod
    def of(cls, values: Iterable[str]) -> DayColumn:
        values = list(values)
        days = sorted(set(values))
        number = {day: at for at, day in enumerate(days)}
        typecode = "H" if len(days) < 2**16 else "I"
        return cls(days, array(typecode, map(number.__getitem__, values)))

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._days[number] for number in self._numbers[index]]
        return self._days[self._numbers[index]]

    def __len__(self) -> int:
        return len(self._numbers)

    def __iter__(self) -> Iterator[str]:
        return map(self._days.__getitem__, self._numbers)


class PaperRows(Mapping[str, int]):
    """Paper id -> row of one list of ids. The dict is made on first need (~0.4 s at 1,000,000
    papers, which listing a query's papers does without); until then the rows of the papers
    another terminal changed are found by scanning the ids in C: one paper by ``list.index``,
    more in one pass (~45 ms at 1,000,000), a few times before the dict pays. Ids packed in an
    :class:`~triage.store.id_column.IdColumn` (as the saved table has them) are searched for
    in its one string instead, up to ``SEARCHED_PAPERS`` at once: ~0.1 ms a paper at 100,000
    where a pass, which makes a str of every id, takes ~18 ms (23 papers changed elsewhere
    since the table was saved: every `triage list` caught up with them in a pass)."""

    __slots__ = ("_found", "_ids", "_rows", "_scans")

    def __init__(self, ids: Sequence[str]) -> None:
        self._ids = ids
        self._rows: dict[str, int] | None = None
        self._found: dict[str, int | None] = {}  # by scanning
        self._scans = 0

    @property
    def rows(self) -> dict[str, int]:
        if self._rows is None:
            self._rows = dict(zip(self._ids, range(len(self._ids))))
            self._found = {}
        return self._rows

    def find(self, papers: Iterable[str]) -> bool:
        """Look up the rows of these papers in one pass: the lookups that follow are answered
        from what it found. False when the dict answers them instead (made, or worth making:
        scanning again would cost more)."""
        if self._rows is not None:
            return False
        wanted = set(papers).difference(self._found)
        searched = isinstance(self._ids, IdColumn) and len(wanted) <= SEARCHED_PAPERS
        if searched or (len(wanted) == 1 and len(self._found) < SCANNED_PAPERS):
            for paper in wanted:
                try:
                    self._found[paper] = self._ids.index(paper)
                except ValueError:
                    self._found[paper] = None
        elif wanted and self._scans >= SCANS:
            return False
        elif wanted:
            self._scans += 1
            self._found.update(dict.fromkeys(wanted))
            ids = self._ids
            for row in compress(count(), map(wanted.__contains__, ids)):
                self._found[ids[row]] = row
        return True

    def get(self, paper: str, default: int | None = None) -> int | None:  # type: ignore[override]
        if self._rows is not None or not (paper in self._found or self.find((paper,))):
            return self.rows.get(paper, default)
        row = self._found[paper]
        return default if row is None else row

    def rows_of(self, papers: Sequence[str], missing: int) -> list[int]:
        """The row of each paper (``missing`` for one not in the list)."""
        if not self.find(papers):
            return list(map(self.rows.get, papers, repeat(missing)))
        found = self._found
        return [missing if (row := found[paper]) is None else row for paper in papers]

    def rows_of_segment(self, papers: Sequence[str], missing: int) -> list[int]:
        """:meth:`rows_of` for the papers of an index segment: one of many papers (a whole
        build's: a million) is mapped through a dict made for it and dropped, as kept it would
        hold ~100 MB for the session, and the few papers changed later are found without it."""
        if self._rows is not None or len(papers) * DROPPED_DICT_SHARE < len(self._ids):
            return self.rows_of(papers, missing)
        rows = dict(zip(self._ids, range(len(self._ids))))
        return list(map(rows.get, papers, repeat(missing)))

    def __getitem__(self, paper: str) -> int:
        row = self.get(paper)
        if row is None:
            raise KeyError(paper)
        return row

    def __contains__(self, paper: object) -> bool:
        return isinstance(paper, str) and self.get(paper) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self._ids)
