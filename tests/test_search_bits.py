"""Row sets as ints: the first rows of a result (the first screen of a search) are its lowest."""

import random

import pytest

from triage.search import bits, days
from triage.search.columns import SCANS, DayColumn, PaperRows
from triage.store.id_column import IdColumn


@pytest.mark.parametrize("density", [0.9, 0.3, 0.1, 0.003, 0.0002, 0.0])
def test_first_rows_are_the_lowest_rows_of_any_set(density):
    rng = random.Random(14)
    for size in [1, 2, 700, 1024, 1025, 5_000, 200_000]:
        rows = [row for row in range(size) if rng.random() < density]
        rows += rng.sample(range(size), min(size, 2))  # some rows even at density 0
        if size > 3:
            rows.append(size - 1)
        rows = sorted(set(rows))
        chosen = bits.from_rows(rows, size)
        assert bits.to_rows(chosen) == rows  # dense sets bit by bit, sparse ones by bytes
        for count in [1, 2, 199, 200, len(rows), len(rows) + 5]:
            assert bits.first_rows(chosen, count) == rows[:count]


def test_first_rows_of_nothing_is_nothing():
    assert bits.first_rows(0, 200) == []
    assert bits.first_rows((1 << 3) | (1 << 5000), 0) == []


@pytest.mark.parametrize("packed", [False, True])  # a list, or an IdColumn searched in its text
def test_papers_rows_are_the_same_found_one_by_one_by_scanning_or_from_the_dict(packed):
    ids = [f"{number:08x}" for number in range(500)]
    wanted = [ids[3], "unknown", ids[499], ids[0], *ids[100:200]]
    expected = [3, -1, 499, 0, *range(100, 200)]
    rows = PaperRows(IdColumn.of(ids) if packed else ids)
    across = ids[5][4:] + ids[6][:4]  # the end of one id and the start of the next: no id
    assert rows.rows_of([ids[9], across, ids[10]], -1) == [9, -1, 10]
    assert rows.get(ids[7]) == 7 and rows.get("gone") is None  # one by one
    for _ in range(SCANS + 1):  # by scanning, then from the dict
        assert rows.rows_of(wanted, -1) == expected
        assert [rows.get(paper, -1) for paper in wanted] == expected
        wanted = [*wanted, f"other{_}"]
        expected = [*expected, -1]
    assert "unknown" not in rows and ids[250] in rows and rows[ids[250]] == 250


def test_a_table_column_of_days_reads_as_the_days_it_was_made_of():
    listed = ["2026-11-21"] * 3 + ["2026-11-20"] * 2 + ["2025-01-01"]  # newest first
    column = DayColumn.of(listed)
    assert list(column) == listed and len(column) == 6
    assert column[3] == "2026-11-20" and column[1:4] == listed[1:4]
    assert days.listed_between(column, "2026-11-20", "2026-11-20") == bits.from_rows([3, 4], 6)
