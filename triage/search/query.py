"""The query language, parsed into a small tree; any input parses (problems become a hint).

words            all must match (title, abstract, note, tags); the last one is a prefix
                 while typing (no trailing space)
"exact phrase"   the words in a row; while typing (no closing quote, no trailing space)
                 the last one is a prefix, as the last part of a hyphenated word being typed
-word  -"phrase"  -(group)   a OR b   a or b   (a b) OR c
title:  abstract:  note:  author:  (a word, "a phrase" or a trailing prefix in that field)
tag:NAME (while typing, without a tag NAME: the tags NAME begins)
is:starred  is:unstarred  has:note  state:inbox|reading|read|archived
arxiv:2510.01234 (or the start of one; a bare id finds its paper too)
added:  listed:   see :mod:`.dates`
sort:title|added|listed|upvotes  (-title etc. reverses)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from triage.search.dates import parse_dates
from triage.store import STATES, normalise_tag

MAX_QUERY_CHARS = 2_000
MAX_NODES = 64
MAX_DEPTH = 16
TEXT_FIELDS = ("title", "abstract", "note")
AUTHOR_FIELDS = ("author", "authors")  # words of the paper's authors' names
SORT_KEYS = ("title", "added", "listed", "upvotes")
_ARXIV_LINK = re.compile(r"^(?:https?://)?(?:www\.)?arxiv\.org/(?:abs|pdf)/|^arxiv:", re.I)
_ARXIV_VERSION = re.compile(r"(?:v\d*)?(?:\.pdf)?$", re.I)  # v2, or v being typed
_ARXIV_ID = re.compile(r"\d{4}\.\d{4,5}|[a-z][a-z-]*(?:\.[a-z]{2})?/\d{7}", re.I)
_ARXIV_TYPED = re.compile(r"\d{1,4}(?:\.\d{0,5})?")  # the start of an id, being typed
_BARE_ARXIV = re.compile(r"\d{4}\.\d{4,5}(?:v\d+)?")


@dataclass(frozen=True)
class Words:
    """A run of words (one word, or a phrase) in ``fields``; ``prefix``: the last word may be a
    prefix (the word being typed, also at the end of a phrase or a hyphenated word)."""

    words: tuple[str, ...]
    fields: tuple[str, ...] | None  # None: every text field and tags
    prefix: bool = False


@dataclass(frozen=True)
class Flag:
    """A structured filter served from the store's data: star, state, tag, note presence,
    dates, arXiv id."""

    kind: str  # starred | unstarred | has_note | state | tag | tag_typed | added | listed | arxiv
    value: object = None  # state, tag, (first_day, last_day) ISO strings inclusive, id prefix


@dataclass(frozen=True)
class Not:
    child: object


@dataclass(frozen=True)
class And:
    children: tuple


@dataclass(frozen=True)
class Or:
    children: tuple


@dataclass(frozen=True)
class Nothing:
    """Matches no paper (e.g. an unknown state)."""


@dataclass
class Query:
    tree: object | None  # None: every paper
    sort: tuple[str, bool] | None = None  # (key, reverse)
    hints: list[str] = field(default_factory=list)

    @property
    def hint(self) -> str | None:
        return "; ".join(dict.fromkeys(self.hints)) or None


_TOKEN = re.compile(
    r"\s*(?:(?P<open>\()|(?P<close>\))|(?P<neg>-)?(?:(?P<field>[A-Za-z]+):)?"
    r'(?:"(?P<phrase>[^"]*)(?P<closed>")?|(?P<word>[^\s()"]+))?)'
)


_Token = tuple[str, bool, str | None, str | None, bool, bool]


def parse(text: str, *, today: dt.date | None = None) -> Query:
    """Parse ``text``; never raises."""
    hints: list[str] = []
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        hints.append(f"query cut to its first {MAX_QUERY_CHARS} characters")
    # a UTC day, as the store records when papers were added (and undated listings)
    parser = _Parser(text, today or dt.datetime.now(dt.UTC).date(), hints)
    tree = parser.parse()
    return Query(tree, parser.sort, hints)


class _Parser:
    def __init__(self, text: str, today: dt.date, hints: list[str]):
        self.text = text
        self.today = today
        self.hints = hints
        self.sort: tuple[str, bool] | None = None
        self.tokens = self._tokenize(text)
        self.pos = 0
        self.nodes = 0
        self.depth = 0

    # -- tokens -------------------------------------------------------------------------

    def _tokenize(self, text: str) -> list[_Token]:
        """(kind, negated, field, value, is_phrase, at_end) tuples."""
        tokens: list[_Token] = []
        pos = 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None or match.end() == pos:
                pos += 1  # a lone quote or other stray character
                continue
            pos = match.end()
            at_end = pos == len(text)
            if match["open"]:
                tokens.append(("open", False, None, None, False, at_end))
            elif match["close"]:
                tokens.append(("close", False, None, None, False, at_end))
            elif match["phrase"] is not None:
                phrase = match["phrase"]
                if not match["closed"]:
                    self.hints.append("unbalanced quote: phrase runs to the end")
                # still typing its last word: no closing quote yet, nor a space after it
                typing = not match["closed"] and at_end and not phrase[-1:].isspace()
                tokens.append(("term", bool(match["neg"]), match["field"], phrase, True, typing))
            elif match["word"] is not None:
                tokens.append(
                    ("term", bool(match["neg"]), match["field"], match["word"], False, at_end)
                )
            elif match["field"]:
                self.hints.append(f"{match['field']}: needs a value")
            elif match["neg"]:
                if pos < len(text) and text[pos] == "(":
                    tokens.append(("not", False, None, None, False, False))
                else:
                    self.hints.append("a lone '-' excludes nothing")
        return tokens

    def _peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    # -- grammar: or := and ('OR' and)* ; and := unary* ; unary := 'not'? ( '(' or ')' | term ) --

    def parse(self):
        tree = self._or()
        while self.pos < len(self.tokens):  # stray ')'
            self.hints.append("unbalanced ')' ignored")
            self.pos += 1
            more = self._or()
            tree = _combine(And, [tree, more])
        return tree

    def _or(self):
        branches = [self._and()]
        while self._is_or(self.pos):
            self.pos += 1
            branches.append(self._and())
        if len(branches) > 1 and any(branch is None for branch in branches):
            self.hints.append("OR needs something on both sides")
            branches = [branch for branch in branches if branch is not None]
        return _combine(Or, branches)

    def _is_or(self, at: int) -> bool:
        """``OR`` or ``|``; a lower-case ``or`` too, between two parts of the query (else it
        is a word: typed last, it may be the start of ``order``)."""
        tokens = self.tokens
        token = tokens[at] if at < len(tokens) else None
        if token is None or token[0] != "term" or token[1] or token[2] or token[4]:
            return False
        if token[3] in ("OR", "|"):
            return True
        return (
            token[3] == "or"
            and 0 < at < len(tokens) - 1
            and tokens[at - 1][0] in ("term", "close")
            and tokens[at + 1][0] in ("term", "open", "not")
        )

    def _and(self):
        parts = []
        while (
            (token := self._peek()) is not None
            and token[0] != "close"
            and not self._is_or(self.pos)
        ):
            node = self._unary()
            if node is not None:
                parts.append(node)
        return _combine(And, parts)

    def _unary(self):
        token = self.tokens[self.pos]
        self.pos += 1
        if token[0] == "not":
            self.pos += 1  # the '(' that follows
            inner = self._group()
            return Not(inner) if inner is not None else None
        if token[0] == "open":
            return self._group()
        return self._term(token)

    def _group(self):
        if self.depth >= MAX_DEPTH:
            if self.depth == MAX_DEPTH:
                self.hints.append(f"brackets nested deeper than {MAX_DEPTH} are ignored")
                self.depth += 1
            return None
        self.depth += 1
        inner = self._or()
        self.depth -= 1
        if (token := self._peek()) is not None and token[0] == "close":
            self.pos += 1
        else:
            self.hints.append("unbalanced '(': closed at the end")
        return inner

    def _term(self, token):
        _, negated, name, value, is_phrase, at_end = token
        self.nodes += 1
        if self.nodes > MAX_NODES:
            if self.nodes == MAX_NODES + 1:
                self.hints.append(f"only the first {MAX_NODES} terms are used")
            return None
        if name:
            node = self._field(name.lower(), value, is_phrase, at_end)
        elif not is_phrase and _BARE_ARXIV.fullmatch(value):
            # a bare arXiv id: its paper, and any paper whose text names it
            node = _combine(Or, [self._arxiv(value), self._words(value, None, False, at_end)])
        else:
            node = self._words(value, None, is_phrase, at_end)
        if node is None:
            return None
        return Not(node) if negated else node

    def _field(self, name: str, value: str, is_phrase: bool, at_end: bool):
        if name in TEXT_FIELDS:
            return self._words(value, (name,), is_phrase, at_end)
        if name in AUTHOR_FIELDS:
            return self._words(value, ("authors",), is_phrase, at_end)
        if name == "arxiv":
            return self._arxiv(value)
        lowered = value.strip().lower()
        if name == "tag":
            tag = normalise_tag(value)
            if not tag:
                self.hints.append("tag: needs a name")
                return None
            return Flag("tag_typed" if at_end else "tag", tag)
        if name == "is":
            if lowered in ("starred", "star"):
                return Flag("starred")
            if lowered in ("unstarred", "unstar"):
                return Flag("unstarred")
            self.hints.append(f"is:{value} is unknown: use is:starred or is:unstarred")
            return None
        if name == "has":
            if lowered == "note":
                return Flag("has_note")
            self.hints.append(f"has:{value} is unknown: use has:note")
            return None
        if name == "state":
            if lowered in STATES:
                return Flag("state", lowered)
            matches = [state for state in STATES if state.startswith(lowered)] if lowered else []
            if at_end and matches:  # still typing
                return _combine(Or, [Flag("state", state) for state in matches])
            self.hints.append(f"state:{value} is unknown: use {'|'.join(STATES)}")
            return Nothing()
        if name in ("added", "listed"):
            span = parse_dates(lowered, self.today)
            if span is None:
                self.hints.append(
                    f"{name}:{value} is not a date: use e.g. 2026-11-01, 2026-11, today, "
                    "7d, >7d, >2026-11-01 or 2026-11-01..2026-11-30"
                )
                return None
            return Flag(name, span)
        if name == "sort":
            reverse = lowered.startswith("-")
            key = lowered.lstrip("-")
            if key in SORT_KEYS:
                self.sort = (key, reverse)
            else:
                self.hints.append(
                    f"sort:{value} is unknown: use sort:title, sort:added, sort:listed "
                    "or sort:upvotes"
                )
            return None
        self.hints.append(f"{name}: is not a filter; searched as words")
        return self._words(f"{name} {value}", None, is_phrase, at_end)

    def _arxiv(self, value: str):
        """The papers with this arXiv id (a link, ``arXiv:`` and a version are taken off),
        or whose id starts with the digits typed so far."""
        bare = _ARXIV_VERSION.sub("", _ARXIV_LINK.sub("", value.strip()), count=1)
        if _ARXIV_ID.fullmatch(bare) or _ARXIV_TYPED.fullmatch(bare):
            return Flag("arxiv", bare.lower())
        self.hints.append(f"arxiv:{value} is not an arXiv id: use e.g. arxiv:2510.01234")
        return Nothing()

    def _words(self, value: str, fields, is_phrase: bool, at_end: bool):
        if not re.search(r"\w", value):
            if value.strip():
                self.hints.append(f"{value.strip()} has no letters or digits: ignored")
            return None
        return _words(value, fields, is_phrase, at_end)


def _words(value: str, fields, is_phrase: bool, at_end: bool):
    words = tuple(value.split())
    if is_phrase or len(words) > 1:
        return (
            Words(words, fields, prefix=at_end)
            if is_phrase
            else _combine(
                And,
                [
                    Words((word,), fields, prefix=at_end and i == len(words) - 1)
                    for i, word in enumerate(words)
                ],
            )
        )
    return Words(words, fields, prefix=at_end)


def _combine(kind, parts):
    parts = [part for part in parts if part is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return kind(tuple(parts))
