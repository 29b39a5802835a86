"""What the search index holds, kept beside it: the store's change token it is up to date with,
and each paper's version as indexed.

``state.json`` is a JSON header (schema, change token) then the versions as JSON; a rebuild
writes it whole. Each commit then appends to ``journal.txt`` instead of rewriting it: a line
per paper indexed (``id version``; ``id`` alone for one no longer in the store), then
``@token``, the token up to which every change is indexed (``@`` alone: not known). A commit of
k papers writes O(k); once the journal is as long as the versions, the next commit folds it
into ``state.json`` (O(N) once per N papers indexed).

The token is the journal's last one, else the header's. The versions are read only to compare
every paper (when the store cannot say what changed since the token): anything lost or stale
here only makes more papers count as changed, never fewer.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from triage.core.files import atomic_write

JOURNAL_MIN_BYTES = 64 * 1024  # a journal shorter than this is never folded in
TAIL_BYTES = 4096  # the journal's end holds its last token


class IndexState:
    """The state files of one index directory."""

    def __init__(self, directory: Path, schema: int) -> None:
        self.path = directory / "state.json"
        self.journal_path = directory / "journal.txt"
        self.schema = schema

    def token(self) -> tuple[bool, str | None]:
        """(whether the state is of this schema, the change token the index is up to date
        with). Raises OSError or ValueError if the state file is missing or damaged."""
        with self.path.open("rb") as handle:
            header = _header(handle.readline())
        if header.get("schema") != self.schema:
            return False, None
        last = _last_token(self._journal_tail())
        return True, header.get("change_token") if last is None else last[0]

    def versions(self) -> dict[str, str]:
        """Paper -> version as indexed, read now (what another process indexed included); empty
        if unreadable: every paper then counts as changed."""
        try:
            versions = _base_versions(self.path.read_text(encoding="utf-8"), self.schema)
            journal = self.journal_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            journal = ""
        except (OSError, ValueError, TypeError):
            return {}
        for line in _complete_lines(journal):
            if line.startswith("@"):
                continue
            paper, _, version = line.partition(" ")
            if version:
                versions[paper] = version
            else:
                versions.pop(paper, None)
        return versions

    def write(self, path: Path, token: str | None, versions: dict[str, str]) -> None:
        """A whole state (a rebuild's, at ``path`` in its new directory)."""
        header = json.dumps({"schema": self.schema, "change_token": token})
        atomic_write(path, f"{header}\n{json.dumps(versions, separators=(',', ':'))}")

    def indexed(self, versions: dict[str, str | None], token: str | None) -> None:
        """Papers just committed (version None: removed), then the token (see the module).
        Call holding the index's write lock."""
        lines = [
            paper if version is None else f"{paper} {version}"
            for paper, version in versions.items()
        ]
        self._append(lines, token)

    def _append(self, lines: list[str], token: str | None) -> None:
        text = "".join(f"{line}\n" for line in lines) + f"@{token or ''}\n"
        # one write of a file opened to append: a reader sees whole lines or none of them
        descriptor = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(descriptor, text.encode("utf-8"))
            size = os.fstat(descriptor).st_size
        finally:
            os.close(descriptor)
        if size > max(JOURNAL_MIN_BYTES, self.path.stat().st_size):
            self._fold(token)

    def _fold(self, token: str | None) -> None:
        """Write the journal into ``state.json`` and start a new one."""
        self.write(self.path, token, self.versions())
        self.journal_path.unlink(missing_ok=True)

    def _journal_tail(self) -> bytes:
        try:
            with self.journal_path.open("rb") as handle:
                size = handle.seek(0, os.SEEK_END)
                handle.seek(max(0, size - TAIL_BYTES))
                tail = handle.read()
                if size > TAIL_BYTES and _last_token(tail) is None:
                    handle.seek(0)  # a commit of many papers: its token is further back
                    tail = handle.read()
                return tail
        except FileNotFoundError:
            return b""


def _header(first_line: bytes) -> dict:
    header = json.loads(first_line)
    if not isinstance(header, dict):
        raise ValueError("state header is not an object")
    return header


def _base_versions(text: str, schema: int) -> dict[str, str]:
    """The versions of ``state.json`` (a one-line file, the earlier format, has them in its
    header)."""
    first, _, rest = text.partition("\n")
    header = _header(first.encode("utf-8"))
    if header.get("schema") != schema:
        raise ValueError("state of another schema")
    return dict(header["versions"] if "versions" in header else json.loads(rest))


def _complete_lines(text: str) -> list[str]:
    """The journal's lines, without a last one cut short (a commit still appending)."""
    return text.split("\n")[:-1]


def _last_token(tail: bytes) -> tuple[str | None] | None:
    """(the last token the journal names,) or None if ``tail`` names none."""
    for line in reversed(_complete_lines(tail.decode("utf-8", errors="replace"))):
        if line.startswith("@"):
            return (line[1:] or None,)
    return None
