"""The Textual app: owns the UI thread's Store, the search index access, and the watch on the DB file."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from functools import partial
from importlib.resources import files
from pathlib import Path

# Textual paints at most MAX_FPS frames a second (60 by default, read once when textual is first
# imported): the list answering a keystroke waited up to 17 ms behind the frame that echoed the
# key. At 240 that wait is 4 ms; frames are still only painted when something changed.
# TEXTUAL_FPS set by the user wins.
os.environ.setdefault("TEXTUAL_FPS", "240")

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from triage.search.access import IndexAccess
from triage.store import Store, StoreError, WriteLog
from triage.sync.copies import find_conflict_copies, merge_conflict_copies
from triage.sync.merge import MergeReport, changed_papers, merge_summary
from triage.sync.watch import FileWatch
from triage.tui.config import load_keymap
from triage.tui.idle_gc import IdleCollector
from triage.tui.screens.conflicts import ConflictCopiesOffer
from triage.tui.screens.help import HelpScreen, key_table
from triage.tui.screens.main import MainScreen
from triage.tui.screens.welcome import WelcomeScreen

STYLE_FILES = ("app.tcss", "dialogs.tcss")
DISK_POLL_SECONDS = 1.0
GC_CHECK_SECONDS = 0.25


def style_paths() -> list[Path]:
    """The shipped stylesheets (package `triage.styles`, the top-level styles/ folder)."""
    try:
        folder = files("triage.styles")
    except ModuleNotFoundError:  # an editable install maps no namespace package: use the tree
        folder = Path(__file__).resolve().parents[2] / "styles"
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
        self.writes = WriteLog()
        """This app's own writes, from any of its stores: the file watch never reports them."""
        self.store = Store(self.db_path, writes=self.writes)
        self.index_access = IndexAccess(self.db_path)
        self.watch = FileWatch(self.db_path, self.writes)
        keymap, self._keymap_problem = load_keymap()
        self.set_keymap(keymap)
        self.main = MainScreen(self.db_path)
        self._declined_copies: set[Path] = set()
        """Conflict copies the user said "not now" to: not offered again this session."""
        self._waiting_copies: list[Path] = []
        """Copies found while a dialog was open: offered once the user is back on the list."""
        self._copies_busy = False
        """The offer is shown, or the merge runs."""
        self.collector = IdleCollector()

    def get_default_screen(self) -> Screen:
        """The main screen from the first moment: keys typed while the app starts (a terminal
        buffers them) reach it, instead of a blank default screen that drops them."""
        return self.main

    def on_mount(self) -> None:
        if self._keymap_problem:
            self.notify(self._keymap_problem, severity="warning", markup=False)
        if self.store.count() == 0:
            self.push_screen(WelcomeScreen(self.db_path))
        self.set_interval(DISK_POLL_SECONDS, self.poll_disk)
        self.set_interval(GC_CHECK_SECONDS, self.collector.tick)
        self.look_for_conflict_copies()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)
        ):
            self.collector.input_seen()
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.index_access.close()
        self.store.close()
        self.collector.stop()  # what this app held may be freed again

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
                self.notify,
                f"Search index unavailable: {error!r}",
                severity="warning",
                markup=False,
            )
        finally:
            self.call_from_thread(self.main.set_indexing, "")
        # The index and the first screen made most objects this process will hold.
        self.call_from_thread(self.collector.start)

    # -- writes and outside changes ------------------------------------------------------

    def after_write(self, ids: Sequence[str]) -> None:
        """Our own write: the index must learn of it; the file watch must not report it."""
        self.index_access.papers_changed(ids)
        self.watch.accept()

    def poll_disk(self) -> None:
        if self._waiting_copies:
            self.offer_conflict_copies(self._waiting_copies)
        self._poll_disk()

    @work(thread=True, exclusive=True, group="watch")
    def _poll_disk(self) -> None:
        """Off the UI thread: a stat and a tiny read, but a sync client may hold a lock."""
        change = self.watch.poll()
        if change is not None:
            self.call_from_thread(self.reload_from_disk, replaced=change.replaced)
            self._send_conflict_copies()

    # -- conflict copies left by sync clients -----------------------------------------------

    @work(thread=True, exclusive=True, group="conflict-copies")
    def look_for_conflict_copies(self) -> None:
        self._send_conflict_copies()

    def _send_conflict_copies(self) -> None:
        """On a worker thread: list the folder, offer what is there on the UI thread."""
        copies = find_conflict_copies(self.db_path)
        if copies:
            self.call_from_thread(self.offer_conflict_copies, copies)

    def offer_conflict_copies(self, copies: list[Path]) -> None:
        """Ask whether to merge them, unless the user already said not now to all of them.

        Never over a dialog (a note being typed): the offer waits until the user is back.
        """
        if self._copies_busy or set(copies) <= self._declined_copies:
            self._waiting_copies = []
            return
        if self.screen is not self.main and not isinstance(self.screen, WelcomeScreen):
            self._waiting_copies = copies
            return
        self._waiting_copies = []
        self._copies_busy = True

        def answered(merge: bool | None) -> None:
            if merge:
                self.merge_copies(copies)
            else:
                self._declined_copies.update(copies)
                self._copies_busy = False

        self.push_screen(ConflictCopiesOffer(copies), answered)

    @work(thread=True, exclusive=True, group="conflict-copies")
    def merge_copies(self, offered: list[Path]) -> None:
        """Merge every copy beside the DB (its own Store: this is another thread)."""
        try:
            with Store(self.db_path, writes=self.writes) as store:
                reports = merge_conflict_copies(store, dry_run=False)
        except (StoreError, OSError) as error:
            self.call_from_thread(self._copies_merged, [], offered, f"Merge failed: {error}")
            return
        self.call_from_thread(self._copies_merged, reports, offered, None)

    def _copies_merged(
        self, reports: list[MergeReport], offered: list[Path], error: str | None
    ) -> None:
        self._copies_busy = False
        self.after_write(changed_papers(reports))
        if error:  # copies merged before the failing one are unknown here: re-read them all
            self.index_access.catch_up_later()
            self._declined_copies.update(offered)  # not offered again this session
        if self.store.count() and isinstance(self.screen, WelcomeScreen):
            self.pop_screen()
        self.main.papers.forget()
        self.main.refill(recount=True)
        if error:
            self.notify(error, severity="error", markup=False)
        if reports:
            self.notify(merge_summary(reports), markup=False)

    def papers_written(self, ids: Sequence[str]) -> None:
        self.main.papers_written(ids)

    def store_filled(self) -> None:
        """Papers arrived in an empty store: leave the welcome screen."""
        if isinstance(self.screen, WelcomeScreen):
            self.pop_screen()
        self.watch.accept()
        self.index_access.catch_up_later()
        self.main.papers.forget()
        self.main.refill(recount=True)

    def action_reload(self) -> None:
        self.reload_from_disk(replaced=True)

    def reload_from_disk(self, *, replaced: bool) -> None:
        """Show what the file holds now; reopen it when it is another file (a synced copy)."""
        if replaced:
            try:
                fresh = Store(self.db_path, writes=self.writes)
            except StoreError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self.store.close()
            self.store = fresh
        if self.store.count() and isinstance(self.screen, WelcomeScreen):
            self.pop_screen()
        self.index_access.catch_up_later()
        self.main.papers.forget()
        self.main.refill(recount=True)
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
        self.main.refill(recount=True)

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
            if (
                binding.system
                or not binding.description
                or (binding.action, binding.description) in seen
            ):
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
