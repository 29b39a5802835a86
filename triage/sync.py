"""Living with sync clients: notice outside changes, find their conflict copies, back up safely."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

import platformdirs

from triage.merge import MergeReport, merge
from triage.paths import APP_NAME
from triage.store import (
    Store,
    StoreError,
    check_sqlite_file,
    connect_read_only,
    only_own_writes,
)

MERGED_FOLDER = "merged"


class SyncError(StoreError):
    """A backup or move that cannot be done (one line, names the file)."""


# -- noticing outside changes -------------------------------------------------------------


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
    every second. Call ``accept()`` after your own writes so they are not reported.
    """

    def __init__(self, db_path: str | os.PathLike[str]):
        self.path = Path(db_path).expanduser()
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

    @staticmethod
    def _only_ours(before: _Seen, after: _Seen) -> bool:
        same_file = (before.device, before.inode) == (after.device, after.inode)
        return same_file and only_own_writes(before.token, after.token)

    def _look(self) -> _Seen | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        token = read_change_token(self.path)
        if token is None:
            return None
        return _Seen(stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, token)


def read_change_token(path: Path) -> str | None:
    """The DB's change token through a short-lived read-only connection; None if unreadable now."""
    try:
        conn = connect_read_only(path, timeout=0.2)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'change_token'").fetchone()
        return row[0] if row else ""
    except sqlite3.Error:
        return None
    finally:
        conn.close()


# -- conflict copies ----------------------------------------------------------------------


def _conflict_patterns(stem: str, suffix: str) -> list[re.Pattern[str]]:
    name, ext = re.escape(stem), re.escape(suffix)
    return [
        # Dropbox: "triage (Ana's conflicted copy 2026-11-23).db", also "(… (1))";
        # Nextcloud/ownCloud: "triage (conflicted copy 2026-11-23 101500).db".
        re.compile(rf"{name} \([^/]*conflicted copy[^/]*\){ext}", re.I),
        # Syncthing: "triage.sync-conflict-20261123-101500-ABCDEFG.db".
        re.compile(rf"{name}\.sync-conflict-\d{{8}}-\d{{6}}-[A-Z0-9]{{7}}{ext}"),
        # ownCloud (older clients): "triage_conflict-20261123-101500.db".
        re.compile(rf"{name}_conflict-\d{{8}}-\d{{6}}{ext}"),
        # iCloud Drive: "triage 2.db".
        re.compile(rf"{name} \d+{ext}"),
    ]


def find_conflict_copies(db_path: str | os.PathLike[str]) -> list[Path]:
    """Conflict copies of the DB that sync clients left beside it, oldest first."""
    db_path = Path(db_path).expanduser()
    patterns = _conflict_patterns(db_path.stem, db_path.suffix)
    try:
        entries = list(db_path.parent.iterdir())
    except OSError:
        return []
    found = {}
    for entry in entries:
        if entry.name == db_path.name or not any(p.fullmatch(entry.name) for p in patterns):
            continue
        try:
            stat = entry.stat()
        except OSError:  # gone already (the sync client renamed it)
            continue
        if S_ISREG(stat.st_mode):
            found[entry] = (stat.st_mtime_ns, entry.name)
    return sorted(found, key=found.__getitem__)


def is_conflict_copy(db_path: str | os.PathLike[str], path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a sync client's conflict copy of ``db_path`` (beside it)."""
    db_path, path = Path(db_path).expanduser(), Path(path).expanduser()
    return path.resolve() in {copy.resolve() for copy in find_conflict_copies(db_path)}


def move_aside(path: str | os.PathLike[str]) -> Path:
    """Move a merged copy into a ``merged/`` folder beside it; never deletes or overwrites."""
    path = Path(path)
    folder = path.parent / MERGED_FOLDER
    try:
        folder.mkdir(exist_ok=True)
    except OSError as error:
        raise SyncError(f"{folder}: cannot create: {error.strerror}") from None
    for attempt in range(1, 1000):
        target = folder / (path.name if attempt == 1 else f"{path.stem} ({attempt}){path.suffix}")
        try:
            _rename_no_replace(path, target)
        except FileExistsError:
            continue
        except OSError as error:
            raise SyncError(f"{path}: cannot move to {target}: {error.strerror}") from None
        return target
    raise SyncError(f"{path}: {folder} already holds too many copies of it")


def _rename_no_replace(source: Path, target: Path) -> None:
    """A rename that fails with FileExistsError instead of replacing ``target``."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:  # no hard links here (some synced or FAT folders)
        if target.exists():
            raise FileExistsError(target) from None
        os.rename(source, target)
        return
    os.unlink(source)


def merge_conflict_copies(store: Store, *, dry_run: bool = False) -> list[MergeReport]:
    """Merge every conflict copy beside the store's file, then move each one aside."""
    reports = []
    for copy in find_conflict_copies(store.path):
        report = merge(store, copy, dry_run=dry_run)
        if not dry_run:
            move_aside(copy)
        reports.append(report)
    return reports


# -- backups ------------------------------------------------------------------------------


def backup_dir() -> Path:
    """Where backups go by default: `$TRIAGE_BACKUP_DIR`, else the user data dir (not synced)."""
    if env := os.environ.get("TRIAGE_BACKUP_DIR"):
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME)) / "backups"


def backup(
    db_path: str | os.PathLike[str], dest: str | os.PathLike[str] | None = None
) -> Path:
    """A consistent copy made with SQLite's backup API, safe while triage (or anyone) writes.

    ``dest`` may be a file name or an existing folder; by default a time-stamped file in
    :func:`backup_dir`. An existing file is never overwritten. Returns the path written.
    """
    db_path = Path(db_path).expanduser()
    check_sqlite_file(db_path, SyncError)
    chosen = None if dest is None else Path(dest).expanduser()
    if chosen is None or chosen.is_dir():
        folder = backup_dir() if chosen is None else chosen
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        names = [f"{db_path.stem}-{stamp}{'' if n == 1 else f'-{n}'}{db_path.suffix or '.db'}"
                 for n in range(1, 100)]
        candidates = [folder / name for name in names]
    else:
        candidates = [chosen]
    target = candidates[0]
    if chosen is not None and chosen.exists() and not chosen.is_dir():
        raise SyncError(f"{chosen}: already exists (not overwritten); give another name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SyncError(f"{target.parent}: cannot create: {error.strerror}") from None
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        _copy_with_backup_api(db_path, partial)
        for target in candidates:
            try:
                _rename_no_replace(partial, target)
                return target
            except FileExistsError:
                continue
        raise SyncError(f"{target}: already exists (not overwritten); give another name")
    except sqlite3.Error as error:
        raise SyncError(f"{db_path}: backup failed: {error}") from None
    except OSError as error:
        raise SyncError(f"{target}: cannot write: {error.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)


def _copy_with_backup_api(source: Path, target: Path) -> None:
    src = connect_read_only(source)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)  # one step: the whole copy under one read lock, so it is consistent
        if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("the copy failed its integrity check")
    finally:
        dst.close()
        src.close()
    with target.open("rb") as handle:
        os.fsync(handle.fileno())
