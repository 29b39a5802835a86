"""A long list of paper ids held compactly: one string and an array of offsets.

A million ids as a list of str cost ~72 MB (a str object and a pointer each); here ~18 MB
(~10 MB when every id has the same length, as ids made here do: the offsets are a range),
and an id becomes a str only when it is read (the app reads the few rows it paints).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate, chain, islice
from typing import overload


class IdColumn(Sequence[str]):
    def __init__(self, text: str, ends: array[int] | range) -> None:
        self._text = text
        self._ends = ends
        """Where each id ends in `_text` (the next one starts there)."""

    @classmethod
    def of(cls, ids: Iterable[str], chunk: int = 10_000) -> IdColumn:
        """Packed a chunk at a time: never a list of all the ids."""
        parts: list[str] = []
        ends: array[int] = array("L")
        end = 0
        batch: list[str] = []
        for paper_id in ids:
            batch.append(paper_id)
            if len(batch) == chunk:
                end = cls._add(batch, parts, ends, end)
                batch = []
        cls._add(batch, parts, ends, end)
        width = ends[0] if ends else 0
        if width and ends == array("L", range(width, width * (len(ends) + 1), width)):
            return cls("".join(parts), range(width, width * (len(ends) + 1), width))
        return cls("".join(parts), ends)

    @staticmethod
    def _add(batch: list[str], parts: list[str], ends: array[int], end: int) -> int:
        # each id's end, counted from the end of the previous batch (itself left out)
        ends.extend(islice(accumulate(map(len, batch), initial=end), 1, None))
        if batch:
            parts.append("".join(batch))
            return int(ends[-1])
        return end

    def __len__(self) -> int:
        return len(self._ends)

    def _start(self, row: int) -> int:
        return self._ends[row - 1] if row else 0

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[row] for row in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("id column index out of range")
        return self._text[self._start(index) : self._ends[index]]

    def take(self, rows: Iterable[int]) -> list[str]:
        """The ids of these rows (each in range): ~4x faster than one by one."""
        text, ends = self._text, self._ends
        if isinstance(ends, range):  # every id as long (see ``of``): where each starts is a product
            width = ends.step
            return [text[start : start + width] for start in [row * width for row in rows]]
        return [text[ends[row - 1] if row else 0 : ends[row]] for row in rows]

    def __iter__(self) -> Iterator[str]:
        text = self._text
        starts = chain((0,), self._ends)  # each id starts where the one before it ends
        return map(text.__getitem__, map(slice, starts, self._ends))

    def __contains__(self, value: object) -> bool:
        try:
            self.index(value)
        except ValueError:
            return False
        return True

    def index(self, value: object, start: int = 0, stop: int | None = None) -> int:
        """A scan of the one string (in C), not of a million objects."""
        stop = len(self) if stop is None else min(stop, len(self))
        if not isinstance(value, str) or not value or start >= stop:
            raise ValueError(f"{value!r} is not in the list")
        found = self._text.find(value, self._start(start), self._ends[stop - 1])
        while found != -1:
            row = bisect_left(self._ends, found + len(value))
            if self._start(row) == found and self._ends[row] == found + len(value):
                return row
            found = self._text.find(value, found + 1, self._ends[stop - 1])
        raise ValueError(f"{value!r} is not in the list")
