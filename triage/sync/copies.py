"""Conflict copies that sync clients leave beside the DB: found, merged, moved aside."""

from __future__ import annotations

import os
import re
from pathlib import Path
from stat import S_ISREG

from triage.core.files import rename_no_replace
from triage.store import Store
from triage.sync.errors import SyncError
from triage.sync.merge import MergeReport, merge

MERGED_FOLDER = "merged"


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
            rename_no_replace(path, target)
        except FileExistsError:
            continue
        except OSError as error:
            raise SyncError(f"{path}: cannot move to {target}: {error.strerror}") from None
        return target
    raise SyncError(f"{path}: {folder} already holds too many copies of it")


def merge_conflict_copies(store: Store, *, dry_run: bool = False) -> list[MergeReport]:
    """Merge every conflict copy beside the store's file, then move each one aside."""
    reports = []
    for copy in find_conflict_copies(store.path):
        report = merge(store, copy, dry_run=dry_run)
        if not dry_run:
            move_aside(copy)
        reports.append(report)
    return reports
