"""The main screen: filter bar, paper list, detail, and every triage key.

Writes happen on the UI thread through the app's Store (they are short transactions); the list
is refilled by an exclusive worker that numbers its requests, so a slow, stale search never
replaces the answer to a newer keystroke.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote_plus

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from triage.export.markdown import ExportError, export_markdown, write_atomically
from triage.store import STATE_LABELS, Paper, Store, StoreError
from triage.tui.config import (
    View,
    load_views,
    remember_export_path,
    remembered_export_path,
    save_view,
)
from triage.tui.screens.dialogs import PromptScreen, TagEditor
from triage.tui.undo import UndoHistory
from triage.tui.widgets.key_bar import KeyBar
from triage.tui.widgets.paper_detail import PaperDetail
from triage.tui.widgets.paper_list import PaperList, row_of
from triage.tui.widgets.steady_input import SteadyInput
from triage.tui.widgets.view_bar import ViewBar

SEARCH_URL = "https://huggingface.co/papers?q={}"
DEFAULT_EXPORT = "~/triage-export.md"
LABEL_CHARS = 24
FIRST_ROWS = 200
DETAIL_AFTER_TYPING = 0.15
"""Seconds after a new list before the detail follows its first paper (the cursor moving
shows the detail at once)."""


def typing_start(query: str) -> str:
    """A view's query as the filter text: a trailing space, so typing adds a word to it."""
    return f"{query} " if query else ""


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="filter"),
        Binding("escape", "back", "Back to list / clear filter", id="back", show=False),
        Binding("s", "star", "Star", id="star"),
        Binding("t", "tags", "Tags", id="tags"),
        Binding("n", "note", "Note", id="note"),
        Binding("i", "set_state('inbox')", "Inbox", id="inbox"),
        Binding("r", "set_state('reading')", "Reading", id="reading"),
        Binding("d", "set_state('read')", "Done", id="done"),
        Binding("a", "set_state('archived')", "Archive", id="archive"),
        Binding("space", "select", "Select", id="select", show=False),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("m", "more_like", "More like this", id="more-like", show=False),
        Binding("o", "open", "Open in browser", id="open", show=False),
        Binding("y", "copy_title", "Copy title", id="copy-title", show=False),
        Binding("e", "export('view')", "Export view", id="export", show=False),
        Binding("E", "export('starred')", "Export starred", id="export-starred", show=False),
        Binding("v", "save_view", "Save filter as view", id="save-view", show=False),
        *(
            Binding(
                str(number),
                f"view({number - 1})",
                f"View {number}",
                id=f"view-{number}",
                show=False,
            )
            for number in range(1, 10)
        ),
    ]

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = db_path
        self.views, self._views_problem = load_views()
        self.undo_history = UndoHistory()
        self.like: tuple[str, str] | None = None
        """(paper id, title) while showing papers like that one."""
        self.result = None
        """The SearchResult shown (None for the built-in views, which have nothing to highlight)."""
        self.generation = 0
        """Number of the newest list request; `shown_generation` is the one on screen."""
        self.shown_generation = 0
        self._cursor_at_request: str | None = None
        """The highlighted paper when the newest list request was made."""
        self._asked: str | None = None
        """The filter text of the newest list request."""
        self._partial = False
        """The list shows the first rows of an answer whose rest is on its way."""
        self.total = 0
        self._recount = True
        """The store's paper count may have changed (an import, a file from elsewhere)."""
        self._indexing = ""
        self._index_requested = False
        self._hint: str | None = None
        self._detail_shown: tuple | None = None
        """What the detail pane shows (paper, highlighted terms): repainting it costs a layout."""
        self._detail_timer: Timer | None = None

    # -- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ViewBar()
        # The hint shares the filter's line: a line of its own that comes and goes would move
        # the list and the detail, and repainting them cost a keystroke 60 ms at 100,000 papers.
        with Horizontal(id="filter-row"):
            yield SteadyInput(
                typing_start(self.views[0].query),
                placeholder='Filter: words, "phrase", -word, tag:x, is:starred, state:reading…',
                id="filter",
                select_on_focus=False,
            )
            yield Static(id="filter-hint")
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
    def store(self) -> Store:
        return self.app.store

    def _fetch(self, ids: list[str]) -> list[Paper]:
        try:
            return self.store.papers(ids)
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
        self.generation += 1
        self._recount |= recount
        self._asked = self.filter_input.value
        self._cursor_at_request = self.papers.highlighted_id
        keep = highlight or self._cursor_at_request
        self._search(
            self.generation,
            self.filter_input.value,
            self.like,
            keep,
            self.papers.cursor,
            new_filter,
            self._recount,
        )

    @work(thread=True, exclusive=True, group="search")
    def _search(
        self,
        generation: int,
        query: str,
        like,
        keep: str | None,
        near: int,
        new_filter: bool,
        recount: bool,
    ) -> None:
        """Also finds `keep` (the paper the cursor should stay on) in the answer, here rather
        than on the UI thread: in a plain list of 100,000 ids that is a scan."""
        worker = get_current_worker()
        access = self.app.index_access
        ids = None
        result = None
        total = None
        quick = like is None and not access.is_open  # the index answers faster once open
        if recount or quick:
            with Store(self.db_path) as store:
                total = store.count()
                first = store.view_ids(query, limit=FIRST_ROWS) if quick else None
                if first is not None and len(first) == FIRST_ROWS:
                    # At launch: a screenful now, all 100,000 ids (0.1-0.2 s) a moment later.
                    if not worker.is_cancelled:
                        row = row_of(first, keep, near) if keep else None
                        self.app.call_from_thread(
                            self._show,
                            generation,
                            first,
                            None,
                            total,
                            row,
                            new_filter,
                            partial=True,
                        )
                    ids = store.view_ids(query)
                else:
                    ids = first  # the whole view; None: not a built-in one, the index answers
        if ids is None:
            try:
                with access.lock:
                    if worker.is_cancelled:
                        return
                    index = access.ready(self.index_progress)
                    result = index.more_like(like[0]) if like else index.search(query)
            except Exception as error:  # a broken index must not take the UI down with it
                self.app.call_from_thread(self._search_failed, generation, error)
                return
            ids = result.ids
        row = row_of(ids, keep, near) if keep and not worker.is_cancelled else None
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, generation, ids, result, total, row, new_filter)

    def _search_failed(self, generation: int, error: Exception) -> None:
        if generation == self.generation:
            self.shown_generation = generation
            self._show_hint(f"Search is unavailable: {error or type(error).__name__}")

    def _show_hint(self, message: str | None) -> None:
        if message == self._hint:
            return
        self._hint = message
        self.query_one("#filter-hint", Static).update(Content(message or ""))

    def index_progress(self, done: int, total: int) -> None:
        status = f"indexing {done * 100 // max(total, 1)}%" if done < total else ""
        self.app.call_from_thread(self.set_indexing, status)

    def set_indexing(self, status: str) -> None:
        self._indexing = status
        try:
            self._update_header()
        except NoMatches:  # the index finished opening while the app quit: nothing to show
            pass

    def _show(
        self,
        generation: int,
        ids: Sequence[str],
        result,
        total: int | None,
        row: int | None,
        new_filter: bool,
        partial: bool = False,
    ) -> None:
        """`row`: where the paper the cursor was on (or was sent to) is in `ids`, if there.
        `partial`: the first rows only, the rest is on its way."""
        if generation != self.generation:
            return  # a newer request is on its way
        self._partial = partial
        if not partial:
            self.shown_generation = generation
        if total is not None:
            self.total = total
            self._recount = False
        if not self._index_requested and self.total and not partial:
            self._index_requested = True
            # After the frame with the first rows: opening competes with it for the interpreter.
            self.call_after_refresh(self.app.open_index)
        self.result = result
        moved_to = self.papers.highlighted_id
        if moved_to != self._cursor_at_request and moved_to is not None:
            row = row_of(ids, moved_to, self.papers.cursor)  # moved while it searched
        self.papers.show(ids, row=row, top_if_gone=new_filter)
        message = None
        if result is not None:
            message = result.hint
            if not message and result.total == 0 and result.suggestion:
                message = f"No papers match. Did you mean: {result.suggestion}"
            elif not message and result.total == 0 and self.like is not None:
                message = "Found nothing similar. Esc goes back."
        self._show_hint(message)
        self._update_header()
        # Once typing pauses: wrapping an abstract (5-8 ms) competed with the next keystroke.
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_AFTER_TYPING, self._show_detail)

    def _active_view(self) -> int | None:
        if self.like is not None:
            return None
        query = self.filter_input.value.strip()
        for number, view in enumerate(self.views):
            if view.query.strip() == query:
                return number
        return None

    def _update_header(self) -> None:
        bar = self.query_one(ViewBar)
        active = self._active_view()
        label = None
        if self.like is not None:
            title = self.like[1]
            label = (
                f"Like: {title[: LABEL_CHARS - 1]}…"
                if len(title) > LABEL_CHARS
                else f"Like: {title}"
            )
        elif active is None:
            label = "Filter"
        bar.show_views(self.views, active, label)
        selected = len(self.papers.selected)
        status = "  ".join(
            part for part in (self._indexing, f"{selected} selected" if selected else "") if part
        )
        bar.show_counts(None if self._partial else len(self.papers.ids), self.total, status)

    def _show_detail(self) -> None:
        paper_id = self.papers.highlighted_id
        paper = self.papers.paper(paper_id) if paper_id else None
        result = self.result
        highlight = result.highlight_spans if result is not None and result.terms else None
        shown = (paper, (result.query, result.terms) if highlight else None)
        if shown == self._detail_shown:
            return
        self._detail_shown = shown
        self.query_one(PaperDetail).show(paper, highlight)

    def on_paper_list_highlighted(self, event: PaperList.Highlighted) -> None:
        self._show_detail()

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        if self.like is None and event.value == self._asked:
            return  # the Input announcing its first value, already asked for on mount
        self.like = None
        self.refill(new_filter=True)

    @on(Input.Submitted, "#filter")
    def filter_submitted(self, event: Input.Submitted) -> None:
        self.papers.focus()

    # -- writes ------------------------------------------------------------------------

    def papers_written(self, ids: Sequence[str]) -> None:
        """After any write from this UI: reread the rows, tell the index, refilter.

        The refill waits for the frame that shows the next paper: its worker competes with
        that frame for the interpreter, and the reader looks at the next paper first.
        """
        self.papers.forget(ids)
        self.app.after_write(ids)
        self._show_detail()
        self.call_after_refresh(self.refill)

    def _targets(self) -> list[str]:
        """The selected papers in list order, else the highlighted one."""
        papers = self.papers
        if papers.selected:
            return [paper_id for paper_id in papers.ids if paper_id in papers.selected]
        return [papers.highlighted_id] if papers.highlighted_id else []

    def _mark(self, label: str, ids: list[str], **change) -> list[str]:
        try:
            before = self.store.papers(ids)
            changed = self.store.mark(ids, **change)
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            return []
        if changed:
            self.undo_history.record(label, [p for p in before if p.id in set(changed)])
        return changed

    def action_star(self) -> None:
        ids = self._targets()
        if not ids:
            return
        papers = self.store.papers(ids)
        star = not all(paper.starred for paper in papers)
        changed = self._mark("star" if star else "unstar", ids, star=star)
        self._after_triage(changed, move=False)

    def action_set_state(self, state: str) -> None:
        ids = self._targets()
        if not ids:
            return
        changed = self._mark(STATE_LABELS[state], ids, state=state)
        self._after_triage(
            changed,
            move=True,
            note=f"{STATE_LABELS[state]}: {len(ids)} papers" if len(ids) > 1 else None,
        )

    def _after_triage(self, changed: list[str], *, move: bool, note: str | None = None) -> None:
        papers = self.papers
        had_selection = bool(papers.selected)
        if had_selection:
            papers.clear_selection()
        if move:
            papers.move_to(papers.cursor + 1)
        if note:
            self.notify(note, markup=False)
        if changed:
            self.papers_written(changed)
        elif had_selection:
            self._update_header()

    def action_select(self) -> None:
        self.papers.toggle_selected()
        self.papers.move_to(self.papers.cursor + 1)
        self._update_header()

    def action_undo(self) -> None:
        try:
            undone = self.undo_history.undo(self.store)
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if undone is None:
            self.notify("Nothing to undo.")
            return
        step, changed = undone
        first = step.before[0].paper_id
        count = len(step.before)
        self.notify(f"Undid {step.label} ({count} paper{'' if count == 1 else 's'})", markup=False)
        if changed:
            self.papers.forget(changed)
            self.app.after_write(changed)
        self.refill(highlight=first)

    def action_tags(self) -> None:
        ids = self._targets()
        if not ids:
            return
        papers = self.store.papers(ids)
        shared = sorted(set.intersection(*(set(paper.tags) for paper in papers)))

        def apply(edit: tuple[list[str], list[str]] | None) -> None:
            if not edit or not (edit[0] or edit[1]):
                return
            add, remove = edit
            changed = self._mark("tags", ids, add_tags=add, remove_tags=remove)
            self._after_triage(changed, move=False)

        self.app.push_screen(TagEditor(shared, list(self.store.all_tags()), len(ids)), apply)

    def action_note(self) -> None:
        paper_id = self.papers.highlighted_id
        paper = self.store.get(paper_id) if paper_id else None
        if paper is None:
            return
        from triage.tui.screens.note_editor import NoteEditor  # TextArea: 60 ms less at launch

        self.app.push_screen(
            NoteEditor(paper.id, paper.title, paper.note),
            lambda _: self.papers_written([paper.id]),
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
        elif self.like is not None:
            self.like = None
            self.refill(new_filter=True)
        elif self.filter_input.value:
            self.filter_input.value = ""  # Changed refills

    def action_view(self, number: int) -> None:
        if number >= len(self.views):
            return
        self.like = None
        query = typing_start(self.views[number].query)
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
            self.views, _ = load_views()
            self._update_header()
            self.notify(f"Saved view {name}", markup=False)

        self.app.push_screen(PromptScreen(f"Name for the view {query}", ""), save)

    def action_more_like(self) -> None:
        paper_id = self.papers.highlighted_id
        if paper_id is None:
            return
        paper = self.papers.paper(paper_id)
        self.like = (paper_id, paper.title if paper else paper_id)
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
        remembered = remembered_export_path()
        if remembered is not None:
            self._export(what, remembered)
            return

        def chosen(path: str | None) -> None:
            if path:
                target = Path(path).expanduser()
                remember_export_path(target)
                self._export(what, target)

        self.app.push_screen(
            PromptScreen("Export to Markdown file (asked once, remembered)", DEFAULT_EXPORT), chosen
        )

    def _export(self, what: str, path: Path) -> None:
        if what == "starred":
            ids, title, query = self.store.view_ids("is:starred") or [], "Starred papers", None
        else:
            ids = list(self.papers.ids)
            active = self._active_view()
            query = self.filter_input.value.strip() or None
            title = self.views[active].name if active is not None else "Papers"
            if self.like is not None:
                title, query = f"Papers like {self.like[1]}", None
        try:
            write_atomically(
                path, export_markdown(self.store.papers(ids), title=title, query=query)
            )
        except (ExportError, OSError) as error:
            self.notify(f"Export failed: {path}: {error}", severity="error", markup=False)
            return
        self.notify(f"Exported {len(ids)} papers to {path}", markup=False)
