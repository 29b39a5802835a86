"""Where a paper is on the web, and starting a browser there. Plain Python, no Textual.

`o` opens the arXiv abstract page when the paper's arXiv id is known, else its Hugging Face
page, else a search for its title; `O` opens the arXiv PDF.
"""

from __future__ import annotations

import webbrowser
from urllib.parse import quote_plus

from triage.export.arxiv import abs_url
from triage.store import Paper

SEARCH_URL = "https://huggingface.co/papers?q={}"
TERMINAL_BROWSERS = {"www-browser", "links", "elinks", "lynx", "w3m"}
"""Text browsers Python's webbrowser falls back to without a display: they would take over
the terminal the app is drawing on."""


def page_url(paper: Paper) -> str:
    return (
        abs_url(paper.identity.arxiv_id) or paper.url or SEARCH_URL.format(quote_plus(paper.title))
    )


def pdf_url(paper: Paper) -> str | None:
    """The arXiv PDF, when the arXiv id is known."""
    page = abs_url(paper.identity.arxiv_id)
    return page.replace("/abs/", "/pdf/", 1) if page else None


def start_browser(url: str) -> bool:
    """Open `url` in the user's browser; False when none could be started."""
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    if getattr(browser, "name", None) in TERMINAL_BROWSERS:
        return False
    try:
        return bool(browser.open(url, new=2))
    except OSError:
        return False
