"""The keys as users find and change them: the help screen (scrollable, every id whole), the
footer on a narrow terminal, keys.toml mistakes said out loud, and one name for the read state."""

from __future__ import annotations

import pytest
from test_app_fixtures import NEWEST_FIRST, Notices, make_db, screen_text, settle, wheel

from triage.store import Store
from triage.tui.app import TriageApp
from triage.tui.bindings import APP_KEYS, MAIN_KEYS
from triage.tui.config import keys_file
from triage.tui.screens.help import HelpScreen
from triage.tui.screens.main import MainScreen
from triage.tui.widgets.paper_list import PaperList

D, E, F, A, B, C = NEWEST_FIRST
EVERY_ID = [
    binding.id
    for binding in [*MAIN_KEYS, *APP_KEYS, *PaperList.BINDINGS]
    if binding.id and not binding.id.startswith("view-")
]


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "papers.db")


def stored(db, paper):
    with Store(db) as store:
        return store.get(paper)


def write_keys(text: str) -> None:
    keys_file().parent.mkdir(parents=True, exist_ok=True)
    keys_file().write_text(f"[keys]\n{text}\n")


async def start(app, pilot):
    await settle(pilot)
    assert isinstance(app.screen, MainScreen)
    return app.main


def ids_on_screen(app) -> set[str]:
    return {line.split()[-2] for line in screen_text(app).splitlines() if len(line.split()) > 2}


async def test_the_help_scrolls_at_80x24_and_shows_every_id_whole(db):
    app = TriageApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        seen = ids_on_screen(app)
        assert "reload" not in seen  # the last row: below the fold
        for key in ("j", "pagedown", "end"):
            before = screen_text(app)
            await pilot.press(key)
            await settle(pilot)
            assert screen_text(app) != before, key
            seen |= ids_on_screen(app)
        assert set(EVERY_ID) <= seen
        assert "view-1 … view-9" in screen_text(app)
        await pilot.press("g")
        await settle(pilot)
        assert "cursor-up" in ids_on_screen(app)


async def test_the_help_scrolls_with_the_mouse_wheel(db):
    app = TriageApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        before = screen_text(app)
        await wheel(pilot, "#help-keys", times=5)
        assert screen_text(app) != before


async def test_the_80_column_footer_keeps_undo_quit_and_help(db):
    app = TriageApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        footer = screen_text(app).splitlines()[-1]
        for shown in ("u Undo", "q Quit", "? Help", "d Read", "s Star", "^p palette"):
            assert shown in footer, shown


async def test_a_key_another_binding_has_is_refused_with_the_reason(db):
    write_keys('star = "j"')
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(120, 30), message_hook=notices) as pilot:
        main = await start(app, pilot)
        [notice] = [message for message in notices.messages if "keys.toml" in message]
        assert 'star = "j": j is already Down (cursor-down), so star stays on s' in notice
        assert "\n" not in notice
        await pilot.press("j")
        assert main.papers.highlighted_id == E
        await pilot.press("s")
        await settle(pilot)
        assert stored(db, E).starred


async def test_an_unknown_binding_id_is_reported_and_the_rest_applies(db):
    write_keys('stra = "x"\ntags = "T"')
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(120, 30), message_hook=notices) as pilot:
        await start(app, pilot)
        assert any("stra: no such binding id" in message for message in notices.messages)
        await pilot.press("T")
        await settle(pilot)
        assert app.screen.query_one("#tag-input")


async def test_a_keys_toml_that_is_not_toml_is_reported_and_the_default_keys_work(db):
    keys_file().parent.mkdir(parents=True, exist_ok=True)
    keys_file().write_text("[keys\nstar = 's'\n")
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(120, 30), message_hook=notices) as pilot:
        await start(app, pilot)
        [notice] = [message for message in notices.messages if "keys.toml" in message]
        assert notice.startswith(f"{keys_file()}: ") and notice.count(str(keys_file())) == 1
        await pilot.press("s")
        await settle(pilot)
        assert stored(db, D).starred


async def test_the_old_id_done_still_names_the_read_key(db):
    write_keys('done = "x"')
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(120, 30), message_hook=notices) as pilot:
        await start(app, pilot)
        await pilot.press("x")
        await settle(pilot)
        assert stored(db, D).state == "read"
        assert not any("keys.toml" in message for message in notices.messages)


async def test_the_state_is_called_read_in_the_list_the_detail_the_help_and_messages(db):
    with Store(db) as store:
        store.mark([D], state="read")
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(120, 40), message_hook=notices) as pilot:
        main = await start(app, pilot)
        await pilot.press("4", "g")  # All, from its first paper
        await settle(pilot)
        text = screen_text(app)
        assert "done" not in text.lower()
        assert " read " in text.splitlines()[2]  # D's row
        assert "·  read  ·" in text  # the detail
        await pilot.press("space", "space", "d")
        await settle(pilot)
        assert "Read: 2 papers" in notices
        main.set_filter("state:read ")
        await settle(pilot)
        assert set(main.papers.ids) == {D, E}
        await pilot.press("question_mark")
        await settle(pilot)
        read_row = next(line for line in screen_text(app).splitlines() if " Read " in line)
        assert read_row.split()[-2:] == ["read", "█"]
