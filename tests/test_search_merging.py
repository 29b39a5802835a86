"""A write of a few papers merges small segments as Whoosh would, but never rewrites the
thousands of papers that bulk writes leave in segments of their own: that merge runs in the
commit (closing the app's index, a `triage mark`), and took 8.8 s at 100,000 papers."""

from __future__ import annotations

import pytest
from whoosh.filedb.filestore import FileStorage

from triage.search import SearchIndex, textindex
from triage.search.analysis import make_schema
from triage.store import Store


def _index_with_segments(directory, sizes: list[int]):
    ix = FileStorage(str(directory)).create_index(make_schema())
    number = 0
    for size in sizes:
        writer = ix.writer()
        for _ in range(size):
            number += 1
            writer.add_document(id=f"p{number}", title=f"Paper {number}", abstract="diffusion")
        writer.commit(merge=False)
    return ix


def _write_one_paper(ix) -> None:
    writer = ix.writer()
    writer.add_document(id="new", title="A new paper", abstract="diffusion")
    writer.commit(mergetype=textindex._merge_small_segments)


def _segment_sizes(ix) -> list[int]:
    with ix.reader() as reader:
        return sorted(leaf.doc_count_all() for leaf, _ in reader.leaf_readers())


def test_a_few_papers_written_after_many_segments_do_not_rewrite_them(tmp_path, monkeypatch):
    monkeypatch.setattr(textindex, "MERGED_AT_MOST", 100)
    # Whoosh's own policy would merge these ten into one segment of 300 papers
    ix = _index_with_segments(tmp_path, [30] * 10)
    _write_one_paper(ix)
    assert _segment_sizes(ix) == [1] + [30] * 10
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 301


def test_many_tiny_segments_are_still_merged_into_one(tmp_path):
    ix = _index_with_segments(tmp_path, [1] * 6)
    _write_one_paper(ix)
    assert _segment_sizes(ix) == [1, 6]  # the segment just written stays apart, as in Whoosh


@pytest.mark.usefixtures("whoosh_mode")
def test_bulk_changes_from_elsewhere_leave_few_segments_and_every_paper_found(tmp_path):
    """Each catch-up of hundreds of papers another process marked is a bulk write: the
    papers of the smaller segments are written again with it, so segments stay few."""
    path = tmp_path / "library.db"
    with Store(path) as store:
        store.add_papers(
            [(f"Paper {n}", f"Abstract number {n} about diffusion.") for n in range(700)],
            source="d.txt",
            listed_on="2026-11-01",
        )
        ids = store.ids_newest_first()
    index = SearchIndex.open(path)
    try:
        with Store(path) as other:
            for round_ in range(6):
                marked = ids[round_ * 100 : round_ * 100 + 250]  # overlapping rounds
                other.mark(marked, add_tags=[f"round-{round_}"])
                index.catch_up()
                segments = len(list(index.text.directory.glob("*.seg")))
                assert segments <= 3, round_
                assert {*index.search(f"tag:round-{round_}").ids} == {*marked}
        assert index.search("diffusion").total == 700
    finally:
        index.close()
