"""What the app reads and writes besides the DB: exports (`e`, `E`), imports (`I`), and the
theme remembered between runs."""

from __future__ import annotations

import json

import bibtexparser
import pytest
from test_app_fixtures import (
    NEWEST_FIRST,
    TITLES,
    Notices,
    make_db,
    screen_text,
    settle,
    wait_until,
)

from triage.tui.app import TriageApp
from triage.tui.screens.dialogs import PromptScreen
from triage.tui.screens.main import MainScreen

D, E, F, A, B, C = NEWEST_FIRST
DUMP = """Daily Papers

Mar 15

Sparse Autoencoders Find Interpretable Features

We train sparse autoencoders on the activations of a language model and find features that \
humans can interpret, at a scale of millions of features.

Retrieval Heads Explain Long Context Factuality

We find a small set of attention heads that retrieve information from long contexts, and show \
that masking them makes models hallucinate.
"""


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "papers.db")


async def start(app, pilot):
    await settle(pilot)
    assert isinstance(app.screen, MainScreen)
    return app.main


async def answer(pilot, text: str) -> None:
    """Type `text` into the open prompt (replacing what it offered) and press Enter."""
    assert isinstance(pilot.app.screen, PromptScreen)
    pilot.app.screen.query_one("#prompt-input").value = text
    await pilot.press("enter")
    await settle(pilot)


def offered(pilot) -> str:
    assert isinstance(pilot.app.screen, PromptScreen)
    return pilot.app.screen.query_one("#prompt-input").value


async def test_e_and_E_export_to_files_of_their_own_in_the_format_of_the_extension(db, tmp_path):
    view, starred = tmp_path / "inbox.md", tmp_path / "starred.bib"
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        await start(app, pilot)
        await pilot.press("e")
        await settle(pilot)
        await answer(pilot, str(view))
        await wait_until(pilot, view.exists)
        assert "# Inbox" in view.read_text() and TITLES[C] in view.read_text()
        await pilot.press("s", "E")
        await settle(pilot)
        assert offered(pilot) != str(view)  # E never offers the view's file
        await answer(pilot, str(starred))
        await wait_until(pilot, starred.exists)
        [entry] = bibtexparser.parse_string(starred.read_text()).entries
        assert entry.fields_dict["title"].value == "{Denoising Diffusion Probabilistic Models}"
        assert "# Inbox" in view.read_text()  # untouched
        assert f"Exported 1 paper to {starred} (BibTeX)" in notices
        await pilot.press("e")
        await settle(pilot)
        assert offered(pilot) == str(view)  # each remembered for next time
        await answer(pilot, str(tmp_path / "inbox.json"))
        await wait_until(pilot, (tmp_path / "inbox.json").exists)
        exported = json.loads((tmp_path / "inbox.json").read_text())
        assert [paper["id"] for paper in exported] == NEWEST_FIRST


async def test_an_export_of_no_papers_writes_nothing(db, tmp_path):
    target = tmp_path / "archived.md"
    target.write_text("what was exported before\n")
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        await start(app, pilot)
        await pilot.press("5", "e")  # Archived: empty
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert "Nothing to export: no papers in Archived. No file was written." in notices
        await pilot.press("E")
        await settle(pilot)
        assert "Nothing to export: no papers in Starred papers. No file was written." in notices
    assert target.read_text() == "what was exported before\n"


async def test_I_imports_a_folder_in_the_background_and_lists_the_new_papers(db, tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "mar-15.txt").write_text(DUMP)
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        main = await start(app, pilot)
        await pilot.press("I")
        await settle(pilot)
        await answer(pilot, str(folder))
        await wait_until(pilot, lambda: len(main.papers.ids) == 8)
        await settle(pilot)
        assert "Imported 1 file: 2 new papers, 0 already known" in notices
        assert "8 / 8" in screen_text(app)
        assert "Sparse Autoencoders Find Interpretable Features" in screen_text(app)
        await pilot.press("I")
        await settle(pilot)
        assert offered(pilot) == str(folder)  # remembered
        await answer(pilot, str(tmp_path / "nowhere"))
        assert f"Nothing to import: {tmp_path / 'nowhere'} does not exist." in notices


async def test_typing_goes_on_while_an_import_runs(db, tmp_path, monkeypatch):
    """The import runs in a worker: the filter answers while it is still importing."""
    import threading

    from triage.tui.screens import paper_keys

    release = threading.Event()
    real_import = paper_keys.import_paths

    def slow_import(store, paths, progress=None):
        release.wait(10)
        return real_import(store, paths, progress=progress)

    monkeypatch.setattr(paper_keys, "import_paths", slow_import)
    (tmp_path / "mar-15.txt").write_text(DUMP)
    app = TriageApp(db)
    notices = Notices()
    async with app.run_test(size=(100, 30), message_hook=notices) as pilot:
        main = await start(app, pilot)
        await pilot.press("I")
        await settle(pilot)
        app.screen.query_one("#prompt-input").value = str(tmp_path / "mar-15.txt")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "importing" in screen_text(app).splitlines()[0])
        await pilot.press("slash", *"attention")
        await wait_until(pilot, lambda: list(main.papers.ids) == [B])
        release.set()
        await wait_until(pilot, lambda: main.listing.total == 8 and len(main.papers.ids) == 2)
        assert "Imported 1 file: 2 new papers, 0 already known" in notices


async def test_the_theme_chosen_is_the_next_starts(db):
    app = TriageApp(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await start(app, pilot)
        app.theme = "textual-light"  # what choosing it in the command palette does
        await settle(pilot)
    again = TriageApp(db)
    async with again.run_test(size=(100, 30)) as pilot:
        await start(again, pilot)
        assert again.theme == "textual-light"
