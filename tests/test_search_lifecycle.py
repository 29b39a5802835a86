"""Opening in unusual states: an empty library, a DB file replaced on disk while open."""

from __future__ import annotations

import json
import os

import pytest
from search_fixtures import open_watching_writes, watch_full_comparisons

from triage.core.paths import cache_dir_for
from triage.search import SearchIndex
from triage.store import Store, StoreError, paper_id

pytestmark = pytest.mark.usefixtures("whoosh_mode")

PAPERS = [
    ("Diffusion Models for Video Generation", "We study diffusion in video synthesis."),
    ("Graph Neural Networks at Scale", "Message passing on large graphs."),
]
A, G = (paper_id(title) for title, _ in PAPERS)


def found(index, query):
    return sorted(index.search(query).ids)


@pytest.mark.parametrize("announce", ["papers_changed", "catch_up"])
def test_an_empty_library_opens_and_finds_papers_imported_later(tmp_path, announce):
    path = tmp_path / "library.db"
    index = SearchIndex.open(path)
    try:
        for query in ("", "d", "diffusion", '"video generation"', "is:starred", "sort:title x"):
            result = index.search(query)
            assert (result.total, list(result.ids)) == (0, []), query
            assert "failed" not in (result.hint or ""), query
        with Store(path) as store:
            store.add_papers(PAPERS, source="2026-11-01.txt", listed_on="2026-11-01")
        if announce == "papers_changed":
            index.papers_changed([A, G])
        else:
            assert index.catch_up() == 2
        assert found(index, "diff") == [A]
        assert found(index, "graphs") == [G]
        assert found(index, "") == sorted([A, G])
    finally:
        index.close()
    reopened = SearchIndex.open(path)
    try:
        assert found(reopened, "video") == [A]
    finally:
        reopened.close()


def _synced_copy(path, tmp_path, change):
    """A copy of the DB changed elsewhere, then moved over it as a sync client does."""
    copy = tmp_path / "incoming.db"
    with Store(path) as store:
        store.conn.execute(f"VACUUM INTO '{copy}'")
    with Store(copy) as store:
        change(store)
    os.replace(copy, path)


@pytest.fixture
def library(tmp_path):
    path = tmp_path / "library.db"
    with Store(path) as store:
        store.add_papers(PAPERS, source="2026-11-01.txt", listed_on="2026-11-01")
        store.add_papers(
            [("Okapi Retrieval", "Sparse retrieval.")], source="x.txt", listed_on="2026-11-02"
        )
    return path


def test_catch_up_reads_a_db_file_replaced_while_open(library, tmp_path):
    index = SearchIndex.open(library)
    try:
        assert found(index, "narwhal") == []
        _synced_copy(
            library,
            tmp_path,
            lambda store: (
                store.mark([G], note="from the laptop: narwhal"),
                store.mark([A], star=True),
            ),
        )
        assert index.catch_up() == 2  # only the papers changed in the copy
        assert found(index, "narwhal") == [G]
        assert found(index, "is:starred") == [A]
        _synced_copy(library, tmp_path, lambda store: None)
        assert index.catch_up() == 0  # an identical copy changes nothing
        _synced_copy(library, tmp_path, lambda store: store.mark([A], star=False))
        assert index.catch_up() == 1
        assert found(index, "is:starred") == []
        assert found(index, "narwhal") == [G]
    finally:
        index.close()


def test_a_replacing_file_that_is_not_a_db_is_reported_and_the_old_one_still_served(
    library, tmp_path
):
    index = SearchIndex.open(library)
    try:
        junk = tmp_path / "junk.db"
        junk.write_text("not a database at all")
        os.replace(junk, library)
        with pytest.raises(StoreError, match="not an SQLite database"):
            index.catch_up()
        assert found(index, "graphs") == [G]
    finally:
        index.close()
    assert library.read_text() == "not a database at all"  # never overwritten


def test_an_index_with_the_earlier_one_line_state_file_is_caught_up_not_rebuilt(
    library, monkeypatch
):
    SearchIndex.open(library).close()
    state = cache_dir_for(library, "index") / "state.json"
    header, _, versions = state.read_text().partition("\n")
    state.write_text(json.dumps({**json.loads(header), "versions": json.loads(versions)}))
    with Store(library) as store:
        store.mark([G], note="okapi sighting")
    index, written, rebuilt = open_watching_writes(library, monkeypatch)
    try:
        assert found(index, "sighting") == [G]
    finally:
        index.close()
    assert (rebuilt, written) == ([], [G])


def test_reopening_an_up_to_date_index_answers_as_before_closing(library):
    queries = ["", "scale", "retrieval", "is:starred", "okapi", "note:capybara", "diff OR graphs"]
    queries += ["sort:title", "sort:-title", "sort:added", "sort:upvotes"]  # orders saved too
    index = SearchIndex.open(library)
    try:
        with Store(library) as store:
            store.mark([G], star=True, note="capybara")
            store.mark([A], state="read")
        index.papers_changed([G, A])
        index.flush()  # G and A re-indexed: their old documents are deleted
        before = {query: list(index.search(query).ids) for query in queries}
    finally:
        index.close()
    assert before["note:capybara"] == [G]
    for _ in range(2):  # the second time from the state saved by the first close
        reopened = SearchIndex.open(library)
        try:
            assert {query: list(reopened.search(query).ids) for query in queries} == before
        finally:
            reopened.close()


def test_a_store_change_that_touched_no_paper_costs_no_comparison_and_later_changes_are_caught_up(
    library, monkeypatch
):
    SearchIndex.open(library).close()
    with Store(library) as store, store.write():
        pass  # e.g. an SQL index added by a newer triage: no paper changes
    compared = watch_full_comparisons(monkeypatch)
    index, written, rebuilt = open_watching_writes(library, monkeypatch)
    index.close()
    assert (rebuilt, written, compared) == ([], [], [])
    with Store(library) as store:
        store.mark([A], note="walrus")
    reopened = SearchIndex.open(library)
    try:
        assert found(reopened, "walrus") == [A]
        assert found(reopened, "wal") == [A]
    finally:
        reopened.close()
    assert compared == []
