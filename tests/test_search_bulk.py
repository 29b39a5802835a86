"""The bulk writer's segment reads back as Whoosh's own writer's would (its fast path)."""

from __future__ import annotations

import pytest
from whoosh.filedb.filestore import FileStorage

from triage.search import bulk, fastpaths
from triage.search.analysis import make_schema, words

DOCUMENTS = [
    {"id": "2401.00001", "title": "Diffusion models", "abstract": "we train diffusion models"},
    {"id": "2401.00002", "title": "Robot learning", "abstract": "robots learn from video"},
    {"id": "2401.00001", "title": "A second copy", "abstract": "the same id twice"},
    {"id": "2401.00003", "title": "Video diffusion", "abstract": "diffusion of video models"},
]


def postings_of(directory, documents, make_writer) -> dict[str, dict[str, list[int]]]:
    ix = FileStorage(str(directory)).create_index(make_schema())
    writer = make_writer(ix)
    for document in documents:
        writer.add_document(**document)
    writer.commit()
    with ix.reader() as reader:
        return {
            field: {
                word.decode("utf-8"): list(reader.postings(field, word).all_ids())
                for word in reader.lexicon(field)
            }
            for field in ("id", "title", "abstract")
        }


def test_bulk_written_postings_are_whoosh_s_even_with_an_id_twice(tmp_path):
    if not fastpaths.fast_paths():
        pytest.skip("the bulk writer is used only with the fast paths")
    (tmp_path / "bulk").mkdir()
    (tmp_path / "whoosh").mkdir()
    written = postings_of(tmp_path / "bulk", DOCUMENTS, lambda ix: bulk.BulkWriter(ix, words=words))
    expected = postings_of(tmp_path / "whoosh", DOCUMENTS, lambda ix: ix.writer())
    assert written == expected
    assert written["id"]["2401.00001"] == [0, 2]


def test_long_posting_lists_read_back_as_whoosh_s(tmp_path):
    """Posting blocks of frequent words (gaps under 256, pickled in C), of rarer ones, of a
    word with both (``mixed``), a last block of one document (``tail``), and the postings of
    words in a few documents numbered past 255 and 65,535 (kept in the term table)."""
    if not fastpaths.fast_paths():
        pytest.skip("the bulk writer is used only with the fast paths")
    documents = [
        {
            "id": f"2401.{number:05}",
            "title": " ".join(
                word
                for word, every in (("every", 1), ("third", 3), ("sparse", 300), ("rare", 7000))
                if number % every == 0
            ),
            "abstract": " ".join(
                word
                for word, chosen in (
                    ("gap", number in (5, 6, 700, 70_000, 70_001)),
                    ("mixed", number < 130 or number % 5_000 == 0),
                    ("tail", number < 129),
                    ("few", number in (300, 66_000, 70_999)),
                )
                if chosen
            )
            or "none",
        }
        for number in range(71_000)
    ]
    (tmp_path / "bulk").mkdir()
    (tmp_path / "whoosh").mkdir()
    written = postings_of(tmp_path / "bulk", documents, lambda ix: bulk.BulkWriter(ix, words=words))
    expected = postings_of(tmp_path / "whoosh", documents, lambda ix: ix.writer())
    assert written == expected
    assert len(written["title"]["third"]) == 23_667
    assert written["abstract"]["few"] == [300, 66_000, 70_999]
