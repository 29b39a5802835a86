"""The offer to merge the conflict copies a sync client left beside the DB."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from triage.sync.copies import MERGED_FOLDER
from triage.tui.widgets.literal import printable


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
