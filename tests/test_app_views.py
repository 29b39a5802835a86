"""Saved views: each one has its number key and its tab, the counts stay in the header however
many there are, and a view can be renamed and deleted."""

from __future__ import annotations

import pytest
from test_app_fixtures import NEWEST_FIRST, Notices, make_db, screen_text, settle

from triage.store import Store
from triage.tui.app import TriageApp
from triage.tui.config import View, load_views, save_view, views_file
from triage.tui.screens.dialogs import PromptScreen
from triage.tui.screens.main import MainScreen
from triage.tui.screens.views import ViewsScreen

D, E, F, A, B, C = NEWEST_FIRST
FOUR_VIEWS = [
    View("Diffusion papers to read", "diffusion"),
    View("Starred transformers", "is:starred transformer"),
    View("Mixture of experts", "experts"),
    View("Scaling and language", "scaling"),
]


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "papers.db")


def saved_names() -> list[str]:
    return [view.name for view in load_views()[0][5:]]


async def start(app, pilot):
    await settle(pilot)
    assert isinstance(app.screen, MainScreen)
    return app.main


async def test_the_counts_stay_in_the_header_with_four_saved_views(db):
    for view in FOUR_VIEWS:
        save_view(view)
    app = TriageApp(db)
    async with app.run_test(size=(120, 30)) as pilot:
        await start(app, pilot)
        header = screen_text(app).splitlines()[0]
        assert header.rstrip().endswith("6 / 6")
        for key in "123456789":
            assert f" {key} " in header, key
        await pilot.press("8")
        await settle(pilot)
        header = screen_text(app).splitlines()[0]
        assert "8 Mixture of experts" in header and header.rstrip().endswith("1 / 6")


async def test_a_fifth_saved_view_is_refused_with_the_reason(db):
    for view in FOUR_VIEWS:
        save_view(view)
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(120, 30), message_hook=notices) as pilot:
        main = await start(app, pilot)
        main.set_filter("attention")
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        await pilot.press(*"Fifth", "enter")
        await settle(pilot)
        assert "Keys 6-9 all have a view: V renames or deletes one." in notices
        assert saved_names() == [view.name for view in FOUR_VIEWS]


async def test_a_saved_view_says_its_key(db):
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(120, 30), message_hook=notices) as pilot:
        main = await start(app, pilot)
        main.set_filter("diffusion")
        await settle(pilot)
        await pilot.press("v", *"Diffusion", "enter")
        await settle(pilot)
        assert "Saved view Diffusion: key 6" in notices


async def test_a_saved_view_can_be_shown_renamed_and_deleted(db):
    with Store(db) as store:
        store.mark([B], star=True)
    for view in FOUR_VIEWS[:2]:
        save_view(view)
    app = TriageApp(db)
    async with app.run_test(size=(120, 30)) as pilot:
        main = await start(app, pilot)
        await pilot.press("V")
        await settle(pilot)
        assert isinstance(app.screen, ViewsScreen)
        assert "Starred transformers" in screen_text(app)
        await pilot.press("j", "r")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"Transformers", "enter")  # the old name was selected: replaced
        await settle(pilot)
        assert saved_names() == ["Diffusion papers to read", "Transformers"]
        assert "7 Transformers" in screen_text(app).splitlines()[0]
        await pilot.press("V", "enter")  # shows the first one
        await settle(pilot)
        assert main.filter_input.value == "diffusion "
        assert set(main.papers.ids) == {D, A}
        await pilot.press("V", "d")
        await settle(pilot)
        assert saved_names() == ["Transformers"]
        assert "6 Transformers" in screen_text(app).splitlines()[0]
        assert "Diffusion papers" not in views_file().read_text()
