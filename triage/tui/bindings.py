"""The main screen's keys, each with an id that ``keys.toml`` can remap (see the README)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

MAIN_KEYS: list[BindingType] = [
    Binding("slash", "focus_filter", "Filter", id="filter"),
    Binding("escape", "back", "Back to list / clear filter", id="back", show=False),
    Binding("s", "star", "Star", id="star"),
    Binding("t", "tags", "Tags", id="tags"),
    Binding("n", "note", "Note", id="note"),
    Binding("i", "set_state('inbox')", "Inbox", id="inbox"),
    Binding("r", "set_state('reading')", "Reading", id="reading"),
    Binding("d", "set_state('read')", "Done", id="done"),
    Binding("a", "set_state('archived')", "Archive", id="archive"),
    Binding("space", "select", "Select", id="select", show=False),
    Binding("u", "undo", "Undo", id="undo"),
    Binding("m", "more_like", "More like this", id="more-like", show=False),
    Binding("o", "open", "Open in browser", id="open", show=False),
    Binding("y", "copy_title", "Copy title", id="copy-title", show=False),
    Binding("e", "export('view')", "Export view", id="export", show=False),
    Binding("E", "export('starred')", "Export starred", id="export-starred", show=False),
    Binding("v", "save_view", "Save filter as view", id="save-view", show=False),
    *(
        Binding(
            str(number),
            f"view({number - 1})",
            f"View {number}",
            id=f"view-{number}",
            show=False,
        )
        for number in range(1, 10)
    ),
]
