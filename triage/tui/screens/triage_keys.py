"""The main screen's keys that change papers: star, states, tags, note, selection, delete, undo.

They act on the selected papers when there are any (the selection stays for the next key, as
long as its papers are in the list; Esc clears it), else on the highlighted one. The writes
and their undo are `TriageActions`'.
"""

from __future__ import annotations

from collections.abc import Awaitable

from triage.core.wording import plural
from triage.store import StoreError
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
        the selected papers may be anywhere). The list shows the change once it is written
        (`triaged`), a moment later."""
        self.tell(outcome)
        if move and not self.papers.selected:
            self.papers.move_to(self.papers.cursor + 1)

    def action_select(self) -> None:
        self.papers.toggle_selected()
        self.papers.move_to(self.papers.cursor + 1)
        self.update_header()

    def action_undo(self) -> None:
        self.tell(self.triage.undo())  # what was undone is said once it is written

    def action_tags(self) -> None:
        ids = self.papers.targets()
        if not ids:
            return

        def apply(edit: tuple[list[str], list[str]] | None) -> None:
            if not edit or not (edit[0] or edit[1]):
                return
            add, remove = edit
            self._after_triage(self.triage.edit_tags(ids, add, remove), move=False)

        try:
            shared, known = self.triage.shared_tags(ids), self.triage.known_tags()
        except StoreError as error:
            self.tell(Outcome(error=str(error)))
            return
        self.app.push_screen(TagEditor(shared, known, len(ids)), apply)

    def action_note(self) -> None:
        self.open_note()

    def open_note(self) -> Awaitable[object] | None:
        """The note of the one paper acted on: the selected one, else the highlighted one.
        Returns what to await for the editor to be ready for keys (None: no editor)."""
        ids = self.papers.targets()
        if len(ids) > 1:
            self.notify(
                f"A note is for one paper, and {plural(len(ids), 'paper')} are selected "
                "(Esc clears the selection).",
                severity="warning",
            )
            return None
        try:
            paper = self.session.read(lambda store: store.get(ids[0])) if ids else None
        except StoreError as error:
            self.tell(Outcome(error=str(error)))
            return None
        if paper is None:
            return None

        def closed(edit: NoteEdit | None) -> None:
            if edit is not None:
                self.triage.note_edited(edit.paper_id, edit.before, edit.after)
            self.papers_written([paper.id])

        return self.app.push_screen(NoteEditor(self.session, paper), closed)

    def action_delete(self) -> None:
        if ids := self.papers.targets():
            self.tell(self.triage.delete(ids))
