"""The saved views, to show, rename or delete one (`V` on the main screen)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from triage.tui.config import View
from triage.tui.widgets.literal import printable


class ViewsScreen(ModalScreen[tuple[str, str] | None]):
    """Answers (what, view name), what being show, rename or delete; None when closed."""

    BINDINGS = [
        Binding("j", "move(1)", "Next view", id="views-down", show=False),
        Binding("k", "move(-1)", "Previous view", id="views-up", show=False),
        Binding("r", "answer('rename')", "Rename", id="views-rename"),
        Binding("d,delete", "answer('delete')", "Delete", id="views-delete"),
        Binding("escape", "close", "Close", id="views-close"),
    ]

    def __init__(self, saved: Sequence[View], *, first_key: int) -> None:
        super().__init__()
        self.saved = list(saved)
        self.first_key = first_key

    def compose(self) -> ComposeResult:
        width = max(len(printable(view.name)) for view in self.saved) + 2
        options = [
            Option(
                Content.assemble(
                    (f"{self.first_key + number}  ", "bold $text-accent"),
                    printable(view.name).ljust(width),
                    (printable(view.query), "$text-muted"),
                ),
                id=str(number),
            )
            for number, view in enumerate(self.saved)
        ]
        with Vertical(classes="dialog"):
            yield Static(Content("Saved views"), classes="dialog-title")
            yield OptionList(*options, id="views-list")
            yield Static(
                Content("Enter shows the view, r renames it, d deletes it, Esc closes."),
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def _chosen(self) -> str | None:
        highlighted = self.query_one(OptionList).highlighted
        return self.saved[highlighted].name if highlighted is not None else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if (name := self._chosen()) is not None:
            self.dismiss(("show", name))

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_answer(self, what: str) -> None:
        if (name := self._chosen()) is not None:
            self.dismiss((what, name))

    def action_close(self) -> None:
        self.dismiss(None)
