"""Where triage keeps things: the DB (user data dir, or anywhere the user syncs), caches and config.

Caches and config never live beside the DB: the DB folder may be synced, they must not be.
Environment variables let tests and power users relocate everything.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

APP_NAME = "triage"


def _overridable(variable: str, kind: str) -> Path:
    """``$variable`` if set, else platformdirs' ``user_<kind>_dir`` for triage."""
    if env := os.environ.get(variable):
        return Path(env).expanduser()
    import platformdirs  # ~9 ms (tempfile, shutil): not paid when the variable says where

    default: Callable[[str], str] = getattr(platformdirs, f"user_{kind}_dir")
    return Path(default(APP_NAME))


def data_dir() -> Path:
    """This machine's own data (the working copy, backups, recovery files): never synced.
    `$TRIAGE_DATA_DIR`, else the platformdirs user data dir."""
    return _overridable("TRIAGE_DATA_DIR", "data")


def state_dir() -> Path:
    """Logs (a crash's traceback): `$TRIAGE_STATE_DIR`, else the platformdirs user state dir."""
    return _overridable("TRIAGE_STATE_DIR", "state")


def machine_id() -> str:
    """This machine's id (made once, kept in the data dir): each machine keeps its own sync
    settings in a working copy, under this id."""
    path = data_dir() / "machine-id"
    try:
        return path.read_text(encoding="ascii").strip() or _new_machine_id(path)
    except (OSError, UnicodeDecodeError):
        return _new_machine_id(path)


def _new_machine_id(path: Path) -> str:
    machine = secrets.token_hex(8)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(machine + "\n", encoding="ascii")
    except OSError:  # a read-only data dir: an id for this run only
        pass
    return machine


def default_db_path() -> Path:
    """`$TRIAGE_DB`, else `triage.db` in the data dir."""
    if env := os.environ.get("TRIAGE_DB"):
        return Path(env).expanduser()
    return data_dir() / "triage.db"


def cache_dir() -> Path:
    return _overridable("TRIAGE_CACHE_DIR", "cache")


def config_dir() -> Path:
    return _overridable("TRIAGE_CONFIG_DIR", "config")


def cache_dir_for(db_path: str | os.PathLike[str], kind: str) -> Path:
    """A per-DB cache folder, keyed by the DB's resolved path."""
    key = hashlib.sha256(str(Path(db_path).expanduser().resolve()).encode()).hexdigest()[:16]
    return cache_dir() / kind / key
