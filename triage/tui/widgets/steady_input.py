"""The filter's Input: a cursor that does not blink, and a keystroke that costs no layout."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class SteadyInput(Input):
    """A calm screen, and screenshots that do not depend on time.

    Input records the width of its text as its virtual size on every keystroke; Textual's
    virtual size asks for a layout of the whole screen when it changes (for scrollbars, which a
    one-line Input never shows). At 100,000 papers that layout was a third of a keystroke's cost.
    """

    virtual_size = Reactive(Size(0, 0), layout=False)

    def on_mount(self) -> None:
        self.cursor_blink = False
