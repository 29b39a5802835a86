"""Shared by the search tests: open an index while watching what it re-indexes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from triage.search import SearchIndex, textindex


def open_watching_writes(library, monkeypatch):
    """The opened index, the ids it wrote to Whoosh, and the progress of any full rebuild."""
    written: list[str] = []
    original = textindex.TextIndex.write
    monkeypatch.setattr(
        textindex.TextIndex,
        "write",
        lambda self, conn, ids, *token: (written.extend(ids), original(self, conn, ids, *token))[1],
    )
    rebuilt: list[int] = []
    index = SearchIndex.open(library, progress=lambda done, total: rebuilt.append(done))
    return index, written, rebuilt


def watch_full_comparisons(monkeypatch):
    """A list that gets an entry each time an index compares every paper's version (when the
    store cannot say what changed)."""
    compared: list[bool] = []
    original = textindex.TextIndex.stale
    monkeypatch.setattr(
        textindex.TextIndex,
        "stale",
        lambda self, reader: (compared.append(True), original(self, reader))[1],
    )
    return compared


def index_in_own_cache(home, path, whoosh_mode) -> Iterator[SearchIndex]:
    """For a module-scoped fixture: the library's index, in a cache of its own per Whoosh mode
    (a module's tests share one index, built once in each mode)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRIAGE_CACHE_DIR", str(home / f"cache-{whoosh_mode}"))
        opened = SearchIndex.open(path)
        yield opened
        opened.close()
