"""Noticing outside changes to the DB file: a sync client, `git pull` or another terminal."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from triage.store import WriteLog, read_change_token


@dataclass(frozen=True)
class DiskChange:
    replaced: bool
    """The path now names a different file (a sync client or `mv` put a copy there): reopen."""


@dataclass(frozen=True)
class _Seen:
    device: int
    inode: int
    size: int
    mtime_ns: int
    token: str | None


class FileWatch:
    """Tells whether the DB file changed on disk since it was last seen.

    ``poll()`` costs one stat and one short read-only query of the change token, so it can run
    every second. ``writes`` is the log of the stores whose writes are this program's own:
    they are never reported. Call ``accept()`` after them so the next poll starts from there.
    """

    def __init__(self, db_path: str | os.PathLike[str], writes: WriteLog):
        self.path = Path(db_path).expanduser()
        self.writes = writes
        self._lock = threading.Lock()
        self._seen = self._look()

    def accept(self) -> None:
        """Take the file as seen, unless someone else changed it since the last look."""
        seen = self._look()
        with self._lock:
            if seen is not None and self._seen is not None and self._only_ours(self._seen, seen):
                self._seen = seen

    def poll(self) -> DiskChange | None:
        """Safe from any thread; this process's own writes are never reported."""
        now_seen = self._look()
        if now_seen is None:  # missing or unreadable mid-sync: look again next time
            return None
        with self._lock:
            before, self._seen = self._seen, now_seen
        if before is None or now_seen == before:
            return None
        if self._only_ours(before, now_seen):
            return None
        replaced = (now_seen.device, now_seen.inode) != (before.device, before.inode)
        return DiskChange(replaced=replaced)

    def _only_ours(self, before: _Seen, after: _Seen) -> bool:
        same_file = (before.device, before.inode) == (after.device, after.inode)
        return same_file and self.writes.leads(before.token, after.token)

    def _look(self) -> _Seen | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        token = read_change_token(self.path)
        if token is None:
            return None
        return _Seen(stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, token)
