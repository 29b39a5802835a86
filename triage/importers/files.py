"""Which files an import reads, and reading one safely.

A path may name anything: a FIFO or a device would hang the import or grow it without bound,
so only regular files are read, and at most :data:`MAX_FILE_BYTES` of them.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

MAX_FILE_BYTES = 64_000_000
"""A day of Daily Papers is about 150 kB: this is a year of days concatenated, and then some."""

IMPORTED_SUFFIXES = (".txt", ".json")
"""What a directory's files are imported by (any case): text dumps, and saved API responses."""

_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


class UnreadableFile(Exception):
    """The file cannot be read as an import: one line naming it."""


def read_limited(path: Path) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file of at most :data:`MAX_FILE_BYTES`, and its status.

    Anything else is refused before it is opened (opening a FIFO waits for a writer).
    """
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            raise UnreadableFile(f"{path}: is a directory")
        if not stat.S_ISREG(status.st_mode):
            kind = next((name for test, name in _KINDS if test(status.st_mode)), "not a file")
            raise UnreadableFile(f"{path}: {kind}, not a regular file; nothing imported")
        if status.st_size > MAX_FILE_BYTES:
            raise UnreadableFile(_too_large(path))
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise UnreadableFile(f"{path}: cannot read: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:  # it grew since
        raise UnreadableFile(_too_large(path))
    return data, status


def _too_large(path: Path) -> str:
    return f"{path}: larger than {MAX_FILE_BYTES / 1e6:g} MB, not a Daily Papers dump"


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; a directory becomes every ``*.txt`` and ``*.json`` in it and in its
    subfolders (any case, hidden ones left out, symbolic links to folders not followed), by
    path."""
    files: list[Path] = []
    for path in map(Path, paths):
        if not path.is_dir():
            files.append(path)
            continue
        found: list[Path] = []
        for folder, subfolders, names in os.walk(path):
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
            found.extend(
                Path(folder) / name
                for name in names
                if name.lower().endswith(IMPORTED_SUFFIXES) and not name.startswith(".")
            )
        files.extend(sorted(found, key=lambda file: file.relative_to(path).parts))
    return files


def total_bytes(paths: Iterable[Path]) -> int:
    """Their bytes, as far as they can be read (the import reports those that cannot)."""
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            total += path.stat().st_size
    return total
