"""An Input whose cursor does not blink: a calm screen, and screenshots that do not depend on time."""

from __future__ import annotations

from textual.widgets import Input


class SteadyInput(Input):
    def on_mount(self) -> None:
        self.cursor_blink = False
