"""SearchIndex: the query language evaluated over bit sets of rows (see :mod:`.bits`).

Text conditions come from the Whoosh index (postings turned into row sets, frequent words'
sets cached) or, for frequent prefixes and words, from the sets precomputed at build
(:mod:`.prefixes`); structured ones (star, state, tags, note presence, dates) from the
in-memory :class:`Table`.
Papers changed since the last index commit are "pending": their text conditions are
evaluated on their current text (:mod:`.overlay`), so a mark shows before the commit lands.
Commits happen when 200 papers are pending, on ``catch_up`` and on ``close``.
"""

from __future__ import annotations

import logging
import math
import os
import re
import sqlite3
import threading
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable
from itertools import repeat
from pathlib import Path

from whoosh.analysis import STOP_WORDS
from whoosh.query import Or as WhooshOr
from whoosh.query import Term

from triage.core.paths import cache_dir_for
from triage.search import bits, postings, prefixes
from triage.search import query as ql
from triage.search.overlay import ChangedText
from triage.search.prefixes import PrefixSets
from triage.search.result import RankedIds, SearchResult, SortedIds, fold
from triage.search.table import Table
from triage.search.analysis import TEXT_FIELDS, analyse, stem
from triage.search.textindex import IndexLocked, Progress, TextIndex
from triage.store import Reader, Store, StoreError, connect_read_only

log = logging.getLogger(__name__)

CACHE_ENTRIES = 512
TERM_CACHE_ENTRIES = 2_000  # at most ~25 MB at 100,000 papers
VOCABULARY_ENTRIES = 64  # prefixes whose indexed words are kept
VOCABULARY_WORDS = 20_000  # a prefix with more words is not kept
FREQUENT_TERM = 500  # papers: a word in more is kept as a set once decoded
RELEVANCE_WORDS = 6  # words beyond this do not refine the title-match tiers
KEY_WORDS = 12  # words of a paper that find papers like it
FLUSH_AT = 200  # pending papers: past this, index them now instead of overlaying
TABLE_SNAPSHOT = "table.pickle"


class SearchIndex:
    """Search over one DB. Use from one thread at a time (any thread)."""

    def __init__(
        self, db_path: Path, conn: sqlite3.Connection, text: TextIndex, file_identity=None
    ):
        self.db_path = db_path
        self.conn = conn
        self.reader = Reader(conn)
        self._file_identity = file_identity  # (device, inode) of the file ``conn`` reads
        self.text = text
        self.table = Table(self.reader, text.directory / TABLE_SNAPSHOT)
        self._lock = threading.RLock()
        self._pending: set[str] = set()  # changed in the store, not yet committed to the index
        self._pending_bits = 0
        self._changed = ChangedText(self.reader)
        self._prefix_sets = PrefixSets(text.directory / prefixes.FILE)
        self._cache: OrderedDict = OrderedDict()
        self._term_cache: OrderedDict = OrderedDict()
        self._vocabularies: OrderedDict = OrderedDict()  # (field, prefix) -> indexed words
        self._families: OrderedDict = OrderedDict()  # (fields, word) -> its stem family
        self._searcher = None
        self._docrows: list[int] = []
        self._seen_token = None
        self._open_searcher()

    @property
    def fast_paths(self) -> bool:
        """Whether this index uses the fast paths (see :mod:`.whoosh_internals`)."""
        return self.text.fast

    @property
    def stored_sets(self) -> int:
        """How many prefix and word sets the last full build stored: the first keystrokes and
        frequent words are answered from them."""
        return len(self._prefix_sets.entries)

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls, db_path, *, progress: Progress | None = None, rebuild: bool = False
    ) -> SearchIndex:
        """Open the DB's index, rebuilding it if asked, missing or damaged, and catch up."""
        db_path = Path(db_path).expanduser()
        conn, identity = _connect(db_path, create=True)
        text = TextIndex(cache_dir_for(db_path, "index"))
        if rebuild or not text.open():
            with text.rebuilding():
                if rebuild or not text.open():  # built by another process while we waited?
                    text.rebuild(Reader(conn), progress)
        index = cls(db_path, conn, text, identity)
        index.catch_up()
        return index

    def close(self, *, save: bool = True) -> None:
        """`save=False` leaves the papers changed since the last commit to the next open's
        catch-up: quitting the app must not wait for an index commit (1.5 s after 30 marks at
        100,000 papers)."""
        with self._lock:
            if self.conn is None:
                return
            try:
                if save:
                    self.catch_up()  # also commits the pending papers
                if save and not self._pending and self._seen_token == self._token():
                    self.table.save(
                        self.text.directory / TABLE_SNAPSHOT,
                        self._seen_token,
                        docrows=(self._segments, array("I", self._docrows)),
                    )
            except (IndexLocked, OSError, StoreError) as error:
                # the state file still names the old versions: the next open catches up
                log.info("search index not saved on close: %s", error)
            if self._searcher is not None:
                self._searcher.close()
            self._prefix_sets.close()
            self.text.close()
            self.conn.close()
            self.conn = None

    # -- keeping up with the store --------------------------------------------------------------

    def papers_changed(self, ids: Iterable[str]) -> None:
        with self._lock:
            ids = list(dict.fromkeys(ids))
            if not ids:
                return
            reordered = self.table.refresh(ids)
            self._pending.update(ids)
            self._changed.forget(ids)
            if reordered:
                self._docrows_from_table()
            self._update_change_bits()
            if len(self._pending) >= FLUSH_AT:
                self._try_flush()

    def catch_up(self) -> int:
        """Re-read the store if anyone changed it since, or if the DB file was replaced (a synced
        copy); returns how many papers changed. Raises StoreError if a replacing file is not a
        usable DB (the index keeps serving the old one)."""
        with self._lock:
            replaced = self._reopen_if_replaced()
            token = self._token()
            if token == self._seen_token:
                return 0
            if token == self.text.change_token and not self._pending:
                self._seen_token = token
                return 0
            changed, gone = self.text.stale(self.reader)
            news = (changed | gone) - set(self._pending)
            if not changed and not gone and not self._pending:
                # a change that touched no paper (a new SQL index, a paper changed and changed
                # back): noted, so that the next open need not compare every version again
                self.text.record_token(token)
            # the pending papers' rows and text were read from the old file
            refresh = news | self._pending if replaced else news
            if refresh:
                self.papers_changed(refresh)
            self._seen_token = token
            self._try_flush()
            return len(news)

    def _reopen_if_replaced(self) -> bool:
        """Point the connection at the file the DB path names now, if it is another file."""
        try:
            identity = _identity(self.db_path)
        except OSError:  # moved away mid-sync: keep reading the one we have
            return False
        if identity == self._file_identity:
            return False
        conn, identity = _connect(self.db_path, create=False)
        old, self.conn = self.conn, conn
        self.reader = Reader(conn)
        self._file_identity = identity
        self.table.reader = self.reader
        self._changed = ChangedText(self.reader)
        old.close()
        return True

    def flush(self) -> None:
        """Index the pending papers now (raises IndexLocked if another process is writing)."""
        with self._lock:
            if not self._pending:
                return
            written = list(self._pending)
            self.text.write(self.reader, written)
            self._pending.difference_update(written)
            self._open_searcher()

    def _try_flush(self) -> None:
        try:
            self.flush()
        except IndexLocked:
            log.info("search index locked by another process: update deferred")

    def _token(self) -> str | None:
        return self.reader.change_token()

    def _open_searcher(self) -> None:
        if self._searcher is not None:
            try:
                self._searcher = self._searcher.refresh()  # reuses unchanged segments' readers
            except Exception:  # Whoosh can trip over segments another process just merged
                try:
                    self._searcher.close()
                except Exception:  # some of its readers were closed by the failed refresh
                    pass
                self._searcher = None
        if self._searcher is None:
            self._searcher = self.text.take_searcher() or self.text.ix.searcher()
        self._vocabularies.clear()
        self._families.clear()
        reader = self._searcher.reader()
        self._deleted = {
            base + docnum
            for leaf, base in reader.leaf_readers()
            if leaf.has_deletions()
            for docnum in leaf.deleted_docs_set
        }
        # names these documents: segments never change, and deletions only grow
        self._segments = (
            tuple(
                (leaf.segment().segment_id(), leaf.doc_count_all())
                for leaf, _ in reader.leaf_readers()
                if leaf.segment() is not None
            ),
            len(self._deleted),
        )
        self._docrows_from_table()

    def _docrows_from_table(self) -> None:
        """Whoosh document number -> row (``table.size`` for deleted or unknown documents)."""
        saved = self.table.take_saved_docrows()
        if (
            saved is not None
            and saved[0] == self._segments
            and len(saved[1]) == self._searcher.reader().doc_count_all()
        ):
            # as saved with the table: ~40 ms less at open; a list, as indexing it is the
            # inner loop of turning postings into rows (faster than an array's)
            self._docrows = saved[1].tolist()
        else:
            row_of = self.table.row_of
            size = self.table.size
            docids = self.text.document_ids(self._searcher.reader())
            self._docrows = list(map(row_of.get, docids, repeat(size)))
            for docnum in self._deleted:
                self._docrows[docnum] = size
        self._term_cache.clear()
        self._update_change_bits()

    def _update_change_bits(self) -> None:
        self._pending_bits = self.table.bits_of(self._pending)
        self._cache.clear()

    # -- searching ------------------------------------------------------------------------------

    def search(self, query: str) -> SearchResult:
        try:
            with self._lock:
                return self._search(query if isinstance(query, str) else str(query))
        except Exception as error:  # a query must never take the UI down
            log.exception("search failed for %r", query)
            return SearchResult(str(query), 0, [], frozenset(), f"search failed: {error}", None)

    def _search(self, text: str) -> SearchResult:
        parsed = ql.parse(text)
        context = _Context()
        members = self._evaluate(parsed.tree, context, positive=True)
        if members is None:
            members = self.table.all
        total = members.bit_count()
        ids, row_of = self.table.ids, self.table.row_of
        if parsed.sort:
            key, reverse = parsed.sort
            ordered = SortedIds(ids, members, self.table.order(key), reverse, total, row_of)
        elif context.title_sets:
            ordered = RankedIds(ids, self._tiers(members, context.title_sets), total, row_of)
        else:
            ordered = RankedIds(ids, [members], total, row_of)
        suggestion = self._suggest(text, context) if total == 0 and context.words else None
        return SearchResult(
            text,
            total,
            ordered,
            frozenset(context.terms),
            parsed.hint,
            suggestion,
            frozenset(context.prefixes),
        )

    @staticmethod
    def _tiers(members: int, title_sets: list[int]) -> list[int]:
        """Papers with more query words in their title first, then newest first."""
        at_least = [members] + [0] * len(title_sets)
        for title in title_sets:
            for count in range(len(title_sets), 0, -1):
                at_least[count] |= at_least[count - 1] & title
        tiers = [at_least[-1]]
        for count in range(len(title_sets) - 1, -1, -1):
            tiers.append(at_least[count] & ~at_least[count + 1])
        return tiers

    def _evaluate(self, node, context: _Context, positive: bool) -> int | None:
        """Row set for ``node``; None means "no condition" (e.g. a word of punctuation only)."""
        if node is None:
            return None
        if isinstance(node, ql.And):
            result = None
            for child in node.children:
                value = self._evaluate(child, context, positive)
                if value is not None:
                    result = value if result is None else result & value
            return result
        if isinstance(node, ql.Or):
            values = [self._evaluate(child, context, positive) for child in node.children]
            if any(value is None for value in values):
                return None
            result = 0
            for value in values:
                result |= value
            return result
        if isinstance(node, ql.Not):
            value = self._evaluate(node.child, context, not positive)
            return None if value is None else self.table.all & ~value
        if isinstance(node, ql.Nothing):
            return 0
        if isinstance(node, ql.Flag):
            return self._flag(node)
        return self._words(node, context, positive)

    def _flag(self, flag: ql.Flag) -> int:
        table = self.table
        if flag.kind == "starred":
            return table.starred
        if flag.kind == "unstarred":
            return table.all & ~table.starred
        if flag.kind == "has_note":
            return table.has_note
        if flag.kind == "state":
            return table.state.get(flag.value, 0)
        if flag.kind == "tag":
            return table.tags.get(flag.value, 0)
        key = ("date", flag.kind, flag.value, table.generation)
        return self._cached(key, lambda: table.dated(flag.kind, *flag.value))

    def _words(self, node: ql.Words, context: _Context, positive: bool) -> int | None:
        tokens = analyse(" ".join(node.words))
        if not tokens:
            return None
        fields = tuple(f if f != "tags" else "tagwords" for f in (node.fields or TEXT_FIELDS))
        phrase = len(tokens) > 1
        prefix = node.prefix and not phrase
        if phrase:
            result = self._cached(
                ("phrase", fields, tuple(tokens)), lambda: self._phrase(fields, tokens)
            )
            title = (
                self._cached(
                    ("phrase", ("title",), tuple(tokens)), lambda: self._phrase(("title",), tokens)
                )
                if "title" in fields
                else 0
            )
        else:
            kind = "prefix" if prefix else "word"
            result = self._cached(
                (kind, fields, tokens[0]), lambda: self._single(kind, fields, tokens[0])
            )
            title = (
                self._cached(
                    (kind, ("title",), tokens[0]), lambda: self._single(kind, ("title",), tokens[0])
                )
                if "title" in fields
                else 0
            )
        if self._pending_bits:
            pending = self._pending
            result = result & ~self._pending_bits | self._changed.matching(
                pending, self.table, fields, tokens, prefix
            )
            if title:
                title = title & ~self._pending_bits | self._changed.matching(
                    pending, self.table, ("title",), tokens, prefix
                )
        if positive:
            context.words.append(tokens)
            if phrase:
                context.terms.update(tokens)
            else:
                context.terms.update(self._stem_family(fields, tokens[0]))
            if prefix:
                context.prefixes.add(tokens[0])
                context.terms.add(tokens[0])
            if "title" in fields and len(context.title_sets) < RELEVANCE_WORDS:
                context.title_sets.append(title)
        return result

    def _cached(self, key, compute) -> int:
        try:
            value = self._cache[key]
            self._cache.move_to_end(key)
            return value
        except KeyError:
            value = self._cache[key] = compute()
            if len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
            return value

    # -- text conditions from Whoosh --------------------------------------------------------------

    def _rows_of_docs(self, docnums: list[int]) -> int:
        if not docnums:
            return 0
        return bits.from_mapped(docnums, self._docrows, self.table.size)

    def _postings(self, field: str, words: Iterable[str]) -> int:
        """Papers with any of ``words`` in ``field``. Frequent words' sets are kept: decoding
        their postings is the slow part, and typing ``dif``, ``diff``, ``diffu`` meets them again."""
        reader = self._searcher.reader()
        docnums: list[int] = []
        result = 0
        for word in words:
            key = (field, word)
            cached = self._term_cache.get(key)
            if cached is not None:
                self._term_cache.move_to_end(key)
                result |= cached
                continue
            found = postings.docnums(reader, field, word)
            if len(found) < FREQUENT_TERM:
                docnums.extend(found)
            else:
                result |= self._keep_term(key, found)
        return result | self._rows_of_docs(docnums)

    def _keep_term(self, key: tuple[str, str], docnums: list[int]) -> int:
        rows = self._term_cache[key] = self._rows_of_docs(docnums)
        if len(self._term_cache) > TERM_CACHE_ENTRIES:
            self._term_cache.popitem(last=False)
        return rows

    def _prefix_postings(self, field: str, prefix: str) -> int:
        """Papers with a word that begins with ``prefix`` in ``field`` (as :meth:`_postings` of
        its vocabulary, read segment by segment)."""
        cache = self._term_cache
        known = {
            word: cache[key]
            for key in list(cache)
            if key[0] == field and (word := key[1]).startswith(prefix)
        }
        words, found = postings.prefix_docnums(self._searcher.reader(), field, prefix, known)
        self._remember_vocabulary(field, prefix, words)
        result = 0
        for members in known.values():
            result |= members
        docnums: list[int] = []
        for word, numbers in found.items():
            if len(numbers) < FREQUENT_TERM:
                docnums.extend(numbers)
            else:
                result |= self._keep_term((field, word), numbers)
        return result | self._rows_of_docs(docnums)

    def _vocabulary(self, field: str, prefix: str) -> list[str]:
        """Indexed words that begin with ``prefix``. Typing meets the same and longer prefixes
        again (``tra``, ``tran``): kept, and a longer prefix's words are taken from a shorter's."""
        key = (field, prefix)
        found = self._vocabularies.get(key)
        if found is not None:
            self._vocabularies.move_to_end(key)
            return found
        for length in range(len(prefix) - 1, 0, -1):
            shorter = self._vocabularies.get((field, prefix[:length]))
            if shorter is not None:
                found = [word for word in shorter if word.startswith(prefix)]
                break
        else:
            found = postings.vocabulary(self._searcher.reader(), field, prefix)
        self._remember_vocabulary(field, prefix, found)
        return found

    def _remember_vocabulary(self, field: str, prefix: str, words: list[str]) -> None:
        if len(words) <= VOCABULARY_WORDS:
            self._vocabularies[(field, prefix)] = words
            if len(self._vocabularies) > VOCABULARY_ENTRIES:
                self._vocabularies.popitem(last=False)

    def _stem_family(self, fields: tuple[str, ...], word: str) -> frozenset[str]:
        """Indexed words with the same stem as ``word`` (its stem may end differently: study/studi)."""
        key = (fields, word)
        family = self._families.get(key)
        if family is not None:
            self._families.move_to_end(key)
            return family
        root = stem(word)
        members = {word}
        if len(root) >= 3:  # shorter: a word being typed this short is matched as a prefix anyway
            start = root[:-2] if len(root) >= 6 else root[:-1] if len(root) >= 4 else root
            for field in fields:
                members.update(
                    candidate
                    for candidate in self._vocabulary(field, start)
                    if candidate == word or stem(candidate) == root
                )
        family = self._families[key] = frozenset(members)
        if len(self._families) > CACHE_ENTRIES:
            self._families.popitem(last=False)
        return family

    def _single(self, kind: str, fields: tuple[str, ...], word: str) -> int:
        """A whole word matches its stem family; a word being typed also every word it begins."""
        # a short word being typed: its prefix already covers its stem family (as in the overlay)
        family = {word} if kind == "prefix" and len(word) <= 4 else self._stem_family(fields, word)
        group = "fixed" if fields == TEXT_FIELDS else "title" if fields == ("title",) else None
        if kind != "prefix":
            return self._family_postings(group, fields, family)
        others = [member for member in family if not member.startswith(word)]
        if group and self._prefix_sets.has(group, word):
            # the stored set (with what completes it) has every word that begins with ``word``
            result = self._stored_prefix(group, fields, word)
        else:
            result = 0
            for field in fields:
                result |= self._prefix_postings(field, word)
        return result | self._family_postings(group, fields, others)

    def _family_postings(
        self, group: str | None, fields: tuple[str, ...], words: Iterable[str]
    ) -> int:
        """Papers with any of ``words`` in ``fields``: frequent words' sets as stored at build
        for the group's fields (completed with the papers added since, matched on their text),
        the rest from the index."""
        words = list(words)
        sets = self._prefix_sets
        stored = [word for word in words if sets.has_word(group, word)] if group else []
        result = 0
        if stored:
            table = self.table
            for word in stored:
                result |= sets.get_word(group, word, table)
            added = sets.added_since(table)
            ids = table.ids
            result = result & ~added | self._changed.containing(
                [ids[row] for row in bits.to_rows(added)], table, prefixes.GROUPS[group], stored
            )
        rest = [word for word in words if word not in stored]
        for field in fields:
            result |= self._postings(
                field, rest if group and field in prefixes.GROUPS[group] else words
            )
        return result

    def _stored_prefix(self, group: str, fields: tuple[str, ...], word: str) -> int:
        """A precomputed prefix set, completed with the papers it cannot know: those added
        since it was built, and (for all fields) notes and tags."""
        table = self.table
        stored = self._prefix_sets.get(group, word, table)
        added = self._prefix_sets.added_since(table)
        ids = table.ids
        result = stored & ~added | self._changed.matching(
            [ids[row] for row in bits.to_rows(added)], table, fields, [word], prefix=True
        )
        if group == "fixed":
            # from the index, like any word of a field without stored sets (the pending papers'
            # are corrected by the overlay): notes' and tags' vocabularies are small
            result |= self._prefix_postings("note", word) | self._prefix_postings("tagwords", word)
        return result

    def _phrase(self, fields: tuple[str, ...], tokens: list[str]) -> int:
        """Papers with every word (from the index) whose text has them in a row (from the store)."""
        candidates = self.table.all
        for token in tokens:
            exact = 0
            for field in fields:
                exact |= self._postings(field, [token])
            candidates &= exact
        pattern = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, tokens)) + r"(?!\w)")
        ids = self.table.ids
        candidate_ids = [ids[row] for row in bits.to_rows(candidates)]
        rows = [
            self.table.row_of[paper]
            for paper, *texts in self.reader.texts(candidate_ids, fields)
            if any(pattern.search(fold(text)) for text in texts)
        ]
        return bits.from_rows(rows, self.table.size)

    # -- suggestions and similar papers ---------------------------------------------------------

    def _suggest(self, text: str, context: _Context) -> str | None:
        """The query with unknown words replaced by the closest indexed word, if any."""
        reader = self._searcher.reader()
        suggestion = text
        changed = False
        for tokens in context.words:
            for token in tokens:
                if self._single("prefix", TEXT_FIELDS, token):
                    continue
                candidates = {
                    word
                    for field in ("title", "abstract", "note")
                    for word in reader.corrector(field).suggest(token, limit=5, maxdist=2)
                }
                best = min(
                    candidates, key=lambda word: (_distance(token, word), word), default=None
                )
                if best and best != token:
                    suggestion = _replace_word(suggestion, token, best)
                    changed = True
        return suggestion if changed and suggestion != text else None

    def more_like(self, paper_id: str, limit: int = 50) -> SearchResult:
        try:
            with self._lock:
                return self._more_like(paper_id, limit)
        except Exception as error:
            log.exception("more_like failed for %r", paper_id)
            return SearchResult(
                f"like:{paper_id}", 0, [], frozenset(), f"search failed: {error}", None
            )

    def _more_like(self, paper_id: str, limit: int) -> SearchResult:
        label = f"like:{paper_id}"
        row = next(iter(self.reader.texts([paper_id], ("title", "abstract"))), None)
        if row is None:
            return SearchResult(label, 0, [], frozenset(), f"no paper with id {paper_id}", None)
        searcher = self._searcher
        keys = self._key_words(paper_id, row[1], row[2])
        if not keys:
            return SearchResult(label, 0, [], frozenset(), None, None)
        query = WhooshOr([Term(field, word) for word in keys for field in ("title", "abstract")])
        hits = searcher.search(query, limit=limit + 1)
        ids = [hit["id"] for hit in hits if hit["id"] != paper_id][:limit]
        return SearchResult(label, len(ids), ids, frozenset(keys), None, None)

    def _key_words(self, paper_id: str, title: str, abstract: str) -> list[str]:
        """The paper's most telling words that other papers share, by tf-idf (title words count
        double). Whoosh's own key terms prefer the rarest words, often ones no other paper has
        (a model's name, a figure), which then find nothing but the paper itself."""
        reader = self._searcher.reader()
        others = reader.doc_count() or 1
        itself = 1 if self._searcher.document_number(id=paper_id) is not None else 0
        title_words = analyse(title)
        abstract_words = analyse(abstract)
        counts = Counter(abstract_words)
        for word in title_words:
            counts[word] += 2
        in_title, in_abstract = set(title_words), set(abstract_words)
        scored = []
        for word, count in counts.items():
            if word in STOP_WORDS or len(word) < 2 or not any(char.isalpha() for char in word):
                continue
            # papers other than this one with the word (one with it in both fields counts twice)
            sharing = (
                reader.doc_frequency("title", word)
                + reader.doc_frequency("abstract", word)
                - itself * ((word in in_title) + (word in in_abstract))
            )
            if sharing > 0:
                scored.append((count * math.log(1 + others / sharing), word))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [word for _, word in scored[:KEY_WORDS]]


def _identity(db_path: Path) -> tuple[int, int]:
    status = os.stat(db_path)
    return status.st_dev, status.st_ino


def _connect(db_path: Path, *, create: bool) -> tuple[sqlite3.Connection, tuple[int, int]]:
    """A read-only connection and the identity of the file it reads (taken before connecting,
    so a replacement in between is seen as one at the next catch-up)."""
    Store(db_path, create=create).close()  # creates or migrates; raises StoreError for a bad file
    identity = _identity(db_path)
    conn = connect_read_only(db_path, timeout=10, check_same_thread=False)
    conn.isolation_level = None
    return conn, identity


class _Context:
    """What evaluation learnt for ranking, highlighting and suggestions."""

    def __init__(self):
        self.terms: set[str] = set()
        self.prefixes: set[str] = set()
        self.words: list[list[str]] = []
        self.title_sets: list[int] = []


def _replace_word(text: str, old: str, new: str) -> str:
    return " ".join(new if analyse(word) == [old] else word for word in text.split())


def _distance(first: str, second: str) -> int:
    """Levenshtein distance (for ranking a handful of suggestions)."""
    previous = list(range(len(second) + 1))
    for i, left in enumerate(first, 1):
        current = [i]
        for j, right in enumerate(second, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (left != right))
            )
        previous = current
    return previous[-1]
