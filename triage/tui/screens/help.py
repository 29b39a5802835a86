"""The `?` screen and the command palette's entries: every key, generated from the bindings in
force (so a keys.toml shows up here)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import ActiveBinding, Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

VIEWS_ROW = ("view", "Views: 1-5 built in, 6-9 the ones you saved (v)")


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
    return [(" ".join(keys), action[1], ids[action]) for action, keys in rows.items()]


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


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close help", id="help-close"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        width = max((len(keys) for keys, _, _ in self.rows), default=4) + 2
        described = max((len(description) for _, description, _ in self.rows), default=8) + 2
        lines = [
            Content.assemble(
                (keys.ljust(width), "bold $text-accent"),
                description.ljust(described),
                (binding_id, "$text-muted"),
            )
            for keys, description, binding_id in self.rows
        ]
        with Vertical(classes="dialog help-dialog"):
            yield Static(Content("Keys"), classes="dialog-title")
            with VerticalScroll(id="help-keys"):
                yield Static(Content("\n").join(lines), id="help-table")
            yield Static(
                Content(
                    'Change keys in keys.toml in the config dir ([keys] id = "key"); '
                    "every action is also in the command palette (ctrl+p). Esc closes."
                ),
                classes="dialog-help",
            )

    def action_close(self) -> None:
        self.dismiss(None)
