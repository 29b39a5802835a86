"""The header line: the views as tabs (number keys or click), then `shown / total`."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

from triage.tui.config import View
from triage.tui.widgets.literal import printable

TAB = "$text-muted"
ACTIVE_TAB = "bold $text on $primary"


class ViewBar(Horizontal):
    """Each part is repainted only when it changes; the line is laid out again only when the
    tabs change width (a count that changed width on every keystroke cost two layouts)."""

    def compose(self) -> ComposeResult:
        yield Static(id="view-tabs", markup=False)
        yield Static(id="view-counts", markup=False)

    def show_views(
        self, views: Sequence[View], active: int | None, label: str | None = None
    ) -> None:
        """Tabs for `views`, `active` highlighted; `label` names a list that is no view."""
        tabs = []
        for number, view in enumerate(views, start=1):
            style = ACTIVE_TAB if number - 1 == active else TAB
            key = f"{number} " if number <= 9 else ""
            tabs.append(
                Content.from_markup(
                    f"[@click=screen.view({number - 1})][{style}] $key$name [/][/]",
                    key=key,
                    name=printable(view.name),
                )
            )
        if label is not None:
            tabs.append(Content.from_markup(f"[{ACTIVE_TAB}] $label [/]", label=printable(label)))
        self._update("#view-tabs", Content(" ").join(tabs))

    def show_counts(self, shown: int | None, total: int, status: str = "") -> None:
        counts = f"{'…' if shown is None else f'{shown:,}'} / {total:,}"
        self._update(
            "#view-counts",
            Content.assemble((status + "  " if status else "", "dim"), (counts, "bold")),
        )

    def _update(self, selector: str, content: Content) -> None:
        part = self.query_one(selector, Static)
        before = part.content
        if not isinstance(before, Content):
            part.update(content)
        elif (before.plain, before.spans) != (content.plain, content.spans):
            # Content's == compares the text only: a tab changing style keeps its text. The
            # counts take the rest of the line (styles/app.tcss): only the tabs can change width.
            part.update(
                content, layout=part.id == "view-tabs" and before.cell_length != content.cell_length
            )
