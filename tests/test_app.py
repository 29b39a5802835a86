"""The UI, driven by Textual's Pilot: each key, what the store holds afterwards and what the screen shows."""

from __future__ import annotations

import webbrowser
from urllib.parse import quote_plus

import pytest
from test_app_fixtures import (
    HOSTILE_TITLES,
    NEWEST_FIRST,
    TITLES,
    Notices,
    make_db,
    screen_text,
    settle,
    wait_until,
)

from triage.search import SearchIndex
from triage.store import Store
from triage.tui.app import TriageApp
from triage.tui.config import keys_file, views_file
from triage.tui.screens.dialogs import TagEditor
from triage.tui.screens.help import HelpScreen
from triage.tui.screens.main import MainScreen
from triage.tui.screens.note_editor import NoteEditor
from triage.tui.screens.welcome import WelcomeScreen

D, E, F, A, B, C = NEWEST_FIRST


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


# -- the main screen ---------------------------------------------------------------------


async def test_launch_shows_inbox_newest_first_with_counts(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        assert list(main.papers.ids) == NEWEST_FIRST
        text = screen_text(app)
        assert "6 / 6" in text
        assert "1 Inbox" in text
        assert TITLES[D] in text  # the detail pane shows the highlighted paper's full title
        assert "2026-03-12" in text


async def test_a_long_inbox_shows_its_first_rows_then_all_of_it(tmp_path):
    """More papers than the first screenful read at launch: all of them end up listed."""
    path = tmp_path / "long.db"
    with Store(path) as store:
        store.add_papers(
            [(f"Paper number {n}", f"Abstract {n}.") for n in range(450)],
            source="long.txt",
            listed_on="2026-03-14",
        )
        store.mark([store.ids_newest_first()[3]], state="read")
    app = TriageApp(path)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        assert len(main.papers.ids) == 449
        assert main.papers.ids[0] == store_ids(path)[0]
        assert "449 / 450" in screen_text(app)
        await pilot.press("G")
        await settle(pilot)
        assert main.papers.highlighted_id == store_ids(path)[-1]


def store_ids(path):
    with Store(path) as store:
        return store.ids_newest_first()


async def test_movement_keys(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        await pilot.press("j", "j")
        assert main.papers.highlighted_id == F
        await pilot.press("k")
        assert main.papers.highlighted_id == E
        await pilot.press("down")
        assert main.papers.highlighted_id == F
        await pilot.press("up")
        assert main.papers.highlighted_id == E
        await pilot.press("G")
        assert main.papers.highlighted_id == C
        await pilot.press("g")
        assert main.papers.highlighted_id == D
        await pilot.press("pagedown")
        assert main.papers.highlighted_id == C
        await pilot.press("pageup")
        assert main.papers.highlighted_id == D
        await pilot.press("end", "home")
        assert main.papers.highlighted_id == D
        await settle(pilot)
        assert "Denoising Diffusion Probabilistic Models" in screen_text(app)


async def test_filter_updates_list_on_each_key_and_escape_returns_then_goes_back_to_the_view(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        await pilot.press("slash")
        assert main.filter_input.has_focus
        await pilot.press("4")  # typed into the filter, not a view switch
        assert main.filter_input.value == "state:inbox 4"
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace")
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace")
        await pilot.press("backspace", "backspace", "backspace")
        await pilot.press(*"diffusion")
        await settle(pilot)
        assert set(main.papers.ids) == {D, A}
        assert "2 / 6" in screen_text(app)
        await pilot.press("escape")
        assert main.papers.has_focus
        assert main.filter_input.value == "diffusion"
        await pilot.press("escape")
        await settle(pilot)
        assert main.filter_input.value == "state:inbox "
        assert len(main.papers.ids) == 6


async def test_detail_highlights_query_matches(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        main.filter_input.value = "synthesis"
        await settle(pilot)
        assert main.papers.ids and main.papers.highlighted_id in {D, A}
        spans = main.listing.result.highlight_spans("Image synthesis results")
        assert (6, 15) in [tuple(span) for span in spans]
        from triage.tui.widgets.paper_detail import PaperDetail

        content = main.query_one(PaperDetail).content
        highlighted = {
            content.plain[span.start : span.end].lower()
            for span in content.spans
            if "warning" in str(span.style)
        }
        assert "synthesis" in highlighted


async def test_broken_query_never_crashes(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        for query in ['"unbalanced', "tag:", "(((", "-", "[bold]", "x" * 2000]:
            main.filter_input.value = query
            await settle(pilot)
            assert app.is_running
            assert isinstance(app.screen, MainScreen)


# -- triage keys -------------------------------------------------------------------------


async def test_star_toggles_and_row_shows_it(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await pilot.press("s")
        await settle(pilot)
        assert stored(db, D).starred
        assert "★" in screen_text(app).splitlines()[2]
        await pilot.press("s")
        await settle(pilot)
        assert not stored(db, D).starred


async def test_state_keys_set_state_and_move_to_next_paper(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        for key, paper, state, next_paper, shown in (
            ("r", D, "reading", E, "5 / 6"),
            ("d", E, "read", F, "4 / 6"),
            ("a", F, "archived", A, "3 / 6"),
        ):
            assert main.papers.highlighted_id == paper
            await pilot.press(key)
            await settle(pilot)
            assert stored(db, paper).state == state
            assert paper not in main.papers.ids  # it left the Inbox view
            assert main.papers.highlighted_id == next_paper
            assert shown in screen_text(app)


async def test_inbox_key_puts_back_and_moves_on(db):
    with Store(db) as store:
        store.mark([D, E], state="read")
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        await pilot.press("4")  # All; the cursor stays on F, the paper it was on
        await settle(pilot)
        assert main.papers.highlighted_id == F
        await pilot.press("g", "i")
        await settle(pilot)
        assert stored(db, D).state == "inbox"
        assert main.papers.highlighted_id == E


async def test_space_selects_several_and_triage_key_applies_to_all(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        await pilot.press("space", "j", "space")  # selects D (moving on), skips E, selects F
        assert main.papers.selected == {D, F}
        assert "2 selected" in screen_text(app)
        await pilot.press("a")
        await settle(pilot)
        assert stored(db, D).state == "archived"
        assert stored(db, F).state == "archived"
        assert stored(db, E).state == "inbox"
        assert stored(db, A).state == "inbox"
        assert main.papers.selected == set()
        assert set(main.papers.ids) == {E, A, B, C}


async def test_undo_restores_the_last_actions_in_turn(db):
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        main = await start(app, pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("s", "t")
        await settle(pilot)
        await pilot.press(*"later", "enter")
        await settle(pilot)
        assert stored(db, D).state == "read"
        assert (stored(db, E).starred, stored(db, E).tags) == (True, ["later"])
        await pilot.press("u")
        await settle(pilot)
        assert (stored(db, E).starred, stored(db, E).tags) == (True, [])
        assert "Undid tags (1 paper)" in notices
        await pilot.press("u", "u")
        await settle(pilot)
        assert not stored(db, E).starred
        assert stored(db, D).state == "inbox"
        assert main.papers.highlighted_id == D  # back on the paper the undo restored
        await pilot.press("u")
        await settle(pilot)
        assert "Nothing to undo." in notices


async def test_tag_editor_adds_completes_and_removes(db):
    with Store(db) as store:
        store.mark([B], add_tags=["transformers"])
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagEditor)
        await pilot.press(*"to-read tra")
        await settle(pilot)
        await pilot.press("right")  # accept the completion "transformers"
        await pilot.press("enter")
        await settle(pilot)
        assert stored(db, D).tags == ["to-read", "transformers"]
        assert "#to-read" in screen_text(app)
        await pilot.press("t")
        await settle(pilot)
        assert app.screen.query_one("#tag-input").value == "to-read transformers "
        await pilot.press(*"-to-read", "enter")
        await settle(pilot)
        assert stored(db, D).tags == ["transformers"]
        assert main.papers.highlighted_id == D


async def test_note_editor_saves_as_you_type(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"good")
        # no save key needed: saved once typing pauses
        await wait_until(pilot, lambda: stored(db, D).note == "good")
        await pilot.press("enter", *"[b]x[/b]")
        await wait_until(pilot, lambda: stored(db, D).note == "good\n[b]x[/b]")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert "[b]x[/b]" in screen_text(app)


async def test_quit_with_note_being_typed_then_reopen_shows_every_character(db):
    typed = "Unsaved? [red]no[/] \\ é ü $accent"
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*typed)
        await pilot.press("ctrl+q")
    assert stored(db, D).note == typed
    again = TriageApp(db)
    async with again.run_test(size=(100, 30)) as pilot:
        await start(again, pilot)
        await pilot.press("n")
        await settle(pilot)
        assert again.screen.editor.text == typed
        assert typed in screen_text(again)


async def test_more_like_this_and_back(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        await pilot.press("m")
        await settle(pilot)
        assert main.listing.like == (D, TITLES[D])
        assert "Like: Denoising Diffusion Pro…" in screen_text(app)
        assert main.papers.ids
        await pilot.press("escape")
        await settle(pilot)
        assert main.listing.like is None
        assert list(main.papers.ids) == NEWEST_FIRST


class Browser:
    def __init__(self) -> None:
        self.opened: list[str] = []

    def open(self, url: str, new: int = 0) -> bool:
        self.opened.append(url)
        return True


async def test_open_in_browser_and_copy_title(db, monkeypatch):
    browser = Browser()
    opened = browser.opened
    monkeypatch.setattr(webbrowser, "get", lambda *args: browser)
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        await start(app, pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opened == [f"https://huggingface.co/papers?q={quote_plus(TITLES[D])}"]
        await pilot.press("j", "y")
        await settle(pilot)
        assert app.clipboard == TITLES[E]
        assert "Copied the title." in notices


async def test_number_keys_switch_views_and_saved_views(db):
    with Store(db) as store:
        store.mark([A], state="reading")
        store.mark([B], star=True)
        store.mark([C], state="archived")
    app = TriageApp(db)
    async with app.run_test(size=(120, 30)) as pilot:
        main = await start(app, pilot)
        expected = {"1": {D, E, F, A, B}, "2": {A}, "3": {B}, "4": set(NEWEST_FIRST), "5": {C}}
        for key, ids in expected.items():
            await pilot.press(key)
            await settle(pilot)
            assert set(main.papers.ids) == (ids - {A} if key == "1" else ids), key
        await pilot.click("ViewBar", offset=(12, 0))  # the "2 Reading" tab
        await settle(pilot)
        assert set(main.papers.ids) == {A}
        await pilot.press("slash", *"tag:", "escape")
        main.filter_input.value = "is:starred "
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        app.screen.query_one("#prompt-input").value = "Stars again"
        await pilot.press("enter")
        await settle(pilot)
        assert "Stars again" in views_file().read_text()
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        assert set(main.papers.ids) == {B}
        assert "6 Stars again" in screen_text(app)


async def test_help_lists_every_binding(db):
    app = TriageApp(db)
    async with app.run_test(size=(120, 50)) as pilot:
        await start(app, pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for description in (
            "Star",
            "Tags",
            "Note",
            "Inbox",
            "Reading",
            "Read",
            "Archive",
            "Select",
            "Undo",
            "More like this",
            "Open arXiv page",
            "Copy title",
            "Export view",
            "Export starred",
            "Delete paper",
            "Sort: next order",
            "Open PDF",
            "Copy citation key",
            "Import dumps",
            "Rename or delete views",
            "Query language",
            "Scroll the detail down",
            "Filter",
            "Quit",
            "Reload from disk",
            "Down",
            "Up",
            "First paper",
            "Last paper",
            "Page down",
            "Page up",
            "Views: 1-5",
        ):
            assert description in text, description
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_every_binding_is_in_the_command_palette_and_runs(db):
    app = TriageApp(db)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await start(app, pilot)
        titles = {command.title for command in app.get_system_commands(main)}
        own = [active.binding for active in main.active_bindings.values() if active.binding.id]
        assert len(own) > 30
        for binding in own:
            assert binding.description in titles, binding.id
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Star")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert stored(db, D).starred


def star_on_x() -> None:
    keys_file().parent.mkdir(parents=True, exist_ok=True)
    keys_file().write_text('[keys]\nstar = "x"\n')


async def test_keys_toml_rebinds_a_key(db):
    star_on_x()
    app = TriageApp(db)
    async with app.run_test(size=(120, 50)) as pilot:
        await start(app, pilot)
        await pilot.press("s")
        await settle(pilot)
        assert not stored(db, D).starred
        await pilot.press("x")
        await settle(pilot)
        assert stored(db, D).starred
        await pilot.press("question_mark")
        await settle(pilot)
        star_line = next(line for line in screen_text(app).splitlines() if " Star " in line)
        assert "x" in star_line.split()


async def test_ctrl_r_shows_what_another_process_wrote(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        with Store(db) as other:
            other.add_papers(
                [("Brand New Paper", "Fresh.")], source="x.txt", listed_on="2026-03-20"
            )
            other.mark([E], star=True)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert main.papers.ids[0] != D and len(main.papers.ids) == 7
        assert "Brand New Paper" in screen_text(app)
        assert main.papers.paper(E).starred


# -- untrusted text ----------------------------------------------------------------------


async def test_hostile_text_is_shown_literally(tmp_path):
    db = make_db(tmp_path / "hostile.db", hostile=True)
    app = TriageApp(db)
    async with app.run_test(size=(160, 40)) as pilot:
        main = await start(app, pilot)
        text = screen_text(app)
        for title in HOSTILE_TITLES[:4]:
            assert title in text, title  # in the list, unstyled and complete
        assert "Bell␇ and ␛[31mred␛[0m escape" in text
        assert "\x1b" not in text and "\x07" not in text
        for _ in HOSTILE_TITLES:  # each one in the detail pane, with its listing source
            await settle(pilot)
            title = main.papers.paper(main.papers.highlighted_id).title
            detail = screen_text(app)
            assert title.replace("\x07", "␇").replace("\x1b", "␛") in detail
            assert "[red]evil[/].txt" in detail
            assert "[b]not bold[/b]" in detail
            await pilot.press("j")
        assert app.is_running


# -- the welcome screen ------------------------------------------------------------------

GRAPHS_ABSTRACT = (
    "We study graph neural networks at scale. Our method trains on billions of edges. It improves "
    "accuracy on every benchmark we tried and is simple to implement in a few lines of code."
)
SPEECH_ABSTRACT = (
    "We present a speech model trained on many languages. It transcribes and translates. It is "
    "evaluated on public benchmarks and beats previous systems by a wide margin on all of them."
)
DUMP = f"""Daily Papers

Mar 14

Welcome Paper One About Graphs

{GRAPHS_ABSTRACT}

Welcome Paper Two About Speech

{SPEECH_ABSTRACT}
"""


async def test_empty_store_opens_welcome_and_imports_samples(tmp_path, monkeypatch):
    samples = tmp_path / "sample_dumps"
    samples.mkdir()
    (samples / "mar-14.txt").write_text(DUMP)
    monkeypatch.setattr("triage.tui.screens.welcome.sample_dumps_dir", lambda: samples)
    app = TriageApp(tmp_path / "empty.db")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        assert "triage import" in screen_text(app)
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        await settle(pilot)
        assert len(app.main.papers.ids) == 2
        assert "Welcome Paper One About Graphs" in screen_text(app)


async def test_footer_names_the_keys_as_remapped_and_a_click_runs_one(db):
    star_on_x()
    app = TriageApp(db)
    async with app.run_test(size=(120, 30)) as pilot:
        await start(app, pilot)
        footer = screen_text(app).splitlines()[-1]
        assert " x Star " in footer and " s Star " not in footer
        assert footer.rstrip().endswith("^p palette")
        await pilot.click("KeyBar", offset=(footer.index(" x Star ") + 2, 0))
        await settle(pilot)
        assert stored(db, D).starred


async def test_once_its_index_is_open_the_app_warms_it_up_until_it_quits(db, monkeypatch):
    """What searches read at random is read in order in the background (after a reboot, the
    first phrase would read it from the disk a word at a time); quitting stops that."""
    warming: list = []
    monkeypatch.setattr(SearchIndex, "warm_up", lambda _, stop, turns: warming.append(stop))
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await wait_until(pilot, lambda: bool(warming))
        assert app.session.index.is_open and not warming[0]()
        await pilot.press("q")
    assert warming[0]()


async def test_a_note_written_just_before_quitting_is_searchable_next_time(db):
    """Quitting leaves the index commit to the next start: nothing the user wrote may be lost."""
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        await wait_until(pilot, lambda: app.session.index.is_open)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"zanzibar", "escape")
        await settle(pilot)
        await pilot.press("q")
    assert stored(db, D).note == "zanzibar"
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await start(app, pilot)
        main.filter_input.value = "zanzibar"
        await settle(pilot)
        assert list(main.papers.ids) == [D]
