"""The triage actions (star, reading state, tags) and their undo, apart from the keys and
widgets that trigger them. Plain Python, no Textual.

Each action writes through the session's store, keeps what the papers were before (for `u`),
tells the session (so the index learns of it and the file watch does not report it), and says
what to tell the user. Writes run on the UI thread: they are short transactions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from triage.core.wording import plural
from triage.store import STATE_LABELS, StoreError
from triage.tui.session import Session
from triage.tui.undo import UndoHistory


@dataclass(frozen=True)
class Outcome:
    changed: tuple[str, ...] = ()
    """The papers whose stored record changed."""
    message: str | None = None
    """What to tell the user."""
    error: str | None = None
    """Why nothing was written (the store is locked, the file is gone...)."""
    back_to: str | None = None
    """After an undo: the paper the cursor goes back to."""


NOTHING_TO_UNDO = "Nothing to undo."


class TriageActions:
    def __init__(self, session: Session, history: UndoHistory | None = None) -> None:
        self.session = session
        self.history = history if history is not None else UndoHistory()

    def star(self, ids: Sequence[str]) -> Outcome:
        """Star the papers, or unstar them when all of them are starred already."""
        try:
            star = not all(paper.starred for paper in self.session.store.papers(ids))
        except StoreError as error:
            return Outcome(error=str(error))
        return self._mark("star" if star else "unstar", ids, star=star)

    def set_state(self, ids: Sequence[str], state: str) -> Outcome:
        label = STATE_LABELS[state]
        outcome = self._mark(label, ids, state=state)
        if len(ids) > 1 and outcome.error is None:  # one paper leaving the list says enough
            return Outcome(outcome.changed, f"{label}: {plural(len(ids), 'paper')}")
        return outcome

    def edit_tags(self, ids: Sequence[str], add: list[str], remove: list[str]) -> Outcome:
        return self._mark("tags", ids, add_tags=add, remove_tags=remove)

    def shared_tags(self, ids: Sequence[str]) -> list[str]:
        """The tags every one of the papers has: what the tag editor starts from."""
        papers = self.session.store.papers(ids)
        return sorted(set.intersection(*(set(paper.tags) for paper in papers)))

    def known_tags(self) -> list[str]:
        return list(self.session.store.all_tags())

    def undo(self) -> Outcome:
        """Put back the papers of the last action."""
        try:
            undone = self.history.undo(self.session.store)
        except StoreError as error:
            return Outcome(error=str(error))
        if undone is None:
            return Outcome(message=NOTHING_TO_UNDO)
        step, changed = undone
        if changed:
            self.session.after_write(changed)
        return Outcome(
            tuple(changed),
            f"Undid {step.label} ({plural(len(step.before), 'paper')})",
            back_to=step.before[0].paper_id,
        )

    def _mark(self, label: str, ids: Sequence[str], **change) -> Outcome:
        store = self.session.store
        try:
            before = store.papers(ids)
            changed = store.mark(list(ids), **change)
        except StoreError as error:
            return Outcome(error=str(error))
        if changed:
            written = set(changed)
            self.history.record(label, [paper for paper in before if paper.id in written])
            self.session.after_write(changed)
        return Outcome(tuple(changed))
