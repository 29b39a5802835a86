"""The `?` screen and the command palette's entries: every key, generated from the bindings in
force (so a keys.toml shows up here)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial

from rich.cells import cell_len, set_cell_size
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import ActiveBinding, Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static

VIEWS_ROW = ("view", "Views: 1-5 built in, 6-9 saved (v)")
KEYS_HEADING, DOES_HEADING, ID_HEADING = "Key", "Does", "Id in keys.toml"


def key_table(app: App, bindings: Mapping[str, ActiveBinding]) -> list[tuple[str, str, str]]:
    """(keys, description, binding id) per triage action, keys of one action joined.

    Only bindings with an id are triage's own (and can be rebound in keys.toml); the nine view
    keys share one row.
    """
    rows: dict[tuple[str, str], list[str]] = {}
    ids: dict[tuple[str, str], str] = {}
    for active in bindings.values():
        binding = active.binding
        if not binding.description or binding.system or not binding.id:
            continue
        if binding.id.startswith("view-"):
            rows.setdefault(VIEWS_ROW, []).append(app.get_key_display(binding))
            ids[VIEWS_ROW] = "view-1 … view-9"
            continue
        action = (binding.action, binding.description)
        keys = rows.setdefault(action, [])
        display = app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
        ids[action] = binding.id or ""
    return [(_joined(keys), action[1], ids[action]) for action, keys in rows.items()]


def _joined(keys: list[str]) -> str:
    """The keys of one row; the nine view keys as they come, 1-9, in short."""
    return "1-9" if keys == [str(number) for number in range(1, 10)] else " ".join(keys)


def binding_commands(app: App, bindings: Mapping[str, ActiveBinding]) -> Iterator[SystemCommand]:
    """A command palette entry per action with a description, its keys as the help text."""
    seen: set[tuple[str, str]] = set()
    for active in bindings.values():
        binding = active.binding
        if (
            binding.system
            or not binding.description
            or (binding.action, binding.description) in seen
        ):
            continue
        seen.add((binding.action, binding.description))
        keys = ", ".join(
            app.get_key_display(other.binding)
            for other in bindings.values()
            if other.binding.action == binding.action
            and other.binding.description == binding.description
        )
        yield SystemCommand(
            binding.description,
            f"key: {keys}",
            partial(app.run_action, binding.action, active.node),
        )


class KeyTable(Widget):
    """Keys, what they do, and the id that keys.toml names them by, fitted to the width: a
    description is cut before an id is (the ids are what users copy)."""

    def __init__(self, rows: list[tuple[str, str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = [(KEYS_HEADING, DOES_HEADING, ID_HEADING), *rows]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.rows)

    def render(self) -> Content:
        keys_width = max(cell_len(keys) for keys, _, _ in self.rows) + 2
        ids_width = max(cell_len(binding_id) for _, _, binding_id in self.rows)
        room = max(0, self.size.width - keys_width - ids_width - 2)
        lines = []
        for number, (keys, description, binding_id) in enumerate(self.rows):
            does = description
            if cell_len(does) > room:
                does = set_cell_size(does, max(0, room - 1)) + "…"
            line = Content.assemble(
                (set_cell_size(keys, keys_width), "bold $text-accent"),
                set_cell_size(does, room + 2),
                (binding_id, "$text-muted"),
            )
            lines.append(line.stylize("underline") if number == 0 else line)
        return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close help", id="help-close"),
        Binding("j,down", "scroll('down')", "Scroll down", id="help-down", show=False),
        Binding("k,up", "scroll('up')", "Scroll up", id="help-up", show=False),
        Binding("pagedown,space,ctrl+f", "scroll('page_down')", "Page down", id="help-page-down"),
        Binding("pageup,ctrl+b", "scroll('page_up')", "Page up", id="help-page-up", show=False),
        Binding("g,home", "scroll('home')", "Top", id="help-top", show=False),
        Binding("G,end", "scroll('end')", "Bottom", id="help-bottom", show=False),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Static(Content("Keys"), classes="dialog-title")
            with VerticalScroll(id="help-keys"):
                yield KeyTable(self.rows, id="help-table")
            yield Static(
                Content(
                    'Change keys in keys.toml in the config dir: [keys] then id = "key". '
                    "F1 in the filter: the query language. Every action is in the command "
                    "palette (ctrl+p). j k, page keys scroll; Esc closes."
                ),
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        self.query_one("#help-keys", VerticalScroll).focus()

    def action_scroll(self, how: str) -> None:
        keys = self.query_one("#help-keys", VerticalScroll)
        move = {
            "down": keys.scroll_down,
            "up": keys.scroll_up,
            "page_down": keys.scroll_page_down,
            "page_up": keys.scroll_page_up,
            "home": keys.scroll_home,
            "end": keys.scroll_end,
        }[how]
        move(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
