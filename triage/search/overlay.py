"""Text conditions evaluated on papers' current text, for papers the index has not caught up with.

A mark must show in the next query, but a Whoosh commit takes ~200 ms: changed papers are
"pending" until the next commit, and their words are read from the store and matched here.
The prefix sets (:mod:`.prefixes`) use the same path for papers changed since they were built.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from triage.search import bits
from triage.search.analysis import WORD_FIELDS, stem, words
from triage.store import Reader


class ChangedText:
    """Current words of some papers, each field kept as `` word word … `` so that a prefix, a
    word or a phrase is one substring test (in C), and stems computed on demand."""

    def __init__(self, reader: Reader, fields: tuple[str, ...] = WORD_FIELDS):
        self.reader = reader
        self.fields = fields
        self._joined: dict[str, dict[str, str]] = {}
        self._stems: dict[str, dict[str, frozenset[str]]] = {}

    def forget(self, ids: Iterable[str]) -> None:
        for paper in ids:
            self._joined.pop(paper, None)
            self._stems.pop(paper, None)

    def _load(self, ids: Collection[str]) -> None:
        missing = [paper for paper in ids if paper not in self._joined]
        if not missing:
            return
        for paper in missing:
            self._joined[paper] = {}  # a paper no longer in the store has no words
        for paper, *texts in self.reader.texts(missing, self.fields):
            self._joined[paper] = {
                field: f" {' '.join(words(text))} " for field, text in zip(self.fields, texts)
            }

    def _stems_of(self, paper: str) -> dict[str, frozenset[str]]:
        found = self._stems.get(paper)
        if found is None:
            found = self._stems[paper] = {
                field: frozenset(map(stem, set(joined.split())))
                for field, joined in self._joined[paper].items()
            }
        return found

    def words_beginning(
        self, ids: Collection[str], fields: tuple[str, ...], first: str
    ) -> list[str]:
        """The current words of ``fields`` in these papers that begin with ``first``: words the
        index has not committed yet can be suggested too."""
        self._load(ids)
        found: set[str] = set()
        for paper in ids:
            joined = self._joined[paper]
            for field in fields:
                found.update(word for word in joined.get(field, "").split() if word[0] == first)
        return sorted(found)

    def containing(
        self, ids: Collection[str], table, fields: tuple[str, ...], words: list[str]
    ) -> int:
        """Rows of ``ids`` with any of ``words`` (themselves, not their stems) in ``fields``."""
        if not ids or not words:
            return 0
        self._load(ids)
        row_of = table.paper_rows  # (a few papers: no dict of every paper's row made)
        needles = [f" {word} " for word in words]
        rows = []
        for paper in ids:
            row = row_of.get(paper)
            if row is not None:
                joined = self._joined[paper]
                if any(needle in joined.get(field, "") for field in fields for needle in needles):
                    rows.append(row)
        return bits.from_rows(rows, table.size)

    def matching(
        self, ids: Collection[str], table, fields: tuple[str, ...], tokens: list[str], prefix: bool
    ) -> int:
        """Rows of ``ids`` whose current text satisfies the words condition (as the index would:
        a phrase's words in a row, a word or its stem family, a prefix also as the start of any
        word; ``prefix``: the last word is being typed, alone or at the end of a phrase)."""
        if not ids:
            return 0
        self._load(ids)
        row_of = table.paper_rows
        if len(tokens) > 1:  # a phrase, its last word begun if it is being typed
            needle, root = f" {' '.join(tokens)}{'' if prefix else ' '}", None
        else:
            needle = f" {tokens[0]}" if prefix else f" {tokens[0]} "
            root = stem(tokens[0])
            if len(root) < 3 or (prefix and len(tokens[0]) <= 4):
                root = None  # short: the prefix covers the stem family (the index does the same)
        rows = []
        for paper in ids:
            row = row_of.get(paper)
            if row is None:
                continue
            joined = self._joined[paper]
            if any(needle in joined.get(field, "") for field in fields) or (
                root is not None
                and any(root in self._stems_of(paper).get(field, ()) for field in fields)
            ):
                rows.append(row)
        return bits.from_rows(rows, table.size)
