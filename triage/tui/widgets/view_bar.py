"""The header line: the views as tabs (number keys or click), then `shown / total` at the right.

The counts always show: when the tabs do not fit beside them, the tabs not in use are
shortened to their key, then the line is cut. One widget paints the whole line, so a count that
changes on every keystroke repaints one line and never asks for a layout.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widget import Widget

from triage.tui.config import View
from triage.tui.widgets.literal import printable

TAB = "$text-muted"
ACTIVE_TAB = "bold $text on $primary"
COUNTS = "bold"
STATUS = "dim"
NAME_CELLS = 24
"""The longest view name shown in full."""


def _short(name: str, cells: int) -> str:
    return name if len(name) <= cells else name[: cells - 1] + "…"


def _tab(number: int, name: str | None, style: str) -> Content:
    key = f"{number} " if number <= 9 else ""
    text = f" {key}{name} " if name is not None else f" {number} "
    return Content.from_markup(f"[@click=screen.view({number - 1})]$text[/]", text=text).stylize(
        style
    )


class ViewBar(Widget):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._views: tuple[View, ...] = ()
        self._active: int | None = None
        self._label: str | None = None
        self._counts = Content("")
        self._painted: tuple | None = None

    def show_views(
        self, views: Sequence[View], active: int | None, label: str | None = None
    ) -> None:
        """Tabs for `views`, `active` highlighted; `label` names a list that is no view."""
        self._views, self._active, self._label = tuple(views), active, label
        self._changed()

    def show_counts(self, shown: int | None, total: int | None, status: str = "") -> None:
        """``shown`` of ``total`` papers, each "…" while on its way."""
        counts = " / ".join("…" if count is None else f"{count:,}" for count in (shown, total))
        self._counts = Content.assemble((status + "  " if status else "", STATUS), (counts, COUNTS))
        self._changed()

    def _changed(self) -> None:
        look = (self._views, self._active, self._label, self._counts.plain)
        if look != self._painted:  # most keystrokes change nothing here
            self._painted = look
            self.refresh()

    def tabs(self, room: int) -> Content:
        """The tabs in at most `room` cells: full names; else the saved views not in use
        shortened to their key; else every view not in use; else cut."""
        line = Content("")
        for named in (lambda number: True, lambda number: number <= 5, lambda number: False):
            tabs = []
            for number, view in enumerate(self._views, start=1):
                active = number - 1 == self._active
                name = printable(_short(view.name, NAME_CELLS)) if active or named(number) else None
                tabs.append(_tab(number, name, ACTIVE_TAB if active else TAB))
            if self._label is not None:
                tabs.append(Content(f" {printable(self._label)} ").stylize(ACTIVE_TAB))
            line = Content(" ").join(tabs)
            if line.cell_length <= room:
                return line
        return line.truncate(max(0, room), ellipsis=True)

    def render(self) -> Content:
        width = self.size.width
        counts = self._counts.truncate(max(0, width - 2), ellipsis=True)
        room = width - counts.cell_length - 2
        tabs = self.tabs(room)
        gap = max(1, width - tabs.cell_length - counts.cell_length - 1)
        return tabs + Content(" " * gap) + counts
