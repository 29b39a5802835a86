"""Untrusted text from dumps, notes and tags: nothing in it may drive the terminal."""

from __future__ import annotations

import re

_CSI_BODY = r"[0-?]*[ -/]*[@-~]"  # parameters, intermediates, final byte
# A string's payload ends at BEL or ST, else at the line's end: an unterminated string
# loses the rest of its line, never the rest of a dump.
_STRING_BODY = r"[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
# Whole escape sequences, so no parameters or payloads are left behind as text.
_ESCAPE_SEQUENCE = re.compile(
    rf"\x1b(?:\[{_CSI_BODY}"  # CSI: colours, cursor moves, screen clears
    rf"|[\]PX^_]{_STRING_BODY}"  # OSC/DCS/SOS/PM/APC: titles, hyperlinks, images
    r"|[ -/]*[0-~])"  # two-byte and nF escapes: ESC 7, ESC c, ESC ( B
    rf"|\x9b{_CSI_BODY}"  # the same as 8-bit C1 codes
    rf"|[\x90\x98\x9d-\x9f]{_STRING_BODY}"
)
# What is left: C0 (but newline; tabs are spaces by now) and C1 controls, DEL, a lone ESC,
# and the bidi overrides and isolates that reorder what a terminal or a Markdown viewer shows.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ESCAPE_START = re.compile(r"[\x1b\x90\x98\x9b\x9d-\x9f]")
# Every character strip_control acts on: text without any is returned as it is (most text, a
# whole dump file included: its newlines are kept).
_ACTED_ON = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ACTED_ON_BUT_NEWLINE = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


# The same characters in UTF-8: C0 and DEL are bytes of their own, C1 and the separators and
# bidi controls sequences no other character's encoding contains.
_C0_BYTES = bytes([*range(0x20), 0x7F])
_ALL_BUT_C0_BYTES = bytes(sorted(set(range(256)) - set(_C0_BYTES)))
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_SEPARATORS_UTF8 = re.compile(rb"\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]")


def plain_utf8_lines(data: bytes, lines: int) -> bool:
    """Whether ``data``, UTF-8 text, is ``lines`` lines each ending in "\\n" that
    :func:`strip_control` leaves as they are (``keep_newlines=False``, a line without its
    break): the check of 33,806 lines of a listing written as bytes, ~5 ms where the text's
    own check takes ~12-18 (its characters mixed, one search a character). Most listings hold
    no byte a C1 control's encoding begins with: looking for that byte alone takes ~0.04 ms
    of 4 MB, the pattern's scan ~1.1."""
    return (
        data.translate(None, _ALL_BUT_C0_BYTES) == b"\n" * lines
        and (b"\xc2" not in data or not _C1_UTF8.search(data))
        and not _SEPARATORS_UTF8.search(data)
    )


def strip_control(text: str, *, keep_newlines: bool = True) -> str:
    """Remove escape sequences and control characters; tabs become spaces.

    CR, CRLF and the Unicode line and paragraph separators become "\\n" (or, with
    ``keep_newlines=False``, a space): viewers break lines there too.
    """
    if not (_ACTED_ON_BUT_NEWLINE if keep_newlines else _ACTED_ON).search(text):
        return text
    for line_break in ("\r\n", "\r", "\u2028", "\u2029"):
        text = text.replace(line_break, "\n")
    text = _ESCAPE_SEQUENCE.sub("", text).replace("\t", " ")
    if not keep_newlines:
        text = text.replace("\n", " ")
    return _CONTROL.sub("", text)


def strips_alike_when_cut(text: str, length: int) -> bool:
    """Whether ``strip_control(text[:length])`` is the start of ``strip_control(text)``: yes
    unless an escape sequence begins there, which may run on past the cut. (A line break cut
    in two, CR|LF, is one line break either way.)"""
    if text.isascii():  # (a flag, not a scan) ESC is then the only start there can be
        return text.find("\x1b", 0, length) < 0
    return not _ESCAPE_START.search(text, 0, length)
