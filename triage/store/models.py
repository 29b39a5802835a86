"""What the store hands out: papers with their listings and the user's annotations."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

STATES = ("inbox", "reading", "read", "archived")
DEFAULT_STATE = "inbox"
STATE_LABELS = {"inbox": "Inbox", "reading": "Reading", "read": "Read", "archived": "Archived"}
"""How the UI names each state (one table for every screen and message)."""

STAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def now() -> str:
    """UTC timestamp with microseconds; ISO strings sort like the instants they name."""
    return dt.datetime.now(dt.UTC).strftime(STAMP_FORMAT)


@dataclass(frozen=True)
class Identity:
    """What the Daily Papers API says of a paper beyond its title and abstract."""

    arxiv_id: str | None = None
    authors: tuple[str, ...] = ()
    upvotes: int | None = None
    comments: int | None = None
    github_repo: str | None = None
    project_page: str | None = None


@dataclass(frozen=True)
class Entry:
    """A paper as an importer reads it: a dump gives title and abstract, the API more."""

    title: str
    abstract: str
    identity: Identity | None = None


@dataclass
class Listing:
    source: str
    listed_on: str | None  # ISO date, when the dump had one
    position: int


@dataclass
class Paper:
    id: str
    title: str
    abstract: str
    added_at: str
    starred: bool = False
    state: str = DEFAULT_STATE
    note: str = ""
    tags: list[str] = field(default_factory=list)
    listed: list[Listing] = field(default_factory=list)
    url: str | None = None
    identity: Identity = field(default_factory=Identity)
    listed_on: str = ""
    """The paper's date, one rule for the list's column and order, ``listed:`` and the detail:
    the latest day it was listed, a listing without a date (a compact dump) counting as the
    day it was imported."""

    @property
    def first_listed(self) -> str | None:
        dates = [listing.listed_on for listing in self.listed if listing.listed_on]
        return min(dates) if dates else None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "abstract": self.abstract,
            "starred": self.starred,
            "state": self.state,
            "tags": list(self.tags),
            "note": self.note,
            "listed": [{"date": item.listed_on, "source": item.source} for item in self.listed],
            "added_at": self.added_at,
            "url": self.url,
            "arxiv_id": self.identity.arxiv_id,
            "authors": list(self.identity.authors),
            "upvotes": self.identity.upvotes,
            "comments": self.identity.comments,
            "github_repo": self.identity.github_repo,
            "project_page": self.identity.project_page,
        }


def dump_json(papers: Iterable[Paper]) -> str:
    return "".join(json_pieces(papers))


def json_pieces(papers: Iterable[Paper]) -> Iterator[str]:
    """The papers as a JSON array (``json.dumps(…, indent=2)`` of each one's
    :meth:`Paper.to_json`), paper by paper: the papers may be read while it is written."""
    between = "[\n  "
    for paper in papers:
        text = json.dumps(paper.to_json(), ensure_ascii=False, indent=2)
        yield between + text.replace(
            "\n", "\n  "
        )  # its lines one level in (strings have no newline)
        between = ",\n  "
    yield "[]" if between.startswith("[") else "\n]"
