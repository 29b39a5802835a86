"""Prefix sets read back from an index's segment (an index Whoosh's own writer built) are those
a whole build writes from its postings."""

from __future__ import annotations

import json
import random
import zlib
from pathlib import Path

import pytest

from triage.core.paths import cache_dir_for
from triage.search import SearchIndex, fastpaths, prefixes, prefixwriter
from triage.search.textindex import INDEX_NAME
from triage.search.whoosh_internals import SegmentStorage
from triage.store import Store

WORDS = ["large", "language", "model", "models", "zero", "shot", "text", "to", "image", "lang"]
QUERIES = ["model", "mod", "l", "la", "lang", "title:text", "ze", "i"]


@pytest.fixture
def library(tmp_path, monkeypatch):
    if not fastpaths.fast_paths():
        pytest.skip("only the bulk writer writes prefix sets from its postings")
    monkeypatch.setattr(prefixes, "DENSE", 3)  # many prefixes stored, some not
    rng = random.Random(11)

    def text(length: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(length))

    path = tmp_path / "library.db"
    with Store(path) as store:
        papers = [(f"Paper {number} {text(3)}", f"{text(12)}.") for number in range(80)]
        store.add_papers(papers, source="one.txt", listed_on="2026-10-01")
    return path


def built(library: Path) -> tuple[dict, dict, dict[str, bytes]]:
    """A fresh build's answers to the queries, and its prefix sets' header and contents."""
    index = SearchIndex.open(library, rebuild=True)
    try:
        answers = {query: list(index.search(query).ids) for query in QUERIES}
    finally:
        index.close()
    return (answers, *read_sets(library))


def read_sets(library: Path) -> tuple[dict, dict[str, bytes]]:
    """The index's prefix sets' header and contents."""
    data = (cache_dir_for(library, "index") / prefixes.FILE).read_bytes()
    length = int.from_bytes(data[-8:], "little")
    header = json.loads(data[-8 - length : -8])
    sets = {
        key: zlib.decompress(data[offset : offset + size])
        for key, (offset, size) in header.pop("sets").items()
    }
    return header, sets


def test_the_sets_read_back_from_an_index_are_those_written_by_its_build(library):
    written = built(library)
    index_dir = cache_dir_for(library, "index")
    (index_dir / prefixes.FILE).unlink()
    storage = SegmentStorage(str(index_dir))
    prefixwriter.sets_from_index(storage, INDEX_NAME, index_dir / prefixes.FILE)
    assert read_sets(library) == written[1:]
    assert "title:lang" in written[2] and "fixed=model" in written[2]  # sets were compared


def test_sets_of_few_rows_are_those_made_a_byte_per_row(library, monkeypatch):
    monkeypatch.setattr(prefixes, "FEW_ROWS_SHARE", 0)  # every set a byte per row
    byte_per_row = built(library)
    monkeypatch.setattr(prefixes, "FEW_ROWS_SHARE", 10**9)  # every set a bit at a time
    assert built(library) == byte_per_row
