"""The offer to merge the conflict copies a sync client left beside the DB, and its summary."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from triage.merge import MergeReport
from triage.sync import MERGED_FOLDER
from triage.widgets.literal import printable


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def merge_summary(reports: Sequence[MergeReport]) -> str:
    """One line for a notification: "merged 1 copy: 3 papers changed, 1 note conflict"."""
    changed = changed_papers(reports)
    conflicts = sum(len(report.conflicts) for report in reports)
    copies = "1 copy" if len(reports) == 1 else f"{len(reports)} copies"
    line = f"merged {copies}: "
    line += f"{_count(len(changed), 'paper')} changed" if changed else "nothing new"
    if conflicts:
        line += f", {_count(conflicts, 'note conflict')}"
    return line


def changed_papers(reports: Sequence[MergeReport]) -> list[str]:
    """Every paper a merge touched in a way the index and the list must see."""
    ids = {change.paper_id for report in reports for change in report.changes}
    ids.update(paper for report in reports for paper in report.papers_added)
    return sorted(ids)


class ConflictCopiesOffer(ModalScreen[bool]):
    """Lists the copies; answers True to merge them now, False for not now."""

    BINDINGS = [
        Binding("enter,y", "answer(True)", "Merge", id="conflicts-merge"),
        Binding("escape,n", "answer(False)", "Not now", id="conflicts-not-now"),
    ]

    def __init__(self, copies: Sequence[Path]) -> None:
        super().__init__()
        self.copies = list(copies)

    def compose(self) -> ComposeResult:
        them = "this copy" if len(self.copies) == 1 else f"these {len(self.copies)} copies"
        names = "\n".join(f"  {printable(copy.name)}" for copy in self.copies)
        with Vertical(classes="dialog"):
            yield Static(
                Content(f"A sync client left {them} of the database beside it:"),
                classes="dialog-title",
            )
            yield Static(Content(names), id="conflict-copies")
            yield Static(
                Content(
                    "Merging keeps everything from both sides (notes changed on both are kept "
                    f"together), then moves each copy into {MERGED_FOLDER}/. Nothing is deleted.\n"
                    "Enter or y merges now, Esc or n not now."
                ),
                classes="dialog-help",
            )

    def action_answer(self, merge: bool) -> None:
        self.dismiss(merge)
