"""Who a paper is, and what a tag is: the same answer on every machine."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NOT_ALNUM = re.compile(r"[\W_]+")
_ASCII_NOT_ALNUM = bytes(b for b in range(128) if not chr(b).isalnum())
_TAG_FORBIDDEN = re.compile(r"[\s,]+")
_TAG_EDGES = re.compile(r"^[#-]+|-+$")  # a leading `#` is how tags are shown, not a part of them
MAX_TAG_CHARS = 40
"""A longer tag is cut to this length."""


def title_key(title: str) -> str:
    """A paper's identity: NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", title).casefold().split())


def paper_id(title: str) -> str:
    """Short stable id, the same on every machine for the same (normalised) title."""
    return _id_of(title_key(title))


def paper_keys(title: str) -> tuple[str, str, str]:
    """The paper's :func:`paper_id`, :func:`title_key` and :func:`match_key`, normalising the
    title once (an import computes all three for every paper)."""
    key = title_key(title)
    return _id_of(key), key, _loose(key)


def _loose(key: str) -> str:
    """:func:`match_key` of a title key; an ASCII one (most) without a regular expression
    (a tenth of the time)."""
    if key.isascii():
        return key.encode().translate(None, _ASCII_NOT_ALNUM).decode()
    return _NOT_ALNUM.sub("", key)


def _id_of(key: str) -> str:
    return hashlib.blake2b(key.encode("utf-8"), digest_size=5).hexdigest()


def normalise_tag(tag: str) -> str:
    """Tags are single lower-case words of at most ``MAX_TAG_CHARS`` characters: `Must Read`
    becomes `must-read`, `#hash` becomes `hash` (shown as `#hash`)."""
    return _TAG_EDGES.sub("", _whole_tag(tag)[:MAX_TAG_CHARS])


def cut_tag(tag: str) -> str | None:
    """The tag ``tag`` is stored as, if it is cut to ``MAX_TAG_CHARS`` (so the user can be
    told), else None."""
    return normalise_tag(tag) if len(_whole_tag(tag)) > MAX_TAG_CHARS else None


def _whole_tag(tag: str) -> str:
    cleaned = _TAG_FORBIDDEN.sub("-", unicodedata.normalize("NFKC", tag).strip().casefold())
    return _TAG_EDGES.sub("", cleaned)


def match_key(title: str) -> str:
    """A looser key that finds the same paper under a differently copied title: letters and
    digits only (``HyperZ$\\cdot$Z$\\cdot$W`` and ``HyperZcdotZcdotW`` agree). An import
    that finds no paper by id looks here before it adds a new one."""
    return _loose(title_key(title))
