"""When the app syncs its working copy with the shared file, and running that sync.

The app merges the shared file when it starts and whenever the file changes, and publishes a
few seconds after its own changes (at most every ``PUBLISH_EVERY`` seconds while changes wait),
and at quit. Each sync runs in a process of its own (:mod:`.sync_process`), so typing never
waits for a merge or a publish; at quit that process is left to finish on its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from triage.store import Store
from triage.sync.candidates import Fingerprint
from triage.sync.shared import SharedFile

PUBLISH_EVERY = 5.0
"""Seconds between publishes while local changes wait (a burst of marks is one publish)."""


@dataclass
class SyncOutcome:
    changed: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    refused: str | None = None
    error: str | None = None
    writes: list[tuple[str | None, str]] = field(default_factory=list)


class BackgroundSync:
    """Decides when a sync is due; runs it (on a worker thread) in a child process."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.shared: Path | None = None
        self._seen: Fingerprint | None = None
        self._changes_waiting = False
        self._last_started = -PUBLISH_EVERY
        self.running = False

    def refresh(self, store: Store) -> None:
        """Read what the working copy says of its shared file (at start, after each sync)."""
        shared = SharedFile(store)
        self.shared = shared.path
        self._seen = Fingerprint.of(self.shared) if self.shared and not shared.changed() else None
        self._changes_waiting = self.shared is not None and shared.waiting()

    def local_change(self) -> None:
        self._changes_waiting = True

    def due(self) -> bool:
        """Cheap (a stat): whether to start a sync now."""
        if self.shared is None or self.running:
            return False
        if Fingerprint.of(self.shared) != self._seen:
            return True
        return self._changes_waiting and time.monotonic() - self._last_started >= PUBLISH_EVERY

    def run(self) -> SyncOutcome:
        """One sync, to its end (call on a worker thread, after setting ``running``)."""
        self._last_started = time.monotonic()
        self._changes_waiting = False  # changes made from now on wait for the next one
        try:
            child = subprocess.run(
                [sys.executable, "-m", "triage.tui.sync_process", str(self.db_path)],
                capture_output=True,
                text=True,
                check=False,
            )
            answer = json.loads(child.stdout) if child.stdout.strip() else {}
        except (OSError, ValueError) as error:
            return SyncOutcome(error=f"sync did not run: {error}")
        if not answer:
            last = (child.stderr.strip().splitlines() or ["no answer"])[-1]
            return SyncOutcome(error=f"sync failed: {last}")
        return SyncOutcome(
            changed=list(answer.get("changed", [])),
            lines=list(answer.get("lines", [])),
            refused=answer.get("refused"),
            error=answer.get("error"),
            writes=[(before, after) for before, after in answer.get("writes", [])],
        )

    def publish_at_quit(self) -> None:
        """Start a last sync if anything waits, and leave it running after the app exits: the
        user's terminal is back at once; a sync cut short loses nothing (the changes stay in
        the working copy for the next one)."""
        if self.shared is None or not (self._changes_waiting or self.running):
            return
        try:
            subprocess.Popen(
                [sys.executable, "-m", "triage.tui.sync_process", str(self.db_path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            pass
