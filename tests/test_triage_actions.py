"""The triage actions and their undo, without the UI: what the store holds afterwards, what the
user is told, and that the app's own writes reach the index and never look like outside changes."""

from __future__ import annotations

import pytest
from test_app_fixtures import NEWEST_FIRST, make_db

from triage.store import Store
from triage.tui.session import Session
from triage.tui.triage_actions import NOTHING_TO_UNDO, TriageActions
from triage.tui.undo import UndoHistory

D, E, F, A, B, C = NEWEST_FIRST


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "papers.db")


@pytest.fixture
def session(db):
    session = Session.open(db)
    yield session
    session.close()


def stored(session, paper):
    return session.store.get(paper)


class Acting:
    """Triage actions as the screen uses them: each job runs on the writer's thread and
    reports back; ``do`` waits for it and returns what it reported."""

    def __init__(self, session):
        self.reported = []
        self.actions = TriageActions(session, report=self.reported.append)
        self.session = session

    def do(self, name, *args):
        said = getattr(self.actions, name)(*args)
        assert self.session.writer.wait_idle()
        return self.reported[-1] if self.reported else said


@pytest.fixture
def acting(session):
    return Acting(session)


def test_star_stars_the_papers_unless_all_of_them_are_starred(session, acting):
    assert acting.do("star", [D]).changed == (D,)
    acting.do("star", [D, E])
    assert stored(session, D).starred and stored(session, E).starred
    acting.do("star", [D, E])
    assert not stored(session, D).starred and not stored(session, E).starred


def test_a_star_key_pressed_twice_in_one_burst_toggles_twice(session, acting):
    acting.actions.star([D])
    acting.actions.star([D])  # before the first is written
    assert session.writer.wait_idle()
    assert not stored(session, D).starred
    assert [outcome.changed for outcome in acting.reported] == [(D,), (D,)]


def test_a_state_for_several_papers_says_how_many(session, acting):
    several = acting.actions.set_state([D, E], "read")
    assert several.message == "Read: 2 papers"
    assert session.writer.wait_idle()
    assert stored(session, D).state == stored(session, E).state == "read"
    assert acting.actions.set_state([F], "archived").message is None  # leaving says enough


def test_tags_are_added_and_removed_and_shared_tags_found(session, acting):
    acting.do("edit_tags", [D, E], ["to-read", "diffusion"], [])
    acting.do("edit_tags", [E], [], ["diffusion"])
    assert acting.actions.shared_tags([D, E]) == ["to-read"]
    assert acting.actions.known_tags() == ["to-read", "diffusion"]  # most used first


def test_undo_puts_back_each_action_in_turn(session, acting):
    acting.do("set_state", [D], "read")
    acting.do("star", [E, F])
    undone = acting.do("undo")
    assert undone.message == "Undid star (2 papers)"
    assert undone.back_to == E
    assert not stored(session, E).starred and not stored(session, F).starred
    assert acting.do("undo").message == "Undid Read (1 paper)"
    assert stored(session, D).state == "inbox"
    nothing = acting.do("undo")
    assert nothing.message == NOTHING_TO_UNDO and nothing.back_to is None


def test_an_undo_pressed_right_after_a_key_takes_that_key_back(session, acting):
    acting.actions.star([D])
    acting.actions.undo()  # queued before the star is written
    assert session.writer.wait_idle()
    assert not stored(session, D).starred
    assert acting.reported[-1].message == "Undid star (1 paper)"


def test_an_action_that_changes_nothing_is_not_undone(session, acting):
    acting.do("set_state", [D], "inbox")  # it is in the inbox already
    assert acting.do("undo").message == NOTHING_TO_UNDO


def test_own_writes_reach_the_index_and_are_not_outside_changes(session, acting):
    with session.index.lock:
        session.index.ready()
    acting.do("star", [A])
    acting.do("undo")
    acting.do("set_state", [B], "reading")
    assert session.file_watch.poll() is None
    with session.index.lock:
        index = session.index.ready()
        assert list(index.search("state:reading").ids) == [B]
        assert list(index.search("is:starred").ids) == []


def test_a_paper_gone_from_the_db_is_reported_and_nothing_recorded(session, acting):
    with Store(session.db_path) as elsewhere:  # another terminal deletes it
        elsewhere.delete_papers([D])
    refused = acting.do("set_state", [D], "read")
    assert refused.error == f"Not changed: no paper with id {D}"
    assert len(acting.actions.history) == 0


def test_undo_history_goes_back_more_than_fifty_steps(db):
    with Store(db) as store:
        history = UndoHistory()
        for step in range(60):
            paper = NEWEST_FIRST[step % 6]
            history.record("star", store.papers([paper]))
            store.mark([paper], star=not store.get(paper).starred)
        for _ in range(60):
            history.last().undo(store)
            history.drop_last()
        assert history.last() is None
        assert not any(paper.starred for paper in store.papers())


def test_delete_is_undone_with_everything_the_papers_had(session, acting):
    acting.do("star", [D])
    acting.do("edit_tags", [D], ["keep"], [])
    deleted = acting.do("delete", [D, E])
    assert deleted.changed == (D, E)
    assert deleted.message == "Deleted 2 papers. u brings them back."
    assert stored(session, D) is None and stored(session, E) is None
    undone = acting.do("undo")
    assert undone.message == "Undid delete (2 papers)" and undone.back_to == D
    assert (stored(session, D).starred, stored(session, D).tags) == (True, ["keep"])
    assert stored(session, E) is not None


def test_a_note_edit_is_one_undo_step_written_after_the_editors_saves(session, acting):
    session.store.mark([D], note="before")
    session.store.mark([D], note="during")  # what the editor saved as the user typed
    session.store.mark([D], note="after")
    acting.actions.note_edited(D, "before", "after")
    acting.actions.note_edited(E, "", "")  # opened and closed: nothing to undo
    assert acting.do("undo").message == "Undid note (1 paper)"
    assert stored(session, D).note == "before"
    assert acting.do("undo").message == NOTHING_TO_UNDO
