"""BibTeX export: one ``@misc`` entry per paper, for citing what you read.

Titles, authors and tags are untrusted text. Every LaTeX special character is escaped, and a
brace without its partner is written as ``\\textbraceleft{}``/``\\textbraceright{}``: BibTeX and
biber count braces even when escaped, so one stray ``{`` would swallow the entries after it.
Non-ASCII text stays UTF-8, which biber and bibtexparser read as it is.

The citation key is ``word-ID``: the title's first word and the paper's id, both of which never
change, so a key already cited in a document keeps working after the paper gains its arXiv id or
authors.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

from triage.core.text import strip_control
from triage.export.arxiv import abs_url, year_of
from triage.store import Paper

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
_UNPAIRED = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
_ESCAPED = re.compile("[" + re.escape("".join(_SPECIAL) + "".join(_UNPAIRED)) + "]")
_KEY_WORD = re.compile(r"[a-z0-9]+")
# "and" splits a name list, a comma splits a name into last and first: such a name is kept whole.
_SPLITS_A_NAME = re.compile(r",|\band\b", re.IGNORECASE)


def escape(text: str) -> str:
    """Literal text for a braced BibTeX field, on one line."""
    text = " ".join(strip_control(text, keep_newlines=False).split())
    if not _ESCAPED.search(text):
        return text  # most text: no character to look at one by one
    partners = _paired_braces(text)
    out = []
    for position, char in enumerate(text):
        if char in _UNPAIRED:
            out.append("\\" + char if position in partners else _UNPAIRED[char])
        else:
            out.append(_SPECIAL.get(char, char))
    return "".join(out)


def _paired_braces(text: str) -> set[int]:
    """Positions of the braces that open and close a pair."""
    opened: list[int] = []
    paired: set[int] = set()
    for position, char in enumerate(text):
        if char == "{":
            opened.append(position)
        elif char == "}" and opened:
            paired.update((opened.pop(), position))
    return paired


def citation_key(paper: Paper) -> str:
    """``word-ID``: the title's first ASCII word of three letters or more (lower case), and the
    paper's id, which never changes."""
    folded = unicodedata.normalize("NFKD", paper.title).encode("ascii", "ignore").decode()
    words = _KEY_WORD.findall(folded.lower())
    words = [word for word in words if len(word) > 2] or words  # "tidal", not "a"
    return f"{words[0][:20] if words else 'paper'}-{paper.id}"


def _author_list(authors: Sequence[str]) -> str:
    names = (" ".join(strip_control(name, keep_newlines=False).split()) for name in authors)
    return " and ".join(
        f"{{{escape(name)}}}" if _SPLITS_A_NAME.search(name) else escape(name)
        for name in names
        if name
    )


def _year(paper: Paper) -> str:
    year = year_of(paper.identity.arxiv_id)
    return str(year) if year else (paper.first_listed or paper.added_at)[:4]


def bibtex_entry(paper: Paper) -> str:
    fields = [("title", f"{{{escape(paper.title)}}}")]  # inner braces keep its capitals
    if authors := _author_list(paper.identity.authors):
        fields.append(("author", authors))
    fields.append(("year", _year(paper)))
    if url := abs_url(paper.identity.arxiv_id):
        fields += [("eprint", paper.identity.arxiv_id or ""), ("archivePrefix", "arXiv")]
        fields.append(("url", url))
    if paper.tags:
        fields.append(("keywords", ", ".join(escape(tag) for tag in paper.tags)))
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields)
    return f"@misc{{{citation_key(paper)},\n{body}}}\n"


def bibtex_pieces(papers: Iterable[Paper]) -> Iterator[str]:
    """The papers as BibTeX, in the order given, one blank line between entries, entry by
    entry: the papers may be read while it is written."""
    between = ""
    for paper in papers:
        yield between + bibtex_entry(paper)
        between = "\n"


def export_bibtex(papers: Iterable[Paper]) -> str:
    return "".join(bibtex_pieces(papers))
