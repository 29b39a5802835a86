"""The main screen: filter bar, paper list, detail, and every triage key. It composes and wires:
what the list shows comes from `ListController`, the writes and undo from `TriageActions`.

The list is refilled by an exclusive worker whose requests are numbered, so a slow, stale
search never replaces the answer to a newer keystroke.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from urllib.parse import quote_plus

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Container
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input
from textual.worker import get_current_worker

from triage.store import Paper, StoreError
from triage.tui.bindings import MAIN_KEYS
from triage.tui.config import View, load_views, save_view
from triage.tui.exporting import export_papers, with_export_path
from triage.tui.list_controller import (
    Answer,
    Like,
    ListController,
    Request,
    find,
    typing_start,
)
from triage.tui.screens.dialogs import PromptScreen, TagEditor
from triage.tui.session import Session
from triage.tui.triage_actions import Outcome, TriageActions
from triage.tui.widgets.filter_bar import FilterBar
from triage.tui.widgets.key_bar import KeyBar
from triage.tui.widgets.paper_detail import PaperDetail
from triage.tui.widgets.paper_list import PaperList
from triage.tui.widgets.view_bar import ViewBar

SEARCH_URL = "https://huggingface.co/papers?q={}"
DETAIL_AFTER_TYPING = 0.15
"""Seconds after a new list before the detail follows its first paper (the cursor moving
shows the detail at once)."""


class MainScreen(Screen[None]):
    BINDINGS = MAIN_KEYS

    class IndexWanted(Message):
        """The first rows are on screen: time to open the search index (the built-in views
        needed none). Opening it earlier would compete with that frame for the interpreter."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        views, self._views_problem = load_views()
        self.listing = ListController(views)
        self.triage = TriageActions(session)
        self._indexing = ""
        self._detail_timer: Timer | None = None
        self._detail_due = False
        """The detail waits for a pause in typing to follow the list."""

    # -- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ViewBar()
        yield FilterBar(typing_start(self.listing.views[0].query), id="filter-row")
        with Container(id="body"):
            yield PaperList(self._fetch, id="papers")
            yield PaperDetail(id="detail")
        yield KeyBar()

    def on_mount(self) -> None:
        if self._views_problem:
            self.notify(self._views_problem, severity="warning", markup=False)
        self.papers.focus()
        self.refill()

    @property
    def papers(self) -> PaperList:
        return self.query_one(PaperList)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#filter", Input)

    @property
    def settled(self) -> bool:
        """The list shows the answer to the newest request and the detail has followed it."""
        return self.listing.settled and not self.listing.partial and not self._detail_due

    def _fetch(self, ids: list[str]) -> list[Paper]:
        try:
            return self.session.store.papers(ids)
        except StoreError:
            return []

    # -- refilling the list ------------------------------------------------------------

    def refill(
        self, *, highlight: str | None = None, new_filter: bool = False, recount: bool = False
    ) -> None:
        """Ask for the current filter's papers; the newest request wins.

        `new_filter`: the user changed what is asked, so a cursor whose paper is gone goes to
        the top rather than staying on its row. `recount`: papers came or went.
        """
        self._search(
            self.listing.request(
                self.filter_input.value,
                cursor_id=self.papers.highlighted_id,
                cursor_row=self.papers.cursor,
                highlight=highlight,
                new_filter=new_filter,
                recount=recount,
            )
        )

    def store_changed(self) -> None:
        """The store was filled, merged into or replaced: read every row again, recount."""
        self.papers.forget()
        self.refill(recount=True)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, request: Request) -> None:
        worker = get_current_worker()
        for answer in find(
            request,
            self.session.db_path,
            self.session.index,
            cancelled=lambda: worker.is_cancelled,
            progress=self.index_progress,
        ):
            self.app.call_from_thread(self._answered, answer)

    def _answered(self, answer: Answer) -> None:
        if answer.error is not None:
            hint = self.listing.failed(answer)
            if hint is not None:
                self.query_one(FilterBar).show_hint(hint)
            return
        shown = self.listing.accept(answer, self.papers.highlighted_id, self.papers.cursor)
        if shown is None:
            return  # a newer request is on its way
        if shown.open_index:
            self.call_after_refresh(self.post_message, self.IndexWanted())
        self.papers.show(answer.ids, row=shown.row, top_if_gone=answer.request.new_filter)
        self.query_one(FilterBar).show_hint(shown.hint)
        self._update_header()
        # Once typing pauses: wrapping an abstract (5-8 ms) competed with the next keystroke.
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_due = True
        self._detail_timer = self.set_timer(DETAIL_AFTER_TYPING, self._detail_follows)

    def index_progress(self, done: int, total: int) -> None:
        """From the worker opening the index."""
        status = f"indexing {done * 100 // max(total, 1)}%" if done < total else ""
        self.app.call_from_thread(self.show_indexing, status)

    def show_indexing(self, status: str) -> None:
        self._indexing = status
        try:
            self._update_header()
        except NoMatches:  # the index finished opening while the app quit: nothing to show
            pass

    def _update_header(self) -> None:
        query = self.filter_input.value
        bar = self.query_one(ViewBar)
        bar.show_views(
            self.listing.views, self.listing.active_view(query), self.listing.label(query)
        )
        selected = len(self.papers.selected)
        status = "  ".join(
            part for part in (self._indexing, f"{selected} selected" if selected else "") if part
        )
        shown = self.listing.shown_count(len(self.papers.ids))
        bar.show_counts(shown, self.listing.total, status)

    def _detail_follows(self) -> None:
        self._detail_due = False
        self._show_detail()

    def _show_detail(self) -> None:
        paper_id = self.papers.highlighted_id
        paper = self.papers.paper(paper_id) if paper_id else None
        result = self.listing.result
        if result is not None and result.terms:
            terms = (result.query, result.terms)
            self.query_one(PaperDetail).show(paper, result.highlight_spans, terms=terms)
        else:
            self.query_one(PaperDetail).show(paper)

    def on_paper_list_highlighted(self, event: PaperList.Highlighted) -> None:
        self._show_detail()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        if self.listing.already_asked(event.value):
            return  # the Input announcing its first value, already asked for on mount
        self.listing.like = None
        self.refill(new_filter=True)

    @on(Input.Submitted, "#filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        self.papers.focus()

    # -- triage ------------------------------------------------------------------------

    def papers_written(self, ids: Sequence[str]) -> None:
        """After a write from this UI: reread the rows, refilter.

        The refill waits for the frame that shows the next paper: its worker competes with
        that frame for the interpreter, and the reader looks at the next paper first.
        """
        self.papers.forget(ids)
        self._show_detail()
        self.listing.outdated()
        self.call_after_refresh(self.refill)

    def action_star(self) -> None:
        if ids := self.papers.targets():
            self._after_triage(self.triage.star(ids), move=False)

    def action_set_state(self, state: str) -> None:
        if ids := self.papers.targets():
            self._after_triage(self.triage.set_state(ids, state), move=True)

    def _tell(self, outcome: Outcome) -> None:
        if outcome.error:
            self.notify(outcome.error, severity="error", markup=False)
        if outcome.message:
            self.notify(outcome.message, markup=False)

    def _after_triage(self, outcome: Outcome, *, move: bool) -> None:
        self._tell(outcome)
        papers = self.papers
        had_selection = bool(papers.selected)
        if had_selection:
            papers.clear_selection()
        if move:
            papers.move_to(papers.cursor + 1)
        if outcome.changed:
            self.papers_written(outcome.changed)
        elif had_selection:
            self._update_header()

    def action_select(self) -> None:
        self.papers.toggle_selected()
        self.papers.move_to(self.papers.cursor + 1)
        self._update_header()

    def action_undo(self) -> None:
        outcome = self.triage.undo()
        self._tell(outcome)
        if outcome.back_to is None:
            return  # nothing to undo, or the store refused
        self.papers.forget(outcome.changed)
        self.refill(highlight=outcome.back_to)

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
        paper_id = self.papers.highlighted_id
        paper = self.session.store.get(paper_id) if paper_id else None
        if paper is None:
            return
        from triage.tui.screens.note_editor import NoteEditor  # TextArea: 60 ms less at launch

        self.app.push_screen(
            NoteEditor(self.session, paper), lambda _: self.papers_written([paper.id])
        )

    # -- finding and leaving -------------------------------------------------------------

    def action_focus_filter(self) -> None:
        self.filter_input.focus()

    def action_back(self) -> None:
        if self.filter_input.has_focus:
            self.papers.focus()
        elif self.papers.selected:
            self.papers.clear_selection()
            self._update_header()
        elif self.listing.like is not None:
            self.listing.like = None
            self.refill(new_filter=True)
        elif self.filter_input.value:
            self.filter_input.value = ""  # Changed refills

    def action_view(self, number: int) -> None:
        if number >= len(self.listing.views):
            return
        self.listing.like = None
        query = typing_start(self.listing.views[number].query)
        if self.filter_input.value == query:
            self.refill(new_filter=True)
        else:
            self.filter_input.value = query
        self.papers.focus()

    def action_save_view(self) -> None:
        query = self.filter_input.value.strip()
        if not query:
            self.notify("Type a filter first, then save it as a view.")
            return

        def save(name: str | None) -> None:
            if not name:
                return
            try:
                save_view(View(name, query))
            except OSError as error:
                self.notify(f"Could not save the view: {error}", severity="error", markup=False)
                return
            self.listing.views, _ = load_views()
            self._update_header()
            self.notify(f"Saved view {name}", markup=False)

        self.app.push_screen(PromptScreen(f"Name for the view {query}", ""), save)

    def action_more_like(self) -> None:
        paper_id = self.papers.highlighted_id
        if paper_id is None:
            return
        paper = self.papers.paper(paper_id)
        self.listing.like = Like(paper_id, paper.title if paper else paper_id)
        self.refill(highlight=paper_id)

    def action_open(self) -> None:
        paper = self.papers.paper(self.papers.highlighted_id or "")
        if paper is None:
            return
        url = paper.url or SEARCH_URL.format(quote_plus(paper.title))
        self.app.open_url(url)
        self.notify(f"Opened {url}", markup=False)

    def action_copy_title(self) -> None:
        paper = self.papers.paper(self.papers.highlighted_id or "")
        if paper is None:
            return
        self.app.copy_to_clipboard(paper.title)
        self.notify("Copied the title.")

    def action_export(self, what: str) -> None:
        with_export_path(self.app, partial(self._export, what))

    def _export(self, what: str, path: Path) -> None:
        store = self.session.store
        if what == "starred":
            ids, title, query = store.view_ids("is:starred") or [], "Starred papers", None
        else:
            ids = list(self.papers.ids)
            title, query = self.listing.export_heading(self.filter_input.value)
        message, failed = export_papers(store, ids, path, title=title, query=query)
        self.notify(message, severity="error" if failed else "information", markup=False)
