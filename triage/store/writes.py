"""The write side of the store: the user's marks and notes, and imported papers.

Every write runs inside :meth:`Store.write` (the write lock taken up front), re-reads what it
changes, and gives each changed paper a new ``version`` so caches see exactly what changed.
Imported data (papers, listings) and the user's data (annotations, tags) live in separate
tables: an import never changes what the user wrote.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import secrets
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from triage.store.batches import Batched
from triage.store.changes import NUMBER_NEW_PAPER
from triage.store.identity import normalise_tag, paper_keys
from triage.store.models import DEFAULT_STATE, STAMP_FORMAT, STATES, Entry, Identity, now
from triage.store.notes import (
    CONFLICT_TAG,
    NOTE_EDIT_WINDOW,
    conflict_versions,
    join_conflicting_notes,
    note_hash,
)

if TYPE_CHECKING:
    import sqlite_utils


def _versions(count: int) -> Iterator[str]:
    """New ``version``s for papers: random, so two copies never give two states one version
    (drawn together: one draw per paper is a twentieth of an import)."""
    drawn = secrets.token_hex(8 * count)
    return (drawn[start : start + 16] for start in range(0, len(drawn), 16))


class Writer(Batched):
    """Writes through :meth:`write`, which the Store provides."""

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the connection, which the Store provides."""
        raise NotImplementedError

    def write(
        self, *, bookkeeping: bool = False
    ) -> contextlib.AbstractContextManager[sqlite_utils.Database]:
        raise NotImplementedError

    def touch(self, ids: Iterable[str]) -> None:
        """Give papers a new version (inside a write)."""
        papers = list(ids)
        self.conn.executemany(
            "UPDATE papers SET version = ? WHERE id = ?", zip(_versions(len(papers)), papers)
        )

    # -- user data ---------------------------------------------------------------------

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
            unknown = self.unknown_ids(ids)
            if unknown:
                raise ValueError(f"no paper with id {unknown[0]}")
            stamp = now()
            for paper in dict.fromkeys(ids):
                if self._mark_one(paper, stamp, star, state, note, add, remove):
                    changed.append(paper)
            self.touch(changed)
        return changed

    def _mark_one(
        self,
        paper: str,
        stamp: str,
        star: bool | None,
        state: str | None,
        note: str | None,
        add: list[str],
        remove: list[str],
    ) -> bool:
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
                if column == "note" and isinstance(new, str):
                    self.record_note(paper, new, stamp)
                changed = True
        current = dict(
            self.conn.execute("SELECT tag, present FROM tags WHERE paper_id = ?", [paper])
        )
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
            if self.unknown_ids([paper]):
                raise ValueError(f"no paper with id {paper}")
            row = self.conn.execute(
                "SELECT note, note_at FROM annotations WHERE paper_id = ?", [paper]
            ).fetchone()
            current: str = row[0] if row else ""
            current_at: str | None = row[1] if row else None
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

    def _save_conflicting_note(
        self, paper: str, current: str, current_at: str | None, text: str, base: str
    ) -> str:
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
        since = (dt.datetime.strptime(stamp, STAMP_FORMAT) - NOTE_EDIT_WINDOW).strftime(
            STAMP_FORMAT
        )
        self.conn.execute(
            "DELETE FROM note_history WHERE paper_id = ? AND note_hash = ? AND NOT pinned "
            "AND recorded_at >= ?",
            [paper, note_hash(text), since],
        )

    # -- imported data ---------------------------------------------------------------

    def add_papers(
        self,
        entries: Sequence[Entry | tuple[str, str]],
        *,
        source: str,
        listed_on: str | None,
        record: dict[str, Any] | None = None,
        keys: Sequence[tuple[str, str, str]] | None = None,
    ) -> tuple[int, int]:
        """Add the entries listed in ``source``; returns (new, known).

        A known paper (found by arXiv id, by id, then by :func:`.identity.match_key`) only
        gains a listing and, from the API, its identity; its text and the user's annotations
        are left as they are. ``record`` (the imports row) is written in the same transaction,
        so a file is imported whole or not at all. ``keys``: the entries'
        :func:`.identity.paper_keys`, if the caller has them.
        """
        stamp = now()
        day = listed_on or stamp[:10]
        # (title, abstract, identity): no Entry made for each pair of a dump (2% of the store's
        # part of an import)
        items = [
            (item.title, item.abstract, item.identity) if isinstance(item, Entry) else (*item, None)
            for item in entries
        ]
        if keys is None:
            keys = [paper_keys(title) for title, _, _ in items]
        versions = _versions(len(items))
        new = known = 0
        with self.write():
            by_id, by_match, deleted = self._known_keys(keys)
            seen: set[str] = set()
            # new papers are inserted together, and before any other write of a paper, so their
            # change numbers (see :mod:`.changes`) follow the entries' order as if one by one
            added: list[tuple[str, ...]] = []
            listings: list[tuple[str, str, str | None, int]] = []
            for position, ((title, abstract, identity), (own_id, key, loose)) in enumerate(
                zip(items, keys)
            ):
                paper = (self._paper_by_arxiv(identity) if identity else None) or (
                    own_id if own_id in by_id else by_match.get(loose)
                )
                if paper in seen:
                    known += 1
                    continue
                if paper is None:
                    paper = own_id
                    added.append((paper, title, key, loose, abstract, stamp, day, next(versions)))
                    if paper in deleted:
                        self.conn.execute("DELETE FROM deletions WHERE paper_id = ?", [paper])
                    by_id.add(paper)
                    by_match.setdefault(loose, paper)
                    new += 1
                else:
                    known += 1
                    self._insert_papers(added)
                    self.conn.execute(
                        "UPDATE papers SET last_listed = max(last_listed, ?), version = ? "
                        "WHERE id = ?",
                        [day, next(versions), paper],
                    )
                seen.add(paper)
                if identity is not None:
                    self._insert_papers(added)
                    self._set_identity(paper, identity, stamp)
                listings.append((paper, source, listed_on, position))
            self._insert_papers(added)
            self.conn.executemany(
                "INSERT INTO listings (paper_id, source, listed_on, position) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (paper_id, source) DO UPDATE SET "
                "listed_on = excluded.listed_on, position = excluded.position",
                listings,
            )
            if record is not None:
                row = {**record, "imported_at": stamp, "new": new, "known": known}
                self.conn.execute(
                    f"INSERT OR REPLACE INTO imports ({', '.join(row)}) "
                    f"VALUES ({', '.join('?' * len(row))})",
                    list(row.values()),
                )
        return new, known

    def _insert_papers(self, rows: list[tuple[str, ...]]) -> None:
        """Insert the new papers' ``rows`` in one statement, and empty the list."""
        if not rows:
            return
        self.conn.executemany(
            "INSERT INTO papers (id, title, title_key, match_key, abstract, added_at, "
            "last_listed, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        if self.numbering_new_papers:
            self.conn.executemany(NUMBER_NEW_PAPER, [row[:1] for row in rows])
        rows.clear()

    def _known_keys(
        self, keys: Sequence[tuple[str, str, str]]
    ) -> tuple[set[str], dict[str, str], set[str]]:
        """What the store knows of these papers, read in a few queries rather than a few per
        paper: the ids it has, the first paper (by rowid) of each loose key, the ids deleted."""
        ids = list(dict.fromkeys(own_id for own_id, _, _ in keys))
        by_id = {row[0] for row in self._in_chunks("SELECT id FROM papers WHERE id IN ({})", ids)}
        by_match: dict[str, str] = {}
        loose = list(dict.fromkeys(loose for own_id, _, loose in keys if own_id not in by_id))
        for match, paper in self._in_chunks(
            "SELECT match_key, id FROM papers WHERE match_key IN ({}) ORDER BY rowid", loose
        ):
            by_match.setdefault(match, paper)
        deleted = {
            row[0]
            for row in self._in_chunks("SELECT paper_id FROM deletions WHERE paper_id IN ({})", ids)
        }
        return by_id, by_match, deleted

    def _paper_by_arxiv(self, identity: Identity) -> str | None:
        """The paper with the entry's arXiv id (read per entry: an entry before it in the same
        import may have just given a paper that id)."""
        arxiv = identity.arxiv_id
        if not arxiv:
            return None
        row = self.conn.execute(
            "SELECT id FROM papers WHERE arxiv_id = ? ORDER BY rowid LIMIT 1", [arxiv]
        ).fetchone()
        return str(row[0]) if row else None

    def _set_identity(self, paper: str, identity: Identity, stamp: str) -> None:
        """The API's latest word on a paper (imported data: the user's data is elsewhere)."""
        self.conn.execute(
            "UPDATE papers SET arxiv_id = coalesce(?, arxiv_id), authors = coalesce(?, authors), "
            "upvotes = coalesce(?, upvotes), comments = coalesce(?, comments), "
            "github_repo = coalesce(?, github_repo), project_page = coalesce(?, project_page), "
            "identity_at = ? WHERE id = ?",
            [
                identity.arxiv_id,
                json.dumps(list(identity.authors), ensure_ascii=False)
                if identity.authors
                else None,
                identity.upvotes,
                identity.comments,
                identity.github_repo,
                identity.project_page,
                stamp,
                paper,
            ],
        )
