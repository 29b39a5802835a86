"""Deleting papers: gone with everything about them, back on undo, and still gone after a merge
with a copy that has them (unless someone worked on them there after the deletion)."""

from __future__ import annotations

import shutil

import pytest

from triage.store import Entry, Store, paper_id
from triage.sync.merge import merge

GARBAGE = "\x00\x01 binary noise that looked like a title"
KEPT = "A Paper Worth Keeping"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "triage.db"
    with Store(path) as store:
        store.add_papers(
            [Entry(GARBAGE, "noise " * 30), Entry(KEPT, "An abstract.")],
            source="mixed.txt",
            listed_on="2026-11-20",
        )
        store.mark([paper_id(GARBAGE)], star=True, add_tags=["oops"], note="why is this here")
    return path


def test_a_deleted_paper_is_gone_and_undo_brings_everything_back(db):
    garbage = paper_id(GARBAGE)
    with Store(db) as store:
        before = store.get(garbage)
        deleted = store.delete_papers([garbage, "0000000000"])
        assert [paper.id for paper in deleted] == [garbage]
        assert store.get(garbage) is None
        assert store.ids_newest_first() == [paper_id(KEPT)]
        assert store.all_tags() == {}
        assert store.restore(deleted) == [garbage]
        again = store.get(garbage)
    assert (again.starred, again.tags, again.note, again.listed) == (
        before.starred,
        before.tags,
        before.note,
        before.listed,
    )


def test_a_copy_that_still_has_the_paper_does_not_bring_it_back(db, tmp_path):
    older = tmp_path / "older.db"
    shutil.copy(db, older)
    with Store(db) as store:
        store.delete_papers([paper_id(GARBAGE)])
        report = merge(store, older)
        assert store.get(paper_id(GARBAGE)) is None
        assert report.papers_added == []
    with Store(older) as theirs:  # and the other way round: the deletion reaches that copy
        report = merge(theirs, db)
        assert report.deleted == [paper_id(GARBAGE)]
        assert theirs.get(paper_id(GARBAGE)) is None
        assert "1 paper deleted, as in triage.db" in report.lines()


def test_work_on_the_paper_after_its_deletion_keeps_it(db, tmp_path):
    other = tmp_path / "other.db"
    shutil.copy(db, other)
    with Store(db) as store:
        store.delete_papers([paper_id(GARBAGE)])
    with Store(other) as theirs:  # later, on the other machine, the user starred it again
        theirs.mark([paper_id(GARBAGE)], star=False, note="actually worth keeping")
    with Store(db) as store:
        merge(store, other)
        assert store.get(paper_id(GARBAGE)).note == "actually worth keeping"
        store.delete_papers([paper_id(GARBAGE)])  # deleted again: a later deletion wins
        merge(store, other)
        assert store.get(paper_id(GARBAGE)) is None


def test_importing_a_deleted_paper_again_brings_it_back(db, tmp_path):
    with Store(db) as store:
        store.delete_papers([paper_id(KEPT)])
        store.add_papers([Entry(KEPT, "An abstract.")], source="later.txt", listed_on="2026-11-22")
        assert store.get(paper_id(KEPT)) is not None
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    with Store(copy) as theirs:
        merge(theirs, db)
        assert theirs.get(paper_id(KEPT)) is not None


def test_an_undone_deletion_puts_the_paper_back_in_its_place_in_the_list(tmp_path):
    with Store(tmp_path / "day.db") as store:
        store.add_papers(
            [Entry(f"Paper {n}", "An abstract.") for n in range(5)],
            source="day.txt",
            listed_on="2026-11-20",
        )
        before = store.ids_newest_first()
        store.restore(store.delete_papers([before[2]]))
        assert store.ids_newest_first() == before
