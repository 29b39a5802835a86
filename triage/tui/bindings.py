"""The app's and the main screen's keys, each with an id that ``keys.toml`` can remap (see the
README), and which of them the footer keeps when the terminal is too narrow for all."""

from __future__ import annotations

from textual.binding import Binding, BindingType

APP_KEYS: list[BindingType] = [
    Binding("q", "quit", "Quit", id="quit"),
    Binding("question_mark", "help", "Help", id="help"),
    Binding("ctrl+r", "reload", "Reload from disk", id="reload", show=False),
]

MAIN_KEYS: list[BindingType] = [
    Binding("slash", "focus_filter", "Filter", id="filter"),
    Binding("f1", "query_help", "Query language", id="query-help", show=False),
    Binding("escape", "back", "Back to the list, then to the view", id="back", show=False),
    Binding("s", "star", "Star", id="star"),
    Binding("t", "tags", "Tags", id="tags"),
    Binding("n", "note", "Note", id="note"),
    Binding("i", "set_state('inbox')", "Inbox", id="inbox"),
    Binding("r", "set_state('reading')", "Reading", id="reading"),
    Binding("d", "set_state('read')", "Read", id="read"),
    Binding("a", "set_state('archived')", "Archive", id="archive"),
    Binding("space", "select", "Select", id="select", show=False),
    Binding("u", "undo", "Undo", id="undo"),
    Binding("delete,X", "delete", "Delete paper", id="delete", show=False),
    Binding("S", "sort", "Sort: next order", id="sort", show=False),
    Binding("m", "more_like", "More like this", id="more-like", show=False),
    Binding(
        "J,shift+down", "scroll_detail(1)", "Scroll the detail down", id="detail-down", show=False
    ),
    Binding("K,shift+up", "scroll_detail(-1)", "Scroll the detail up", id="detail-up", show=False),
    Binding("o", "open", "Open arXiv page", id="open", show=False),
    Binding("O", "open_pdf", "Open PDF", id="open-pdf", show=False),
    Binding("y", "copy_title", "Copy title", id="copy-title", show=False),
    Binding("Y", "copy_key", "Copy citation key", id="copy-key", show=False),
    Binding("e", "export('view')", "Export view", id="export", show=False),
    Binding("E", "export('starred')", "Export starred", id="export-starred", show=False),
    Binding("I", "import", "Import dumps", id="import", show=False),
    Binding("v", "save_view", "Save filter as view", id="save-view", show=False),
    Binding("V", "manage_views", "Rename or delete views", id="views", show=False),
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

FOOTER_PRIORITY = (
    "help",
    "quit",
    "undo",
    "read",
    "star",
    "filter",
    "reading",
    "archive",
    "note",
    "tags",
    "inbox",
)
"""The footer's keys by importance: a narrow terminal shows the first ones that fit."""
