"""The filter line: the filter Input and, beside it, the hint ("No papers match. Did you mean…").

The hint shares the filter's line: a line of its own that comes and goes would move the list
and the detail, and repainting them cost a keystroke 60 ms at 100,000 papers.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from triage.tui.widgets.steady_input import SteadyInput

PLACEHOLDER = 'words "phrase" -word tag:x is:starred listed:7d sort:title  F1: more'


class FilterBar(Horizontal):
    def __init__(self, value: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._value = value
        self._hint: str | None = None

    def compose(self) -> ComposeResult:
        yield SteadyInput(self._value, placeholder=PLACEHOLDER, id="filter", select_on_focus=False)
        yield Static(id="filter-hint")

    def show_hint(self, message: str | None) -> None:
        """Repainted only when it changes: most keystrokes keep the hint they had."""
        if message == self._hint:
            return
        self._hint = message
        self.query_one("#filter-hint", Static).update(Content(message or ""))
