"""Backups: a consistent copy made with SQLite's backup API, never overwriting anything."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from triage.core.files import rename_no_replace
from triage.core.paths import data_dir
from triage.store import check_sqlite_file, copy_consistent
from triage.sync.errors import SyncError


def backup_dir() -> Path:
    """Where backups go by default: `$TRIAGE_BACKUP_DIR`, else the user data dir (not synced)."""
    if env := os.environ.get("TRIAGE_BACKUP_DIR"):
        return Path(env).expanduser()
    return data_dir() / "backups"


def backup(db_path: str | os.PathLike[str], dest: str | os.PathLike[str] | None = None) -> Path:
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
        names = [
            f"{db_path.stem}-{stamp}{'' if n == 1 else f'-{n}'}{db_path.suffix or '.db'}"
            for n in range(1, 100)
        ]
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
        copy_consistent(db_path, partial)
        for target in candidates:
            try:
                rename_no_replace(partial, target)
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
