"""The text of a dump file: liberal in encodings, strict about binary data.

A dump is UTF-8 (perhaps with a BOM), UTF-16 with a BOM, or an older Windows-1252 file. A UTF-8
file with a few bad bytes (one line pasted from elsewhere) stays UTF-8: only the bad bytes are
read as Windows-1252, so its other lines are not garbled (``Naïve``, not ``NaÃ¯ve``) and its
papers keep the titles they have in every other dump. Binary data anywhere refuses the file:
its bytes would otherwise become "papers".
"""

from __future__ import annotations

import codecs
import re

from triage.core.text import strip_control
from triage.core.wording import plural


class NotText(Exception):
    """The file is not a text dump; the message is one line naming it."""


# Not tab, newlines, form feed, BEL nor ESC: a dump saved from a terminal keeps its colour codes
# and hyperlinks (ESC ] 8 ; ; URL BEL) until the parser strips them.
_BINARY_CONTROL = re.compile(rb"[\x00-\x06\x08\x0e-\x1a\x1c-\x1f]")
# Every other byte: ``data.translate(None, _NOT_BINARY_CONTROL)`` leaves the binary controls,
# found at memory speed (a regular expression's search over a whole file is ten times slower).
_NOT_BINARY_CONTROL = bytes(b for b in range(256) if not _BINARY_CONTROL.match(bytes([b])))
# Every byte but the C0 controls (newline aside) and DEL, likewise.
_NOT_CONTROL = bytes([0x0A, *range(0x20, 0x7F), *range(0x80, 0x100)])
_SAMPLE_BYTES = 8192
# What surrogateescape leaves for a byte that is not UTF-8, and what that byte is in Windows-1252
# (the five bytes it leaves undefined stay visible as U+FFFD).
_UNDECODED = re.compile("[\udc80-\udcff]")
_WINDOWS_1252 = {
    0xDC00 + byte: bytes([byte]).decode("cp1252", errors="replace") for byte in range(0x80, 0x100)
}
_DECODED_NON_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")
_LINES_NAMED = 5


def decode(data: bytes, name: str) -> tuple[str, list[str]]:
    """The text of ``data`` and warnings about its encoding; NotText for an empty or binary
    file."""
    if not data.strip():
        raise NotText(f"{name}: empty file, nothing to import")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
        _refuse_binary(text.encode("utf-8"), name)
        return text, []
    data = data.removeprefix(codecs.BOM_UTF8)
    _refuse_binary(data, name)
    try:
        return data.decode("utf-8"), []  # the usual case
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="surrogateescape")
    lines = [n for n, line in enumerate(text.split("\n"), start=1) if _UNDECODED.search(line)]
    if not _DECODED_NON_ASCII.search(text):  # no UTF-8 at all: the whole file is Windows-1252
        warning = f"{name}: not UTF-8 (line {lines[0]}), decoded as Windows-1252"
    else:
        named = ", ".join(map(str, lines[:_LINES_NAMED])) + (
            ", …" if len(lines) > _LINES_NAMED else ""
        )
        where = "line" if len(lines) == 1 else "lines"
        warning = (
            f"{name}: {plural(len(_UNDECODED.findall(text)), 'byte')} not UTF-8 on {where} "
            f"{named}, read as Windows-1252"
        )
    return text.translate(_WINDOWS_1252), [warning]


def _looks_binary(sample: bytes) -> bool:
    """NUL bytes, or more than 1% control characters (a stray one is fine)."""
    return b"\x00" in sample or len(_BINARY_CONTROL.findall(sample)) > len(sample) // 100


def _refuse_binary(data: bytes, name: str) -> None:
    """A binary file, or binary data after some text (a dump with garbage appended), refuses
    the whole file."""
    if _looks_binary(data[:_SAMPLE_BYTES]):
        raise NotText(f"{name}: binary file, not a Daily Papers text dump")
    if not data.translate(None, _NOT_BINARY_CONTROL):  # the usual case, without splitting lines
        return
    for number, line in enumerate(data.split(b"\n"), start=1):
        controls = len(_BINARY_CONTROL.findall(line))
        if b"\x00" in line or (controls >= 2 and controls * 100 > len(line)):
            raise NotText(f"{name}: binary data on line {number}, not a Daily Papers text dump")


def clean_lines(text: str) -> list[tuple[int, str]]:
    """The non-blank lines of a dump (numbered from 1), without control characters, their
    whitespace collapsed to single spaces.

    U+2028/U+2029 inside a line become spaces: a title pasted with one stays whole
    (strip_control would start a new line there, as it does in notes). A byte order mark inside
    the text goes: the second of two files saved one after the other brought it.
    """
    if text.encode("utf-8", "surrogatepass").translate(None, _NOT_CONTROL):
        # CR line ends, tabs, escape sequences: the whole text at once, as they may end lines
        text = strip_control(_spaced_separators(text))
        return [(n, c) for n, raw in enumerate(text.split("\n"), 1) if (c := " ".join(raw.split()))]
    # an ASCII line (most) has nothing to strip and no whitespace but spaces: it is split into
    # words only if two spaces meet (inline: a call per line is a tenth of parsing a dump)
    return [
        (n, c)
        for n, raw in enumerate(text.split("\n"), 1)
        if raw and (c := raw.strip(" ") if raw.isascii() and "  " not in raw else _clean_line(raw))
    ]


def _clean_line(line: str) -> str:
    """A line of a text without C0 controls, but for the usual ASCII one."""
    return " ".join(strip_control(_spaced_separators(line)).split())


def _spaced_separators(text: str) -> str:
    return text.replace("\u2028", " ").replace("\u2029", " ").replace("\ufeff", "")
