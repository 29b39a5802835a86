"""The running app and the shared file: it merges what other machines published, publishes
what the user does a few seconds later, and publishes at quit without making the user wait."""

from __future__ import annotations

import sqlite3
import time

import pytest
from test_app_fixtures import NEWEST_FIRST, Notices, make_db, screen_text, settle, wait_until

from triage.store import Store
from triage.sync.shared import SharedFile
from triage.tui.app import TriageApp

D, E, F, A, B, C = NEWEST_FIRST


@pytest.fixture
def machines(tmp_path, monkeypatch):
    """This machine's working copy with a shared file, and the desktop's copy of the library."""
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "laptop-data"))
    db = make_db(tmp_path / "laptop.db")
    shared = tmp_path / "Sync" / "triage.db"
    shared.parent.mkdir()
    with Store(db) as store:
        SharedFile(store).attach(shared)
    desktop = tmp_path / "desktop.db"
    with Store(desktop) as store:
        SharedFile(store, machine="desktop").attach(shared)
    return db, shared, desktop


def starred_in(path) -> set[str]:
    with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as conn:
        return {row[0] for row in conn.execute("SELECT paper_id FROM annotations WHERE starred")}


async def test_what_another_machine_published_shows_in_the_list(machines):
    db, _shared, desktop = machines
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        await settle(pilot)
        with Store(desktop) as store:
            store.mark([E], star=True, note="read this on the train")
            SharedFile(store, machine="desktop").sync()
        await wait_until(pilot, lambda: "1 paper updated from the shared file" in notices)
        await pilot.press("j")  # E is the second row
        await settle(pilot)
        assert "read this on the train" in screen_text(app)
        # its own sync, not an outside change
        assert not [text for text in notices.messages if "from disk" in text]


async def test_a_mark_in_the_app_reaches_the_shared_file_by_itself(machines):
    db, shared, _ = machines
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s")  # star D
        await settle(pilot)
        deadline = time.monotonic() + 30
        while D not in starred_in(shared):
            assert time.monotonic() < deadline, "never published"
            await pilot.pause(0.2)


async def test_a_change_made_just_before_quitting_is_published_after_the_app_is_gone(machines):
    db, shared, _ = machines
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j", "s")  # star E, then quit at once
        await settle(pilot)
        await pilot.press("q")
    deadline = time.monotonic() + 30
    while E not in starred_in(shared):
        assert time.monotonic() < deadline, "the last change never reached the shared file"
        time.sleep(0.1)
