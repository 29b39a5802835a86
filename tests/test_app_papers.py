"""What the list and the detail say about a paper (its date, note, authors, arXiv id), and the
keys that act on one: open, copy, delete, notes and the selection, with undo."""

from __future__ import annotations

import webbrowser
from urllib.parse import quote_plus

import pytest
from test_app_fixtures import (
    IMPORTED_ON,
    NEWEST_FIRST,
    TITLES,
    Notices,
    fixed_clock,
    make_db,
    screen_text,
    settle,
)

from triage.export.bibtex import citation_key
from triage.store import Store
from triage.tui.app import TriageApp
from triage.tui.screens.main import MainScreen
from triage.tui.screens.note_editor import NoteEditor

D, E, F, A, B, C = NEWEST_FIRST
ARXIV_PAGE = "https://arxiv.org/abs/1706.03762"


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "papers.db")


def stored(db, paper):
    with Store(db) as store:
        return store.get(paper)


async def start(app, pilot):
    await settle(pilot)
    assert isinstance(app.screen, MainScreen)
    return app.main


def row_of(app, title: str) -> str:
    return next(line for line in screen_text(app).splitlines() if title[:30] in line)


class Browser:
    """A browser that opens (or fails to open) what it is given, as webbrowser.get() returns."""

    def __init__(self, works: bool = True) -> None:
        self.works = works
        self.opened: list[str] = []

    def open(self, url: str, new: int = 0) -> bool:
        self.opened.append(url)
        return self.works


@pytest.fixture
def browser(monkeypatch):
    found = Browser()
    monkeypatch.setattr(webbrowser, "get", lambda *args: found)
    return found


# -- what the list and the detail show ---------------------------------------------------


async def test_the_list_and_the_detail_show_the_latest_listing_date(db):
    with fixed_clock(), Store(db) as store:
        store.add_papers([(TITLES[B], "Listed again.")], source="again.txt", listed_on="2026-03-13")
        store.add_papers(
            [("An Undated Paper", "From a compact dump.")], source="c.txt", listed_on=None
        )
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        assert "2026-03-13" in row_of(app, TITLES[B]) and "2026-03-11" not in row_of(app, TITLES[B])
        assert IMPORTED_ON in row_of(app, "An Undated Paper")  # counted as the day it came
        main.papers.move_to(list(main.papers.ids).index(B))
        await settle(pilot)
        assert "Listed  2026-03-13" in screen_text(app)


async def test_a_note_is_marked_in_the_list_and_the_detail_says_when_the_paper_was_added(db):
    with Store(db) as store:
        store.mark([E], note="check the appendix")
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        assert "✎" in row_of(app, TITLES[E])
        assert "✎" not in row_of(app, TITLES[D])
        assert f"added {IMPORTED_ON}" in screen_text(app)


async def test_the_detail_shows_authors_arxiv_id_and_upvotes_and_a_wide_list_the_first_author(db):
    app = TriageApp(db)
    async with app.run_test(size=(160, 48)) as pilot:
        main = await start(app, pilot)
        assert "Ashish Vaswani" in row_of(app, TITLES[B])
        main.papers.move_to(list(main.papers.ids).index(B))
        await settle(pilot)
        text = screen_text(app)
        assert "By  Ashish Vaswani, Noam Shazeer, Niki Parmar" in text
        assert "arXiv 1706.03762  ·  ▲ 42 upvotes  ·  3 comments" in text


# -- open and copy -------------------------------------------------------------------------


async def test_o_opens_the_arxiv_page_and_O_the_pdf_when_the_id_is_known(db, browser):
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        main = await start(app, pilot)
        await pilot.press("o", "O")
        await settle(pilot)
        assert browser.opened == [f"https://huggingface.co/papers?q={quote_plus(TITLES[D])}"]
        assert "No arXiv id is known for this paper: o opens its page." in notices
        main.papers.move_to(list(main.papers.ids).index(B))
        await pilot.press("o", "O")
        await settle(pilot)
        assert browser.opened[1:] == [ARXIV_PAGE, "https://arxiv.org/pdf/1706.03762"]
        assert f"Opened {ARXIV_PAGE}" in notices


async def test_o_without_a_browser_says_so_and_copies_the_link(db, browser):
    browser.works = False
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        main = await start(app, pilot)
        main.papers.move_to(list(main.papers.ids).index(B))
        await pilot.press("o")
        await settle(pilot)
        assert f"No browser could be started; the link is copied: {ARXIV_PAGE}" in notices
        assert not any(message.startswith("Opened") for message in notices.messages)
        assert app.clipboard == ARXIV_PAGE


async def test_y_copies_the_title_and_Y_the_citation_key(db):
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        await start(app, pilot)
        await pilot.press("y")
        assert app.clipboard == TITLES[D]
        await pilot.press("Y")
        key = citation_key(stored(db, D))
        assert app.clipboard == key == f"denoising-{D}"
        assert f"Copied the citation key {key}" in notices


# -- delete, notes, the selection, undo ----------------------------------------------------


async def test_delete_removes_the_paper_and_u_brings_it_back_whole(db):
    with Store(db) as store:
        store.mark([E], star=True, add_tags=["keep"], note="my note")
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        main = await start(app, pilot)
        await pilot.press("j", "delete")
        await settle(pilot)
        assert stored(db, E) is None
        assert E not in main.papers.ids and main.papers.highlighted_id == F
        assert "5 / 5" in screen_text(app)
        assert "Deleted “Vision Transformers Need Registers”. u brings it back." in notices
        await pilot.press("u")
        await settle(pilot)
        back = stored(db, E)
        assert (back.starred, back.tags, back.note) == (True, ["keep"], "my note")
        assert main.papers.highlighted_id == E and "6 / 6" in screen_text(app)
        main.set_filter("registers")
        await settle(pilot)
        assert list(main.papers.ids) == [E]  # the search knows it again


async def test_the_selection_stays_for_the_next_key_until_esc(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        await pilot.press("space", "j", "space")  # D and F
        await pilot.press("s")
        await settle(pilot)
        assert main.papers.selected == {D, F}
        assert "2 selected" in screen_text(app)
        await pilot.press("t", *"later", "enter")
        await settle(pilot)
        assert stored(db, D).tags == stored(db, F).tags == ["later"]
        assert stored(db, D).starred and stored(db, F).starred and not stored(db, E).starred
        await pilot.press("escape")
        assert main.papers.selected == set()


async def test_with_papers_selected_n_edits_the_selected_one_or_says_why_not(db):
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        main = await start(app, pilot)
        await pilot.press("j", "space")  # E selected, the cursor on F
        assert main.papers.highlighted_id == F
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"for E", "escape")
        await settle(pilot)
        assert (stored(db, E).note, stored(db, F).note) == ("for E", "")
        await pilot.press("space", "n")  # E and F selected
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert any("A note is for one paper" in message for message in notices.messages)


async def test_u_takes_back_a_whole_note_edit(db):
    with Store(db) as store:
        store.mark([D], note="first thoughts")
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        await start(app, pilot)
        await pilot.press("n", *" and more", "enter", *"and more", "escape")
        await settle(pilot)
        assert stored(db, D).note == "first thoughts and more\nand more"
        await pilot.press("u")
        await settle(pilot)
        assert stored(db, D).note == "first thoughts"
        assert "Undid note (1 paper)" in notices
        assert "first thoughts" in screen_text(app) and "and more" not in screen_text(app)


async def test_a_tag_longer_than_the_limit_is_cut_and_the_user_told(db):
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        await start(app, pilot)
        await pilot.press("t", *("long-" * 10), "enter")
        await settle(pilot)
    assert stored(db, D).tags == ["long-long-long-long-long-long-long-long"]
    assert "Tag cut to 40 characters: #long-long-long-long-long-long-long-long" in notices
