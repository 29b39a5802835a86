"""Quitting while changes still wait to be written (the DB locked, full, gone…)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from triage.core.wording import plural


class QuitWithUnsaved(ModalScreen[bool]):
    """Says what waits and why; answers True to quit anyway, False to stay."""

    BINDINGS = [
        Binding("y", "answer(True)", "Quit anyway", id="unsaved-quit"),
        Binding("escape,n,enter", "answer(False)", "Stay", id="unsaved-stay"),
    ]

    def __init__(self, waiting: int, problem: str) -> None:
        super().__init__()
        self.waiting = waiting
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                Content(f"{plural(self.waiting, 'change')} not saved yet"), classes="dialog-title"
            )
            yield Static(Content(f"{self.problem}."))
            yield Static(
                Content(
                    "Stay, and they are saved as soon as the database can be written. "
                    "Quit, and marks not saved yet are lost (notes are kept in recovery files "
                    "and offered back).\ny quits anyway, n or Esc stays."
                ),
                classes="dialog-help",
            )

    def action_answer(self, quit_anyway: bool) -> None:
        self.dismiss(quit_anyway)
