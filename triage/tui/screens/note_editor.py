"""The note editor: what the user types is saved a moment after they pause, and never lost.

Saves go through the app's writer (never waiting on a lock) with the note as it was last stored:
if someone else (a synced copy, another terminal) changed the note meanwhile, both texts are kept
in a conflict block, and the cursor stays in the user's own text so the next keys land there.
A note that cannot be saved (the DB locked, full, gone; the paper deleted elsewhere) is kept in
the editor and in a recovery file, and offered back the next time the note is opened.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Static, TextArea

from triage.store import Paper, Store
from triage.tui import recovery
from triage.tui.session import Session
from triage.tui.widgets.literal import printable
from triage.tui.writer import Job

SAVE_AFTER = 0.4
"""Seconds of pause in typing before the note is saved (a save per key would be a DB write
per key)."""
HELP = "Saved as you type. Esc closes, ctrl+g puts back the note as it was when opened."


@dataclass(frozen=True)
class NoteEdit:
    """What the editor did to a note, for the list's undo."""

    paper_id: str
    before: str
    after: str


def index_of(text: str, location: tuple[int, int]) -> int:
    """The offset in ``text`` of a (row, column) location."""
    row, column = location
    return sum(len(line) + 1 for line in text.split("\n")[:row]) + column


def location_of(text: str, index: int) -> tuple[int, int]:
    """The (row, column) location of an offset in ``text``."""
    before = text[:index].split("\n")
    return len(before) - 1, len(before[-1])


class _Saves:
    """The note as the DB holds it, known to the writer thread (saves run there, in order:
    each is written over what the one before it stored)."""

    def __init__(self, stored: str) -> None:
        self.stored = stored


class NoteEditor(ModalScreen[NoteEdit | None]):
    BINDINGS = [
        Binding("escape", "close", "Close note", id="note-close", priority=True),
        Binding("ctrl+g", "revert", "Put the note back as it was", id="note-revert"),
    ]

    def __init__(self, session: Session, paper: Paper) -> None:
        super().__init__()
        self.session = session
        self.paper_id = paper.id
        self.paper_title = paper.title
        self.opened_with = paper.note
        self._saves = _Saves(paper.note)
        self._submitted = paper.note
        """The last text handed to the writer."""
        self._timer: Timer | None = None
        self._recovered = recovery.recovered(paper.id)
        text = self._recovered[0].text if self._recovered else paper.note
        self.editor = TextArea(text, id="note-text", soft_wrap=True, tab_behavior="indent")
        self.editor.cursor_blink = False  # a still screen (and stable screenshots)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog note-dialog"):
            yield Static(Content(printable(self.paper_title)), classes="dialog-title")
            yield self.editor
            yield Static(Content(HELP), id="note-status", classes="dialog-help")

    def on_mount(self) -> None:
        self.editor.move_cursor(self.editor.document.end)
        if self._recovered:
            self._say("Your unsaved note is back (from a recovery file); it is saved now.")
            self._save()

    @property
    def text(self) -> str:
        return self.editor.text

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SAVE_AFTER, self._save)
        if self.session.writer.trouble is not None:  # nothing reaches the DB now: every key
            self._keep()  # typed is in the recovery file at once

    def _save(self) -> None:
        text = self.text
        if text == self._submitted:
            return
        self._submitted = text
        saves, paper = self._saves, self.paper_id

        def write(store: Store) -> str:
            saves.stored = store.save_note(paper, text, base=saves.stored)
            return saves.stored

        self.session.writer.submit(
            Job(
                "note",
                write,
                done=lambda stored: self._saved(text, stored),
                refused=lambda _: self._paper_gone(),
            )
        )
        if self.session.writer.trouble is not None:
            self._keep()

    def _saved(self, typed: str, stored: str) -> None:
        self.session.after_write([self.paper_id])
        self.session.shown([self.paper_id])
        latest = typed == self._submitted
        if latest:
            recovery.saved(self.paper_id)
        if stored == typed or not latest or not self.is_attached:
            return
        # Changed elsewhere meanwhile: the stored note is a conflict block holding what the
        # user typed. Show it with what they typed since, the cursor where it was in their text.
        self._submitted = stored
        current = self.text
        start = stored.rfind(typed)
        if start < 0:  # cleared here, changed elsewhere: the other text is kept
            self.editor.load_text(stored)
            self.editor.move_cursor(self.editor.document.end)
        else:
            cursor = index_of(current, self.editor.cursor_location)
            merged = stored[:start] + current + stored[start + len(typed) :]
            self.editor.load_text(merged)
            self.editor.move_cursor(location_of(merged, start + cursor))
        self._say("The note was also changed elsewhere: both versions are kept.")

    def _paper_gone(self) -> None:
        path = self._keep()
        where = f" and in {path}" if path else ""
        self._say(
            "This paper is no longer in the database (deleted, or the file was replaced): "
            f"your note is kept here{where}."
        )

    def write_trouble(self, problem: str | None) -> None:
        """The app says writes wait (or no longer do): keep the note safe meanwhile."""
        if problem is not None:
            self._keep()

    def _keep(self) -> str | None:
        try:
            return str(
                recovery.keep(self.paper_id, self.paper_title, self.text, self._saves.stored)
            )
        except OSError as error:
            self._say(f"Could not write a recovery file either ({error}): keep this app open.")
            return None

    def _say(self, message: str) -> None:
        self.notify(message, timeout=8, markup=False)

    def on_unmount(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._save()
        if self.session.writer.trouble is not None and self.text != self._saves.stored:
            self._keep()

    def action_close(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._save()
        self.dismiss(NoteEdit(self.paper_id, self.opened_with, self.text))

    def action_revert(self) -> None:
        self.editor.load_text(self.opened_with)
        self.editor.move_cursor(self.editor.document.end)
