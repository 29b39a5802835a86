"""The footer: the keys of the focused screen, one clickable line.

Textual's Footer builds a widget per key and rebuilds them all whenever focus moves (`/`,
`Esc`, every dialog); at launch that was six rebuilds, a tenth of a second the first rows
waited for. This paints the same line as one piece of Content.

A terminal too narrow for every key gets them closer together, then only the most important
ones that fit (in their usual order): `?` help, `q` quit and `u` undo are never the ones cut.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget

KEY_STYLE = "bold $footer-key-foreground on $footer-key-background"
DESCRIPTION_STYLE = "$footer-description-foreground"

Key = tuple[str, str, str, bool, str]
"""(key, how it is shown, description, enabled, binding id)"""


class KeyBar(Widget):
    """Shown bindings as `key Description`, then the command palette key at the right."""

    def __init__(self, *, priority: Sequence[str] = (), id: str | None = None) -> None:
        """`priority`: binding ids, most important first (the others come after them)."""
        super().__init__(id=id)
        self._priority = list(priority)
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
            key = (
                binding.key,
                app.get_key_display(binding),
                binding.description,
                enabled,
                binding.id or "",
            )
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
        right = _key_content(*palette_key[0]) if palette_key else Content("")
        room = self.size.width - right.cell_length - (1 if palette_key else 0)
        keys, parts, gap = self._fitted(list(shown), room)
        left = Content(" " * gap).join(parts)
        self._spans = []
        start = 0
        for key, part in zip(keys, parts):
            self._spans.append((start, start + part.cell_length, key[0]))
            start += part.cell_length + gap
        if not palette_key:
            return left
        self._spans.append((room + 1, room + 1 + right.cell_length, palette_key[0][0]))
        return left + Content(" " * (room + 1 - left.cell_length)) + right

    def _fitted(self, keys: list[Key], room: int) -> tuple[list[Key], list[Content], int]:
        """The keys that fit in `room` cells, painted, and the gap between them: each key in
        full (` k Description `), else closer together (`k Description`, one space apart),
        else without the least important."""
        while True:
            for gap in (0, 1):
                parts = [_key_content(*key, compact=bool(gap)) for key in keys]
                width = sum(part.cell_length for part in parts) + gap * max(0, len(parts) - 1)
                if width <= room or not keys:
                    return keys, parts, gap
            keys.remove(self._least_important(keys))

    def _least_important(self, keys: list[Key]) -> Key:
        ranked = self._priority

        def rank(key: Key) -> int:
            return ranked.index(key[4]) if key[4] in ranked else len(ranked)

        return max(reversed(keys), key=rank)

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return


def _key_content(
    key: str,
    display: str,
    description: str,
    enabled: bool,
    binding_id: str = "",
    *,
    compact: bool = False,
) -> Content:
    if compact:
        content = Content.assemble((display, KEY_STYLE), (f" {description}", DESCRIPTION_STYLE))
    else:
        content = Content.assemble(
            (f" {display} ", KEY_STYLE), (f"{description} ", DESCRIPTION_STYLE)
        )
    return content.stylize("dim") if not enabled else content
