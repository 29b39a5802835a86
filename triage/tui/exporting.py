"""Exports from the UI: the view (`e`) and the starred papers (`E`), each to a file of its own,
in the format its extension names (as `triage export -o`). Each file is asked for every time,
with the one used last in place, so no export overwrites another without being seen.
Plain Python, no Textual: the screen asks, a worker writes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from triage.core.wording import plural
from triage.export.markdown import ExportError, write_atomically
from triage.export.stream import Selection, export_pieces
from triage.store import Store, StoreError
from triage.tui.config import remember, remembered

FORMATS = {".bib": "bibtex", ".json": "json"}
"""By extension; anything else is Markdown."""
FORMAT_NAMES = {"markdown": "Markdown", "bibtex": "BibTeX", "json": "JSON"}
DEFAULT_PATHS = {"view": "~/triage-view.md", "starred": "~/triage-starred.md"}
OLD_PATH_KEY = "export_path"
"""What ui.toml called the one path `e` and `E` used to share: now the view's."""


def format_of(path: Path) -> str:
    return FORMATS.get(path.suffix.lower(), "markdown")


def last_path(kind: str) -> str:
    """The file `kind` (view, starred) was last exported to, else a default."""
    old = remembered(OLD_PATH_KEY) if kind == "view" else None
    return remembered(f"export_{kind}") or old or DEFAULT_PATHS[kind]


def export_papers(
    store: Store, ids: Sequence[str], path: Path, *, kind: str, title: str, query: str | None
) -> tuple[str, bool]:
    """Write the papers to `path`: (what to tell the user, whether it failed). The path is
    remembered for the next export of `kind` once written."""
    form = format_of(path)
    try:
        count, pieces = export_pieces(store, Selection(ids), form, title=title, query=query)
        write_atomically(path, pieces)
    except (ExportError, StoreError, OSError, sqlite3.Error) as error:
        return f"Export failed: {error}", True
    try:
        remember(f"export_{kind}", str(path))
    except OSError:
        pass  # asked again next time: nothing lost
    return f"Exported {plural(count, 'paper')} to {path} ({FORMAT_NAMES[form]})", False
