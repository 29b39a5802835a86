"""Undo for triage actions (star, state, tags): what the papers were before, put back on request."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from triage.store import Paper, Store

UNDO_DEPTH = 100


@dataclass(frozen=True)
class Before:
    paper_id: str
    starred: bool
    state: str
    tags: frozenset[str]


@dataclass(frozen=True)
class UndoStep:
    label: str
    before: tuple[Before, ...]


class UndoHistory:
    def __init__(self, depth: int = UNDO_DEPTH) -> None:
        self._steps: deque[UndoStep] = deque(maxlen=depth)

    def __len__(self) -> int:
        return len(self._steps)

    def record(self, label: str, papers: Sequence[Paper]) -> None:
        """Call with the papers as they are just before the action changes them."""
        self._steps.append(
            UndoStep(
                label,
                tuple(Before(p.id, p.starred, p.state, frozenset(p.tags)) for p in papers),
            )
        )

    def undo(self, store: Store) -> tuple[UndoStep, list[str]] | None:
        """Put the papers of the last step back; returns the step and the ids that changed."""
        if not self._steps:
            return None
        step = self._steps.pop()
        now = {paper.id: paper for paper in store.papers([b.paper_id for b in step.before])}
        changed: list[str] = []
        with store.write():
            for before in step.before:
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
        return step, changed
