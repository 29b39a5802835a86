"""`listed:` and `sort:listed` use a paper's date as the list shows it (its latest listing, an
undated one counting as the day it was imported); `added:` and `listed:` read ages too."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
import time_machine
from clock import NOON

from triage.search import SearchIndex
from triage.store import Store, paper_id

pytestmark = pytest.mark.usefixtures("whoosh_mode")

TWICE = ("Diffusion Models for Video Generation", "Listed on the first and the third.")
ONCE = ("Graph Neural Networks at Scale", "Listed on the second only.")
COMPACT = ("Okapi Retrieval Revisited", "From a compact dump: no date.")
P, Q, R = (paper_id(title) for title, _ in (TWICE, ONCE, COMPACT))
TODAY = NOON.date()  # the day the store gives an undated listing


def day(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


@pytest.fixture(scope="module")
def index(tmp_path_factory, whoosh_mode):
    """P listed on Oct 1 and Oct 3, Q on Oct 2, R in a compact dump today. Added: P today,
    Q exactly 7 days ago, R 30 days ago."""
    home = tmp_path_factory.mktemp("dates")
    with pytest.MonkeyPatch.context() as patch, time_machine.travel(NOON):
        patch.setenv("TRIAGE_CACHE_DIR", str(home / "cache"))
        path = home / "library.db"
        with Store(path) as store:
            store.add_papers([TWICE], source="oct-01.txt", listed_on="2026-10-01")
            store.add_papers([ONCE], source="oct-02.txt", listed_on="2026-10-02")
            store.add_papers([TWICE], source="oct-03.txt", listed_on="2026-10-03")
            store.add_papers([COMPACT], source="compact.txt", listed_on=None)
        with sqlite3.connect(path) as conn:  # as if imported on earlier days
            for paper, days_ago in ((Q, 7), (R, 30)):
                conn.execute(
                    "UPDATE papers SET added_at = ? WHERE id = ?",
                    [f"{day(days_ago)}T12:00:00.000000Z", paper],
                )
        opened = SearchIndex.open(path)
        yield opened
        opened.close()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", [R, P, Q]),  # the default order: the compact paper is today's, P is Oct 3's
        ("sort:listed", [R, P, Q]),
        ("sort:-listed", [Q, P, R]),
        ("listed:2026-10-03", [P]),
        ("listed:2026-10-01", []),  # P's first listing is not its date
        ("listed:2026-10-02", [Q]),
        ("listed:<2026-10-03", [Q]),
        ("listed:2026-10-01..2026-10-02", [Q]),
        ("listed:2026-10", [P, Q]),
        ("listed:today", [R]),
        ("listed:7d", [R]),
        ("listed:>7d", [P, Q]),
    ],
)
def test_listed_selects_and_sorts_by_the_date_the_list_shows(index, query, expected):
    result = index.search(query)
    assert list(result.ids) == expected
    assert result.hint is None


@pytest.mark.parametrize(
    "query, expected",
    [
        ("added:today", [P]),
        ("added:7d", [P]),  # within the last 7 days: today and the 6 before
        ("added:<7d", [P]),
        ("added:<=7d", [P, Q]),
        ("added:>7d", [R]),  # more than 7 days ago
        ("added:>=7d", [Q, R]),
        ("added:>1w", [R]),
        ("added:<2m", [P, Q, R]),
        ("added:30d..7d", [Q, R]),
        ("added:7d..30d", [Q, R]),  # either order
        (f"added:{day(30)}..{day(7)}", [Q, R]),
        (f"added:>{day(7)}", [P]),  # after that day
    ],
)
def test_added_reads_ages_and_comparisons_of_ages(index, query, expected):
    result = index.search(query)
    assert sorted(result.ids) == sorted(expected)
    assert result.hint is None


@pytest.mark.parametrize("query", ["added:>7x", "listed:..", "added:7days", "listed:2026-13"])
def test_a_date_the_parser_cannot_read_gets_a_hint(index, query):
    result = index.search(query)
    assert "is not a date" in (result.hint or "")
    assert result.total == 3  # the date is left out, the rest still filters


# -- many papers over many days: each filter agrees with the dates the store gives each paper

DAYS = [f"2026-09-{day:02d}" for day in range(1, 31)]
FILTERS = [
    *(f"{kind}:{day}" for kind in ("added", "listed") for day in DAYS[::7]),
    "added:2026-09",
    "listed:2026-09-03..2026-09-17",
    "added:>2026-09-20",
    "listed:<2026-09-05",
    "added:2026",
    "listed:2025",
]


def add_day(store, monkeypatch, number, listed_on, added_on):
    """A dump of 80 papers listed on ``listed_on`` (half of them new, half from the day
    before), imported on ``added_on``."""
    monkeypatch.setattr("triage.store.writes.now", lambda: f"{added_on}T08:00:00.000000Z")
    titles = [(f"Paper {count} of {number}", "An abstract.") for count in range(40)]
    titles += [(f"Paper {count} of {number - 1}", "An abstract.") for count in range(40, 80)]
    store.add_papers(titles, source=f"day-{number}.txt", listed_on=listed_on)


def expected_ids(store, query):
    kind, _, value = query.partition(":")
    papers = store.papers()
    if value.startswith(">"):
        wanted = [p for p in papers if _date(p, kind) > value[1:]]
    elif value.startswith("<"):
        wanted = [p for p in papers if _date(p, kind) < value[1:]]
    elif ".." in value:
        first, last = value.split("..")
        wanted = [p for p in papers if first <= _date(p, kind) <= last]
    else:
        wanted = [p for p in papers if _date(p, kind).startswith(value)]
    return [paper.id for paper in wanted]


def _date(paper, kind):
    return paper.added_at[:10] if kind == "added" else paper.listed_on


def test_date_filters_are_right_on_first_use_and_after_papers_change(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIAGE_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "library.db"
    with Store(path) as store:  # listed on one day, imported on the same or a later day
        for number, day in enumerate(DAYS[:20]):
            add_day(store, monkeypatch, number, day, DAYS[min(number + number % 3, 29)])
    index = SearchIndex.open(path)
    index.close()  # the rows as saved for the next start
    index = SearchIndex.open(path)
    try:
        with Store(path) as store:
            for query in FILTERS:
                assert list(index.search(query).ids) == expected_ids(store, query), query
            # another program imports more days: new papers, and papers listed again
            for number, day in enumerate(DAYS[20:], start=20):
                add_day(store, monkeypatch, number, day, day)
            store.mark([store.ids_newest_first()[-1]], star=True)
            index.catch_up()  # as the app and the CLI do before they search
            for query in FILTERS:
                assert list(index.search(query).ids) == expected_ids(store, query), query
    finally:
        index.close()
