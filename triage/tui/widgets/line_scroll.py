"""A Line API ScrollView whose length can change without a layout of the whole screen."""

from __future__ import annotations

from math import ceil

from textual.geometry import Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar


class LineScrollView(ScrollView):
    """For the list and the detail, whose number of lines changes on every keystroke.

    Textual lays out the whole screen when a virtual size changes, for the scrollbars; after a
    triage key that layout came a frame later than the list, so the next paper's text lagged
    behind its row. Here only a scrollbar that appears or disappears asks for a layout; one that
    stays just gets its new proportions.
    """

    virtual_size = Reactive(Size(0, 0), layout=False)
    _style_epoch = 0
    """Counts theme and CSS changes: lines painted (and cached) before one look stale."""

    def notify_style_update(self) -> None:
        self._style_epoch += 1
        super().notify_style_update()

    def set_virtual_size(self, size: Size) -> None:
        if size == self.virtual_size:
            return
        self.virtual_size = size
        overflow = self.styles.overflow_y
        height = self.container_size.height
        show = overflow == "scroll" or (overflow == "auto" and size.height > height)
        if show != self.show_vertical_scrollbar:
            self.refresh(layout=True)
        elif show:
            scrollbar = self.vertical_scrollbar
            before = _thumb(
                scrollbar.size.height,
                scrollbar.window_virtual_size,
                scrollbar.window_size,
                scrollbar.position,
            )
            after = _thumb(scrollbar.size.height, size.height, height, scrollbar.position)
            if before == after:  # a one-cell thumb at the top for most lists: no repaint
                scrollbar.set_reactive(ScrollBar.window_virtual_size, size.height)
                scrollbar.set_reactive(ScrollBar.window_size, height)
            else:
                scrollbar.window_virtual_size = size.height
                scrollbar.window_size = height
        self.scroll_y = self.validate_scroll_y(self.scroll_y)


def _thumb(track: int, virtual: float, window: float, position: float) -> tuple[int, int] | None:
    """The cells (in eighths) the thumb covers: what Textual's ScrollBarRender paints."""
    if not (track and virtual and window) or virtual == track or virtual <= window:
        return None
    thumb = max(1, window / (virtual / track))
    start = int((track - thumb) * (position / (virtual - window)) * 8)
    return start, start + ceil(thumb * 8)
