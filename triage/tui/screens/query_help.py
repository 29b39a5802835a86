"""The query language in short, reachable from the filter (F1): what the placeholder cannot say."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

QUERY_LANGUAGE = (
    ("diffusion video", "all the words (title, abstract, note, tags)"),
    ("diff", "the last word is a prefix as you type"),
    ('"exact phrase"', "the words in this order"),
    ("-video  -tag:x", "without it"),
    ("llm OR agent", "either one; (a OR b) -c groups"),
    ("title:w  note:w", "the word in that field (abstract: too)"),
    ("author:lecun", 'by an author; author:"yann lecun": the name'),
    ("arxiv:2510.01234", "the paper with that arXiv id (or its start)"),
    ("tag:to-read", "tagged to-read"),
    ("is:starred", "or is:unstarred; has:note: with a note"),
    ("state:inbox", "or state:reading, state:read, state:archived"),
    ("added:7d", "added to triage: 2026-11-01, today, 2w, 3m,"),
    ("", ">2026-11-01, 2026-11-01..2026-11-07"),
    ("listed:today", "listed in a dump (the date the list shows)"),
    ("sort:title", "or sort:added, sort:upvotes, sort:listed;"),
    ("", "sort:-listed reverses; S on the list cycles them"),
)


class QueryHelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,f1,q", "close", "Close", id="query-help-close"),
    ]

    def compose(self) -> ComposeResult:
        width = max(len(typed) for typed, _ in QUERY_LANGUAGE) + 2
        lines = [
            Content.assemble((typed.ljust(width), "bold $text-accent"), finds)
            for typed, finds in QUERY_LANGUAGE
        ]
        with Vertical(classes="dialog query-help-dialog"):
            yield Static(Content("The filter's query language"), classes="dialog-title")
            with VerticalScroll(id="query-help-table"):
                yield Static(Content("\n").join(lines))
            yield Static(
                Content("Any text is a query: a mistake gets a hint, never an error. Esc closes."),
                classes="dialog-help",
            )

    def action_close(self) -> None:
        self.dismiss(None)
