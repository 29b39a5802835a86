"""Is a file inside a folder that a sync client or git carries between machines?

The working copy must not be: a sync client may copy it in the middle of a write (see the
README's "Using triage on several machines"). Recognised by what each client leaves in the
folders it syncs, or by their usual names.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from triage.core.paths import data_dir
from triage.core.text import strip_control

MARKERS = (  # a file or folder in the synced folder (or above) -> the client's name
    (".stfolder", "Syncthing"),
    (".dropbox", "Dropbox"),
    (".dropbox.cache", "Dropbox"),
    (".nextcloudsync.log", "Nextcloud"),
    (".owncloudsync.log", "ownCloud"),
)
FOLDER_NAMES = (  # a folder's name (its start) -> the client's name
    ("Dropbox", "Dropbox"),
    ("OneDrive", "OneDrive"),
    ("iCloud Drive", "iCloud Drive"),
    ("Mobile Documents", "iCloud Drive"),
    ("Nextcloud", "Nextcloud"),
)


def synced_by(path: Path) -> str | None:
    """The sync client (or "git") whose folder holds ``path``, if any."""
    path = path.expanduser().absolute()
    for folder in path.parents:
        for marker, client in MARKERS:
            if (folder / marker).exists():
                return client
        for name, client in FOLDER_NAMES:
            if folder.name.startswith(name):
                return client
        if (folder / ".git").exists():
            return "git" if _tracked_by_git(path, folder) else None
    return None


def _tracked_by_git(path: Path, work_tree: Path) -> bool:
    """A file git ignores (a scratch DB in a project's clone) never travels."""
    import shutil
    import subprocess  # (only here: every command asks whether its DB is in a synced folder)

    git = shutil.which("git")
    if git is None:
        return True
    try:
        ignored = subprocess.run(
            [git, "-C", str(work_tree), "check-ignore", "-q", str(path)],
            capture_output=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return True
    return ignored.returncode != 0


def synced_folder_warning(db: Path) -> str | None:
    """One line for a DB that lies in a folder a sync client or git carries: it should be a
    local working copy that syncs through a shared file there."""
    client = synced_by(db)
    if client is None:
        return None
    local = data_dir() / "triage.db"
    move = shlex.join(["triage", "--db", str(local), "sync", str(db)])
    return strip_control(
        f"warning: {db} is in a {client} folder, which can copy it in the middle of a write; "
        f"keep the DB local and sync through that file instead: {move}",
        keep_newlines=False,
    )
