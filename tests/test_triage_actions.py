"""The triage actions and their undo, without the UI: what the store holds afterwards, what the
user is told, and that the app's own writes reach the index and never look like outside changes."""

from __future__ import annotations

import pytest
from test_app_fixtures import NEWEST_FIRST, make_db

from triage.store import Store, StoreError
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


def test_star_stars_the_papers_unless_all_of_them_are_starred(session):
    actions = TriageActions(session)
    assert actions.star([D]).changed == (D,)
    actions.star([D, E])
    assert stored(session, D).starred and stored(session, E).starred
    actions.star([D, E])
    assert not stored(session, D).starred and not stored(session, E).starred


def test_a_state_for_several_papers_says_how_many(session):
    actions = TriageActions(session)
    several = actions.set_state([D, E], "read")
    assert several.message == "Read: 2 papers"
    assert stored(session, D).state == stored(session, E).state == "read"
    assert actions.set_state([F], "archived").message is None  # the paper leaving says enough


def test_tags_are_added_and_removed_and_shared_tags_found(session):
    actions = TriageActions(session)
    actions.edit_tags([D, E], ["to-read", "diffusion"], [])
    actions.edit_tags([E], [], ["diffusion"])
    assert actions.shared_tags([D, E]) == ["to-read"]
    assert actions.known_tags() == ["to-read", "diffusion"]  # most used first: completed first


def test_undo_puts_back_each_action_in_turn(session):
    actions = TriageActions(session)
    actions.set_state([D], "read")
    actions.star([E, F])
    undone = actions.undo()
    assert undone.message == "Undid star (2 papers)"
    assert undone.back_to == E
    assert not stored(session, E).starred and not stored(session, F).starred
    assert actions.undo().message == "Undid Read (1 paper)"
    assert stored(session, D).state == "inbox"
    nothing = actions.undo()
    assert nothing.message == NOTHING_TO_UNDO and nothing.back_to is None


def test_an_action_that_changes_nothing_is_not_undone(session):
    actions = TriageActions(session)
    actions.set_state([D], "inbox")  # it is in the inbox already
    assert actions.undo().message == NOTHING_TO_UNDO


def test_own_writes_reach_the_index_and_are_not_outside_changes(session):
    actions = TriageActions(session)
    with session.index.lock:
        session.index.ready()
    actions.star([A])
    actions.undo()
    actions.set_state([B], "reading")
    assert session.file_watch.poll() is None
    with session.index.lock:
        index = session.index.ready()
        assert list(index.search("state:reading").ids) == [B]
        assert list(index.search("is:starred").ids) == []


def test_a_store_that_refuses_the_write_is_reported_and_not_recorded(session, monkeypatch):
    def locked(*args, **kwargs):
        raise StoreError("the database is locked by another program")

    actions = TriageActions(session)
    monkeypatch.setattr(session.store, "mark", locked)
    refused = actions.set_state([D, E], "read")
    assert refused.error == "the database is locked by another program"
    assert refused.changed == () and refused.message is None
    assert len(actions.history) == 0


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


def test_delete_is_undone_with_everything_the_papers_had(session):
    actions = TriageActions(session)
    actions.star([D])
    actions.edit_tags([D], ["keep"], [])
    deleted = actions.delete([D, E])
    assert deleted.changed == (D, E)
    assert deleted.message == "Deleted 2 papers. u brings them back."
    assert stored(session, D) is None and stored(session, E) is None
    undone = actions.undo()
    assert undone.message == "Undid delete (2 papers)" and undone.back_to == D
    assert (stored(session, D).starred, stored(session, D).tags) == (True, ["keep"])
    assert stored(session, E) is not None


def test_a_note_edit_is_one_undo_step_written_after_the_editors_saves(session):
    actions = TriageActions(session)
    session.store.mark([D], note="before")
    session.store.mark([D], note="during")  # what the editor saved as the user typed
    session.store.mark([D], note="after")
    actions.note_edited(D, "before", "after")
    actions.note_edited(E, "", "")  # opened and closed: nothing to undo
    assert actions.undo().message == "Undid note (1 paper)"
    session.writer.close(timeout=5)  # the undo waits behind the editor's saves
    assert stored(session, D).note == "before"
    assert actions.undo().message == NOTHING_TO_UNDO
