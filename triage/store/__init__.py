"""The SQLite store: papers (imported data) and annotations (user data), kept apart.

The DB file is meant to be synced by Dropbox, Syncthing or git, so it stays a single
self-contained file: rollback journal (no WAL sidecars), short write transactions,
``busy_timeout`` so a second process waits instead of failing.

Every write goes through :meth:`Store.write`, which takes the write lock up front
(``BEGIN IMMEDIATE``) so a read-modify-write never races another process, bumps the
changed papers' ``version`` and the store's ``change_token`` so caches (the search
index) can tell exactly what changed, even when the whole file is replaced by a copy.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

SCHEMA_VERSION = 2  # 2: note_history (note ancestry, so a merge can tell who changed a note)
READ_INDEXES = {
    # The list's order, covering: the built-in views list 100,000 ids at launch from this index
    # alone (0.1 s) instead of visiting every paper's row, abstract and all (0.4 s).
    "idx_papers_newest": "papers (last_listed, added_at, id)",
}
STATES = ("inbox", "reading", "read", "archived")
DEFAULT_STATE = "inbox"
BUSY_TIMEOUT_MS = 10_000
# change_token before -> after, for every write this process committed (any thread, any Store).
_OWN_WRITES: dict[str | None, str] = {}
SQLITE_HEADER = b"SQLite format 3\x00"

CONFLICT_TAG = "merge-conflict"
# Saves of the same note closer together than this are one edit: only the last text is remembered
# in note_history, so typing does not grow the synced file by one row per keystroke.
NOTE_EDIT_WINDOW = dt.timedelta(minutes=2)

_WHITESPACE = re.compile(r"\s+")
_TAG_FORBIDDEN = re.compile(r"[\s,]+")


class StoreError(Exception):
    """A problem with the DB file the user must hear about (one line, names the file)."""


def now() -> str:
    """UTC timestamp with microseconds; ISO strings sort like the instants they name."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def title_key(title: str) -> str:
    """A paper's identity: NFKC, case-folded, whitespace collapsed."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", title).casefold()).strip()


def paper_id(title: str) -> str:
    """Short stable id, the same on every machine for the same (normalised) title."""
    return hashlib.blake2b(title_key(title).encode("utf-8"), digest_size=5).hexdigest()


def normalise_tag(tag: str) -> str:
    """Tags are single lower-case words: `Must Read` becomes `must-read`."""
    cleaned = _TAG_FORBIDDEN.sub("-", unicodedata.normalize("NFKC", tag).strip().casefold())
    return cleaned.strip("-")


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

    @property
    def first_listed(self) -> str | None:
        dates = [listing.listed_on for listing in self.listed if listing.listed_on]
        return min(dates) if dates else None

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "abstract": self.abstract,
            "starred": self.starred,
            "state": self.state,
            "tags": list(self.tags),
            "note": self.note,
            "listed": [
                {"date": item.listed_on, "source": item.source} for item in self.listed
            ],
            "added_at": self.added_at,
            "url": self.url,
        }


def note_hash(text: str) -> str:
    """Identity of a note text in note_history (the empty note is every paper's implicit start)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


# -- conflicting notes ----------------------------------------------------------------------
# Both `triage merge` and `Store.save_note` keep every conflicting text in one note. The block
# is the same whichever copy is merged into which: versions are ordered by save time, then text.

_CONFLICT_START = "<<<<<<< note saved "
_CONFLICT_NEXT = "======= note saved "
CONFLICT_END = ">>>>>>> end of conflicting notes: keep what you want, then delete the marker lines"
_CONFLICT_BLOCK = re.compile(
    rf"\A{re.escape(_CONFLICT_START)}(?P<label>[^\n]*)\n(?P<body>.*)\n{re.escape(CONFLICT_END)}\Z",
    re.S,
)
_CONFLICT_SEPARATOR = re.compile(rf"\n{re.escape(_CONFLICT_NEXT)}([^\n]*)\n")


def conflict_label(stamp: str | None) -> str:
    """`2026-11-23T09:12:01.5Z` -> `2026-11-23 09:12:01 UTC`, readable and sortable."""
    if not stamp:
        return "at an unknown time"
    return f"{stamp[:10]} {stamp[11:19]} UTC"


def conflict_versions(note: str, stamp: str | None) -> list[tuple[str, str]]:
    """The (label, text) versions in a note: several if it is a conflict block, else one."""
    match = _CONFLICT_BLOCK.match(note)
    if not match:
        return [(conflict_label(stamp), note)] if note else []
    labels = [match["label"]]
    parts = _CONFLICT_SEPARATOR.split(match["body"])
    texts = parts[0::2]
    labels += parts[1::2]
    return [(label, text) for label, text in zip(labels, texts) if text]


def join_conflicting_notes(versions: Iterable[tuple[str, str]]) -> str:
    """One note holding every distinct non-empty text, oldest first.

    ``versions`` are (label, text) pairs as from :func:`conflict_versions` (so a note that is
    already a conflict block adds its versions, never a nested block). A single distinct text
    is returned as is, without markers.
    """
    earliest: dict[str, str] = {}
    for label, text in versions:
        if text and (text not in earliest or label < earliest[text]):
            earliest[text] = label
    ordered = sorted((label, text) for text, label in earliest.items())
    if len(ordered) <= 1:
        return ordered[0][1] if ordered else ""
    parts = [f"{_CONFLICT_START}{ordered[0][0]}\n{ordered[0][1]}"]
    parts += [f"{_CONFLICT_NEXT}{label}\n{text}" for label, text in ordered[1:]]
    return "\n".join(parts) + "\n" + CONFLICT_END


def check_sqlite_file(path: Path, error: type[StoreError] = StoreError) -> None:
    """Refuse (never overwrite) a missing file or one that is not an SQLite database."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise error(f"{path}: no such database") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, not a triage database") from None
    except OSError as failure:
        raise error(f"{path}: cannot read: {failure.strerror}") from None
    if header != SQLITE_HEADER:
        raise error(f"{path}: not an SQLite database (left untouched)")


def connect(path: Path) -> sqlite3.Connection:
    """A connection configured for a synced single-file DB."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def connect_read_only(
    path: Path, *, timeout: float = BUSY_TIMEOUT_MS / 1000, check_same_thread: bool = True
) -> sqlite3.Connection:
    """A connection that cannot write: other copies, backups and the index only read."""
    return sqlite3.connect(
        f"{Path(path).resolve().as_uri()}?mode=ro",
        uri=True,
        timeout=timeout,
        check_same_thread=check_same_thread,
    )


def only_own_writes(before: str | None, after: str | None) -> bool:
    """Whether this process's own writes alone lead from change token ``before`` to ``after``.

    A file watch uses it to tell our writes from another process's, whatever the timing.
    """
    seen = set()
    while before != after and before in _OWN_WRITES and before not in seen:
        seen.add(before)
        before = _OWN_WRITES[before]
    return before == after


class Store:
    """One open triage DB. Not shared between threads: open one per thread."""

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True):
        self.path = Path(path).expanduser()
        if self.path.exists() and self.path.stat().st_size:
            check_sqlite_file(self.path)
        elif not create:
            raise StoreError(f"{self.path}: no such database")
        else:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"{self.path}: cannot create: {error.strerror}") from None
        try:
            self.conn = connect(self.path)
        except sqlite3.Error as error:
            raise StoreError(f"{self.path}: cannot open: {error}") from None
        self.db = sqlite_utils.Database(self.conn, execute_plugins=False)
        try:
            self._migrate()
        except sqlite3.DatabaseError as error:
            self.conn.close()
            raise StoreError(f"{self.path}: {_describe(error)}") from None
        except StoreError:
            self.conn.close()
            raise

    # -- lifecycle -----------------------------------------------------------------

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction holding the write lock from the start.

        Nested calls join the outer transaction. Every write bumps ``change_token``.
        """
        if self.conn.in_transaction:
            yield self.db
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreError(f"{self.path}: {_describe(error)}") from None
        try:
            yield self.db
            before = self.meta("change_token")
            after = secrets.token_hex(8)
            self.conn.execute("UPDATE meta SET value = ? WHERE key = 'change_token'", [after])
            self.conn.execute("COMMIT")
            _OWN_WRITES[before] = after
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: made by a newer triage (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade triage to open it"
            )
        # Sync clients must see one file: make sure an old WAL-mode file is switched back.
        mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode.lower() != "delete":
            self.conn.execute("PRAGMA journal_mode = DELETE")
        if version < SCHEMA_VERSION:
            with self.write():
                # Another process may have migrated since the check above: decide under the lock.
                version = self.conn.execute("PRAGMA user_version").fetchone()[0]
                if version < 1:
                    self._create_schema_v1()
                if version < 2:
                    self._create_schema_v2()
                if version < SCHEMA_VERSION:
                    self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._add_missing_indexes()

    def _add_missing_indexes(self) -> None:
        """Indexes only make reading faster: every triage version reads a file with or without
        them, so they are added when missing rather than by a schema version (which would make
        older versions on the user's other machines refuse the file)."""
        present = {
            row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        missing = [(name, columns) for name, columns in READ_INDEXES.items() if name not in present]
        if missing:
            with self.write():
                for name, columns in missing:
                    self.conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {columns}")

    def _create_schema_v1(self) -> None:
        db = self.db
        db["meta"].create({"key": str, "value": str}, pk="key")
        db["meta"].insert_all(
            [
                {"key": "db_uuid", "value": secrets.token_hex(16)},
                {"key": "change_token", "value": secrets.token_hex(8)},
                {"key": "created_at", "value": now()},
            ]
        )
        db["papers"].create(
            {
                "id": str,
                "title": str,
                "title_key": str,
                "abstract": str,
                "url": str,
                "added_at": str,
                "last_listed": str,  # newest listing date (or import date): list order
                "version": str,  # random, new on every change of the paper or its annotations
            },
            pk="id",
            not_null={"title", "title_key", "abstract", "added_at", "last_listed", "version"},
        )
        db["papers"].create_index(["last_listed"])
        db["listings"].create(
            {"paper_id": str, "source": str, "listed_on": str, "position": int},
            pk=("paper_id", "source"),
            foreign_keys=[("paper_id", "papers", "id")],
        )
        db["annotations"].create(
            {
                "paper_id": str,
                "starred": int,
                "starred_at": str,
                "state": str,
                "state_at": str,
                "note": str,
                "note_at": str,
            },
            pk="paper_id",
            foreign_keys=[("paper_id", "papers", "id")],
            not_null={"starred", "state", "note"},
            defaults={"starred": 0, "state": DEFAULT_STATE, "note": ""},
        )
        db["annotations"].create_index(["state"])
        # A removed tag is kept with present=0 so a merge cannot resurrect it.
        db["tags"].create(
            {"paper_id": str, "tag": str, "present": int, "changed_at": str},
            pk=("paper_id", "tag"),
            foreign_keys=[("paper_id", "papers", "id")],
            not_null={"present", "changed_at"},
        )
        db["tags"].create_index(["tag"])
        db["imports"].create(
            {
                "sha256": str,
                "name": str,
                "path": str,
                "size": int,
                "imported_at": str,
                "found": int,
                "new": int,
                "known": int,
                "skipped": int,
            },
            pk="sha256",
        )

    def _create_schema_v2(self) -> None:
        """note_history: every note text a paper has had (by hash), so a merge can tell
        whether a side changed the note since the copies last agreed. ``pinned`` rows came
        from a mark, a merge or an older edit and are never coalesced away."""
        self.conn.execute(
            "CREATE TABLE note_history (paper_id TEXT NOT NULL REFERENCES papers(id), "
            "note_hash TEXT NOT NULL, recorded_at TEXT NOT NULL, pinned INTEGER NOT NULL DEFAULT 1, "
            "PRIMARY KEY (paper_id, note_hash)) WITHOUT ROWID"
        )
        self.conn.executemany(
            "INSERT INTO note_history (paper_id, note_hash, recorded_at, pinned) VALUES (?, ?, ?, 1)",
            [
                (paper, note_hash(note), note_at or now())
                for paper, note, note_at in self.conn.execute(
                    "SELECT paper_id, note, note_at FROM annotations WHERE note != ''"
                ).fetchall()
            ],
        )

    # -- change tracking (for caches) ----------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def change_token(self) -> str:
        """Changes on every committed write, in this process or any other."""
        return self.meta("change_token") or ""

    def data_version(self) -> int:
        """SQLite's own counter: differs when another connection committed since."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def paper_versions(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT id, version FROM papers"))

    def touch(self, ids: Iterable[str]) -> None:
        """Give papers a new version (inside a write)."""
        self.conn.executemany(
            "UPDATE papers SET version = ? WHERE id = ?",
            [(secrets.token_hex(8), paper) for paper in ids],
        )

    # -- reading ---------------------------------------------------------------------

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM papers").fetchone()[0]

    def ids_newest_first(self) -> list[str]:
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT id FROM papers ORDER BY last_listed DESC, added_at DESC, rowid"
            )
        ]

    def get(self, paper: str) -> Paper | None:
        found = self.papers([paper])
        return found[0] if found else None

    def papers(self, ids: Sequence[str] | None = None) -> list[Paper]:
        """Full records, in the order of ``ids`` (default: every paper, newest first)."""
        if ids is None:
            ids = self.ids_newest_first()
        ids = list(ids)
        result: dict[str, Paper] = {}
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start : chunk_start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(
                f"""SELECT p.id, p.title, p.abstract, p.added_at, p.url,
                           coalesce(a.starred, 0), coalesce(a.state, ?), coalesce(a.note, '')
                    FROM papers p LEFT JOIN annotations a ON a.paper_id = p.id
                    WHERE p.id IN ({marks})""",
                [DEFAULT_STATE, *chunk],
            ):
                result[row[0]] = Paper(
                    id=row[0], title=row[1], abstract=row[2], added_at=row[3], url=row[4],
                    starred=bool(row[5]), state=row[6], note=row[7],
                )
            for paper, tag in self.conn.execute(
                f"SELECT paper_id, tag FROM tags WHERE present AND paper_id IN ({marks}) "
                "ORDER BY tag",
                chunk,
            ):
                result[paper].tags.append(tag)
            for paper, source, listed_on, position in self.conn.execute(
                f"SELECT paper_id, source, listed_on, position FROM listings "
                f"WHERE paper_id IN ({marks}) ORDER BY coalesce(listed_on, ''), source",
                chunk,
            ):
                result[paper].listed.append(Listing(source, listed_on, position))
        return [result[paper] for paper in ids if paper in result]

    def all_tags(self) -> dict[str, int]:
        """Tag -> number of papers carrying it, most used first."""
        return dict(
            self.conn.execute(
                "SELECT tag, count(*) FROM tags WHERE present GROUP BY tag "
                "ORDER BY count(*) DESC, tag"
            )
        )

    def stats(self) -> dict:
        states = dict.fromkeys(STATES, 0)
        states.update(
            self.conn.execute(
                "SELECT coalesce(a.state, ?), count(*) FROM papers p "
                "LEFT JOIN annotations a ON a.paper_id = p.id GROUP BY 1",
                [DEFAULT_STATE],
            )
        )
        return {
            "papers": self.count(),
            "starred": self.conn.execute(
                "SELECT count(*) FROM annotations WHERE starred"
            ).fetchone()[0],
            "states": states,
            "tags": self.all_tags(),
            "dumps_imported": self.conn.execute("SELECT count(*) FROM imports").fetchone()[0],
            "listings": self.conn.execute("SELECT count(*) FROM listings").fetchone()[0],
        }

    # -- user data -------------------------------------------------------------------

    def mark(
        self,
        ids: Sequence[str],
        *,
        star: bool | None = None,
        state: str | None = None,
        note: str | None = None,
        add_tags: Iterable[str] = (),
        remove_tags: Iterable[str] = (),
    ) -> list[str]:
        """Change only the given fields of the given papers; returns the ids that changed.

        Values are re-read inside the write transaction, so two processes marking the
        same paper each change only what they meant to change.
        """
        if state is not None and state not in STATES:
            raise ValueError(f"unknown state {state!r}: use one of {', '.join(STATES)}")
        add = [t for t in map(normalise_tag, add_tags) if t]
        remove = [t for t in map(normalise_tag, remove_tags) if t]
        changed: list[str] = []
        with self.write():
            unknown = self._unknown_ids(ids)
            if unknown:
                raise ValueError(f"no paper with id {unknown[0]}")
            stamp = now()
            for paper in dict.fromkeys(ids):
                if self._mark_one(paper, stamp, star, state, note, add, remove):
                    changed.append(paper)
            self.touch(changed)
        return changed

    def _unknown_ids(self, ids: Sequence[str]) -> list[str]:
        known = {
            row[0]
            for start in range(0, len(ids), 500)
            for row in self.conn.execute(
                f"SELECT id FROM papers WHERE id IN ({','.join('?' * len(ids[start:start + 500]))})",
                list(ids[start : start + 500]),
            )
        }
        return [paper for paper in ids if paper not in known]

    def _mark_one(self, paper, stamp, star, state, note, add, remove) -> bool:
        row = self.conn.execute(
            "SELECT starred, state, note FROM annotations WHERE paper_id = ?", [paper]
        ).fetchone()
        if row is None:
            self.conn.execute("INSERT INTO annotations (paper_id) VALUES (?)", [paper])
            row = (0, DEFAULT_STATE, "")
        changed = False
        for column, old, new in (
            ("starred", row[0], None if star is None else int(star)),
            ("state", row[1], state),
            ("note", row[2], note),
        ):
            if new is not None and new != old:
                self.conn.execute(
                    f"UPDATE annotations SET {column} = ?, {column}_at = ? WHERE paper_id = ?",
                    [new, stamp, paper],
                )
                if column == "note":
                    self.record_note(paper, new, stamp)
                changed = True
        current = {
            tag: present
            for tag, present in self.conn.execute(
                "SELECT tag, present FROM tags WHERE paper_id = ?", [paper]
            )
        }
        for tags, present in ((add, 1), (remove, 0)):
            for tag in tags:
                if current.get(tag, 0) != present:
                    self.conn.execute(
                        "INSERT INTO tags (paper_id, tag, present, changed_at) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (paper_id, tag) DO UPDATE SET present = excluded.present, "
                        "changed_at = excluded.changed_at",
                        [paper, tag, present, stamp],
                    )
                    current[tag] = present
                    changed = True
        return changed

    def record_note(self, paper: str, text: str, stamp: str, *, pinned: bool = True) -> None:
        """Remember that ``paper`` had note ``text`` (inside a write)."""
        if text:
            self.conn.execute(
                "INSERT INTO note_history (paper_id, note_hash, recorded_at, pinned) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (paper_id, note_hash) DO UPDATE SET "
                "pinned = max(pinned, excluded.pinned)",
                [paper, note_hash(text), stamp, int(pinned)],
            )

    def save_note(self, paper: str, text: str, *, base: str) -> str:
        """Save the note editor's ``text``, written over ``base`` (the note it last saw).

        If the stored note is no longer ``base`` (a synced copy or another terminal changed
        it), nothing is lost: both texts are joined in a conflict block (as `triage merge`
        does) and the paper is tagged ``merge-conflict``. Returns the note now stored.
        """
        with self.write():
            if self._unknown_ids([paper]):
                raise ValueError(f"no paper with id {paper}")
            row = self.conn.execute(
                "SELECT note, note_at FROM annotations WHERE paper_id = ?", [paper]
            ).fetchone()
            current, current_at = row if row else ("", None)
            if text == current:
                return current
            if current and text and current != base:
                return self._save_conflicting_note(paper, current, current_at, text, base)
            if not text and current != base:
                return current  # cleared here, changed elsewhere: keep the other text
            stamp = now()
            if current == base:
                self._forget_recent_edit(paper, base, stamp)
            self._write_note(paper, text, stamp, pinned=False)
            self.touch([paper])
            return text

    def _save_conflicting_note(self, paper, current, current_at, text, base) -> str:
        stamp = now()
        theirs = [v for v in conflict_versions(current, current_at) if v[1] != base]
        ours = conflict_versions(text, stamp)
        joined = join_conflicting_notes(theirs + ours)
        if joined == current:
            return current
        self._write_note(paper, joined, stamp, pinned=True)
        if joined != text:
            self.conn.execute(
                "INSERT INTO tags (paper_id, tag, present, changed_at) VALUES (?, ?, 1, ?) "
                "ON CONFLICT (paper_id, tag) DO UPDATE SET present = 1, changed_at = excluded.changed_at",
                [paper, CONFLICT_TAG, stamp],
            )
        self.touch([paper])
        return joined

    def _write_note(self, paper: str, text: str, stamp: str, *, pinned: bool) -> None:
        self.conn.execute("INSERT OR IGNORE INTO annotations (paper_id) VALUES (?)", [paper])
        self.conn.execute(
            "UPDATE annotations SET note = ?, note_at = ? WHERE paper_id = ?", [text, stamp, paper]
        )
        self.record_note(paper, text, stamp, pinned=pinned)

    def _forget_recent_edit(self, paper: str, text: str, stamp: str) -> None:
        """Drop ``text`` from the history if it was only a moment of the current edit."""
        since = (dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ") - NOTE_EDIT_WINDOW).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        )
        self.conn.execute(
            "DELETE FROM note_history WHERE paper_id = ? AND note_hash = ? AND NOT pinned "
            "AND recorded_at >= ?",
            [paper, note_hash(text), since],
        )

    def note_history(self, paper: str) -> set[str]:
        """Hashes of every note text ``paper`` has had here (see :func:`note_hash`)."""
        return {
            row[0]
            for row in self.conn.execute(
                "SELECT note_hash FROM note_history WHERE paper_id = ?", [paper]
            )
        }

    # -- imported data ---------------------------------------------------------------

    def known_import(self, sha256: str) -> dict | None:
        row = self.conn.execute(
            "SELECT name, imported_at FROM imports WHERE sha256 = ?", [sha256]
        ).fetchone()
        return {"name": row[0], "imported_at": row[1]} if row else None

    def add_papers(
        self,
        entries: Sequence[tuple[str, str]],
        *,
        source: str,
        listed_on: str | None,
        record: dict | None = None,
    ) -> tuple[int, int]:
        """Add (title, abstract) entries listed in ``source``; returns (new, known).

        Existing papers only gain a listing; their text and the user's annotations are
        left as they are. ``record`` (the imports row) is written in the same transaction,
        so a file is imported whole or not at all.
        """
        stamp = now()
        day = listed_on or stamp[:10]
        new = known = 0
        with self.write():
            seen: set[str] = set()
            for position, (title, abstract) in enumerate(entries):
                paper = paper_id(title)
                if paper in seen:
                    known += 1
                    continue
                seen.add(paper)
                inserted = self.conn.execute(
                    "INSERT OR IGNORE INTO papers (id, title, title_key, abstract, added_at, "
                    "last_listed, version) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [paper, title, title_key(title), abstract, stamp, day, secrets.token_hex(8)],
                ).rowcount
                if inserted:
                    new += 1
                else:
                    known += 1
                    self.conn.execute(
                        "UPDATE papers SET last_listed = max(last_listed, ?), version = ? "
                        "WHERE id = ?",
                        [day, secrets.token_hex(8), paper],
                    )
                self.conn.execute(
                    "INSERT INTO listings (paper_id, source, listed_on, position) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (paper_id, source) DO UPDATE SET "
                    "listed_on = excluded.listed_on, position = excluded.position",
                    [paper, source, listed_on, position],
                )
            if record is not None:
                self.db["imports"].insert(
                    {**record, "imported_at": stamp, "new": new, "known": known},
                    replace=True,
                )
        return new, known

    def import_history(self) -> list[dict]:
        return list(self.db["imports"].rows_where(order_by="imported_at"))


def _describe(error: sqlite3.Error) -> str:
    message = str(error)
    if "locked" in message or "busy" in message:
        return "database is locked by another program (try again when it is done)"
    if "not a database" in message or "malformed" in message:
        return f"corrupt or not a triage database ({message}); left untouched"
    return message


def dump_json(papers: Iterable[Paper]) -> str:
    return json.dumps([paper.to_json() for paper in papers], ensure_ascii=False, indent=2)
