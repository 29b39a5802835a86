"""File operations with the guarantees a synced folder needs."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def rename_no_replace(source: Path, target: Path) -> None:
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


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Replace ``path`` with ``data`` in one step (see :func:`atomic_file`). Returns the path
    actually replaced; raises OSError."""
    with atomic_file(path) as (handle, target):
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return target


@contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[tuple[BinaryIO, Path]]:
    """(a file to write, the path it replaces): ``path`` is replaced with what was written, in
    one step, when the block ends; if the block raises (a full disk, Ctrl-C), ``path`` is left
    as it was. A reader (or a sync client) sees the old file or the new one, never half of it,
    even after a crash, however long the writing takes.

    The data goes to a uniquely named temporary in the target's folder, is fsynced, renamed over
    the target, and the folder is fsynced so the rename survives a power cut. A symlink is
    written through (its target is replaced, the link stays); an existing file keeps its
    permissions. A target that is not a regular file (a FIFO, a device, ``/dev/stdout``) is
    written in place: it cannot be renamed over. Raises OSError.
    """
    target = Path(path).expanduser()
    if target.is_symlink() or target.exists():
        target = target.resolve()
        if target.exists() and not target.is_file():
            with target.open("wb") as handle:
                yield handle, target
            return
    mode = target.stat().st_mode & 0o7777 if target.exists() else None
    descriptor, temporary_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    temporary = Path(temporary_name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle, target
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes 0600 files: give the new file what a plain open would have
        os.chmod(temporary, mode if mode is not None else 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_folder(target.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (where the platform allows it)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:  # some file systems cannot sync a directory: the rename is done anyway
        pass
    finally:
        os.close(descriptor)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
