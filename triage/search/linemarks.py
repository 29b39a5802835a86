"""The marks `triage list` shows beside each line, from the search's table (see
:func:`line_marks`)."""

from __future__ import annotations

from collections.abc import Sequence

from triage.search.table import Table
from triage.store import DEFAULT_STATE
from triage.store.lines import LineMarks


def line_marks(table: Table, rows: Sequence[int]) -> dict[int, LineMarks]:
    """The marks (starred, state, tags A-Z) of those of these rows that have any (a star, a
    state but the default one, a tag), by their place in ``rows``: `triage list` shows them
    without a look-up per paper in the store (33,806 papers of a million: ~70 ms of SQLite).
    The sets are read as bytes, a bit test a row: which rows have any mark (most have
    none), then which marks those have, a tag's only on rows with a tag (~6 ms at a
    million papers; listing each set's rows, a pass over its million bits each, took ~23)."""
    size = (table.size + 7) // 8

    def flags(members: int) -> bytes:
        return members.to_bytes(max(size, (members.bit_length() + 7) // 8), "little")

    any_state = any_tag = 0
    for name, members in table.state.items():
        if name != DEFAULT_STATE:  # every row is in one state's set: the rest in the default's
            any_state |= members
    for members in table.tags.values():
        any_tag |= members
    marked = flags(table.starred | any_state | any_tag)
    hits = [(at, row) for at, row in enumerate(rows) if marked[row >> 3] >> (row & 7) & 1]
    starred = [False] * len(hits)
    state = [DEFAULT_STATE] * len(hits)
    tags: list[list[str]] = [[] for _ in hits]
    marked = flags(table.starred)
    for hit, (_, row) in enumerate(hits):
        if marked[row >> 3] >> (row & 7) & 1:
            starred[hit] = True
    for name, members in table.state.items():
        if name != DEFAULT_STATE:
            marked = flags(members)
            for hit, (_, row) in enumerate(hits):
                if marked[row >> 3] >> (row & 7) & 1:
                    state[hit] = name
    marked = flags(any_tag)
    tagged = [(hit, row) for hit, (_, row) in enumerate(hits) if marked[row >> 3] >> (row & 7) & 1]
    for tag in sorted(table.tags):  # as the store orders them (its text compares the same)
        marked = flags(table.tags[tag])
        for hit, row in tagged:
            if marked[row >> 3] >> (row & 7) & 1:
                tags[hit].append(tag)
    return {
        at: (star, name, names)
        for (at, _), star, name, names in zip(hits, starred, state, tags, strict=True)
    }
