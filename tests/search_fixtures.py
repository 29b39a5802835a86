"""Shared by the search tests: open an index while watching what it re-indexes."""

from __future__ import annotations

from triage.search import SearchIndex, textindex


def open_watching_writes(library, monkeypatch):
    """The opened index, the ids it wrote to Whoosh, and the progress of any full rebuild."""
    written: list[str] = []
    original = textindex.TextIndex.write
    monkeypatch.setattr(
        textindex.TextIndex,
        "write",
        lambda self, conn, ids: (written.extend(ids), original(self, conn, ids))[1],
    )
    rebuilt: list[int] = []
    index = SearchIndex.open(library, progress=lambda done, total: rebuilt.append(done))
    return index, written, rebuilt
