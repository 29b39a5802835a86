"""What the main screen's keys act on: the filter, the list that follows it, the header and the
detail. What the list shows comes from `ListController`; the keys are in `MainScreen` and its
two key groups, `TriageKeys` (marks, notes, deletion, undo) and `PaperKeys` (open, copy,
export, import).

The list is refilled by an exclusive worker whose requests are numbered, so a slow, stale
search never replaces the answer to a newer keystroke.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from textual import work
from textual.app import ComposeResult
from textual.containers import Container
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input
from textual.worker import get_current_worker

from triage.store import Paper, StoreError
from triage.tui.bindings import FOOTER_PRIORITY
from triage.tui.config import load_views
from triage.tui.list_controller import Answer, ListController, Request, find, typing_start
from triage.tui.session import Session
from triage.tui.triage_actions import Outcome, TriageActions
from triage.tui.widgets.filter_bar import FilterBar
from triage.tui.widgets.key_bar import KeyBar
from triage.tui.widgets.paper_detail import PaperDetail
from triage.tui.widgets.paper_list import PaperList
from triage.tui.widgets.view_bar import ViewBar

DETAIL_AFTER_TYPING = 0.15
"""Seconds after a new list before the detail follows its first paper (the cursor moving
shows the detail at once)."""


class ListScreen(Screen[None]):
    class IndexWanted(Message):
        """The first rows are on screen: time to open the search index (the built-in views
        needed none). Opening it earlier would compete with that frame for the interpreter."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        views, self._views_problem = load_views()
        self.listing = ListController(views)
        self.triage = TriageActions(session, report=self.triaged)
        self._status: dict[str, str] = {}
        """What runs in the background, by kind (indexing, importing): shown in the header."""
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
        yield KeyBar(priority=FOOTER_PRIORITY)

    def on_mount(self) -> None:
        if self._views_problem:
            self.notify(self._views_problem, severity="warning", markup=False)
        self.papers.focus()
        self.refill()

    @property
    def papers(self) -> PaperList:
        return self.query_one(PaperList)

    @property
    def detail(self) -> PaperDetail:
        return self.query_one(PaperDetail)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#filter", Input)

    @property
    def settled(self) -> bool:
        """The list shows the answer to the newest request and the detail has followed it."""
        return self.listing.settled and not self.listing.partial and not self._detail_due

    def _fetch(self, ids: list[str]) -> list[Paper]:
        """The rows to paint: none while the file cannot be read (damaged or replaced under
        the app), so painting never fails; they come back with the file."""
        try:
            return self.session.store.papers(ids)
        except (StoreError, sqlite3.Error):
            return []

    def set_filter(self, text: str) -> None:
        """Replace the filter text (its Changed event refills), the cursor at its end, where
        typing adds a word."""
        self.filter_input.value = text
        self.filter_input.cursor_position = len(text)

    def highlighted_paper(self) -> Paper | None:
        paper_id = self.papers.highlighted_id
        return self.papers.paper(paper_id) if paper_id else None

    def triaged(self, outcome: Outcome) -> None:
        """A triage job is written (or refused): say so, and show the papers as they are now."""
        self.tell(outcome)
        if outcome.back_to is not None:  # an undo: back to its paper
            self.papers.forget(outcome.changed)
            self.refill(highlight=outcome.back_to, recount=True)
        elif outcome.changed or outcome.recount:
            self.papers_written(outcome.changed, recount=outcome.recount)

    def tell(self, outcome: Outcome) -> None:
        if outcome.error:
            self.notify(outcome.error, severity="error", markup=False)
        if outcome.message:
            self.notify(outcome.message, markup=False)

    # -- refilling the list ------------------------------------------------------------

    def refill(
        self,
        *,
        highlight: str | None = None,
        new_filter: bool = False,
        recount: bool = False,
        to_top: bool = False,
    ) -> None:
        """Ask for the current filter's papers; the newest request wins.

        The cursor stays on its paper, or goes to `highlight`, or to the first paper (`to_top`).
        `new_filter`: the user changed what is asked, so a cursor whose paper is gone goes to
        the top rather than staying on its row. `recount`: papers came or went.
        """
        self._search(
            self.listing.request(
                self.filter_input.value,
                cursor_id=self.papers.highlighted_id,
                cursor_row=self.papers.cursor,
                highlight=highlight,
                new_filter=new_filter or to_top,
                recount=recount,
                to_top=to_top,
            )
        )

    def store_changed(self) -> None:
        """The store was filled, merged into or replaced: read every row again, recount."""
        self.papers.forget()
        self.refill(recount=True)

    def papers_written(self, ids: Sequence[str], *, recount: bool = False) -> None:
        """After a write from this UI: reread the rows, refilter.

        The refill waits for the frame that shows the next paper: its worker competes with
        that frame for the interpreter, and the reader looks at the next paper first.
        """
        self.papers.forget(ids)
        self._show_detail()
        self.listing.outdated()
        self.call_after_refresh(self.refill, recount=recount)

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
        self.update_header()
        # Once typing pauses: wrapping an abstract (5-8 ms) competed with the next keystroke.
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_due = True
        self._detail_timer = self.set_timer(DETAIL_AFTER_TYPING, self._detail_follows)

    # -- the header and the detail ---------------------------------------------------------

    def index_progress(self, done: int, total: int) -> None:
        """From the worker opening the index."""
        status = f"indexing {done * 100 // max(total, 1)}%" if done < total else ""
        self.app.call_from_thread(self.show_indexing, status)

    def show_indexing(self, status: str) -> None:
        self.show_status("index", status)

    def show_status(self, kind: str, status: str) -> None:
        """What runs in the background (`kind`: index, import); "" when it is done."""
        self._status[kind] = status
        try:
            self.update_header()
        except NoMatches:  # the work finished while the app quit: nothing to show
            pass

    def update_header(self) -> None:
        query = self.filter_input.value
        bar = self.query_one(ViewBar)
        bar.show_views(
            self.listing.views, self.listing.active_view(query), self.listing.label(query)
        )
        selected = len(self.papers.selected)
        status = "  ".join(
            part
            for part in (*self._status.values(), f"{selected} selected" if selected else "")
            if part
        )
        shown = self.listing.shown_count(len(self.papers.ids))
        bar.show_counts(shown, self.listing.total, status)

    def _detail_follows(self) -> None:
        self._detail_due = False
        self._show_detail()

    def _show_detail(self) -> None:
        paper = self.highlighted_paper()
        result = self.listing.result
        if result is not None and result.terms:
            terms = (result.query, result.terms)
            self.detail.show(paper, result.highlight_spans, terms=terms)
        else:
            self.detail.show(paper)

    def on_paper_list_highlighted(self, event: PaperList.Highlighted) -> None:
        self._show_detail()
