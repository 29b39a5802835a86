"""The triage actions (star, reading state, tags, note edits, deletion) and their undo, apart
from the keys and widgets that trigger them. Plain Python, no Textual.

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
from triage.tui.undo import DeleteStep, NoteStep, UndoHistory, UndoStep
from triage.tui.writer import Job


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
TITLE_CHARS = 40


def _quoted(title: str) -> str:
    one_line = " ".join(title.split())
    return f"“{one_line[: TITLE_CHARS - 1]}…”" if len(one_line) > TITLE_CHARS else f"“{one_line}”"


def _undone(step: UndoStep, changed: Sequence[str]) -> Outcome:
    return Outcome(
        tuple(changed),
        f"Undid {step.label} ({plural(len(step.paper_ids), 'paper')})",
        back_to=step.paper_ids[0],
    )


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

    def note_edited(self, paper_id: str, before: str, after: str) -> None:
        """The note editor closed: the note was `before` when it opened, `after` when it
        closed. It saved as the user typed; `u` takes the whole edit back in one step."""
        if after != before:
            self.history.add(NoteStep(paper_id, before, after))

    def delete(self, ids: Sequence[str]) -> Outcome:
        """Delete the papers and everything about them; `u` brings them back."""
        try:
            deleted = self.session.store.delete_papers(ids)
        except StoreError as error:
            return Outcome(error=str(error))
        if not deleted:
            return Outcome()
        self.history.add(DeleteStep(tuple(deleted)))
        gone = tuple(paper.id for paper in deleted)
        self.session.after_write(gone)
        if len(deleted) == 1:
            return Outcome(gone, f"Deleted {_quoted(deleted[0].title)}. u brings it back.")
        return Outcome(gone, f"Deleted {plural(len(deleted), 'paper')}. u brings them back.")

    def undo(self) -> Outcome:
        """Put back the papers of the last action. A step the store refuses (StoreError)
        stays, to be tried again."""
        step = self.history.last()
        if step is None:
            return Outcome(message=NOTHING_TO_UNDO)
        if isinstance(step, NoteStep):
            # The editor's saves go through the writer, maybe still on their way: so does this.
            self.history.drop_last()
            self.session.writer.submit(Job(f"undo {step.label}", step.undo, done=self._written))
            return _undone(step, ())
        try:
            changed = step.undo(self.session.store)
        except StoreError as error:
            return Outcome(error=str(error))
        self.history.drop_last()
        if changed:
            self.session.after_write(changed)
        return _undone(step, changed)

    def _written(self, changed: list[str]) -> None:
        """An undo the writer wrote (called on the UI thread): show it."""
        if changed:
            self.session.after_write(changed)
            self.session.shown(changed)

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
