"""Shown while the store is empty: how to import, and a one-key import of the bundled sample dumps."""

from __future__ import annotations

from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

import triage
from triage.core.wording import plural
from triage.importers.dump import import_paths
from triage.tui.session import Session
from triage.tui.widgets.key_bar import KeyBar


def sample_dumps_dir() -> Path | None:
    """`sample_dumps/` of the source tree this triage runs from, when it has dump files."""
    folder = Path(triage.__file__).resolve().parent.parent / "sample_dumps"
    return folder if folder.is_dir() and any(folder.glob("*.txt")) else None


class WelcomeScreen(Screen[None]):
    BINDINGS = [
        Binding("i", "import_samples", "Import sample dumps", id="welcome-import"),
    ]

    class Filled(Message):
        """Papers were imported: the list has something to show."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.samples = sample_dumps_dir()

    def compose(self) -> ComposeResult:
        lines = [
            Content.styled("Welcome to triage", "bold $text-primary"),
            Content(""),
            Content(f"The database {self.session.db_path} has no papers yet."),
            Content(""),
            Content("Save a day of the Hugging Face Daily Papers page as text, then run"),
            Content.styled("    triage import ~/Downloads/daily-papers.txt", "bold"),
            Content("(several files or a folder at once are fine; importing twice adds nothing)."),
            Content(""),
        ]
        if self.samples:
            lines.append(
                Content.assemble(
                    "Or press ",
                    ("i", "bold $text-accent"),
                    " to import the sample dumps in ",
                    str(self.samples),
                )
            )
        lines.append(Content.assemble("Press ", ("q", "bold $text-accent"), " to quit."))
        with Vertical(id="welcome"):
            yield Static(Content("\n").join(lines), id="welcome-text")
            yield Static(id="welcome-status")
        yield KeyBar()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "import_samples" and self.samples is None)

    def action_import_samples(self) -> None:
        if self.samples is None:
            return
        self.query_one("#welcome-status", Static).update(Content("Importing the sample dumps…"))
        self.import_samples(self.samples)

    @work(thread=True, exclusive=True, group="import")
    def import_samples(self, folder: Path) -> None:
        with self.session.open_store() as store:
            reports = import_paths(store, [folder])
        new = sum(report.new for report in reports)
        errors = [report.summary() for report in reports if report.error]
        self.app.call_from_thread(self.imported, new, errors)

    def imported(self, new: int, errors: list[str]) -> None:
        for error in errors:
            self.notify(error, severity="error", markup=False)
        self.notify(f"Imported {plural(new, 'paper')} from the sample dumps.", markup=False)
        self.post_message(self.Filled())
