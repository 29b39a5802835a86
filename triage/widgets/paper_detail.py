"""The selected paper in full: title, state, tags, listings, abstract (query matches highlighted), note.

Every piece of paper text goes through `Content(...)` built from plain strings, never markup.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from triage.store import Paper
from triage.widgets.literal import printable
from triage.widgets.paper_list import STATE_LABELS

Highlighter = Callable[[str], list[tuple[int, int]]]
HIGHLIGHT_STYLE = "bold $text-warning on $warning-muted"


def highlighted(text: str, highlight: Highlighter | None) -> Content:
    content = Content(text, strip_control_codes=False)
    if highlight is None:
        return content
    try:
        spans = highlight(text)
    except Exception:  # a highlighter bug must not hide the paper
        return content
    for start, end in spans:
        content = content.stylize(HIGHLIGHT_STYLE, start, end)
    return content


def describe(paper: Paper, highlight: Highlighter | None = None) -> Content:
    title = printable(paper.title)
    abstract = printable(paper.abstract)
    tags = " ".join(f"#{printable(tag)}" for tag in paper.tags) or "no tags"
    status = Content.assemble(
        ("★ starred" if paper.starred else "☆ not starred", "$text-warning" if paper.starred else "dim"),
        "  ·  ",
        (STATE_LABELS.get(paper.state, paper.state), "bold"),
        "  ·  ",
        (tags, "$text-accent" if paper.tags else "dim"),
    )
    listings = [
        f"{listing.listed_on or 'undated'}  {printable(listing.source)}  #{listing.position + 1}"
        for listing in paper.listed
    ]
    parts: list[Content | str | tuple[str, str]] = [
        highlighted(title, highlight).stylize("bold"),
        "\n",
        status,
        "\n",
        ("Listed  ", "dim"),
        "\n        ".join(listings) or "never listed",
        "\n",
        (f"id {paper.id}" + (f"  ·  {printable(paper.url)}" if paper.url else ""), "dim"),
    ]
    if paper.note:  # above the abstract: the reader's own words are what they look for first
        parts += ["\n\n", ("Note", "bold underline"), "\n", printable(paper.note, multiline=True)]
    parts += ["\n\n", highlighted(abstract, highlight)]
    return Content.assemble(*parts, strip_control_codes=False)


class PaperDetail(VerticalScroll, can_focus=False):
    """Shows one paper; empty text when nothing is highlighted."""

    def compose(self):
        yield Static(id="detail-text", markup=False)

    def show(self, paper: Paper | None, highlight: Highlighter | None = None) -> None:
        text = self.query_one("#detail-text", Static)
        if paper is None:
            text.update(Content("No paper here. Change the filter or the view (1-5)."))
        else:
            text.update(describe(paper, highlight))
        self.scroll_home(animate=False)
