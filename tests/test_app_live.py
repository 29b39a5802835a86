"""A running app follows changes made to its DB file by others (a sync client, another terminal)."""

from __future__ import annotations

import asyncio
import os
import shutil

import pytest
from test_app_fixtures import NEWEST_FIRST, make_db, notifications, screen_text, settle

from triage.app import TriageApp
from triage.screens.main import MainScreen
from triage.screens.note_editor import NoteEditor
from triage.store import Store, paper_id

D, E, F, A, B, C = NEWEST_FIRST
NOTICE_WITHIN_SECONDS = 2.0  # the sync issue's promise


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "papers.db")


async def wait_until(pilot, condition) -> bool:
    """Whether `condition()` became true within the promised time (the app polls the file)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + NOTICE_WITHIN_SECONDS
    while loop.time() < deadline:
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


def synced_copy(db, tmp_path, *, note_on_d: str = ""):
    """Another machine's copy: one more paper, E starred, maybe a note on D."""
    other = tmp_path / "from-laptop.db"
    shutil.copy(db, other)
    with Store(other) as store:
        store.add_papers([("Synced From Laptop", "Made elsewhere.")], source="laptop.txt",
                         listed_on="2026-03-20")
        store.mark([E], star=True)
        if note_on_d:
            store.mark([D], note=note_on_d)
    return other


async def test_replaced_file_shows_new_data_and_keeps_the_open_note(db, tmp_path):
    other = synced_copy(db, tmp_path)
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        main = app.main
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"keep this")
        os.replace(other, db)
        new = paper_id("Synced From Laptop")
        assert await wait_until(pilot, lambda: new in main.papers.ids)
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
        assert await wait_until(pilot, lambda: new in app.main.papers.ids)
        await pilot.press("!")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        shown = app.screen.editor.text
        assert "my words!" in shown and "their words" in shown
    with Store(db) as store:
        paper = store.get(D)
        assert "my words!" in paper.note and "their words" in paper.note
        assert "merge-conflict" in paper.tags


async def test_write_by_another_process_keeps_filter_and_cursor(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        main = app.main
        await pilot.press("slash", *"model", "escape", "j")
        await settle(pilot)
        cursor = main.papers.highlighted_id
        assert cursor is not None
        with Store(db) as other:  # another terminal, same file
            other.mark([cursor], star=True)
            other.mark([D], state="archived")
        assert await wait_until(pilot, lambda: main.papers.paper(cursor).starred)
        await settle(pilot)
        assert "2 papers updated from disk" in notifications(app)
        assert main.filter_input.value == "state:inbox model"
        assert main.papers.highlighted_id == cursor
        assert D not in main.papers.ids
        assert "★" in screen_text(app)
