"""Untrusted text with every kind of sequence a terminal would act on or a viewer would reorder,
and what a user must see of it (imported title, exported Markdown): one case per kind."""

import pytest

SEQUENCES = [
    pytest.param("Red\x1b[1;31m Alert\x1b[0m", "Red Alert", id="7-bit CSI"),
    pytest.param("\x1b[?1049h\x1b[2 q\x1b[2JScreen", "Screen", id="7-bit CSI private"),
    pytest.param("\x1b]0;pwned\x07Window", "Window", id="OSC ended by BEL"),
    pytest.param("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ text", "link text", id="OSC link"),
    pytest.param("\x1b]0;pwned\x9cWindow", "Window", id="OSC ended by 8-bit ST"),
    pytest.param("\x1bP1$r0m\x1b\\Query", "Query", id="DCS"),
    pytest.param("\x1b_Gf=100;iVBORw0\x1b\\Image", "Image", id="APC"),
    pytest.param("\x1b^private\x1b\\\x1bXstring\x1b\\Kept", "Kept", id="PM and SOS"),
    pytest.param("\x9b2J\x9b38;5;196mRed", "Red", id="8-bit CSI with parameters"),
    pytest.param("\x9d0;pwned\x9cWindow", "Window", id="8-bit OSC"),
    pytest.param("\x1b(B\x1b7Cursor\x1b8\x1bc", "Cursor", id="two-byte and nF escapes"),
    pytest.param("Be\x07ll\x00 Back\x08space\x7f\x0c", "Bell Backspace", id="C0 and DEL"),
    pytest.param("C1\x80\x85\x8d controls", "C1 controls", id="C1"),
    pytest.param("\u202eevil\u202c \u2067isolated\u2069", "evil isolated", id="bidi"),
    pytest.param("Tab\tSeparated", "Tab Separated", id="tab"),
    pytest.param("Line\u2028Paragraph\u2029End", "Line Paragraph End", id="U+2028 and U+2029"),
    pytest.param("Trailing\x1b", "Trailing", id="lone ESC at the end"),
    pytest.param("Cut\x1b[", "Cut", id="CSI cut off at the end"),
]
