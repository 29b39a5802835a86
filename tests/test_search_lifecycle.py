"""Opening in unusual states: an empty library, a DB file replaced on disk while open."""

from __future__ import annotations

import os

import pytest

from triage.search import SearchIndex
from triage.store import Store, paper_id

PAPERS = [
    ("Diffusion Models for Video Generation", "We study diffusion in video synthesis."),
    ("Graph Neural Networks at Scale", "Message passing on large graphs."),
]
A, G = (paper_id(title) for title, _ in PAPERS)


def found(index, query):
    return sorted(index.search(query).ids)


@pytest.mark.parametrize("announce", ["papers_changed", "catch_up"])
def test_an_empty_library_opens_and_finds_papers_imported_later(tmp_path, announce):
    path = tmp_path / "library.db"
    index = SearchIndex.open(path)
    try:
        for query in ("", "d", "diffusion", '"video generation"', "is:starred", "sort:title x"):
            result = index.search(query)
            assert (result.total, list(result.ids)) == (0, []), query
            assert "failed" not in (result.hint or ""), query
        with Store(path) as store:
            store.add_papers(PAPERS, source="2026-11-01.txt", listed_on="2026-11-01")
        if announce == "papers_changed":
            index.papers_changed([A, G])
        else:
            assert index.catch_up() == 2
        assert found(index, "diff") == [A]
        assert found(index, "graphs") == [G]
        assert found(index, "") == sorted([A, G])
    finally:
        index.close()
    reopened = SearchIndex.open(path)
    try:
        assert found(reopened, "video") == [A]
    finally:
        reopened.close()
