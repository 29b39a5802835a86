"""Screenshots of the screens users see, compared with accepted SVGs in tests/__snapshots__/.

Regenerate after a deliberate UI change with `pytest tests/test_snapshots.py --snapshot-update`,
then look at the SVGs before accepting them. Data is fixed (no clocks on screen), the cursor does
not blink, and every run waits for the search workers, so the pictures are deterministic.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from test_app_fixtures import NEWEST_FIRST, make_db, settle

from triage.store import Store
from triage.tui.app import TriageApp
from triage.tui.config import View, save_view

# Paths shown on screen (the welcome screen names the DB) must not change between runs.
FIXED_DIR = Path(tempfile.gettempdir()) / "triage-snapshots"


@pytest.fixture
def fixed_dir():
    shutil.rmtree(FIXED_DIR, ignore_errors=True)
    FIXED_DIR.mkdir(parents=True)
    yield FIXED_DIR
    shutil.rmtree(FIXED_DIR, ignore_errors=True)


@pytest.fixture
def app(tmp_path):
    return TriageApp(make_db(tmp_path / "papers.db"))


def keys(*pressed: str):
    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
        await settle(pilot)

    return run_before


def test_main_screen_80x24(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("j"))


def test_main_screen_160x48(snap_compare, app):
    assert snap_compare(app, terminal_size=(160, 48), run_before=keys("j", "space", "j"))


def test_help_screen(snap_compare, app):
    assert snap_compare(app, terminal_size=(100, 48), run_before=keys("question_mark"))


def test_filter_with_highlights(snap_compare, app):
    typed = ["slash", *"diffusion models"]
    assert snap_compare(app, terminal_size=(120, 30), run_before=keys(*typed))


def test_note_editor(snap_compare, app):
    note = ["n", *"Read section 3 first.", "enter", *"[b]not markup[/b]"]
    assert snap_compare(app, terminal_size=(100, 30), run_before=keys(*note))


def test_welcome_screen(snap_compare, fixed_dir, monkeypatch):
    samples = fixed_dir / "sample_dumps"
    samples.mkdir()
    (samples / "day.txt").write_text("placeholder")
    monkeypatch.setattr("triage.tui.screens.welcome.sample_dumps_dir", lambda: samples)
    app = TriageApp(fixed_dir / "empty.db")
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys())


def test_main_screen_light_theme(snap_compare, app):
    async def light(pilot) -> None:
        pilot.app.theme = "textual-light"
        await keys("j", "space", "s")(pilot)

    assert snap_compare(app, terminal_size=(120, 30), run_before=light)


def test_help_screen_80x24_scrolls(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("question_mark"))


def test_help_screen_80x24_scrolled_to_the_end(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=keys("question_mark", "end"))


def test_header_with_four_saved_views(snap_compare, tmp_path):
    for name, query in (
        ("Diffusion papers to read", "diffusion"),
        ("Starred transformers", "is:starred transformer"),
        ("Mixture of experts", "experts"),
        ("Scaling and language", "scaling"),
    ):
        save_view(View(name, query))
    app = TriageApp(make_db(tmp_path / "papers.db"))
    assert snap_compare(app, terminal_size=(120, 30), run_before=keys("8"))


def test_detail_with_a_long_note(snap_compare, tmp_path):
    db = make_db(tmp_path / "papers.db")
    note = "\n".join(f"{n}. a thought about this paper worth keeping" for n in range(1, 31))
    with Store(db) as store:
        store.mark([NEWEST_FIRST[4]], note=note, star=True, add_tags=["to-read"])
    app = TriageApp(db)
    assert snap_compare(app, terminal_size=(120, 30), run_before=keys("j", "j", "j", "j", "J"))
