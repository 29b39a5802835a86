"""Untrusted text (titles, abstracts, tags, notes) made safe to paint.

Markup is never parsed by the widgets that use this (they build `Content`/segments from plain
strings); what is left is characters that would drive the terminal (ESC, BEL, CR...) or reorder
what is shown (bidi overrides). They are swapped for visible stand-ins, so the user sees that
something odd is in the text and the terminal sees only printable characters.
"""

from __future__ import annotations

_REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
_BIDI_CONTROLS = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]

_SINGLE_LINE = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ ... ␟ (␛ for ESC)
_SINGLE_LINE[0x09] = " "
_SINGLE_LINE[0x7F] = "\N{SYMBOL FOR DELETE}"
_SINGLE_LINE.update(dict.fromkeys(range(128, 160), _REPLACEMENT))
_SINGLE_LINE.update(dict.fromkeys(_BIDI_CONTROLS, _REPLACEMENT))

_MULTI_LINE = {**_SINGLE_LINE, 0x0A: "\n"}


def printable(text: str, *, multiline: bool = False) -> str:
    """`text` with every control character replaced by a visible stand-in."""
    return text.translate(_MULTI_LINE if multiline else _SINGLE_LINE)
