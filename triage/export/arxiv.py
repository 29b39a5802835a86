"""A paper's arXiv page, for every export format.

The id comes from the API (checked on import) or from a merged copy: a link is made only for an
id of the characters an arXiv id has, so no id can end a Markdown link or a BibTeX field.
"""

from __future__ import annotations

import re

_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9./-]{0,63}")
_NEW_STYLE_ID = re.compile(r"(\d{2})(\d{2})\.\d{4,5}(?:v\d+)?")  # YYMM.NNNNN, since April 2007


def abs_url(arxiv_id: str | None) -> str | None:
    """``https://arxiv.org/abs/ID``, or None when there is no usable id."""
    if not arxiv_id or not _PLAIN_ID.fullmatch(arxiv_id) or ".." in arxiv_id:
        return None
    return f"https://arxiv.org/abs/{arxiv_id}"


def year_of(arxiv_id: str | None) -> int | None:
    """The year a new-style id was submitted in (``2611.01234``: 2026)."""
    match = _NEW_STYLE_ID.fullmatch(arxiv_id or "")
    return 2000 + int(match[1]) if match and 1 <= int(match[2]) <= 12 else None
