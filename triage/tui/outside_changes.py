"""What the app does when the DB changes from outside: another terminal or a sync client
wrote it or replaced it, the shared file changed or waits for this machine's changes, a sync
client left conflict copies. The base of `TriageApp`, which sets `session` and `main`.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import App

from triage.core.wording import plural
from triage.store import StoreError
from triage.sync.copies import find_conflict_copies, merge_conflict_copies
from triage.sync.folders import synced_folder_warning
from triage.sync.merge import MergeReport, changed_papers, merge_summary
from triage.tui.screens.conflicts import ConflictCopiesOffer
from triage.tui.screens.main import MainScreen
from triage.tui.screens.welcome import WelcomeScreen
from triage.tui.session import Session
from triage.tui.shared_sync import SyncOutcome


class FollowsOtherCopies(App[None]):
    session: Session
    main: MainScreen

    def __init__(self) -> None:
        super().__init__()
        self._declined_copies: set[Path] = set()
        """Conflict copies the user said "not now" to: not offered again this session."""
        self._waiting_copies: list[Path] = []
        """Copies found while a dialog was open: offered once the user is back on the list."""
        self._copies_busy = False
        """The offer is shown, or the merge runs."""
        self._sync_warnings_shown: set[str] = set()

    # -- the store filled, changed on disk, merged -----------------------------------------

    @on(WelcomeScreen.Filled)
    def store_filled(self) -> None:
        """Papers arrived in an empty store: leave the welcome screen."""
        if isinstance(self.screen, WelcomeScreen):
            self.pop_screen()
        self.session.after_import()
        self.main.store_changed()

    def poll_disk(self) -> None:
        if self._waiting_copies:
            self.offer_conflict_copies(self._waiting_copies)
        shared_sync = self.session.shared_sync
        if shared_sync.running:
            return  # its writes are this app's own: the watch looks again once it is done
        if shared_sync.due():
            shared_sync.running = True
            self._sync_shared_file()
            return
        self._poll_disk()

    @work(thread=True, exclusive=True, group="watch")
    def _poll_disk(self) -> None:
        """Off the UI thread: a stat and a tiny read, but a sync client may hold a lock."""
        change = self.session.file_watch.poll()
        if change is not None:
            self.call_from_thread(self.reload_from_disk, replaced=change.replaced)
            self._send_conflict_copies()

    def action_reload(self) -> None:
        self.reload_from_disk(replaced=True)

    def reload_from_disk(self, *, replaced: bool) -> None:
        """Show what the file holds now; reopen it when it is another file (a synced copy)."""
        if replaced:
            try:
                self.session.reopen_store()
            except StoreError as error:
                self.notify(str(error), severity="error", markup=False)
                return
        if isinstance(self.screen, WelcomeScreen) and self._has_papers():
            self.pop_screen()
        self.session.index.catch_up_later()
        self.main.store_changed()
        self.catch_up()

    @work(thread=True, exclusive=True, group="catch-up")
    def catch_up(self) -> None:
        index = self.session.index
        try:
            with index.lock:
                updated = index.catch_up_now()
        except Exception:  # the next search reports an unusable index
            updated = None
        self.call_from_thread(self._caught_up, updated)

    def _caught_up(self, updated: int | None) -> None:
        if updated is None:
            self.notify("Reloaded the database from disk.")
        elif updated:
            self.notify(f"{plural(updated, 'paper')} updated from disk")
        self.main.refill(recount=True)

    # -- the shared file -------------------------------------------------------------------

    @work(thread=True, group="synced-folder")
    def _warn_if_in_a_synced_folder(self) -> None:
        """Off the UI thread: it walks up the folders, and may ask git."""
        warning = synced_folder_warning(self.session.db_path)
        if warning:
            self.call_from_thread(
                self.notify, warning, severity="warning", timeout=20, markup=False
            )

    @work(thread=True, exclusive=True, group="shared-sync")
    def _sync_shared_file(self) -> None:
        """Merge the shared file in and publish, in a child process (see `shared_sync`)."""
        outcome = self.session.shared_sync.run()
        self.call_from_thread(self._shared_file_synced, outcome)

    def _shared_file_synced(self, outcome: SyncOutcome) -> None:
        session = self.session
        session.shared_sync.running = False
        for before, after in outcome.writes:
            session.writes.record(before, after)
        session.file_watch.accept()
        try:
            session.shared_sync.refresh(session.store)
        except StoreError as error:
            outcome.error = outcome.error or str(error)
        if outcome.changed:
            session.index.papers_changed(outcome.changed)
            self.main.store_changed()
            self.notify(
                f"{plural(len(outcome.changed), 'paper')} updated from the shared file",
                markup=False,
            )
        for line in outcome.lines:
            if line.startswith("skipped ") and line not in self._sync_warnings_shown:
                self._sync_warnings_shown.add(line)  # once a session: it is said at every sync
                self.notify(line, severity="warning", markup=False)
        if outcome.error:
            self.notify(f"Sync: {outcome.error}", severity="error", markup=False)

    # -- conflict copies left by sync clients -----------------------------------------------

    @work(thread=True, exclusive=True, group="conflict-copies")
    def look_for_conflict_copies(self) -> None:
        self._send_conflict_copies()

    def _send_conflict_copies(self) -> None:
        """On a worker thread: list the folder, offer what is there on the UI thread."""
        copies = find_conflict_copies(self.session.db_path)
        if copies:
            self.call_from_thread(self.offer_conflict_copies, copies)

    def offer_conflict_copies(self, copies: list[Path]) -> None:
        """Ask whether to merge them, unless the user already said not now to all of them.

        Never over a dialog (a note being typed): the offer waits until the user is back.
        """
        if self._copies_busy or set(copies) <= self._declined_copies:
            self._waiting_copies = []
            return
        if self.screen is not self.main and not isinstance(self.screen, WelcomeScreen):
            self._waiting_copies = copies
            return
        self._waiting_copies = []
        self._copies_busy = True

        def answered(merge: bool | None) -> None:
            if merge:
                self.merge_copies(copies)
            else:
                self._declined_copies.update(copies)
                self._copies_busy = False

        self.push_screen(ConflictCopiesOffer(copies), answered)

    @work(thread=True, exclusive=True, group="conflict-copies")
    def merge_copies(self, offered: list[Path]) -> None:
        """Merge every copy beside the DB (its own Store: this is another thread)."""
        try:
            with self.session.open_store() as store:
                reports = merge_conflict_copies(store, dry_run=False)
        except (StoreError, OSError) as error:
            self.call_from_thread(self._copies_merged, [], offered, f"Merge failed: {error}")
            return
        self.call_from_thread(self._copies_merged, reports, offered, None)

    def _copies_merged(
        self, reports: list[MergeReport], offered: list[Path], error: str | None
    ) -> None:
        self._copies_busy = False
        self.session.after_write(changed_papers(reports))
        if error:  # copies merged before the failing one are unknown here: re-read them all
            self.session.index.catch_up_later()
            self._declined_copies.update(offered)  # not offered again this session
        if isinstance(self.screen, WelcomeScreen) and self._has_papers():
            self.pop_screen()
        self.main.store_changed()
        if error:
            self.notify(error, severity="error", markup=False)
        if reports:
            self.notify(merge_summary(reports), markup=False)

    def _has_papers(self) -> bool:
        try:
            return not self.session.read(lambda store: store.is_empty())
        except StoreError:
            return False
