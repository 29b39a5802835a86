"""The footer: the keys of the focused screen, one clickable line.

Textual's Footer builds a widget per key and rebuilds them all whenever focus moves (`/`,
`Esc`, every dialog); at launch that was six rebuilds, a tenth of a second the first rows
waited for. This paints the same line as one piece of Content.
"""

from __future__ import annotations

from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

KEY_STYLE = "bold $footer-key-foreground on $footer-key-background"
DESCRIPTION_STYLE = "$footer-description-foreground"


class KeyBar(Widget):
    """Shown bindings as `key Description`, then the command palette key at the right."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._keys: tuple = ()

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen: Screen) -> None:
        if screen is not self.screen:
            return
        app = self.app
        palette = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
        shown, palette_key, seen = [], (), set()
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
        left = Content("").join(_key_content(*key) for key in shown)
        if not palette_key:
            return left
        right = _key_content(*palette_key[0])
        room = self.size.width - right.cell_length - 1
        if left.cell_length > room:  # a narrow terminal: the palette key stays, the rest is cut
            left = left.truncate(max(0, room), ellipsis=True)
        return left + Content(" " * (room + 1 - left.cell_length)) + right


def _key_content(key: str, display: str, description: str, enabled: bool) -> Content:
    click = f"@click=app.simulate_key({key!r})"
    content = Content.assemble(
        (f" {display} ", KEY_STYLE),
        (f"{description} ", DESCRIPTION_STYLE),
    ).stylize(click)
    return content.stylize("dim") if not enabled else content
