"""The Textual app: builds the session (store, writer, search index access, file watch) that
its screens are given, and answers what only the app can do: screens come and go, writes wait
for the DB, a crash. What it does when the DB changes from outside (another terminal, a sync
client, the shared file) is in its base class, :mod:`.outside_changes`.

Screens post messages up (`WelcomeScreen.Filled`, `MainScreen.IndexWanted`); the app calls
the main screen's methods down.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from importlib.resources import files
from pathlib import Path, PurePath
from typing import Any

# Textual paints at most MAX_FPS frames a second (60 by default, read once when textual is first
# imported): the list answering a keystroke waited up to 17 ms behind the frame that echoed the
# key. At 240 that wait is 4 ms; frames are still only painted when something changed.
# TEXTUAL_FPS set by the user wins.
os.environ.setdefault("TEXTUAL_FPS", "240")

from textual import events, on, work
from textual.app import SystemCommand
from textual.css.query import NoMatches
from textual.screen import Screen

from triage.core.wording import plural
from triage.tui import recovery
from triage.tui.bindings import APP_KEYS
from triage.tui.config import remember_theme, remembered_theme
from triage.tui.crash import crash_line, write_crash_log
from triage.tui.idle_gc import IdleCollector
from triage.tui.keymap import user_keymap
from triage.tui.outside_changes import FollowsOtherCopies
from triage.tui.screens.help import HelpScreen, binding_commands, key_table
from triage.tui.screens.main import MainScreen
from triage.tui.screens.note_editor import NoteEditor
from triage.tui.screens.unsaved import QuitWithUnsaved
from triage.tui.screens.welcome import WelcomeScreen
from triage.tui.session import Session

log = logging.getLogger(__name__)
STYLE_FILES = ("app.tcss", "dialogs.tcss")
DISK_POLL_SECONDS = 1.0
GC_CHECK_SECONDS = 0.25


def style_paths() -> list[str | PurePath]:
    """The shipped stylesheets (package `triage.styles`, the top-level styles/ folder)."""
    try:
        folder = files("triage.styles")
    except ModuleNotFoundError:  # an editable install maps no namespace package: use the tree
        folder = Path(__file__).resolve().parents[2] / "styles"
    return [Path(str(folder / name)) for name in STYLE_FILES]


class TriageApp(FollowsOtherCopies):
    TITLE = "triage"
    CSS_PATH = style_paths()
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = APP_KEYS

    def __init__(self, db_path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.session = Session.open(db_path, ui=self._from_writer, trouble=self.write_trouble)
        keymap, self._keymap_problem = user_keymap()
        self.set_keymap(keymap)
        if (theme := remembered_theme()) in self.available_themes:
            self.theme = theme
        self.main = MainScreen(self.session)
        self.session.shown = self._show_written
        self._write_problem: str | None = None
        self.crash_log: Path | None = None
        self.collector = IdleCollector()

    def get_default_screen(self) -> Screen:
        """The main screen from the first moment: keys typed while the app starts (a terminal
        buffers them) reach it, instead of a blank default screen that drops them."""
        return self.main

    def on_mount(self) -> None:
        if self._keymap_problem:
            self.notify(self._keymap_problem, severity="warning", markup=False, timeout=10)
        self.theme_changed_signal.subscribe(self, lambda theme: remember_theme(theme.name))
        self._warn_if_in_a_synced_folder()
        notes = recovery.recovered()
        if notes:
            self.notify(
                f"{plural(len(notes), 'note')} typed earlier could not be saved: open the "
                f"paper's note to get it back (kept in {recovery.folder()}).",
                severity="warning",
                timeout=15,
                markup=False,
            )
        if self.session.read(lambda store: store.is_empty()):
            self.push_screen(WelcomeScreen(self.session))
        self.session.shared_sync.refresh(self.session.store)
        self.set_interval(DISK_POLL_SECONDS, self.poll_disk)
        self.set_interval(GC_CHECK_SECONDS, self.collector.tick)
        self.look_for_conflict_copies()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)
        ):
            self.collector.input_seen()
        if isinstance(event, events.Key) and not event.is_forwarded and self.screen is self.main:
            taken = self.main.take_key_at_once(event.key)
            if taken is not False:
                if not isinstance(taken, bool):
                    await taken  # the keys after it go where the typing went
                return
        await super().on_event(event)

    async def action_quit(self) -> None:
        writer = self.session.writer
        if writer.trouble is None or not writer.waiting:
            await super().action_quit()
            return

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit()

        self.push_screen(QuitWithUnsaved(writer.waiting, writer.trouble), answered)

    def on_unmount(self) -> None:
        self.session.shared_sync.publish_at_quit()
        self.session.close()
        self.collector.stop()  # what this app held may be freed again

    # -- the index -----------------------------------------------------------------------

    @on(MainScreen.IndexWanted)
    def open_index(self) -> None:
        self._open_index()

    @work(thread=True, group="index")
    def _open_index(self) -> None:
        """Open (or build) the index early, so the first typed query does not wait for it,
        then warm it up."""
        index = self.session.index
        try:
            with index.lock:
                index.ready(self.main.index_progress)
        except Exception as error:  # searching will retry and say so; the list still works
            self.call_from_thread(
                self.notify,
                f"Search index unavailable: {error!r}",
                severity="warning",
                markup=False,
            )
        finally:
            self.call_from_thread(self.main.show_indexing, "")
        # The index and the first screen made most objects this process will hold.
        self.call_from_thread(self.collector.start)
        index.warm_up()

    # -- an error nobody expected ------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """Textual's hook for any unhandled error (it exits the app, restoring the terminal):
        the traceback goes to a log first. Under Pilot, tests still see the error."""
        self.crash_log = write_crash_log(error)
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Textual prints the traceback here at exit: `run` prints one line instead."""
        self.exit(return_code=1)

    # -- writes that wait ---------------------------------------------------------------------

    def call_from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A worker's result for the UI. When the app quits, workers still running may finish
        after the screen's widgets are gone: their results have nothing left to show."""
        try:
            return super().call_from_thread(callback, *args, **kwargs)
        except NoMatches:
            if self.main.children:
                raise  # the widgets are there: a real bug
            return None

    def _from_writer(self, call: Callable[[], None]) -> None:
        """The writer thread's way back to the UI thread (nothing to tell once the app is gone)."""
        try:
            self.call_from_thread(call)
        except Exception:  # the app is closing: the write is done, nothing left to show
            log.debug("after a write, the UI was gone", exc_info=True)

    def _show_written(self, ids: Sequence[str]) -> None:
        if self.main.is_attached:
            self.main.papers_written(ids)

    def write_trouble(self, problem: str | None) -> None:
        """The writer cannot write (``problem`` says why and what to do), or can again (None).
        Changes wait meanwhile, none is lost; an open note is also kept in a recovery file."""
        if problem == self._write_problem:
            return
        self._write_problem = problem
        if problem is None:
            self.notify("Saved the changes that were waiting.", markup=False)
        else:
            self.notify(
                f"Not saved yet: {problem}. Your changes are kept and saved when it can.",
                severity="error",
                timeout=10,
                markup=False,
            )
        if isinstance(self.screen, NoteEditor):
            self.screen.write_trouble(problem)

    # -- help and the command palette -------------------------------------------------------

    def action_help(self) -> None:
        self.push_screen(HelpScreen(key_table(self, self.main.active_bindings)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if screen is self.main:
            yield from binding_commands(self, screen.active_bindings)


def run(db_path: str | os.PathLike[str], **options: Any) -> int:
    """Run the app (``options`` go to `App.run`); the exit code, non-zero after a crash, which
    is told in one line once the terminal is restored."""
    app = TriageApp(db_path)
    app.run(**options)
    if app.return_code:
        print(crash_line(app.crash_log), file=sys.stderr)
    return app.return_code or 0
