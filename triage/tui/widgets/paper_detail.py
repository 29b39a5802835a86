"""The selected paper in full: title, state, tags, authors, arXiv id and upvotes, its date
(`Paper.listed_on`) and listings, the date added, note, abstract (query matches highlighted).

Every piece of paper text goes through `Content(...)` built from plain strings, never markup.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.geometry import Size
from textual.strip import Strip
from textual.visual import Visual

from triage.core.wording import plural
from triage.store import Paper
from triage.tui.widgets.line_scroll import LineScrollView
from triage.tui.widgets.literal import printable
from triage.tui.widgets.paper_list import state_word

Highlighter = Callable[[str], list[tuple[int, int]]]
HIGHLIGHT_STYLE = "bold $text-warning on $warning-muted"
EMPTY = "No paper here. Change the filter or the view (1-5)."
AUTHORS_SHOWN = 12


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


def _authors(authors: tuple[str, ...]) -> str:
    named = ", ".join(printable(name) for name in authors[:AUTHORS_SHOWN])
    more = len(authors) - AUTHORS_SHOWN
    return f"{named} and {more} more" if more > 0 else named


def _identity(paper: Paper) -> str:
    """arXiv id, upvotes, comments: what the Daily Papers API said of the paper."""
    identity = paper.identity
    facts = [f"arXiv {printable(identity.arxiv_id)}" if identity.arxiv_id else ""]
    facts.append(f"▲ {plural(identity.upvotes, 'upvote')}" if identity.upvotes is not None else "")
    facts.append(plural(identity.comments, "comment") if identity.comments else "")
    return "  ·  ".join(fact for fact in facts if fact)


def describe(paper: Paper, highlight: Highlighter | None = None) -> Content:
    title = printable(paper.title)
    abstract = printable(paper.abstract)
    tags = " ".join(f"#{printable(tag)}" for tag in paper.tags) or "no tags"
    status = Content.assemble(
        (
            "★ starred" if paper.starred else "☆ not starred",
            "$text-warning" if paper.starred else "dim",
        ),
        "  ·  ",
        (state_word(paper.state), "bold"),
        "  ·  ",
        (tags, "$text-accent" if paper.tags else "dim"),
    )
    parts: list[Content | str | tuple[str, str]] = [
        highlighted(title, highlight).stylize("bold"),
        "\n",
        status,
        "\n",
    ]
    if paper.identity.authors:
        parts += [("By  ", "dim"), _authors(paper.identity.authors), "\n"]
    if identity := _identity(paper):
        parts += [identity, "\n"]
    listings = [
        f"{listing.listed_on or 'undated'}  {printable(listing.source)}  #{listing.position + 1}"
        for listing in paper.listed
    ]
    links = [
        f"id {paper.id}",
        *(printable(link) for link in (paper.url, paper.identity.github_repo) if link),
        *(
            [f"project {printable(paper.identity.project_page)}"]
            if paper.identity.project_page
            else []
        ),
    ]
    parts += [
        ("Listed  ", "dim"),
        (paper.listed_on, "bold"),
        ("  ·  added ", "dim"),
        paper.added_at[:10],
        "\n",
        ("        " + "\n        ".join(listings) if listings else "        never listed", "dim"),
        "\n",
        ("  ·  ".join(links), "dim"),
    ]
    if paper.note:  # above the abstract: the reader's own words are what they look for first
        parts += ["\n\n", ("Note", "bold underline"), "\n", printable(paper.note, multiline=True)]
    parts += ["\n\n", highlighted(abstract, highlight)]
    return Content.assemble(*parts, strip_control_codes=False)


class PaperDetail(LineScrollView, can_focus=False):
    """Shows one paper; a hint when nothing is highlighted.

    Line API, like the list: the text is wrapped once per paper (or width, or theme) into
    strips and only the rows on screen are painted. A Static with auto height wrapped it twice
    and cost two layouts of the screen per paper, a third of a keystroke at 100,000 papers;
    now the next paper's text shows in the same frame as its row.
    """

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.paper: Paper | None = None
        """The paper shown."""
        self.content = Content(EMPTY)
        """What is shown, before wrapping."""
        self._lines: list[Strip] = []
        self._wrapped_for: tuple | None = None
        self._shown: tuple | None = None

    def show(
        self, paper: Paper | None, highlight: Highlighter | None = None, *, terms: object = None
    ) -> None:
        """`terms` names what `highlight` marks: the same paper with the same terms is not
        wrapped and painted again."""
        if (paper, terms) == self._shown:
            return
        self._shown = (paper, terms)
        self.paper = paper
        self.content = Content(EMPTY) if paper is None else describe(paper, highlight)
        self._wrapped_for = None
        self._wrap()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def _wrap(self) -> None:
        width = self.scrollable_content_region.width
        look = (width, self.app.theme, self._style_epoch)
        if look == self._wrapped_for:
            return
        self._wrapped_for = look
        self._lines = (
            Visual.to_strips(self, self.content, width, None, self.visual_style)
            if width > 0
            else []
        )
        self.set_virtual_size(Size(width, len(self._lines)))

    def on_resize(self) -> None:
        self._wrap()

    def render_line(self, y: int) -> Strip:
        self._wrap()  # after a theme change; the size is unchanged then
        width = self.scrollable_content_region.width
        row = self.scroll_offset.y + y
        if 0 <= row < len(self._lines):
            return self._lines[row].extend_cell_length(width, self.visual_style.rich_style)
        return Strip.blank(width, self.visual_style.rich_style)
