"""The store's structured data in memory: rows in newest-first order, filters as bit sets.

Star, state, tags and note presence change on every mark; serving them from here (not from
Whoosh) makes a mark visible to the next query at once, without waiting for an index commit.
Row ``i`` is the ``i``-th paper newest first, so ascending rows are the default list order.

A copy is saved beside the search index and opened with the changes the store made since
(:meth:`~triage.store.Reader.changes_since`) applied: it is saved again only once it lags
far behind (``SAVE_AFTER``, ``SAVE_SHARE``), was read whole from the store, or was opened so
far behind that finding the changed papers' rows costs more than a save (``SAVE_LOOKUPS``),
so closing seldom waits for it.
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
from array import array
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from pathlib import Path

from triage.core.files import atomic_write
from triage.search import bits, days
from triage.search.analysis import fold
from triage.search.columns import DayColumn, PaperRows, rowid_array
from triage.search.prefixes import order_key
from triage.store import STATES, Reader, StoreError, connect_read_only, normalise_tag
from triage.store.id_column import IdColumn

SNAPSHOT_FILE = "table.pickle"  # beside the search index
_SNAPSHOT_FIELDS = ("ids", "rowids", "last_listed", "starred", "has_note", "state", "tags")
# 2: orders and document rows as arrays, listing days shared; 3: per segment; 4: rowids, the
# ids packed (a million ids read in ~2 ms, as a list ~90 ms), listing days as numbers, the
# order's key (see :mod:`.columns`)
SNAPSHOT_FORMAT = 4
READ_BUFFER = 1 << 20  # bytes read at once from the copy
SAVE_AFTER = 1_000  # papers changed since the saved copy (at least): past this, save it again
SAVE_SHARE = 50  # ... or past one in this many papers: saving is O(papers), applying O(changes)
SAVE_LOOKUPS = 5_000_000  # papers behind at opening x papers: past this, finding them costs more
FEW_ROWS = 64  # up to this many rows, a bit set is built bit by bit (else through bytes)

log = logging.getLogger(__name__)


class Table:
    def __init__(self, reader: Reader, snapshot: Path | None = None):
        """``snapshot``: a copy saved by :meth:`save`, used if the store can say what changed
        since."""
        self.reader = reader
        self._saved_docrows = None
        self._order_key: str | None = None
        self._orders: dict[str, Sequence[int]] = {}  # by sort key, rows in that order
        self._saved_orders: Path | None = None  # saved with the copy, read on the first sort
        self._upvotes_changed = False  # since the copy was read: its upvotes orders are stale
        self._added: days.AddedDays | None = None  # where each day's papers lie, for `added:`
        self._added_for = 0  # the generation it was read for
        self._behind_at_open = 0  # papers changed since the copy when it was opened
        self.unsaved: int | None = None
        """Papers changed since the saved copy (None: there is none, or it is not of these rows)."""
        self.moved_down = (0, 0, 0)
        """(order generation before, after, by how many rows): the last time new papers went
        first, every row moved down by that many."""
        if not (snapshot and self._load_snapshot(snapshot)):
            self.load()

    def _load_snapshot(self, path: Path) -> bool:
        """Reading 100,000 rows from SQLite takes ~0.4 s; the pickled table ~5 ms."""
        try:
            # few reads: a thread waiting for the GIL after each small read (the UI thread
            # is busy at launch) made this take seconds; a buffer of READ_BUFFER reads a
            # million rows in ~13 reads, and without a copy of the whole file (~10 ms less)
            with path.open("rb", buffering=READ_BUFFER) as handle:
                saved = pickle.load(handle)
            if saved.get("format") != SNAPSHOT_FORMAT:
                return False
            _, changed = self.reader.changes_since(saved.get("token"))
            if changed is None:
                return False
            for name in _SNAPSHOT_FIELDS:
                setattr(self, name, saved[name])
        except Exception:  # missing, old or damaged: read the store instead
            return False
        self._derive()
        self._order_key = saved.get("order_key")
        self._saved_orders = _orders_path(path)
        self._upvotes_changed = False
        self._saved_docrows = saved.get("docrows")
        # a copy saved without the index's rows (by a build, see :func:`save_whole`) is saved
        # again with them: else every open would map them (~0.4 s at a million papers)
        self.unsaved = 0 if self._saved_docrows is not None else None
        self.refresh(changed)
        self._behind_at_open = len(changed)
        return True

    def _read_saved_orders(self) -> None:
        """The orders saved with the copy (~8 MB at a million papers: not read at every open),
        if the rows have not moved since it was read."""
        path, self._saved_orders = self._saved_orders, None
        if path is None:
            return
        try:
            with path.open("rb", buffering=READ_BUFFER) as handle:
                saved = pickle.load(handle)
            if saved.get("order_key") != self.order_key:
                return
            for key, rows in saved["orders"].items():
                if not (self._upvotes_changed and key.endswith("upvotes")):
                    self._orders.setdefault(key, rows)
        except Exception:  # missing or damaged: sorted again
            return

    @property
    def needs_saving(self) -> bool:
        """Whether :meth:`save` is worth its O(N) now (see the module's docstring), or was
        worth it for the next opens: finding the rows of the papers changed since the copy
        reads ids, ~O(N) a paper (23 papers of a million: ~33 ms an open; 3,088: ~0.25 s, a
        pass over every id and then a dict of them), where a save takes ~0.2 s once."""
        return (
            self.unsaved is None
            or self.unsaved >= max(SAVE_AFTER, self.size // SAVE_SHARE)
            or self._behind_at_open * self.size >= SAVE_LOOKUPS
        )

    def take_saved_docrows(self):
        """The index's document rows per segment saved with this snapshot (see
        :mod:`.docrows`), if the rows have not moved since it was loaded; once only."""
        saved, self._saved_docrows = self._saved_docrows, None
        return saved if self.order_generation == 1 else None

    def save(
        self, path: Path, token: str | None, docrows: object = None, *, orders: bool = True
    ) -> None:
        """Keep a copy labelled with the store's ``token``, for which it is up to date, with
        ``docrows`` (the search index's segments and its document -> row list) for these rows;
        ``orders=False``: those not sorted yet are left to the next save."""
        for key in ("title", "added") if orders else ():
            self.order(key)  # sorting 100,000 titles takes ~0.3 s: keep it for next time
        kept = {"order_key": self.order_key, "orders": self._orders}
        atomic_write(_orders_path(path), pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
        data = {name: getattr(self, name) for name in _SNAPSHOT_FIELDS}
        if not isinstance(self.ids, IdColumn):
            data["ids"] = IdColumn.of(self.ids)
        if not isinstance(self.last_listed, DayColumn):
            data["last_listed"] = DayColumn.of(self.last_listed)
        data["order_key"] = self.order_key
        data["docrows"] = docrows
        saved = {"format": SNAPSHOT_FORMAT, "token": token, **data}
        atomic_write(path, pickle.dumps(saved, protocol=pickle.HIGHEST_PROTOCOL))
        self.unsaved = 0
        self._behind_at_open = 0

    @property
    def row_of(self) -> dict[str, int]:
        return self.paper_rows.rows

    @property
    def order_key(self) -> str:
        """The rows' order as a key (:func:`.prefixes.order_key`: ~50 ms at a million papers),
        kept with the saved copy."""
        if self._order_key is None:
            self._order_key = order_key(self.ids)
        return self._order_key

    def _derive(self) -> None:
        self._order_key = None
        self.paper_rows = PaperRows(self.ids)
        self.size = len(self.ids)
        self.all = (1 << self.size) - 1
        self.generation = getattr(self, "generation", 0) + 1
        self.order_generation = getattr(self, "order_generation", 0) + 1  # changes when rows move
        self._orders = {}
        self._saved_orders = None

    def load(self) -> None:
        """Every row from the store, streamed into the compact columns a saved copy has (a
        million rows read into a list first took the app from ~50 to ~450 MB)."""
        rowids: array = array("q")
        listed: list[str] = []
        starred: array = array("I")
        noted: array = array("I")
        by_state: dict[str, array] = {state: array("I") for state in STATES}

        def each_id() -> Iterator[str]:
            days: dict[str, str] = {}  # one string per day, shared by its papers
            for row, (paper, last, star, state, note, rowid) in enumerate(self.reader.list_rows()):
                rowids.append(rowid)
                listed.append(days.setdefault(last, last))
                if star:
                    starred.append(row)
                if note:
                    noted.append(row)
                by_state.setdefault(state, array("I")).append(row)
                yield paper

        self.ids: Sequence[str] = IdColumn.of(each_id())
        self.rowids = rowid_array(rowids)
        """Each row's paper's rowid in the store: its line is read without looking its id up."""
        self.last_listed: Sequence[str] = DayColumn.of(listed)
        self._derive()
        size = self.size
        self.starred = bits.from_rows(starred, size)
        self.has_note = bits.from_rows(noted, size)
        self.state = {state: bits.from_rows(members, size) for state, members in by_state.items()}
        tagged = self.reader.present_tags()
        rows = self.paper_rows.rows_of([paper for paper, _ in tagged], size)
        by_tag: dict[str, list[int]] = {}
        for (_, tag), row in zip(tagged, rows, strict=True):
            by_tag.setdefault(tag, []).append(row)
        self.tags = {tag: bits.from_rows(members, size) for tag, members in by_tag.items()}
        self.unsaved = None

    def refresh(self, ids: Iterable[str]) -> bool:
        """Re-read these papers; True if rows moved: new papers of the latest day go first and
        the rows below move down; anything else that moves rows (a deletion, a paper listed
        again, new papers among older ones) reloads everything."""
        ids = list(dict.fromkeys(ids))
        if not ids:
            return False
        current = {row[0]: row for row in self.reader.list_rows(ids)}
        self.paper_rows.find(current)
        rows = {paper: self.paper_rows.get(paper) for paper in current}
        moved = len(current) != len(ids) or any(
            row is not None and self.last_listed[row] != current[paper][1]
            for paper, row in rows.items()
        )
        new = [paper for paper, row in rows.items() if row is None]
        if moved or (new and not self._put_first(new, current)):
            self.load()
            return True
        if self.unsaved is not None:
            self.unsaved += len(ids)
        papers = list(current)  # (their rows moved down if new papers went first)
        for paper, at in zip(papers, self.paper_rows.rows_of(papers, -1)):
            if at >= 0:  # a paper deleted and restored has a new rowid
                try:
                    self.rowids[at] = current[paper][5]
                except OverflowError:  # past 2**32: kept as 64-bit numbers from now on
                    self.rowids = array("q", self.rowids)
                    self.rowids[at] = current[paper][5]
        self._orders.pop("upvotes", None)  # a fetch refreshes upvotes
        self._orders.pop("-upvotes", None)
        self._upvotes_changed = True
        # each set: its changed rows cleared, then those that are members now set; one pass
        # per set whatever the number of papers (a set is copied by every operation on it)
        changed = self.bits_of(current)
        keep = ~changed

        def updated(members: int, papers: list[str]) -> int:
            return (members & keep) | self.bits_of(papers)

        self.starred = updated(self.starred, [p for p, row in current.items() if row[2]])
        self.has_note = updated(self.has_note, [p for p, row in current.items() if row[4]])
        states: dict[str, list[str]] = {}
        for paper, row in current.items():
            states.setdefault(row[3], []).append(paper)
        for name in set(self.state) | set(states):
            self.state[name] = updated(self.state.get(name, 0), states.get(name, []))
        tagged: dict[str, list[str]] = {}
        for paper, tag in self.reader.present_tags(ids):
            tagged.setdefault(tag, []).append(paper)
        for tag, members in list(self.tags.items()):
            if tag in tagged or members & changed:
                self.tags[tag] = updated(members, tagged.get(tag, []))
        for tag, papers in tagged.items():
            if tag not in self.tags:
                self.tags[tag] = self.bits_of(papers)
        self.generation += 1
        return bool(new)

    def _put_first(self, new: list[str], current: dict[str, tuple]) -> bool:
        """Make ``new`` the first rows if they come before every row (a fetch or an import of
        the latest day elsewhere): every set shifts by their number, in C, and the store is
        not read again (``load`` reads every row: ~0.4 s at 100,000). False if they do not."""
        top = self.reader.ids_newest_first(len(new) + 1)
        first, after = top[: len(new)], top[len(new) :]
        if set(first) != set(new) or after != self.ids[:1]:
            return False
        shift = len(new)
        self.ids = IdColumn.of(chain(first, self.ids))
        self.rowids = rowid_array([*(current[paper][5] for paper in first), *self.rowids])
        self.last_listed = DayColumn.of(
            chain((current[paper][1] for paper in first), self.last_listed)
        )
        self.starred <<= shift
        self.has_note <<= shift
        self.state = {name: members << shift for name, members in self.state.items()}
        self.tags = {tag: members << shift for tag, members in self.tags.items()}
        moved_from = self.order_generation
        self._derive()
        self.moved_down = (moved_from, self.order_generation, shift)
        return True

    def ids_at(self, rows: list[int]) -> list[str]:
        ids = self.ids
        return ids.take(rows) if isinstance(ids, IdColumn) else [ids[row] for row in rows]

    def rows_of(self, ids: Iterable[str]) -> list[int]:
        return [row for row in self.paper_rows.rows_of(list(ids), -1) if row >= 0]

    def bits_of(self, ids: Iterable[str]) -> int:
        rows = self.rows_of(ids)
        if len(rows) > FEW_ROWS:
            return bits.from_rows(rows, self.size)
        result = 0  # a changed paper or two: O(rows), not O(papers)
        for row in rows:
            result |= 1 << row
        return result

    def dated(self, kind: str, first: str, last: str) -> int:
        """Papers added (or listed: the paper's date, its latest listing) between two ISO
        days, inclusive (see :mod:`.days`)."""
        if kind == "listed":
            return days.listed_between(self.last_listed, first, last)
        if self._added_for != self.generation:
            runs = self.reader.added_runs()
            self._added, self._added_for = (
                days.AddedDays.of(runs, self.last_listed),
                self.generation,
            )
        if self._added is None:  # the store changed since these rows were read
            return self.bits_of(self.reader.ids_dated(kind, first, last))
        return self._added.between(first, last)

    def tagged(self, tag: str, *, typing: bool = False) -> int:
        """Papers with the tag, its accents folded (``tag:e`` finds ``é``) and read as a tag
        typed now is (a ``#hash`` stored by an older version is ``hash``). ``typing``: the
        name is still being typed: without a tag of that name, the tags it begins count."""
        wanted = fold(normalise_tag(tag))
        exact = begun = 0
        named = False
        for name, members in self.tags.items():
            folded = fold(normalise_tag(name))
            if folded == wanted:
                exact |= members
                named = True
            elif typing and folded.startswith(wanted):
                begun |= members
        return exact if named or not typing else begun

    def with_arxiv(self, prefix: str) -> int:
        """Papers whose arXiv id starts with ``prefix`` (a whole id: its paper)."""
        return self.bits_of(self.reader.ids_with_arxiv(prefix))

    def order(self, key: str, reverse: bool = False) -> tuple[Sequence[int], bool]:
        """Rows in ``sort:key`` order (title A-Z; added and listed newest first; upvotes most
        first), and whether to read them backwards for ``sort:-key``. Papers without upvotes
        come last either way."""
        if key == "upvotes":
            key, reverse = ("-upvotes" if reverse else "upvotes"), False
        if key not in self._orders and self._saved_orders is not None:
            self._read_saved_orders()
        if key not in self._orders:
            if key == "listed":
                self._orders[key] = range(self.size)
            elif key in ("upvotes", "-upvotes"):
                self._orders[key] = self._by_upvotes(most_first=key == "upvotes")
            else:
                value = self.reader.sort_values(key)
                keyed = [value.get(paper, "") for paper in self.ids]
                rows = sorted(range(self.size), key=keyed.__getitem__, reverse=key == "added")
                self._orders[key] = array("I", rows)  # a list would hold 100,000 int objects
        return self._orders[key], reverse

    def _by_upvotes(self, *, most_first: bool) -> array:
        """Known upvotes in order (ties newest first), then the papers without any."""
        value = self.reader.sort_values("upvotes")
        counts = [value.get(paper) for paper in self.ids]
        sign = -1 if most_first else 1
        known = [(row, count) for row, count in enumerate(counts) if count is not None]
        known.sort(key=lambda pair: sign * pair[1])  # stable: ties stay newest first
        unknown = [row for row, count in enumerate(counts) if count is None]
        return array("I", [row for row, _ in known] + unknown)


def save_whole(db_path: Path, snapshot: Path) -> bool:
    """Read the table whole from the DB and save it (False if the DB could not be read):
    done by a build's other process while this one writes the index (~0.4 s at 100,000
    papers), then opened as a saved copy. Not its orders: sorting titles there, beside the
    build's peak, held ~300 MB more at a million papers; the index sorts them on saving."""
    try:
        conn = connect_read_only(db_path)
    except (StoreError, sqlite3.Error) as error:
        log.info("search table not saved by the build: %s", error)
        return False
    try:
        reader = Reader(conn)
        token = reader.change_token()  # before the rows: a change meanwhile is applied again
        Table(reader).save(snapshot, token, orders=False)
        return True
    except (StoreError, sqlite3.Error, OSError) as error:
        log.info("search table not saved by the build: %s", error)
        return False
    finally:
        conn.close()


def _orders_path(snapshot: Path) -> Path:
    return snapshot.with_name(f"{snapshot.name}.orders")
