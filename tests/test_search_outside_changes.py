"""Changes made outside the open index (another terminal, another connection, an older triage,
a restored backup) reach the next search; those the store can name cost no comparison of
every paper."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest
from search_fixtures import open_watching_writes, watch_full_comparisons

from triage.search import SearchIndex, engine, indexstate, table
from triage.store import Reader, Store, paper_id

pytestmark = pytest.mark.usefixtures("whoosh_mode")

PAPERS = [
    ("Diffusion Models for Video Generation", "We study diffusion in video synthesis."),
    ("Graph Neural Networks at Scale", "Message passing on large graphs."),
    ("Okapi Retrieval", "Sparse retrieval with okapi."),
]
A, G, OKAPI = (paper_id(title) for title, _ in PAPERS)


@pytest.fixture
def library(tmp_path):
    path = tmp_path / "library.db"
    with Store(path) as store:
        store.add_papers(PAPERS, source="2026-11-01.txt", listed_on="2026-11-01")
    SearchIndex.open(path).close()
    return path


def found(index, query):
    return sorted(index.search(query).ids)


def test_a_mark_and_a_deletion_elsewhere_reach_the_next_search_without_comparing_every_paper(
    library, monkeypatch
):
    compared = watch_full_comparisons(monkeypatch)
    index = SearchIndex.open(library)
    try:
        with Store(library) as other:
            other.mark([G], star=True, note="pangolin", add_tags=["zoo"])
            other.delete_papers([OKAPI])
        assert index.catch_up() == 2
        assert found(index, "pangolin") == [G]
        assert found(index, "is:starred tag:zoo") == [G]
        assert found(index, "okapi") == []
        assert found(index, "") == sorted([A, G])
    finally:
        index.close()
    assert compared == []


def test_marks_behind_a_closed_index_are_caught_up_by_the_next_open_alone(library, monkeypatch):
    with Store(library) as other:
        other.mark([A], note="walrus")
    compared = watch_full_comparisons(monkeypatch)
    index, written, rebuilt = open_watching_writes(library, monkeypatch)
    try:
        assert found(index, "walrus") == [A]
    finally:
        index.close()
    assert (compared, rebuilt, written) == ([], [], [A])
    with Store(library) as other:
        other.mark([A], note="narwhal")
    for _ in range(2):  # the second time from the state the first one left
        reopened = SearchIndex.open(library)
        try:
            assert found(reopened, "narwhal") == [A]
            assert found(reopened, "walrus") == []
        finally:
            reopened.close()
    assert compared == []


def test_many_marks_elsewhere_are_indexed_by_one_open_and_not_again_by_the_next(
    library, monkeypatch
):
    monkeypatch.setattr(engine, "FLUSH_AT", 2)  # as 200 papers marked in another terminal
    with Store(library) as other:
        other.mark([A, G, OKAPI], add_tags=["walrus"])
    index, written, _ = open_watching_writes(library, monkeypatch)
    try:
        assert found(index, "walrus") == sorted([A, G, OKAPI])
    finally:
        index.close(save=False)
    assert sorted(written) == sorted([A, G, OKAPI])
    written.clear()
    reopened = SearchIndex.open(library)
    try:
        assert found(reopened, "walrus") == sorted([A, G, OKAPI])
        assert reopened.catch_up() == 0
    finally:
        reopened.close(save=False)
    assert written == []


def test_a_copy_far_behind_is_saved_by_the_open_that_catches_it_up(library, monkeypatch):
    """Finding the rows of the papers changed elsewhere since the table's copy reads ids, ~O(N)
    a paper: once that costs more than a save, the open that caught up saves the copy, and the
    next one has nothing to catch up (23 papers of a million: every `triage list` ~33 ms
    slower; 3,088: ~0.25 s, until 20,000 had changed)."""
    monkeypatch.setattr(table, "SAVE_LOOKUPS", 2 * len(PAPERS))
    with Store(library) as other:
        other.mark([A], star=True)  # one behind: not worth a save
    behind = []
    for _ in range(2):
        index = SearchIndex.open(library)
        try:
            behind.append(index.table.unsaved)
            assert found(index, "is:starred") == [A]
        finally:
            index.close(save=False)  # as the app quits
    with Store(library) as other:
        other.mark([G], star=True)
    for _ in range(2):
        index = SearchIndex.open(library)
        try:
            behind.append(index.table.unsaved)
            assert found(index, "is:starred") == sorted([A, G])
        finally:
            index.close(save=False)
    assert behind[0] == behind[1] > 0  # caught up again by each open
    assert behind[2:] == [0, 0]  # saved


def test_a_change_written_by_plain_sql_as_an_older_triage_would_is_caught_up(library):
    index = SearchIndex.open(library)
    try:
        conn = sqlite3.connect(library)  # no triage code: what the file itself does
        with conn:
            conn.execute("INSERT INTO annotations (paper_id, note) VALUES (?, 'quokka')", [A])
            conn.execute("UPDATE papers SET version = 'older-triage' WHERE id = ?", [A])
            conn.execute("UPDATE meta SET value = 'older-token' WHERE key = 'change_token'")
        conn.close()
        assert index.catch_up() == 1
        assert found(index, "quokka") == [A]
    finally:
        index.close()


def test_a_restored_backup_is_caught_up_in_full(library, tmp_path, monkeypatch):
    backup = tmp_path / "backup.db"
    shutil.copy(library, backup)
    with Store(library) as store:
        store.mark([A], star=True, note="capybara")
    index = SearchIndex.open(library)
    try:
        assert found(index, "is:starred") == [A]
        compared = watch_full_comparisons(monkeypatch)
        restored = tmp_path / "restored.db"
        shutil.copy(backup, restored)
        with Store(restored) as store:  # changed after the restore: as many changes as lost
            store.mark([G], note="wombat")
        os.replace(restored, library)
        index.catch_up()
        assert compared == [True]  # the backup never went through the index's state
        assert found(index, "is:starred") == []
        assert found(index, "capybara") == []
        assert found(index, "wombat") == [G]
    finally:
        index.close()
    reopened = SearchIndex.open(library)
    try:
        assert found(reopened, "capybara") == []
        assert found(reopened, "wombat") == [G]
    finally:
        reopened.close()


def test_a_file_from_another_history_replacing_the_db_is_caught_up_in_full(library, tmp_path):
    index = SearchIndex.open(library)
    try:
        other = tmp_path / "other.db"  # the same papers, imported on another machine
        with Store(other) as store:
            store.add_papers(PAPERS[:2], source="2026-11-01.txt", listed_on="2026-11-01")
            store.mark([A], note="narwhal")
        os.replace(other, library)
        index.catch_up()
        assert found(index, "narwhal") == [A]
        assert found(index, "okapi") == []
        assert found(index, "") == sorted([A, G])
    finally:
        index.close()


def test_versions_kept_through_many_commits_spare_a_full_comparison_any_re_indexing(
    library, monkeypatch
):
    # the journal folded into the state as soon as it outgrows it (here: after a few commits)
    monkeypatch.setattr(indexstate, "JOURNAL_MIN_BYTES", 0)
    words = ["aardvark", "bison", "cheetah", "capybara", "walrus", "narwhal"]
    for round, word in enumerate(words):
        with Store(library) as other:
            other.mark([(A, G, OKAPI)[round % 3]], note=word)
        SearchIndex.open(library).close()
    with Store(library) as other, other.write():
        pass  # a change of no paper
    # a store that cannot say what changed: every paper's version is compared
    monkeypatch.setattr(Reader, "changes_since", lambda self, token: (self.change_token(), None))
    compared = watch_full_comparisons(monkeypatch)
    index, written, rebuilt = open_watching_writes(library, monkeypatch)
    try:
        assert [found(index, word) for word in ("capybara", "walrus", "narwhal")] == [
            [A],
            [G],
            [OKAPI],
        ]
    finally:
        index.close()
    assert (compared, rebuilt, written) == ([True], [], [])


QUERIES = ["", "is:starred", "tag:zoo", "has:note", "state:read", "retrieval", "sort:title", "new"]


@pytest.mark.parametrize("day", ["2026-11-05", "2026-10-01"])  # the latest day, an older one
def test_papers_imported_elsewhere_take_their_place_and_marks_stay(library, day):
    with Store(library) as store:
        store.mark([G], star=True, add_tags=["zoo"], state="read", note="kept")
    index = SearchIndex.open(library)
    try:
        index.search("sort:title")  # an order kept from before the import
        with Store(library) as other:
            other.add_papers(
                [("New Retrieval Tricks", "Dense retrieval."), ("New Graph Ideas", "Graphs.")],
                source="later.txt",
                listed_on=day,
            )
            other.mark([paper_id("New Graph Ideas")], star=True)
        assert index.catch_up() == 2
        seen = {query: list(index.search(query).ids) for query in QUERIES}
    finally:
        index.close()
    fresh = SearchIndex.open(library, rebuild=True)
    try:
        assert seen == {query: list(fresh.search(query).ids) for query in QUERIES}
    finally:
        fresh.close()
    assert sorted(seen["is:starred"]) == sorted([G, paper_id("New Graph Ideas")])
    assert seen["tag:zoo"] == seen["has:note"] == seen["state:read"] == [G]
    new = {paper_id("New Graph Ideas"), paper_id("New Retrieval Tricks")}
    assert (set(seen[""][:2]) == new) == (day == "2026-11-05")  # the latest day: at the top


def test_an_index_the_change_log_lost_track_of_reads_every_paper_once_not_at_every_start(
    library, monkeypatch
):
    with Store(library) as store:
        store.mark([A], note="narwhal")
    conn = sqlite3.connect(library)  # as after more writes than the log keeps: only the latest
    with conn:
        conn.execute("DELETE FROM change_log WHERE id < (SELECT max(id) FROM change_log)")
    conn.close()
    compared = watch_full_comparisons(monkeypatch)
    read_whole: list[bool] = []
    load = table.Table.load
    monkeypatch.setattr(table.Table, "load", lambda self: (read_whole.append(True), load(self)))
    for _ in range(2):  # two starts of the app, which quits without saving
        index = SearchIndex.open(library)
        try:
            assert found(index, "narwhal") == [A]
        finally:
            index.close(save=False)
    assert read_whole == [True]
    assert compared == [True]
