"""The paper list: a Line API scroll view that paints only the rows on screen.

Modelled on toolong's `LogLines`: the widget holds a sequence of ids (100,000 cost what 100 do),
fetches the few papers it paints through a callback, caches them, and keeps the highlighted
paper when the sequence is replaced (a search refresh, a mark moving papers out of view): the
caller finds its new row (`list_controller.row_of`), off the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from triage.store import STATE_LABELS, Paper
from triage.tui.widgets.line_scroll import LineScrollView
from triage.tui.widgets.literal import printable

STATE_WIDTH = 9
DATE_WIDTH = 10
DATE_FROM = 60
"""Rows at least this wide show the date; at least AUTHOR_FROM wide, the first author too."""
AUTHOR_FROM = 90
AUTHOR_WIDTH = 18
NOTE_MARK = "✎"
ROW_CACHE_SIZE = 4096
STRIP_CACHE_SIZE = 256
PREFETCH_MARGIN = 20


def state_word(state: str) -> str:
    """A state as the list and the detail show it, in lower case (``read``)."""
    return STATE_LABELS.get(state, state).lower()


def _fit(text: str, width: int) -> str:
    """Exactly `width` cells, with an ellipsis when cut."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


class PaperList(LineScrollView, can_focus=True):
    """Rows of star, note mark, state, title, tags, first author and date (`Paper.listed_on`),
    with a cursor and a selection."""

    COMPONENT_CLASSES = {
        "paper-list--cursor",
        "paper-list--selected",
        "paper-list--star",
        "paper-list--state",
        "paper-list--tags",
        "paper-list--author",
        "paper-list--date",
    }

    BINDINGS = [
        Binding("j,down", "move(1)", "Down", id="cursor-down", show=False),
        Binding("k,up", "move(-1)", "Up", id="cursor-up", show=False),
        Binding("g,home", "move_to_start", "First paper", id="cursor-first", show=False),
        Binding("G,end", "move_to_end", "Last paper", id="cursor-last", show=False),
        Binding("pagedown,ctrl+f", "page(1)", "Page down", id="page-down", show=False),
        Binding("pageup,ctrl+b", "page(-1)", "Page up", id="page-up", show=False),
    ]

    class Highlighted(Message):
        """The cursor is on another paper (or on none: the list is empty)."""

        def __init__(self, paper_list: PaperList, paper_id: str | None) -> None:
            super().__init__()
            self.paper_list = paper_list
            self.paper_id = paper_id

        @property
        def control(self) -> PaperList:
            return self.paper_list

    def __init__(
        self,
        fetch: Callable[[list[str]], list[Paper]],
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._fetch = fetch
        self._ids: Sequence[str] = ()
        self._rows: LRUCache[str, Paper] = LRUCache(ROW_CACHE_SIZE)
        self.cursor = 0
        self.selected: set[str] = set()
        self._announced: str | None = None
        self._row_styles: dict[tuple, tuple[Style, dict[str, Style]]] = {}
        """Row styles by (cursor, selected, look): computing them costs more than painting a row."""
        self._strips: LRUCache[str, dict[tuple, Strip]] = LRUCache(STRIP_CACHE_SIZE)
        """Painted rows by paper, then (cursor, selected, width, look): while typing, most rows
        of the new list were on screen a keystroke ago."""

    # -- what is shown ---------------------------------------------------------------

    @property
    def ids(self) -> Sequence[str]:
        return self._ids

    @property
    def highlighted_id(self) -> str | None:
        return self._ids[self.cursor] if 0 <= self.cursor < len(self._ids) else None

    def show(self, ids: Sequence[str], *, row: int | None, top_if_gone: bool = False) -> None:
        """Replace the rows; the cursor goes to `row`: where the paper to keep is in `ids`
        (see `list_controller.row_of`), None when it is gone.

        Then the cursor keeps its row, which is the next paper: what a triage key that sent
        the paper out of view should leave behind. A new filter (`top_if_gone`) starts at its
        first paper instead.
        """
        if row is None:
            row = 0 if top_if_gone else self.cursor
        self._ids = ids
        if self.selected:  # never act on papers the user can no longer see
            self.selected.intersection_update(ids)
        self.set_virtual_size(Size(self.size.width, len(ids)))
        self._set_cursor(row)
        self.refresh()

    def paper(self, paper_id: str) -> Paper | None:
        """The (cached) record of a shown paper."""
        if paper_id not in self._rows:
            self._load([paper_id])
        return self._rows.get(paper_id)

    def forget(self, ids: Iterable[str] | None = None) -> None:
        """Drop cached records (all when `ids` is None) so they are read again."""
        if ids is None:
            self._rows.clear()
            self._strips.clear()
            self.refresh()
            return
        forgotten = set(ids)
        for paper_id in forgotten:
            self._rows.discard(paper_id)
            self._strips.discard(paper_id)
        top = round(self.scroll_y)
        for offset, paper_id in enumerate(self._ids[top : top + self.size.height]):
            if paper_id in forgotten:  # repaint just the rows that show them
                self.refresh_lines(top + offset)

    def _load(self, wanted: list[str]) -> None:
        missing = [paper_id for paper_id in dict.fromkeys(wanted) if paper_id not in self._rows]
        if not missing:
            return
        for paper in self._fetch(missing):
            self._rows[paper.id] = paper

    # -- cursor and selection ----------------------------------------------------------

    def _set_cursor(self, row: int) -> None:
        before = self.cursor
        self.cursor = max(0, min(row, len(self._ids) - 1))
        if not self._scroll_to_cursor() and self.cursor != before:
            self.refresh_lines(before)  # only two rows look different
            self.refresh_lines(self.cursor)
        if self.highlighted_id != self._announced:
            self._announced = self.highlighted_id
            self.post_message(self.Highlighted(self, self._announced))

    def _scroll_to_cursor(self, *, again: bool = True) -> bool:
        """Scroll so that the cursor's row is on screen; True if that took a scroll."""
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_y)
        if top <= self.cursor < top + height:
            return False
        wanted = self.cursor if self.cursor < top else self.cursor - height + 1
        self.scroll_to(y=wanted, animate=False, immediate=True)
        self.refresh()
        if round(self.scroll_y) != wanted and again:
            # A list that just grew a scrollbar scrolls only after the layout that shows it.
            self.call_after_refresh(self._scroll_to_cursor, again=False)
        return True

    def move_to(self, row: int) -> None:
        self._set_cursor(row)

    def action_move(self, delta: int) -> None:
        self._set_cursor(self.cursor + delta)

    def action_move_to_start(self) -> None:
        self._set_cursor(0)

    def action_move_to_end(self) -> None:
        self._set_cursor(len(self._ids) - 1)

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        self.scroll_to(y=self.scroll_y + direction * height, animate=False, immediate=True)
        self._set_cursor(self.cursor + direction * height)

    def targets(self) -> list[str]:
        """What a triage key acts on: the selected papers in list order, else the highlighted one."""
        if self.selected:
            return [paper_id for paper_id in self._ids if paper_id in self.selected]
        return [self.highlighted_id] if self.highlighted_id else []

    def toggle_selected(self) -> None:
        paper_id = self.highlighted_id
        if paper_id is None:
            return
        self.selected.symmetric_difference_update({paper_id})
        self.refresh_lines(self.cursor)

    def clear_selection(self) -> None:
        self.selected.clear()
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        row = round(self.scroll_y) + event.y
        if row < len(self._ids):
            self._set_cursor(row)

    def on_resize(self) -> None:
        self.set_virtual_size(Size(self.size.width, len(self._ids)))

    # -- painting --------------------------------------------------------------------

    def _look(self) -> tuple:
        """What the row colours depend on besides cursor and selection."""
        return (self.has_focus, self.app.theme, self._style_epoch)

    def _styles_for(self, is_cursor: bool, is_selected: bool) -> tuple[Style, dict[str, Style]]:
        """The row's base style and each part's style."""
        key = (is_cursor, is_selected, self._look())
        if key not in self._row_styles:
            if len(self._row_styles) > 16:  # looks of a theme or focus no longer current
                self._row_styles.clear()
            style = self.rich_style
            if is_selected:
                style += self.get_component_rich_style("paper-list--selected", partial=True)
            if is_cursor:
                style += self.get_component_rich_style("paper-list--cursor", partial=True)
            parts = {
                # one colour pair across the cursor row: readable in every theme
                name: style
                if is_cursor
                else style + self.get_component_rich_style(name, partial=True)
                for name in (
                    "paper-list--star",
                    "paper-list--state",
                    "paper-list--tags",
                    "paper-list--author",
                    "paper-list--date",
                )
            }
            self._row_styles[key] = (style, parts)
        return self._row_styles[key]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        top = round(self.scroll_y)
        row = top + y
        if row >= len(self._ids):
            return Strip.blank(width, self._styles_for(False, False)[0])
        paper_id = self._ids[row]
        if paper_id not in self._rows:
            self._load(list(self._ids[top : top + self.size.height + PREFETCH_MARGIN]))
        paper = self._rows.get(paper_id)
        if paper is None:  # deleted under us; the next refresh drops it
            return Strip.blank(width, self._styles_for(False, False)[0])
        variant = (row == self.cursor, paper_id in self.selected, width, self._look())
        painted = self._strips.get(paper_id)
        if painted is None:
            painted = self._strips[paper_id] = {}
        strip = painted.get(variant)
        if strip is None:
            if len(painted) > 4:  # looks of an earlier width, theme or focus
                painted.clear()
            strip = painted[variant] = self._render_row(paper, *variant[:3])
        return strip

    def _render_row(self, paper: Paper, is_cursor: bool, is_selected: bool, width: int) -> Strip:
        style, part = self._styles_for(is_cursor, is_selected)
        tags = printable(" ".join(f"#{tag}" for tag in paper.tags))
        authors = paper.identity.authors
        author = printable(authors[0]) if authors else ""
        title_width = width - 4 - STATE_WIDTH
        title_width -= DATE_WIDTH + 1 if width >= DATE_FROM else 0
        title_width -= AUTHOR_WIDTH + 1 if width >= AUTHOR_FROM else 0
        tag_width = min(cell_len(tags), max(0, title_width // 3)) if tags else 0
        if tag_width:
            title_width -= tag_width + 1
        segments = [
            Segment("▌" if is_selected else " ", style),
            Segment("★" if paper.starred else " ", part["paper-list--star"]),
            Segment(NOTE_MARK if paper.note else " ", part["paper-list--star"]),
            Segment(" ", style),
            Segment(_fit(state_word(paper.state), STATE_WIDTH), part["paper-list--state"]),
            Segment(_fit(printable(paper.title), title_width), style),
        ]
        if tag_width:
            segments.append(Segment(" " + _fit(tags, tag_width), part["paper-list--tags"]))
        if width >= AUTHOR_FROM:
            segments.append(Segment(" " + _fit(author, AUTHOR_WIDTH), part["paper-list--author"]))
        if width >= DATE_FROM:
            date = paper.listed_on[:DATE_WIDTH]
            segments.append(Segment(" " + _fit(date, DATE_WIDTH), part["paper-list--date"]))
        return Strip(segments).adjust_cell_length(width, style)
