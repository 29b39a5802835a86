"""Sync through a shared file: the working copy merges it in and publishes to it.

The user's DB is a local working copy. The shared file, in a Dropbox, Syncthing, iCloud or git
folder, is what travels between machines; triage only ever replaces it whole (see
:mod:`.publish`). A sync merges the shared file and the conflict copies beside it into the
working copy, then publishes if the shared file lacks something the working copy has.

What the working copy knows of the shared file lives in its sync settings (per machine): the
shared path, how the file looked when last merged or published, and ``clean``, the working
copy's change token when the shared file last held all of it. Publishing is needed when the
token moved on since (a local change), or when the shared file turns out not to hold this
machine's last publish (another machine's publish replaced it first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from triage.core.paths import machine_id
from triage.core.text import strip_control
from triage.store import Store, now
from triage.sync.candidates import Candidate, Damaged, Fingerprint, Skipped, taken
from triage.sync.copies import find_conflict_copies, move_aside
from triage.sync.errors import SyncError
from triage.sync.merge import MergeReport, changed_papers, merge
from triage.sync.publish import publish, publishing

SHARED, SEEN, CLEAN = "shared", "seen", "clean"
MERGED_AT, PUBLISHED_AT, LAST_PUBLISH = "merged_at", "published_at", "last_publish"
ATTEMPTS = 3  # merges before giving up on a shared file that keeps changing during a publish


@dataclass
class SyncReport:
    shared: Path
    merges: list[MergeReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    moved: list[tuple[Path, Path]] = field(default_factory=list)
    published: bool = False
    joined: bool = False
    refused: str | None = None
    """Why the shared file itself was not merged and will not be replaced, if so."""

    @property
    def failed(self) -> bool:
        return self.refused is not None

    def changed_papers(self) -> list[str]:
        return changed_papers(self.merges)

    def lines(self) -> list[str]:
        """What happened, a line each, for the CLI (stderr) and the app's log."""
        lines = [f"joined the library of {self.shared}"] if self.joined else []
        for report in self.merges:
            if report.changed:
                lines += report.lines()
        lines += [f"moved {source.name} aside to {target}" for source, target in self.moved]
        lines += [f"skipped {reason}" for reason in self.skipped]
        if self.published:
            lines.append(f"published to {self.shared}")
        return [strip_control(line, keep_newlines=False) for line in lines]


class SharedFile:
    """The shared file of one working copy, on this machine."""

    def __init__(self, store: Store, machine: str | None = None) -> None:
        self.store = store
        self.machine = machine or machine_id()

    @property
    def settings(self) -> dict[str, str]:
        return self.store.sync_settings(self.machine)

    @property
    def path(self) -> Path | None:
        shared = self.settings.get(SHARED)
        return Path(shared) if shared else None

    def waiting(self) -> bool:
        """Whether local changes have not reached the shared file yet."""
        return self.store.change_token() != self.settings.get(CLEAN)

    def changed(self) -> bool:
        """Whether the shared file changed since this machine last merged or published it."""
        path = self.path
        return path is not None and Fingerprint.of(path) != Fingerprint.load(
            self.settings.get(SEEN)
        )

    def attach(self, path: Path) -> SyncReport:
        """Make ``path`` this working copy's shared file: merge it if it exists (joining its
        library), then publish."""
        path = path.expanduser().absolute()
        if not path.parent.is_dir():
            raise SyncError(f"{path.parent}: no such folder")
        if path.exists() and path.samefile(self.store.path):
            raise SyncError(f"{path}: is this working copy itself; give a file in a synced folder")
        before: dict[str, str | None] = dict.fromkeys(
            (SHARED, SEEN, CLEAN, LAST_PUBLISH, MERGED_AT)
        )
        before.update(self.settings)
        self.store.set_sync_settings(
            self.machine,
            {SHARED: str(path), SEEN: None, CLEAN: None, LAST_PUBLISH: None, MERGED_AT: None},
        )
        report = self.sync(join=True)
        if report.failed:  # not a file to sync with (another program's, a newer triage's)
            self.store.set_sync_settings(self.machine, before)
        return report

    def detach(self) -> None:
        self.store.set_sync_settings(
            self.machine,
            dict.fromkeys((SHARED, SEEN, CLEAN, LAST_PUBLISH, MERGED_AT, PUBLISHED_AT)),
        )

    def sync(self, *, join: bool = False, publish_changes: bool = True) -> SyncReport:
        """Merge in what changed, then publish what waits. ``join``: take the shared file's
        library as this copy's (when it is first attached)."""
        shared = self.path
        if shared is None:
            raise SyncError("no shared file set: run `triage sync PATH` first")
        report = SyncReport(shared)
        with publishing(shared):
            for _ in range(ATTEMPTS):
                self._merge_shared(report, join=join)
                self._merge_conflict_copies(report)
                if report.failed or not publish_changes:
                    return report
                if not self.waiting() and shared.exists():
                    return report
                if not self.changed() or not shared.exists():
                    self._publish(shared)
                    report.published = True
                    return report
            # the shared file changed under every attempt: the next sync will try again
            report.skipped.append(f"{shared}: it kept changing while publishing; try again")
        return report

    def _merge_shared(self, report: SyncReport, *, join: bool) -> None:
        shared = report.shared
        if not shared.exists() or not (join or self.changed()):
            return
        was_waiting = self.waiting()
        try:
            with taken(shared) as candidate:
                report.joined = self._check_library(candidate, join=join)
                merged = merge(self.store, candidate.private, shown_as=shared)
                report.merges.append(merged)
                self.store.add_publish_ids(candidate.facts.publish_ids)
                last = self.settings.get(LAST_PUBLISH)
                holds_mine = last is None or last in candidate.facts.publish_ids
                values: dict[str, str | None] = {SEEN: candidate.seen.dump(), MERGED_AT: now()}
                if holds_mine and not was_waiting:
                    values[CLEAN] = self.store.change_token()
                elif not holds_mine:
                    values[CLEAN] = None  # another publish replaced ours: publish again
                self.store.set_sync_settings(self.machine, values)
        except Damaged as error:
            report.skipped.append(f"{error} (will be replaced by the next publish)")
        except Skipped as error:
            report.refused = str(error)
            report.skipped.append(f"{error} (left as it is; nothing published)")

    def _merge_conflict_copies(self, report: SyncReport) -> None:
        for copy in find_conflict_copies(report.shared):
            try:
                with taken(copy) as candidate:
                    self._check_library(candidate, join=False)
                    merged = merge(self.store, candidate.private, shown_as=copy)
                    self.store.add_publish_ids(candidate.facts.publish_ids)
            except Skipped as error:
                report.skipped.append(str(error))
                continue
            report.merges.append(merged)
            report.moved.append((copy, move_aside(copy)))

    def _check_library(self, candidate: Candidate, *, join: bool) -> bool:
        """True if this copy joined the candidate's library; raises Skipped for another's."""
        theirs, mine = candidate.facts.library_id, self.store.library_id()
        if theirs == mine:
            return False
        if join and theirs:
            self.store.join_library(theirs)
            return True
        raise Skipped(
            f"{candidate.path}: belongs to another triage library; to make it this machine's "
            f"shared file, run `triage sync` with its path"
        )

    def _publish(self, shared: Path) -> None:
        published = publish(self.store, shared)
        self.store.set_sync_settings(
            self.machine,
            {
                CLEAN: published.token,
                LAST_PUBLISH: published.publish_id,
                SEEN: published.seen.dump() if published.seen else None,
                PUBLISHED_AT: now(),
            },
        )
