"""A running app follows changes made to its DB file by others (a sync client, another terminal)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from test_app_fixtures import NEWEST_FIRST, Notices, make_db, screen_text, settle, wait_until

from triage.store import Store, paper_id
from triage.tui.app import TriageApp
from triage.tui.screens.conflicts import ConflictCopiesOffer
from triage.tui.screens.main import MainScreen
from triage.tui.screens.note_editor import NoteEditor

D, E, F, A, B, C = NEWEST_FIRST


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "papers.db")


def mark_in_another_process(db, ids, **fields):
    """Another terminal's triage: this process's own writes are (rightly) never reported."""
    code = (
        "import json, sys; from triage.store import Store\n"
        "with Store(sys.argv[1]) as s: s.mark(json.loads(sys.argv[2]), **json.loads(sys.argv[3]))"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(db), json.dumps(ids), json.dumps(fields)], check=True
    )


def synced_copy(db, tmp_path, *, note_on_d: str = ""):
    """Another machine's copy: one more paper, E starred, maybe a note on D."""
    other = tmp_path / "from-laptop.db"
    shutil.copy(db, other)
    with Store(other) as store:
        store.add_papers(
            [("Synced From Laptop", "Made elsewhere.")], source="laptop.txt", listed_on="2026-03-20"
        )
        store.mark([E], star=True)
        if note_on_d:
            store.mark([D], note=note_on_d)
    return other


async def test_replaced_file_shows_new_data_and_keeps_the_open_note(db, tmp_path):
    other = synced_copy(db, tmp_path)
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        await settle(pilot)
        main = app.main
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"keep this")
        os.replace(other, db)
        new = paper_id("Synced From Laptop")
        await wait_until(pilot, lambda: new in main.papers.ids)
        await settle(pilot)
        assert "2 papers updated from disk" in notices  # the new paper, E starred
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.editor.text == "keep this"
        await pilot.press(*" and this")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert main.papers.highlighted_id == D  # the cursor stayed on its paper
        text = screen_text(app)
        assert "Synced From Laptop" in text
        assert "keep this and this" in text
    with Store(db) as store:
        assert store.get(D).note == "keep this and this"
        assert store.get(E).starred
        assert store.count() == 7


async def test_note_changed_on_both_sides_keeps_both_texts(db, tmp_path):
    other = synced_copy(db, tmp_path, note_on_d="their words")
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"my words")
        os.replace(other, db)
        new = paper_id("Synced From Laptop")
        await wait_until(pilot, lambda: new in app.main.papers.ids)
        await pilot.press("!")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        editor = app.screen
        await wait_until(pilot, lambda: "their words" in editor.editor.text)
        shown = editor.editor.text
        assert "my words!" in shown and "their words" in shown
    with Store(db) as store:
        paper = store.get(D)
        assert "my words!" in paper.note and "their words" in paper.note
        assert "merge-conflict" in paper.tags


async def test_write_by_another_process_keeps_filter_and_cursor(db):
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        await settle(pilot)
        main = app.main
        await pilot.press("slash", *"model", "escape", "j")
        await settle(pilot)
        cursor = main.papers.highlighted_id
        assert cursor is not None
        mark_in_another_process(db, [cursor], star=True)  # another terminal, same file
        mark_in_another_process(db, [D], state="archived")
        await wait_until(pilot, lambda: main.papers.paper(cursor).starred)
        await settle(pilot)
        assert "2 papers updated from disk" in notices
        assert main.filter_input.value == "state:inbox model"
        assert main.papers.highlighted_id == cursor
        assert D not in main.papers.ids
        assert "★" in screen_text(app)


# -- conflict copies left by a sync client ---------------------------------------------------

BOBS_COPY = "triage (Bob's conflicted copy 2026-11-22).db"


@pytest.fixture
def db_with_conflict_copy(tmp_path):
    """triage.db, and Bob's conflict copy beside it: E starred and a note on F, which it lacks."""
    db = make_db(tmp_path / "triage.db")
    copy = tmp_path / BOBS_COPY
    shutil.copy(db, copy)
    with Store(copy) as store:
        store.mark([E], star=True)
        store.mark([F], note="Bob: read section 4 first")
    return db, copy


async def test_conflict_copy_is_offered_and_merged_into_the_list(db_with_conflict_copy):
    db, copy = db_with_conflict_copy
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConflictCopiesOffer)
        assert BOBS_COPY in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert "merged 1 copy: 2 papers changed" in notices
        assert app.main.papers.paper(E).starred
        await pilot.press("j", "j")
        await settle(pilot)
        assert app.main.papers.highlighted_id == F
        text = screen_text(app)
        assert "★" in text
        assert "Bob: read section 4 first" in text
    assert not copy.exists()
    assert (db.parent / "merged" / BOBS_COPY).exists()
    with Store(db) as store:
        assert store.get(E).starred
        assert store.get(F).note == "Bob: read section 4 first"


async def test_declined_conflict_copy_stays_and_is_not_offered_again(db_with_conflict_copy):
    db, copy = db_with_conflict_copy
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConflictCopiesOffer)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        # the file changes on disk: the app looks for copies again
        mark_in_another_process(db, [A], state="read")
        await wait_until(pilot, lambda: A not in app.main.papers.ids)
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert not app.main.papers.paper(E).starred
    assert copy.exists()
    assert not (db.parent / "merged").exists()
    with Store(db) as store:
        assert not store.get(E).starred
        assert store.get(F).note == ""


async def test_conflict_copy_arriving_with_a_change_on_disk_is_offered(tmp_path):
    db = make_db(tmp_path / "triage.db")
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # nothing beside the DB yet
        copy = tmp_path / BOBS_COPY
        shutil.copy(db, copy)
        with Store(copy) as store:
            store.mark([E], star=True)
        # the sync client writes the DB and leaves the copy
        mark_in_another_process(db, [A], state="read")
        await wait_until(pilot, lambda: isinstance(app.screen, ConflictCopiesOffer))
        await pilot.press("y")
        await settle(pilot)
        assert "merged 1 copy: 1 paper changed" in notices
        assert app.main.papers.paper(E).starred
    assert (tmp_path / "merged" / BOBS_COPY).exists()
