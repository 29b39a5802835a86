"""The app never dies and never loses what the user typed: the DB file deleted, replaced by
something else, from a newer triage, locked, full or read-only, while the user stars, tags and
types a note. Each time the app keeps running, says what is wrong, and once the cause is gone
every change and every typed character is in the DB. Keys that arrive in one burst after `/`
all go to the filter."""

from __future__ import annotations

import os
import shutil
import sqlite3

import pytest
from test_app_fixtures import NEWEST_FIRST, Notices, make_db, settle, wait_until
from textual import events

import triage.store.store
from triage.store import Store
from triage.tui import recovery
from triage.tui.app import TriageApp
from triage.tui.screens.main import MainScreen
from triage.tui.screens.note_editor import NoteEditor

D, E, F, A, B, C = NEWEST_FIRST
NOTE = "every character of this"
SLOW = 30.0  # seconds: a busy timeout or a retry may stand between a key and its write


class Fault:
    """Breaks the DB the way syncing, git or a full disk does, and mends it again."""

    def __init__(self, db, tmp_path, monkeypatch):
        self.db, self.tmp, self.monkeypatch = db, tmp_path, monkeypatch
        self.original = tmp_path / "original.db"
        self.holder: sqlite3.Connection | None = None

    def deleted(self):
        os.replace(self.db, self.original)

    def replaced_by_a_non_db(self):
        shutil.copy(self.db, self.original)
        noise = self.tmp / "noise"
        noise.write_bytes(b"\x89PNG not a database at all" * 4000)
        os.replace(noise, self.db)

    def replaced_by_a_newer_triage(self):
        shutil.copy(self.db, self.original)
        newer = self.tmp / "newer.db"
        shutil.copy(self.db, newer)
        with sqlite3.connect(newer) as conn:
            conn.execute("PRAGMA user_version = 99")
        os.replace(newer, self.db)

    def locked(self):
        self.monkeypatch.setattr(triage.store.connection, "BUSY_TIMEOUT_MS", 300)
        self.holder = sqlite3.connect(self.db, isolation_level=None)
        self.holder.execute("BEGIN IMMEDIATE")  # another program's write lock, held

    def full(self):
        self._patch_connections("PRAGMA max_page_count = {pages}")

    def read_only(self):
        self._patch_connections("PRAGMA query_only = ON")

    def _patch_connections(self, pragma: str):
        """The app's writer opens its connections through `connect`: each one from now on is
        limited (a full disk as SQLite reports it; root ignores chmod, so no file mode)."""
        real = triage.store.store.connect

        def limited(path):
            conn = real(path)
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(pragma.format(pages=pages))
            return conn

        self.monkeypatch.setattr(triage.store.store, "connect", limited)

    def mend(self):
        self.monkeypatch.undo()
        if self.holder is not None:
            self.holder.execute("ROLLBACK")
            self.holder.close()
        if self.original.exists():
            os.replace(self.original, self.db)


FAULTS = [
    "deleted",
    "replaced_by_a_non_db",
    "replaced_by_a_newer_triage",
    "locked",
    "full",
    "read_only",
]
SAID = {
    "deleted": "is gone (deleted or moved)",
    "replaced_by_a_non_db": "is not a triage database any more",
    "replaced_by_a_newer_triage": "replaced by a file from a newer triage",
    "locked": "is locked by another program",
    "full": "is full",
    "read_only": "is read-only",
}


@pytest.fixture
def db(tmp_path, monkeypatch):
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "data"))
    return make_db(tmp_path / "papers.db")


@pytest.mark.parametrize("fault", FAULTS)
async def test_a_write_the_db_cannot_take_waits_and_nothing_typed_is_lost(
    db, tmp_path, monkeypatch, fault
):
    breaking = Fault(db, tmp_path, monkeypatch)
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        await settle(pilot)
        getattr(breaking, fault)()
        await pilot.press("s")  # star D
        await pilot.press("t", *"urgent", "enter")
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NoteEditor))
        await pilot.press(*NOTE)
        # and a long paste: a full disk refuses it (a star or a tag may still fit in a page)
        app.post_message(events.Paste(" " + "x" * 40_000))
        await wait_until(
            pilot,
            lambda: any(SAID[fault] in message for message in notices.messages),
            timeout=SLOW,
        )
        assert app.is_running and isinstance(app.screen, NoteEditor)
        # meanwhile the note is also kept in a recovery file
        await wait_until(pilot, lambda: bool(recovery.recovered(D)), timeout=SLOW)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        breaking.mend()
        await wait_until(
            pilot,
            lambda: app.session.writer.waiting == 0 and app.session.writer.trouble is None,
            timeout=SLOW,
        )
        assert "Saved the changes that were waiting." in notices
    with Store(db) as store:
        paper = store.get(D)
    assert paper.starred
    assert paper.tags == ["urgent"]
    assert paper.note == NOTE + " " + "x" * 40_000  # every key typed, and the paste
    assert recovery.recovered(D) == []


async def test_a_note_whose_paper_vanishes_is_kept_with_a_clear_message(db, tmp_path):
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NoteEditor))
        with Store(db) as elsewhere:  # a synced copy without this paper replaces the file
            elsewhere.delete_papers([D])
        await pilot.press(*"kept")
        await wait_until(
            pilot, lambda: any("no longer in the database" in m for m in notices.messages)
        )
        assert app.is_running and app.screen.editor.text == "kept"
        [kept] = recovery.recovered(D)
        assert kept.text == "kept"


async def test_a_concurrent_note_change_keeps_the_cursor_where_the_user_types(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, NoteEditor))
        editor = app.screen
        await pilot.press(*"mine")
        await wait_until(pilot, lambda: app.session.writer.waiting == 0)
        with Store(db) as elsewhere:  # another terminal changes the same note meanwhile
            elsewhere.save_note(D, "theirs", base="mine")
        await pilot.press(*" too")
        await wait_until(pilot, lambda: "theirs" in editor.editor.text)
        await pilot.press(*" and more")
        await wait_until(pilot, lambda: app.session.writer.waiting == 0)
        await pilot.pause(0.6)  # the last keys are saved once typing pauses
        await wait_until(pilot, lambda: app.session.writer.waiting == 0)
    with Store(db) as store:
        note = store.get(D).note
    # the block is well formed: both versions whole, the user's with every key typed
    assert note.startswith("<<<<<<< note saved ")
    assert "\ntheirs\n" in note
    assert "\nmine too and more\n" in note
    assert note.endswith("then delete the marker lines")


@pytest.mark.parametrize("delivery", ["burst", "paste"])
async def test_keys_arriving_in_one_burst_after_slash_all_go_to_the_filter(db, delivery):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        if delivery == "burst":  # a slow SSH link, tmux send-keys -l: keys queued at once
            for character in "/diffusion video":
                key = {"/": "slash", " ": "space"}.get(character, character)
                app.post_message(events.Key(key, character))
        else:
            await pilot.press("slash")
            app.post_message(events.Paste("diffusion video"))
        await settle(pilot)
        assert app.main.filter_input.value.endswith("diffusion video")
    with Store(db) as store:
        untouched = [(p.starred, p.state, p.note, p.tags) for p in store.papers()]
    assert untouched == [(False, "inbox", "", [])] * 6


@pytest.mark.parametrize("leave", ["enter", "escape"])
async def test_a_key_in_one_burst_after_leaving_the_filter_acts_on_the_list(db, leave):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for character in "/diffusion":
            app.post_message(events.Key("slash" if character == "/" else character, character))
        await settle(pilot)
        shown = app.main.papers.highlighted_id
        assert shown is not None
        for key, character in ((leave, None), ("s", "s")):  # as tmux send-keys Enter s
            app.post_message(events.Key(key, character))
        await settle(pilot)
        await wait_until(pilot, lambda: app.session.writer.waiting == 0)
        assert app.main.filter_input.value.endswith("diffusion")
    with Store(db) as store:
        assert store.get(shown).starred


async def test_a_non_db_copied_over_the_db_in_place_is_survived_and_the_changes_saved(db):
    original = db.read_bytes()
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        await settle(pilot)
        db.write_bytes(b"not a database " * 4000)  # cp over it: the same file, new bytes
        await pilot.pause(2.5)  # the app polls the file meanwhile, no key pressed
        for key in ("n", "escape", "t", "escape", "m", "escape", "4", "s"):
            await pilot.press(key)
        await wait_until(
            pilot, lambda: any("is not a triage database any more" in m for m in notices.messages)
        )
        assert app.is_running
        db.write_bytes(original)  # the right file back
        await wait_until(
            pilot,
            lambda: app.session.writer.waiting == 0 and app.session.writer.trouble is None,
            timeout=SLOW,
        )
    with Store(db) as store:
        assert store.get(D).starred


async def test_keys_arriving_in_one_burst_after_n_all_go_to_the_note(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for character in "nread this, star it":  # d, r, s... would be list commands
            app.post_message(events.Key("space" if character == " " else character, character))
        await wait_until(pilot, lambda: isinstance(app.screen, NoteEditor))
        await wait_until(pilot, lambda: app.screen.editor.text == "read this, star it")
        await pilot.press("escape")
        await settle(pilot)
    with Store(db) as store:
        assert store.get(D).note == "read this, star it"
        assert [(p.starred, p.state) for p in store.papers()] == [(False, "inbox")] * 6
