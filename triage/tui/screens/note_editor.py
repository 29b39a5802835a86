"""The note editor: every change is written to the store at once, so quitting or a crash loses nothing.

Saves go through `Store.save_note` with the note as this editor last saw it: if someone else (a
synced copy, another terminal) changed the note meanwhile, both texts are kept, never one lost.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from triage.store import Paper, StoreError
from triage.tui.session import Session
from triage.tui.widgets.literal import printable


class NoteEditor(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "Close note", id="note-close", priority=True)]

    def __init__(self, session: Session, paper: Paper) -> None:
        super().__init__()
        self.session = session
        self.paper_id = paper.id
        self.paper_title = paper.title
        self.base = paper.note
        """The note as stored when this editor last loaded or saved it."""
        self.editor = TextArea(paper.note, id="note-text", soft_wrap=True, tab_behavior="indent")
        self.editor.cursor_blink = False  # a still screen (and stable screenshots)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog note-dialog"):
            yield Static(Content(printable(self.paper_title)), classes="dialog-title")
            yield self.editor
            yield Static(
                Content("Saved as you type. Esc closes."), id="note-status", classes="dialog-help"
            )

    def on_mount(self) -> None:
        self.editor.move_cursor(self.editor.document.end)

    @property
    def text(self) -> str:
        return self.editor.text

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.save()

    def save(self) -> None:
        text = self.text
        if text == self.base:
            return
        try:
            stored = self.session.store.save_note(self.paper_id, text, base=self.base)
        except StoreError as error:
            # e.g. locked by a sync client: keep the text, retry on the next key
            self.app.notify(f"Note not saved yet: {error}", severity="error", markup=False)
            return
        self.base = stored
        if stored != text:
            self.editor.load_text(stored)
            self.notify("The note was also changed elsewhere: both versions are kept.", timeout=6)
        self.session.after_write([self.paper_id])

    def on_unmount(self) -> None:
        self.save()

    def action_close(self) -> None:
        self.dismiss(None)
