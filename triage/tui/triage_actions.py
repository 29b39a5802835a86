"""The triage actions (star, reading state, tags, note edits, deletion) and their undo, apart
from the keys and widgets that trigger them. Plain Python, no Textual.

Every change goes to the session's writer, which runs the jobs in order on a thread of its own:
the UI never waits on a lock, and a change the DB cannot take yet waits there, never lost. So
each job decides against the papers as they are when it runs (a star toggled twice in one burst
of keys is toggled twice), records its undo step then, and reports what changed back on the UI
thread (``report``), where the screen refreshes and says what happened. The undo history is
only ever touched by jobs, so an undo always takes back the action queued just before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from triage.core.wording import plural
from triage.store import STATE_LABELS, Store
from triage.tui.session import Session
from triage.tui.undo import DeleteStep, NoteStep, UndoHistory
from triage.tui.writer import Job


@dataclass(frozen=True)
class Outcome:
    changed: tuple[str, ...] = ()
    """The papers whose stored record changed."""
    message: str | None = None
    """What to tell the user."""
    error: str | None = None
    """Why nothing could be done."""
    back_to: str | None = None
    """After an undo: the paper the cursor goes back to."""
    recount: bool = False
    """Papers came or went: the totals change."""


NOTHING_TO_UNDO = "Nothing to undo."
TITLE_CHARS = 40


def _quoted(title: str) -> str:
    one_line = " ".join(title.split())
    return f"“{one_line[: TITLE_CHARS - 1]}…”" if len(one_line) > TITLE_CHARS else f"“{one_line}”"


class TriageActions:
    def __init__(
        self,
        session: Session,
        history: UndoHistory | None = None,
        report: Callable[[Outcome], None] = lambda _: None,
    ) -> None:
        self.session = session
        self.history = history if history is not None else UndoHistory()
        self.report = report
        """Told on the UI thread what each job did (the screen shows it)."""

    def star(self, ids: Sequence[str]) -> Outcome:
        """Star the papers, or unstar them when all of them are starred already."""

        def write(store: Store) -> Outcome:
            star = not all(paper.starred for paper in store.papers(ids))
            return self._mark_now(store, "star" if star else "unstar", ids, star=star)

        return self._submit("star", write)

    def set_state(self, ids: Sequence[str], state: str) -> Outcome:
        label = STATE_LABELS[state]
        self._submit(label, lambda store: self._mark_now(store, label, ids, state=state))
        if len(ids) > 1:  # one paper leaving the list says enough
            return Outcome(message=f"{label}: {plural(len(ids), 'paper')}")
        return Outcome()

    def edit_tags(self, ids: Sequence[str], add: list[str], remove: list[str]) -> Outcome:
        return self._submit(
            "tags",
            lambda store: self._mark_now(store, "tags", ids, add_tags=add, remove_tags=remove),
        )

    def shared_tags(self, ids: Sequence[str]) -> list[str]:
        """The tags every one of the papers has: what the tag editor starts from."""
        papers = self.session.read(lambda store: store.papers(ids))
        return sorted(set.intersection(*(set(paper.tags) for paper in papers))) if papers else []

    def known_tags(self) -> list[str]:
        return list(self.session.read(lambda store: store.all_tags()))

    def note_edited(self, paper_id: str, before: str, after: str) -> None:
        """The note editor closed: the note was `before` when it opened, `after` when it
        closed. It saved as the user typed (jobs before this one); `u` takes the whole edit
        back in one step."""
        if after != before:
            step = NoteStep(paper_id, before, after)
            self.session.writer.submit(Job("note edit", lambda _store: self.history.add(step)))

    def delete(self, ids: Sequence[str]) -> Outcome:
        """Delete the papers and everything about them; `u` brings them back."""

        def write(store: Store) -> Outcome:
            deleted = store.delete_papers(ids)
            if not deleted:
                return Outcome()
            self.history.add(DeleteStep(tuple(deleted)))
            gone = tuple(paper.id for paper in deleted)
            them = "it" if len(deleted) == 1 else "them"
            what = _quoted(deleted[0].title) if len(deleted) == 1 else plural(len(deleted), "paper")
            return Outcome(gone, f"Deleted {what}. u brings {them} back.", recount=True)

        return self._submit("delete", write)

    def undo(self) -> Outcome:
        """Put back the papers of the last action (the one queued last, when this job runs)."""

        def write(store: Store) -> Outcome:
            step = self.history.last()
            if step is None:
                return Outcome(message=NOTHING_TO_UNDO)
            changed = step.undo(store)  # a StoreError: the writer keeps the job and retries
            self.history.drop_last()
            return Outcome(
                tuple(changed),
                f"Undid {step.label} ({plural(len(step.paper_ids), 'paper')})",
                back_to=step.paper_ids[0],
                recount=True,
            )

        return self._submit("undo", write)

    def _submit(self, label: str, write: Callable[[Store], Outcome]) -> Outcome:
        self.session.writer.submit(Job(label, write, done=self._written, refused=self._refused))
        return Outcome()

    def _mark_now(self, store: Store, label: str, ids: Sequence[str], **change: object) -> Outcome:
        """On the writer's thread: the papers as they are now, then the change."""
        before = store.papers(ids)
        changed = store.mark(list(ids), **change)  # type: ignore[arg-type]
        if changed:
            written = set(changed)
            self.history.record(label, [paper for paper in before if paper.id in written])
        return Outcome(tuple(changed))

    def _written(self, outcome: Outcome) -> None:
        """On the UI thread, after a job: the index learns of it, the screen shows it."""
        if outcome.changed:
            self.session.after_write(outcome.changed)
        self.report(outcome)

    def _refused(self, error: ValueError) -> None:
        """The papers are gone (deleted elsewhere, the file replaced): nothing to change."""
        self.report(Outcome(error=f"Not changed: {error}", recount=True))
