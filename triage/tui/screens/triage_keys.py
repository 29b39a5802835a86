"""The main screen's keys that change papers: star, states, tags, note, selection, delete, undo.

They act on the selected papers when there are any (the selection stays for the next key, as
long as its papers are in the list; Esc clears it), else on the highlighted one. The writes
and their undo are `TriageActions`'.
"""

from __future__ import annotations

from triage.core.wording import plural
from triage.tui.screens.dialogs import TagEditor
from triage.tui.screens.list_screen import ListScreen
from triage.tui.screens.note_editor import NoteEdit, NoteEditor
from triage.tui.triage_actions import Outcome


class TriageKeys(ListScreen):
    def action_star(self) -> None:
        if ids := self.papers.targets():
            self._after_triage(self.triage.star(ids), move=False)

    def action_set_state(self, state: str) -> None:
        if ids := self.papers.targets():
            self._after_triage(self.triage.set_state(ids, state), move=True)

    def _after_triage(self, outcome: Outcome, *, move: bool) -> None:
        """`move`: a single paper was sent on, so is the cursor (with a selection it stays:
        the selected papers may be anywhere)."""
        self.tell(outcome)
        if move and not self.papers.selected:
            self.papers.move_to(self.papers.cursor + 1)
        if outcome.changed:
            self.papers_written(outcome.changed)

    def action_select(self) -> None:
        self.papers.toggle_selected()
        self.papers.move_to(self.papers.cursor + 1)
        self.update_header()

    def action_undo(self) -> None:
        outcome = self.triage.undo()
        self.tell(outcome)
        if outcome.back_to is None:
            return  # nothing to undo, or the store refused
        self.papers.forget(outcome.changed)
        self.refill(highlight=outcome.back_to, recount=True)  # a deleted paper may be back

    def action_tags(self) -> None:
        ids = self.papers.targets()
        if not ids:
            return

        def apply(edit: tuple[list[str], list[str]] | None) -> None:
            if not edit or not (edit[0] or edit[1]):
                return
            add, remove = edit
            self._after_triage(self.triage.edit_tags(ids, add, remove), move=False)

        editor = TagEditor(self.triage.shared_tags(ids), self.triage.known_tags(), len(ids))
        self.app.push_screen(editor, apply)

    def action_note(self) -> None:
        """The note of the one paper acted on: the selected one, else the highlighted one."""
        ids = self.papers.targets()
        if len(ids) > 1:
            self.notify(
                f"A note is for one paper, and {plural(len(ids), 'paper')} are selected "
                "(Esc clears the selection).",
                severity="warning",
            )
            return
        paper = self.session.store.get(ids[0]) if ids else None
        if paper is None:
            return

        def closed(edit: NoteEdit | None) -> None:
            if edit is not None:
                self.triage.note_edited(edit.paper_id, edit.before, edit.after)
            self.papers_written([paper.id])

        self.app.push_screen(NoteEditor(self.session, paper), closed)

    def action_delete(self) -> None:
        if ids := self.papers.targets():
            outcome = self.triage.delete(ids)
            self.tell(outcome)
            if outcome.changed:
                self.papers_written(outcome.changed, recount=True)
