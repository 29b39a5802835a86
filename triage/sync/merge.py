"""Merge another copy of the DB (a sync client's conflict copy, a git "theirs") into this one.

Rules, chosen so that merging A into B gives the same user data as B into A and merging the
same copy twice changes nothing the second time:

- papers, listings and the imports history are unioned;
- star and state: the most recent change wins (per-field times; on a tie the larger value);
- tags: per tag, the most recent add or remove wins (removals are kept as rows with
  present=0, so a stale copy cannot bring a removed tag back; on a tie the add wins);
- notes: ``note_history`` tells which texts each side has had. If one side has already had the
  other's current note, it changed since they last agreed and wins. If each side has had the
  other's text, the later save wins. If neither has, both texts are kept in one conflict block
  (:func:`triage.store.join_conflicting_notes`) and the paper is tagged ``merge-conflict``.

The other file is opened read-only and never written. The whole merge is one transaction.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from triage.core.text import strip_control
from triage.core.wording import plural
from triage.store import (
    CONFLICT_TAG,
    Store,
    StoreError,
    conflict_versions,
    join_conflicting_notes,
    note_hash,
)
from triage.store.snapshot import Annotation, Copy, MergeRows, open_copy, read_snapshot
from triage.sync.checks import repair

V = TypeVar("V", int, str)


class MergeError(StoreError):
    """The other copy cannot be merged (one line, names the file)."""


@dataclass
class Change:
    paper_id: str
    title: str
    what: str


@dataclass
class MergeReport:
    other: Path
    dry_run: bool = False
    papers_added: list[str] = field(default_factory=list)
    listings_added: int = 0
    imports_added: int = 0
    changes: list[Change] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    """Papers here that the other copy deleted after anyone last worked on them."""
    bookkeeping: int = 0
    """Rows written that the user would not notice (history, times): still a change to the file."""
    repaired: int = 0
    """Values of the other copy repaired or dropped before merging (see :mod:`.checks`)."""

    @property
    def changed(self) -> bool:
        return bool(
            self.papers_added
            or self.deleted
            or self.listings_added
            or self.imports_added
            or self.changes
            or self.bookkeeping
        )

    def lines(self) -> list[str]:
        """What the merge changed (or, for a dry run, would change), for the CLI to print."""
        name = strip_control(self.other.name, keep_newlines=False)
        lines = [f"paper {c.paper_id} {c.title}: {c.what}" for c in self.changes]
        if self.papers_added:
            lines.append(f"{plural(len(self.papers_added), 'paper')} added from {name}")
        if self.deleted:
            lines.append(f"{plural(len(self.deleted), 'paper')} deleted, as in {name}")
        if self.listings_added:
            lines.append(f"{plural(self.listings_added, 'listing')} added from {name}")
        if self.imports_added:
            lines.append(f"{plural(self.imports_added, 'imported dump')} recorded from {name}")
        if self.conflicts:
            lines.append(
                f"{plural(len(self.conflicts), 'note')} changed in both copies: both texts kept, "
                f"tagged {CONFLICT_TAG}"
            )
        if self.repaired:
            lines.append(
                f"{plural(self.repaired, 'value')} from {name} repaired or dropped "
                "(a time in the future, an unknown state or star, a malformed tag)"
            )
        if not lines:
            lines.append(f"nothing to merge: this copy already has everything in {name}")
        if self.dry_run:
            lines.append("dry run: nothing was changed")
        return lines


class _Rollback(Exception):
    """Leave the transaction without committing (dry run, or nothing to change)."""


def merge(
    store: Store,
    other_path: str | os.PathLike[str],
    *,
    dry_run: bool = False,
    shown_as: Path | None = None,
) -> MergeReport:
    """Merge the DB at ``other_path`` into ``store``; raises MergeError for an unusable file.

    ``shown_as``: the name to report, when ``other_path`` is a private copy of that file.
    """
    other_path = Path(other_path).expanduser()
    known = set(store.ids_newest_first())
    other = open_copy(other_path, this=store.path, error=MergeError, known=known)
    report = MergeReport(shown_as or other_path, dry_run=dry_run, repaired=repair(other))
    try:
        with store.write():
            this = read_snapshot(store.conn)
            _merge(store, this, other, report)
            if dry_run or not report.changed:
                raise _Rollback
    except _Rollback:
        pass
    return report


def _merge(store: Store, this: Copy, other: Copy, report: MergeReport) -> None:
    rows = MergeRows(store.conn)
    touched: set[str] = set()
    titles = {paper: row["title"] for paper, row in {**other.papers, **this.papers}.items()}

    def change(paper: str, what: str) -> None:
        title = strip_control(titles[paper], keep_newlines=False)
        title = title if len(title) <= 60 else title[:59] + "…"
        report.changes.append(Change(paper, f"“{title}”", what))
        touched.add(paper)

    gone = _merge_deletions(rows, this, other, report)
    touched.update(report.deleted)
    _forget(other, gone)
    for paper, row in sorted(other.papers.items()):
        mine = this.papers.get(paper)
        if mine is None:
            rows.add_paper(row)
            if paper in this.deletions:
                rows.drop_deletion(paper)  # worked on there after it was deleted here
            report.papers_added.append(paper)
            touched.add(paper)
            continue
        if (row["identity_at"] or "") > (mine["identity_at"] or ""):
            rows.set_identity(paper, row)
            report.bookkeeping += 1
            touched.add(paper)
        added_at = min(mine["added_at"], row["added_at"])
        last_listed = max(mine["last_listed"], row["last_listed"])
        if (added_at, last_listed) != (mine["added_at"], mine["last_listed"]):
            rows.set_paper_dates(paper, added_at, last_listed)
            report.bookkeeping += 1
            touched.add(paper)

    for (paper, source), theirs in sorted(other.listings.items()):
        my_listing = this.listings.get((paper, source))
        # Same dump under one name on both sides: keep the dated, earliest listing.
        chosen = theirs if my_listing is None else min(my_listing, theirs, key=_listing_order)
        if chosen == my_listing:
            continue
        rows.put_listing(paper, source, *chosen)
        if my_listing is None:
            report.listings_added += 1
        else:
            report.bookkeeping += 1
        touched.add(paper)

    for sha, record in sorted(other.imports.items()):
        if sha not in this.imports:
            rows.add_import(record)
            report.imports_added += 1

    merged_tags = _merge_tags(rows, this, other, change, report)
    _merge_annotations(store, rows, this, other, merged_tags, change, report)
    _merge_history(rows, this, other, report)
    store.touch(sorted(touched))


def _merge_deletions(rows: MergeRows, this: Copy, other: Copy, report: MergeReport) -> set[str]:
    """Apply the other copy's deletions here, and keep this copy's from coming back: a deletion
    wins over everything done to the paper before it. Returns the papers that stay deleted."""
    gone = set()
    for paper, (title, deleted_at) in sorted(other.deletions.items()):
        mine = this.deletions.get(paper)
        if paper in this.papers and deleted_at >= this.last_activity(paper):
            rows.delete_paper(paper)
            report.deleted.append(paper)
        if paper not in this.papers or paper in report.deleted:
            gone.add(paper)
            if mine is None or mine[1] < deleted_at:
                rows.put_deletion(paper, title, deleted_at)
                report.bookkeeping += 1
    for paper, (_, deleted_at) in this.deletions.items():
        if paper in other.papers and deleted_at >= other.last_activity(paper):
            gone.add(paper)
    return gone


def _forget(copy: Copy, papers: set[str]) -> None:
    """Leave out everything of these papers (they stay deleted)."""
    for table in (copy.listings, copy.tags):
        for key in [key for key in table if key[0] in papers]:
            del table[key]
    for keyed in (copy.papers, copy.annotations, copy.history):
        for paper in papers & set(keyed):
            del keyed[paper]


def _listing_order(listing: tuple[str | None, int]) -> tuple[bool, str, int]:
    listed_on, position = listing
    return (listed_on is None, listed_on or "", position)


Tags = dict[tuple[str, str], tuple[int, str]]
ChangeNote = Callable[[str, str], None]


def _merge_tags(
    rows: MergeRows, this: Copy, other: Copy, change: ChangeNote, report: MergeReport
) -> Tags:
    merged = dict(this.tags)
    for key, theirs in sorted(other.tags.items()):
        mine = this.tags.get(key)
        chosen = theirs if mine is None else max(mine, theirs, key=lambda t: (t[1], t[0]))
        if chosen == mine:
            continue
        paper, tag = key
        rows.put_tag(paper, tag, *chosen)
        merged[key] = chosen
        was_present = bool(mine and mine[0])
        if bool(chosen[0]) != was_present:
            change(paper, f"tag {'+' if chosen[0] else '-'}{tag} from other copy")
        else:  # a newer time, or a removal remembered: nothing visible changes
            report.bookkeeping += 1
    return merged


def _merge_annotations(
    store: Store,
    rows: MergeRows,
    this: Copy,
    other: Copy,
    tags: Tags,
    change: ChangeNote,
    report: MergeReport,
) -> None:
    for paper in sorted(other.annotations):
        theirs = other.annotations[paper]
        mine = this.annotations.get(paper, Annotation())
        merged = Annotation()
        merged.starred, merged.starred_at = _latest(
            (mine.starred, mine.starred_at), (theirs.starred, theirs.starred_at)
        )
        merged.state, merged.state_at = _latest(
            (mine.state, mine.state_at), (theirs.state, theirs.state_at)
        )
        merged.note, merged.note_at, outcome = _merge_note(
            mine, this.history.get(paper, set()), theirs, other.history.get(paper, set())
        )
        if merged.row() == mine.row():
            continue
        rows.put_annotation(paper, merged)
        visible = False
        if merged.starred != mine.starred:
            change(paper, f"{'star' if merged.starred else 'unstar'} from other copy")
            visible = True
        if merged.state != mine.state:
            change(paper, f"state {merged.state} from other copy")
            visible = True
        if merged.note != mine.note:
            store.record_note(paper, merged.note, merged.note_at or "")
            visible = True
            if outcome == "conflict":
                change(
                    paper, f"note changed in both copies: both texts kept, tagged {CONFLICT_TAG}"
                )
                report.conflicts.append(paper)
                present, changed_at = tags.get((paper, CONFLICT_TAG), (0, ""))
                if not present:
                    rows.put_tag(paper, CONFLICT_TAG, 1, max(changed_at, merged.note_at or ""))
            else:
                change(
                    paper, "note from other copy" if merged.note else "note cleared by other copy"
                )
        if not visible:
            report.bookkeeping += 1


def _latest(mine: tuple[V, str | None], theirs: tuple[V, str | None]) -> tuple[V, str | None]:
    """The most recently set (value, time); on a tie the larger value, so either order agrees."""
    return max(mine, theirs, key=lambda pair: (pair[1] or "", pair[0]))


def _merge_note(
    mine: Annotation, my_history: set[str], theirs: Annotation, their_history: set[str]
) -> tuple[str, str | None, str]:
    """(note, note_at, outcome): outcome is "same", "ours", "theirs" or "conflict"."""
    latest_at = max(mine.note_at or "", theirs.note_at or "") or None
    if mine.note == theirs.note:
        return mine.note, latest_at, "same"
    # The empty note is where every paper starts, so every side has had it.
    i_had_theirs = not theirs.note or note_hash(theirs.note) in my_history
    they_had_mine = not mine.note or note_hash(mine.note) in their_history
    if i_had_theirs and they_had_mine:  # each moved away from the other's text: later save wins
        winner = max(mine, theirs, key=lambda a: (a.note_at or "", a.note))
        return winner.note, winner.note_at, "ours" if winner is mine else "theirs"
    if i_had_theirs:
        return mine.note, mine.note_at, "ours"
    if they_had_mine:
        return theirs.note, theirs.note_at, "theirs"
    # Both changed since they last agreed. Versions one side has had and moved away from are
    # dropped (an older text the other kept inside an earlier conflict block).
    my_versions = conflict_versions(mine.note, mine.note_at)
    their_versions = conflict_versions(theirs.note, theirs.note_at)
    my_texts = {text for _, text in my_versions}
    their_texts = {text for _, text in their_versions}
    kept = [v for v in my_versions if note_hash(v[1]) not in their_history or v[1] in their_texts]
    kept += [v for v in their_versions if note_hash(v[1]) not in my_history or v[1] in my_texts]
    kept = kept or my_versions + their_versions
    joined = join_conflicting_notes(kept)
    if len({text for _, text in kept}) > 1:
        return joined, latest_at, "conflict"
    return joined, latest_at, "ours" if joined == mine.note else "theirs"


def _merge_history(rows: MergeRows, this: Copy, other: Copy, report: MergeReport) -> None:
    """Union the note ancestries, so a later merge knows what both copies have had.

    Texts the other copy has had are pinned here: a quick re-edit must not forget them.
    """
    unpinned = rows.unpinned_history()
    for paper, digests in sorted(other.history.items()):
        mine = this.history.get(paper, set())
        pinned = [
            (paper, digest)
            for digest in sorted(digests)
            if digest not in mine or (paper, digest) in unpinned
        ]
        if pinned:
            rows.pin_history(pinned)
            report.bookkeeping += len(pinned)


def merge_summary(reports: Sequence[MergeReport]) -> str:
    """One line for a notification: "merged 1 copy: 3 papers changed, 1 note conflict"."""
    changed = changed_papers(reports)
    conflicts = sum(len(report.conflicts) for report in reports)
    copies = "1 copy" if len(reports) == 1 else f"{len(reports)} copies"
    line = f"merged {copies}: "
    line += f"{plural(len(changed), 'paper')} changed" if changed else "nothing new"
    if conflicts:
        line += f", {plural(conflicts, 'note conflict')}"
    return line


def changed_papers(reports: Sequence[MergeReport]) -> list[str]:
    """Every paper a merge touched in a way the index and the list must see."""
    ids = {change.paper_id for report in reports for change in report.changes}
    ids.update(paper for report in reports for paper in report.papers_added)
    ids.update(paper for report in reports for paper in report.deleted)
    return sorted(ids)
