"""Publishing: the working copy, whole, renamed over the shared file.

The shared file is never opened for writing where it lies, so a sync client can copy it at any
moment and no ``-journal`` ever appears beside it. A snapshot is written to a temporary in the
same folder, fsynced, renamed over the shared file, and the folder is fsynced.

The temporary's name, ``~syncthing~NAME.RANDOM.tmp``, is one that every major sync client leaves
alone: Syncthing takes it for its own temporary file, and Dropbox, Nextcloud and OneDrive skip
``~*.tmp`` files. A publish killed midway leaves one behind: the next publish removes it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from triage.core.files import fsync_folder
from triage.core.paths import data_dir
from triage.store import Reader, Store, connect_read_only
from triage.store.connection import write_snapshot
from triage.sync.candidates import Fingerprint
from triage.sync.errors import SyncError

TEMPORARY_PREFIX = "~syncthing~"


@dataclass(frozen=True)
class Published:
    publish_id: str
    token: str | None
    """The working copy's change token as published: changes after it still wait."""
    seen: Fingerprint | None


def temporaries(shared: Path) -> list[Path]:
    """Temporaries a publish of ``shared`` left behind (killed midway)."""
    try:
        return sorted(shared.parent.glob(f"{TEMPORARY_PREFIX}{_glob_escape(shared.name)}.*.tmp"))
    except OSError:
        return []


@contextmanager
def publishing(shared: Path) -> Iterator[None]:
    """One publish of ``shared`` at a time on this machine (the app and a CLI command may
    both publish); the lock lives in the data dir, never in the synced folder."""
    key = hashlib.sha256(str(shared.resolve()).encode()).hexdigest()[:16]
    folder = data_dir() / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"publish-{key}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(store: Store, shared: Path) -> Published:
    """Replace ``shared`` with a snapshot of ``store``; call inside :func:`publishing`."""
    for stale in temporaries(shared):
        stale.unlink(missing_ok=True)
    publish_id = secrets.token_hex(8)
    store.add_publish_ids([publish_id])
    store.pin_note_history()
    temporary = shared.with_name(f"{TEMPORARY_PREFIX}{shared.name}.{secrets.token_hex(4)}.tmp")
    try:
        write_snapshot(store.conn, temporary)
        token = _token_of(temporary)
        os.replace(temporary, shared)
    except (OSError, sqlite3.Error) as error:
        temporary.unlink(missing_ok=True)
        reason = getattr(error, "strerror", None) or error
        raise SyncError(f"{shared}: cannot publish: {reason}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_folder(shared.parent)
    return Published(publish_id, token, Fingerprint.of(shared))


def _token_of(snapshot: Path) -> str | None:
    conn = connect_read_only(snapshot, immutable=True)
    try:
        return Reader(conn).change_token()
    finally:
        conn.close()


def _glob_escape(name: str) -> str:
    return "".join(f"[{char}]" if char in "*?[" else char for char in name)
