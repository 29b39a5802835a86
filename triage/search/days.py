"""The rows of ``listed:`` and ``added:`` without reading every paper's date.

Rows are newest first: by the day a paper was listed, then by the time it was added. So the
papers listed between two days are one range of rows, found by bisection; and the papers added
on one day lie in runs of consecutive rows (an import adds its papers at one time), which the
store counts in one pass over the list's index: ~1,000 runs at 100,000 papers.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence


def span(start: int, end: int) -> int:
    """Rows ``start`` to ``end`` (excluded) as a bit set."""
    return ((1 << (end - start)) - 1) << start if end > start else 0


def listed_between(last_listed: Sequence[str], first: str, last: str) -> int:
    """Rows whose day (``last_listed``, newest first) is between two ISO days, inclusive."""
    rows = range(len(last_listed))
    start = bisect_left(rows, True, key=lambda row: last_listed[row] <= last)
    end = bisect_left(rows, True, lo=start, key=lambda row: last_listed[row] < first)
    return span(start, end)


class AddedDays:
    """Where the papers added on each day lie among the rows."""

    def __init__(self, spans: list[tuple[str, int, int]]) -> None:
        self.spans = spans  # (day added, first row, end row), in row order

    @classmethod
    def of(
        cls, runs: Iterable[tuple[str, str, int]], last_listed: Sequence[str]
    ) -> AddedDays | None:
        """From the store's ``runs`` (day listed, day added, how many papers) in row order;
        None when they do not fit these rows (the store changed since they were read)."""
        spans: list[tuple[str, int, int]] = []
        start = 0
        for listed, added, count in runs:
            end = start + count
            if end > len(last_listed) or not last_listed[start] == last_listed[end - 1] == listed:
                return None
            if spans and spans[-1][0] == added:
                spans[-1] = (added, spans[-1][1], end)
            else:
                spans.append((added, start, end))
            start = end
        return cls(spans) if start == len(last_listed) else None

    def between(self, first: str, last: str) -> int:
        """Rows of the papers added between two ISO days, inclusive."""
        result = 0
        run_start = run_end = 0
        for added, start, end in self.spans:
            if not first <= added <= last:
                continue
            if start != run_end:  # spans next to each other are set in one step
                result |= span(run_start, run_end)
                run_start = start
            run_end = end
        return result | span(run_start, run_end)
