"""What the paper list shows for a filter (or "more like this"): which ids, where the cursor
goes, what the hint and the header say. Plain Python, no Textual, so it is tested without Pilot.

The screen asks (`ListController.request`), a worker thread answers (`find`), and the screen
shows what `ListController.accept` makes of the answer. Requests are numbered: a slow, stale
search never replaces the answer to a newer keystroke.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from triage.store import Store
from triage.tui.config import View
from triage.tui.index_access import IndexAccess, Progress

if TYPE_CHECKING:  # importing triage.search imports Whoosh: not before the first rows
    from triage.search.result import SearchResult

FIRST_ROWS = 200
LABEL_CHARS = 24
SORT_ORDERS = (
    ("", "the default order: relevance with words, else newest listed first"),
    ("sort:title", "title, A to Z"),
    ("sort:added", "newest added first"),
    ("sort:upvotes", "most upvotes first (papers without any last)"),
    ("sort:listed", "newest listed first"),
    ("sort:-listed", "oldest listed first"),
)
"""What the sort key cycles through, with what it tells the user."""


class Like(NamedTuple):
    """The paper whose similar papers are listed ("more like this")."""

    paper_id: str
    title: str


def row_of(ids: Sequence[str], paper_id: str, near: int) -> int | None:
    """Where `paper_id` is in `ids`, looked for around row `near` first (where it usually is)."""
    start = max(0, near - 2)
    window = list(ids[start : near + 3])
    if paper_id in window:
        return start + window.index(paper_id)
    try:
        return ids.index(paper_id)  # a search result answers from its row sets
    except ValueError:
        return None


def typing_start(query: str) -> str:
    """A view's query as the filter text: a trailing space, so typing adds a word to it."""
    return f"{query} " if query else ""


def next_sort(query: str) -> tuple[str, str]:
    """The filter with its `sort:` term replaced by the next order (see SORT_ORDERS), and
    what that order is."""
    words = query.split()
    current = next((word.lower() for word in words if word.lower().startswith("sort:")), "")
    orders = [order for order, _ in SORT_ORDERS]
    following = orders.index(current) + 1 if current in orders else 1
    order, described = SORT_ORDERS[following % len(SORT_ORDERS)]
    kept = [word for word in words if not word.lower().startswith("sort:")]
    return typing_start(" ".join([*kept, order]).strip()), described


@dataclass(frozen=True)
class Request:
    generation: int
    query: str
    like: Like | None
    keep: str | None
    """The paper the cursor should stay on (or be sent to)."""
    near: int
    """The cursor's row when asked: where `keep` is looked for first."""
    new_filter: bool
    """The user changed what is asked: a cursor whose paper is gone goes to the top."""
    recount: bool
    """Papers came or went: count them again."""


@dataclass(frozen=True)
class Answer:
    request: Request
    ids: Sequence[str]
    result: SearchResult | None = None
    """None for the built-in views read from the store: they have nothing to highlight."""
    total: int | None = None
    """The store's paper count, when the request asked for a recount."""
    row: int | None = None
    """Where `request.keep` is in `ids`, if there."""
    partial: bool = False
    """The first rows only; the rest is on its way."""
    error: Exception | None = None
    """The search index failed; `ids` is empty."""


@dataclass(frozen=True)
class Shown:
    """What the screen puts on screen for an answer."""

    row: int | None
    hint: str | None
    open_index: bool
    """The first complete list is shown: time to open the search index (the built-in views
    needed none)."""


def find(
    request: Request,
    db_path: Path,
    access: IndexAccess,
    *,
    cancelled: Callable[[], bool],
    progress: Progress | None = None,
) -> Iterator[Answer]:
    """The answers to `request`, on a worker thread: the first rows of a long built-in view,
    then the whole list. Finds `request.keep` in the answer here rather than on the UI thread:
    in a plain list of 100,000 ids that is a scan.

    Until the index is open the built-in views are read from the store (the first rows paint
    without it); once it is open it answers faster.
    """
    ids: Sequence[str] | None = None
    result = None
    total = None
    quick = request.like is None and not access.is_open
    if request.recount or quick:
        with Store(db_path) as store:
            first = store.view_ids(request.query, limit=FIRST_ROWS) if quick else None
            if first is not None and len(first) == FIRST_ROWS:
                # At launch: a screenful now; the count (0.1 s at 1M papers) and all the ids
                # (0.1-0.2 s at 100,000, 1.2 s at 1M) a moment later.
                if not cancelled():
                    row = row_of(first, request.keep, request.near) if request.keep else None
                    yield Answer(request, first, None, None, row, partial=True)
                total = store.count()
                ids = store.view_id_column(request.query)
            else:
                total = store.count()
                ids = first  # the whole view; None: not a built-in one, the index answers
    if ids is None:
        try:
            with access.lock:
                if cancelled():
                    return
                index = access.ready(progress)
                if request.like is not None:
                    result = index.more_like(request.like.paper_id)
                else:
                    result = index.search(request.query)
        except Exception as error:  # a broken index must not take the UI down with it
            yield Answer(request, (), error=error)
            return
        ids = result.ids
    keep = request.keep
    row = row_of(ids, keep, request.near) if keep and not cancelled() else None
    if not cancelled():
        yield Answer(request, ids, result, total, row)


class ListController:
    """The list's state between keystrokes: what was asked last, what is shown, the count."""

    def __init__(self, views: Sequence[View]) -> None:
        self.views = list(views)
        self.like: Like | None = None
        """Set while showing papers like that one."""
        self.view = 0
        """The view chosen last (a number key, a click): where Esc goes back to."""
        self.result: SearchResult | None = None
        """The search result shown (None for a built-in view read from the store)."""
        self.generation = 0
        """Number of the newest request; `shown_generation` is the one on screen."""
        self.shown_generation = 0
        self.partial = False
        """The list shows the first rows of an answer whose rest is on its way."""
        self.total: int | None = None
        """Papers in the store (None until counted: the first rows paint before)."""
        self._recount = True
        self._asked: str | None = None
        """The filter text of the newest request."""
        self._cursor_at_request: str | None = None
        """The highlighted paper when the newest request was made."""
        self._index_requested = False
        self._outdated = False

    @property
    def settled(self) -> bool:
        """The answer to the newest request is on screen, and no newer one is due."""
        return self.shown_generation == self.generation and not self._outdated

    def outdated(self) -> None:
        """Papers shown were written: the list is not settled until it is asked for again."""
        self._outdated = True

    def request(
        self,
        query: str,
        *,
        cursor_id: str | None,
        cursor_row: int,
        highlight: str | None = None,
        new_filter: bool = False,
        recount: bool = False,
        to_top: bool = False,
    ) -> Request:
        """A new request for `query` (or the papers like `self.like`), newer than any before.

        The cursor stays on its paper, or goes to `highlight` when given, or to the first
        paper (`to_top`, with `new_filter`).
        """
        self.generation += 1
        self._outdated = False
        self._recount |= recount
        self._asked = query
        self._cursor_at_request = cursor_id
        return Request(
            self.generation,
            query,
            self.like,
            None if to_top else highlight or cursor_id,
            cursor_row,
            new_filter,
            self._recount,
        )

    def already_asked(self, query: str) -> bool:
        """The filter announcing a text the newest request already asked for (its first value,
        asked for on mount): no second query."""
        return self.like is None and query == self._asked

    def accept(self, answer: Answer, cursor_id: str | None, cursor_row: int) -> Shown | None:
        """Take an answer to show, given where the cursor is now; None when a newer request is
        on its way. A cursor moved while the search ran stays on its new paper."""
        if answer.request.generation != self.generation:
            return None
        self.partial = answer.partial
        if not answer.partial:
            self.shown_generation = answer.request.generation
        if answer.total is not None:
            self.total = answer.total
            self._recount = False
        open_index = not self._index_requested and bool(self.total) and not answer.partial
        self._index_requested |= open_index
        self.result = answer.result
        row = answer.row
        if cursor_id != self._cursor_at_request and cursor_id is not None:
            row = row_of(answer.ids, cursor_id, cursor_row)
        return Shown(row, self._hint(answer.result), open_index)

    def failed(self, answer: Answer) -> str | None:
        """The hint for a search that failed; None when a newer request is on its way."""
        if answer.request.generation != self.generation:
            return None
        self.shown_generation = answer.request.generation
        return f"Search is unavailable: {answer.error or type(answer.error).__name__}"

    def _hint(self, result: SearchResult | None) -> str | None:
        if result is None:
            return None
        if result.hint:
            return result.hint
        if result.total == 0 and result.suggestion:
            return f"No papers match. Did you mean: {result.suggestion}"
        if result.total == 0 and self.like is not None:
            return "Found nothing similar. Esc goes back."
        return None

    def shown_count(self, listed: int) -> int | None:
        """How many papers the header says are listed: None while the rest is on its way."""
        return None if self.partial else listed

    # -- views -------------------------------------------------------------------------

    def set_views(self, views: Sequence[View]) -> None:
        """The saved views changed (saved, renamed, deleted): Esc still goes back to the view
        chosen last, found by name or query, else to the first."""
        origin = self.views[self.view]
        self.views = list(views)
        for same in (lambda view: view == origin, lambda view: view.query == origin.query):
            found = [number for number, view in enumerate(self.views) if same(view)]
            if found:
                self.view = found[0]
                return
        self.view = 0

    def origin(self) -> str:
        """The filter text of the view chosen last: what Esc goes back to."""
        return typing_start(self.views[self.view].query)

    def active_view(self, query: str) -> int | None:
        """The view whose filter `query` is, if any (none while showing similar papers)."""
        if self.like is not None:
            return None
        for number, view in enumerate(self.views):
            if view.query.strip() == query.strip():
                return number
        return None

    def label(self, query: str) -> str | None:
        """The header's name for a list that is no view: similar papers, or a typed filter."""
        if self.like is not None:
            title = self.like.title
            if len(title) > LABEL_CHARS:
                return f"Like: {title[: LABEL_CHARS - 1]}…"
            return f"Like: {title}"
        return "Filter" if self.active_view(query) is None else None

    def export_heading(self, query: str) -> tuple[str, str | None]:
        """(title, query) of an exported list: the view's name and the filter typed."""
        if self.like is not None:
            return f"Papers like {self.like.title}", None
        active = self.active_view(query)
        title = self.views[active].name if active is not None else "Papers"
        return title, query.strip() or None
