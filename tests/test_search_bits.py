"""Row sets as ints: the first rows of a result (the first screen of a search) are its lowest."""

import random

import pytest

from triage.search import bits


@pytest.mark.parametrize("density", [0.9, 0.1, 0.003, 0.0002, 0.0])
def test_first_rows_are_the_lowest_rows_of_any_set(density):
    rng = random.Random(14)
    for size in [1, 2, 700, 1024, 1025, 5_000, 200_000]:
        rows = [row for row in range(size) if rng.random() < density]
        rows += rng.sample(range(size), min(size, 2))  # some rows even at density 0
        if size > 3:
            rows.append(size - 1)
        rows = sorted(set(rows))
        chosen = bits.from_rows(rows, size)
        for count in [1, 2, 199, 200, len(rows), len(rows) + 5]:
            assert bits.first_rows(chosen, count) == rows[:count]


def test_first_rows_of_nothing_is_nothing():
    assert bits.first_rows(0, 200) == []
    assert bits.first_rows((1 << 3) | (1 << 5000), 0) == []
