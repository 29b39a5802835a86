"""Markdown export from the UI: the file is asked for once, then remembered (ui.toml)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from textual.app import App

from triage.core.wording import plural
from triage.export.markdown import ExportError, export_markdown, write_atomically
from triage.store import Store
from triage.tui.config import remember_export_path, remembered_export_path
from triage.tui.screens.dialogs import PromptScreen

DEFAULT_EXPORT = "~/triage-export.md"


def with_export_path(app: App, then: Callable[[Path], None]) -> None:
    """Call `then` with the export file: the remembered one, else the one the user names now."""
    remembered = remembered_export_path()
    if remembered is not None:
        then(remembered)
        return

    def chosen(path: str | None) -> None:
        if path:
            target = Path(path).expanduser()
            remember_export_path(target)
            then(target)

    app.push_screen(
        PromptScreen("Export to Markdown file (asked once, remembered)", DEFAULT_EXPORT), chosen
    )


def export_papers(
    store: Store, ids: Sequence[str], path: Path, *, title: str, query: str | None
) -> tuple[str, bool]:
    """Write the papers to `path` as Markdown: (what to tell the user, whether it failed)."""
    try:
        write_atomically(path, export_markdown(store.papers(ids), title=title, query=query))
    except (ExportError, OSError) as error:
        return f"Export failed: {path}: {error}", True
    return f"Exported {plural(len(ids), 'paper')} to {path}", False
