"""A library grown by many imports keeps the index's fast paths: opening rebuilds it once enough
papers came after its last full build."""

from __future__ import annotations

import pytest

from triage.search import SearchIndex, engine
from triage.store import Store

pytestmark = pytest.mark.usefixtures("whoosh_mode")


def papers(start: int, count: int) -> list[tuple[str, str]]:
    return [
        (f"Diffusion study {n}", f"Denoising number {n} of a series.")
        for n in range(start, start + count)
    ]


def grow(path, start: int, count: int) -> None:
    with Store(path) as store:
        store.add_papers(papers(start, count), source=f"day-{start}.txt", listed_on="2026-10-01")


def grown(tmp_path, monkeypatch, rebuild_after: int) -> SearchIndex:
    """A library of 3 papers, indexed, then 30 more imported; opened anew."""
    monkeypatch.setattr(engine, "REBUILD_AFTER", rebuild_after)
    path = tmp_path / "library.db"
    grow(path, 0, 3)
    SearchIndex.open(path).close()
    grow(path, 3, 30)
    return SearchIndex.open(path)


def test_papers_added_since_the_build_are_searched_and_counted(tmp_path, monkeypatch):
    index = grown(tmp_path, monkeypatch, rebuild_after=1_000)
    try:
        assert index.papers_since_build == 30
        assert index.search("denois").total == 33
    finally:
        index.close()


def test_opening_rebuilds_once_many_papers_came_after_the_build(tmp_path, monkeypatch):
    index = grown(tmp_path, monkeypatch, rebuild_after=20)
    try:
        assert index.papers_since_build == 0
        assert index.search("denois").total == 33
        assert index.search('"diffusion stu').total == 33
    finally:
        index.close()
