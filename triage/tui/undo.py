"""Undo for what the user does to papers: marks (star, state, tags), note edits and deletions.
Each step keeps what the papers were before, and puts it back on request."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from triage.store import Paper, Store
from triage.store.deletions import DeletedPaper

UNDO_DEPTH = 100


class UndoStep(Protocol):
    @property
    def label(self) -> str: ...

    @property
    def paper_ids(self) -> tuple[str, ...]: ...

    def undo(self, store: Store) -> list[str]:
        """Put the papers back; returns the ids that changed."""
        ...


@dataclass(frozen=True)
class Before:
    paper_id: str
    starred: bool
    state: str
    tags: frozenset[str]


@dataclass(frozen=True)
class MarkStep:
    label: str
    before: tuple[Before, ...]

    @property
    def paper_ids(self) -> tuple[str, ...]:
        return tuple(before.paper_id for before in self.before)

    def undo(self, store: Store) -> list[str]:
        now = {paper.id: paper for paper in store.papers(self.paper_ids)}
        changed: list[str] = []
        with store.write():
            for before in self.before:
                current = now.get(before.paper_id)
                if current is None:
                    continue
                changed += store.mark(
                    [before.paper_id],
                    star=before.starred,
                    state=before.state,
                    add_tags=sorted(before.tags - set(current.tags)),
                    remove_tags=sorted(set(current.tags) - before.tags),
                )
        return changed


@dataclass(frozen=True)
class NoteStep:
    """A note edited in the editor: `before` is the note when the editor opened. Written
    through the app's writer, after the editor's own saves (see TriageActions.undo)."""

    paper_id: str
    before: str
    after: str
    label: str = "note"

    @property
    def paper_ids(self) -> tuple[str, ...]:
        return (self.paper_id,)

    def undo(self, store: Store) -> list[str]:
        if store.get(self.paper_id) is None:
            return []
        # Written over the text the editor left: a change made elsewhere since is kept beside it.
        stored = store.save_note(self.paper_id, self.before, base=self.after)
        return [self.paper_id] if stored != self.after else []


@dataclass(frozen=True)
class DeleteStep:
    deleted: tuple[DeletedPaper, ...]
    label: str = "delete"

    @property
    def paper_ids(self) -> tuple[str, ...]:
        return tuple(paper.id for paper in self.deleted)

    def undo(self, store: Store) -> list[str]:
        return store.restore(self.deleted)


class UndoHistory:
    def __init__(self, depth: int = UNDO_DEPTH) -> None:
        self._steps: deque[UndoStep] = deque(maxlen=depth)

    def __len__(self) -> int:
        return len(self._steps)

    def record(self, label: str, papers: Sequence[Paper]) -> None:
        """Call with the papers as they are just before a mark changes them."""
        self.add(
            MarkStep(
                label,
                tuple(Before(p.id, p.starred, p.state, frozenset(p.tags)) for p in papers),
            )
        )

    def add(self, step: UndoStep) -> None:
        self._steps.append(step)

    def last(self) -> UndoStep | None:
        return self._steps[-1] if self._steps else None

    def drop_last(self) -> None:
        self._steps.pop()
