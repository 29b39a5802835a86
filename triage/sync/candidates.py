"""Files that may be merged into the working copy: the shared file and its conflict copies.

A sync client may be writing such a file at any moment, and a stray journal may lie beside it.
So a candidate is never opened where it lies: its bytes are copied to a private file first,
and only that copy is checked (intact, a triage DB, not newer, of this library) and merged.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from triage.core.paths import data_dir
from triage.store import StoreError
from triage.store.snapshot import CopyFacts, check_copy


@dataclass(frozen=True)
class Fingerprint:
    """How a file looked: a sync client replacing it changes at least one of these."""

    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Fingerprint | None:
        try:
            status = path.stat()
        except OSError:
            return None
        return cls(status.st_ino, status.st_size, status.st_mtime_ns)

    def dump(self) -> str:
        return f"{self.inode}:{self.size}:{self.mtime_ns}"

    @classmethod
    def load(cls, text: str | None) -> Fingerprint | None:
        try:
            inode, size, mtime = (int(part) for part in (text or "").split(":"))
        except ValueError:
            return None
        return cls(inode, size, mtime)


@dataclass(frozen=True)
class Candidate:
    path: Path
    """The file as found."""
    private: Path
    """Its bytes, copied where nobody else writes."""
    seen: Fingerprint
    """How the file looked before its bytes were copied."""
    facts: CopyFacts


class Skipped(StoreError):
    """A file that is not merged: one line naming it and why. Never replaced by a publish:
    it may be another library's file, or not triage's at all."""


class Damaged(Skipped):
    """A triage file that is not intact (torn mid-copy): not merged, but may be replaced."""


@contextmanager
def taken(path: Path) -> Iterator[Candidate]:
    """A private, checked copy of ``path`` for as long as the block runs; raises Skipped."""
    seen = Fingerprint.of(path)
    if seen is None:
        raise Skipped(f"{path}: no such file")
    folder = data_dir() / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix="copy-", suffix=".db", dir=folder)
    os.close(handle)
    private = Path(name)
    try:
        try:
            shutil.copyfile(path, private)
        except OSError as error:
            raise Damaged(f"{path}: cannot read: {error.strerror or error}") from None
        facts = check_copy(private, error=Skipped, damaged=Damaged)
        yield Candidate(path, private, seen, facts)
    except Skipped as error:
        # the check names the private copy: name the file the user knows
        raise type(error)(str(error).replace(str(private), str(path))) from None
    finally:
        private.unlink(missing_ok=True)
