"""Getting around the list: views and the filter, Esc, "more like this", sorting, the query
language's reference, scrolling the detail. Each test drives the app with keys and reads the
screen."""

from __future__ import annotations

import pytest
from test_app_fixtures import NEWEST_FIRST, TITLES, make_db, screen_text, settle

from triage.store import Store
from triage.tui.app import TriageApp
from triage.tui.screens.main import MainScreen
from triage.tui.screens.query_help import QueryHelpScreen

D, E, F, A, B, C = NEWEST_FIRST


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "papers.db")


async def start(app, pilot):
    await settle(pilot)
    assert isinstance(app.screen, MainScreen)
    return app.main


def list_rows(app, rows: int) -> list[str]:
    """The list's lines on a narrow screen (the detail is below it)."""
    return screen_text(app).splitlines()[2 : 2 + rows]


async def test_typing_after_switching_view_adds_to_the_views_query(db):
    with Store(db) as store:
        store.mark([A], state="reading")
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("slash", *"attention")
        assert main.filter_input.value == "state:reading attention"


async def test_esc_esc_from_a_filter_returns_to_the_view_it_started_from(tmp_path):
    path = tmp_path / "long.db"
    with Store(path) as store:
        store.add_papers(
            [(f"Paper number {n}", f"Abstract {n}.") for n in range(60)],
            source="long.txt",
            listed_on="2026-03-14",
        )
        store.mark([store.ids_newest_first()[0]], state="read")  # not the same list as All
    app = TriageApp(path)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        await pilot.press(*"j" * 40)
        paper = main.papers.highlighted_id
        title = main.papers.paper(paper).title
        await pilot.press("slash", *"number 4", "escape", "escape")
        await settle(pilot)
        assert main.filter_input.value == "state:inbox "
        assert main.listing.active_view(main.filter_input.value) == 0
        assert len(main.papers.ids) == 59
        assert main.papers.highlighted_id == paper
        assert any(title in row for row in list_rows(app, main.papers.size.height))
        assert main.detail.paper.id == paper


async def test_m_starts_on_the_best_match_and_esc_returns_to_the_paper(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        await pilot.press("j", "j")
        await pilot.press("m")
        await settle(pilot)
        assert main.papers.cursor == 0
        assert main.papers.highlighted_id == main.papers.ids[0]
        assert main.detail.paper.id == main.papers.ids[0]
        await pilot.press("j", "escape")
        await settle(pilot)
        assert main.papers.highlighted_id == F
        assert main.detail.paper.id == F


async def test_S_cycles_the_sort_orders(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        await pilot.press("S")
        await settle(pilot)
        assert main.filter_input.value == "state:inbox sort:title "
        assert [TITLES[paper] for paper in main.papers.ids] == sorted(TITLES.values())
        for order in ("sort:added", "sort:upvotes", "sort:listed", "sort:-listed"):
            await pilot.press("S")
            await settle(pilot)
            assert main.filter_input.value == f"state:inbox {order} "
        assert list(main.papers.ids) == NEWEST_FIRST[::-1]  # oldest listed first
        await pilot.press("S")
        await settle(pilot)
        assert main.filter_input.value == "state:inbox "
        assert list(main.papers.ids) == NEWEST_FIRST


async def test_f1_in_the_filter_shows_the_query_language(db):
    app = TriageApp(db)
    async with app.run_test(size=(80, 24)) as pilot:
        main = await start(app, pilot)
        await pilot.press("4", "slash")
        assert "listed:" in screen_text(app) and "sort:" in screen_text(app)  # the placeholder
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, QueryHelpScreen)
        text = screen_text(app)
        for example in ('"exact phrase"', "author:", "arxiv:", "listed:today", "sort:upvotes"):
            assert example in text, example
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert main.filter_input.has_focus


async def test_a_long_note_does_not_hide_the_abstract_the_detail_scrolls(db):
    note = "\n".join(f"line {n} of a long note" for n in range(40))
    with Store(db) as store:
        store.mark([D], note=note)
    abstract_start = "We present high quality image synthesis"
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        assert abstract_start not in screen_text(app)
        for _ in range(8):
            await pilot.press("J")
        await settle(pilot)
        assert abstract_start in screen_text(app)
        assert "line 39 of a long note" in screen_text(app)
        await pilot.press(*"K" * 8)
        assert TITLES[D] in screen_text(app).split("────")[-1]  # the detail's top again
