"""The footer: the keys of the focused screen, one clickable line.

Textual's Footer builds a widget per key and rebuilds them all whenever focus moves (`/`,
`Esc`, every dialog); at launch that was six rebuilds, a tenth of a second the first rows
waited for. This paints the same line as one piece of Content.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

KEY_STYLE = "bold $footer-key-foreground on $footer-key-background"
DESCRIPTION_STYLE = "$footer-description-foreground"

Key = tuple[str, str, str, bool]
"""(key, how it is shown, description, enabled)"""


class KeyBar(Widget):
    """Shown bindings as `key Description`, then the command palette key at the right."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: tuple[tuple[Key, ...], tuple[Key, ...]] = ((), ())
        self._spans: list[tuple[int, int, str]] = []
        """Where each key is painted: (first cell, past the last cell, key), for clicks."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen: Screen) -> None:
        if screen is not self.screen:
            return
        app = self.app
        palette = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
        shown: list[Key] = []
        palette_key: tuple[Key, ...] = ()
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            if binding.action in seen:
                continue  # one entry per action, as Textual's Footer
            key = (binding.key, app.get_key_display(binding), binding.description, enabled)
            if palette is not None and binding.key == palette:
                palette_key = (key,)
            elif binding.show:
                seen.add(binding.action)
                shown.append(key)
        keys = (tuple(shown), palette_key)
        if keys != self._keys:
            self._keys = keys
            self.refresh()

    def render(self) -> Content:
        shown, palette_key = self._keys
        self._spans = []
        parts, width = [], 0
        for key in shown:
            part = _key_content(*key)
            self._spans.append((width, width + part.cell_length, key[0]))
            parts.append(part)
            width += part.cell_length
        left = Content("").join(parts)
        if not palette_key:
            return left
        right = _key_content(*palette_key[0])
        room = self.size.width - right.cell_length - 1
        if left.cell_length > room:  # a narrow terminal: the palette key stays, the rest is cut
            left = left.truncate(max(0, room), ellipsis=True)
            self._spans = [
                (start, min(end, room - 1), key)
                for start, end, key in self._spans
                if start < room - 1
            ]
        self._spans.append((room + 1, room + 1 + right.cell_length, palette_key[0][0]))
        return left + Content(" " * (room + 1 - left.cell_length)) + right

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return


def _key_content(key: str, display: str, description: str, enabled: bool) -> Content:
    content = Content.assemble((f" {display} ", KEY_STYLE), (f"{description} ", DESCRIPTION_STYLE))
    return content.stylize("dim") if not enabled else content
