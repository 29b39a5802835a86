"""The Textual app: owns the UI thread's Store, the search index access, and the watch on the DB file."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from functools import partial
from importlib.resources import files
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from triage.screens.help import HelpScreen, key_table
from triage.screens.index_access import IndexAccess
from triage.screens.main import MainScreen
from triage.screens.welcome import WelcomeScreen
from triage.store import Store, StoreError
from triage.sync import FileWatch
from triage.ui_config import load_keymap

STYLE_FILES = ("app.tcss", "dialogs.tcss")
DISK_POLL_SECONDS = 1.0


def style_paths() -> list[Path]:
    """The shipped stylesheets (package `triage.styles`, the top-level styles/ folder)."""
    try:
        folder = files("triage.styles")
    except ModuleNotFoundError:  # an editable install maps no namespace package: use the tree
        folder = Path(__file__).resolve().parent.parent / "styles"
    return [Path(str(folder / name)) for name in STYLE_FILES]


class TriageApp(App[None]):
    TITLE = "triage"
    CSS_PATH = style_paths()
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("ctrl+r", "reload", "Reload from disk", id="reload"),
    ]

    def __init__(self, db_path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.db_path = Path(db_path).expanduser()
        self.store = Store(self.db_path)
        self.index_access = IndexAccess(self.db_path)
        self.watch = FileWatch(self.db_path)
        keymap, self._keymap_problem = load_keymap()
        self.set_keymap(keymap)
        self.main = MainScreen(self.db_path)

    def on_mount(self) -> None:
        self.push_screen(self.main)
        if self._keymap_problem:
            self.notify(self._keymap_problem, severity="warning", markup=False)
        if self.store.count() == 0:
            self.push_screen(WelcomeScreen(self.db_path))
        self.set_interval(DISK_POLL_SECONDS, self.poll_disk)

    def on_unmount(self) -> None:
        self.index_access.close()
        self.store.close()

    # -- the index -----------------------------------------------------------------------

    @work(thread=True, group="index")
    def open_index(self) -> None:
        """Open (or build) the index early, so the first typed query does not wait for it.

        The main screen asks once its first rows are shown (the built-in views need no index).
        """
        try:
            with self.index_access.lock:
                self.index_access.ready(self.main.index_progress)
        except Exception as error:  # searching will retry and say so; the list still works
            self.call_from_thread(
                self.notify, f"Search index unavailable: {error!r}", severity="warning", markup=False
            )
        finally:
            self.call_from_thread(self.main.set_indexing, "")

    # -- writes and outside changes ------------------------------------------------------

    def after_write(self, ids: Sequence[str]) -> None:
        """Our own write: the index must learn of it; the file watch must not report it."""
        self.index_access.papers_changed(ids)
        self.watch.accept()

    def poll_disk(self) -> None:
        self._poll_disk()

    @work(thread=True, exclusive=True, group="watch")
    def _poll_disk(self) -> None:
        """Off the UI thread: a stat and a tiny read, but a sync client may hold a lock."""
        change = self.watch.poll()
        if change is not None:
            self.call_from_thread(self.reload_from_disk, replaced=change.replaced)

    def papers_written(self, ids: Sequence[str]) -> None:
        self.main.papers_written(ids)

    def store_filled(self) -> None:
        """Papers arrived in an empty store: leave the welcome screen."""
        if isinstance(self.screen, WelcomeScreen):
            self.pop_screen()
        self.watch.accept()
        self.index_access.catch_up_later()
        self.main.papers.forget()
        self.main.refill()

    def action_reload(self) -> None:
        self.reload_from_disk(replaced=True)

    def reload_from_disk(self, *, replaced: bool) -> None:
        """Show what the file holds now; reopen it when it is another file (a synced copy)."""
        if replaced:
            try:
                fresh = Store(self.db_path)
            except StoreError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self.store.close()
            self.store = fresh
            self.index_access.reopen_later()
        if self.store.count() and isinstance(self.screen, WelcomeScreen):
            self.pop_screen()
        self.index_access.catch_up_later()
        self.main.papers.forget()
        self.main.refill()
        self.catch_up()

    @work(thread=True, exclusive=True, group="catch-up")
    def catch_up(self) -> None:
        try:
            with self.index_access.lock:
                updated = self.index_access.catch_up_now()
        except Exception:  # the next search reports an unusable index
            updated = None
        self.call_from_thread(self._caught_up, updated)

    def _caught_up(self, updated: int | None) -> None:
        if updated is None:
            self.notify("Reloaded the database from disk.")
        elif updated:
            self.notify(f"{updated} paper{'s' if updated != 1 else ''} updated from disk")
        self.main.refill()

    # -- help and the command palette -------------------------------------------------------

    def _key_rows(self) -> list[tuple[str, str, str]]:
        return key_table(self, self.main.active_bindings)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self._key_rows()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is not self.main:
            return
        seen: set[tuple[str, str]] = set()
        for active in self.main.active_bindings.values():
            binding = active.binding
            if binding.system or not binding.description or (binding.action, binding.description) in seen:
                continue
            seen.add((binding.action, binding.description))
            keys = ", ".join(
                self.get_key_display(other.binding)
                for other in self.main.active_bindings.values()
                if other.binding.action == binding.action
                and other.binding.description == binding.description
            )
            yield SystemCommand(
                binding.description,
                f"key: {keys}",
                partial(self.run_action, binding.action, active.node),
            )


def run(db_path: str | os.PathLike[str]) -> None:
    TriageApp(db_path).run()
