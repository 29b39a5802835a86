"""A whole index build splits titles and abstracts in a second process: it builds the index
one process builds alone, and a helper process that dies only costs time."""

from __future__ import annotations

import json
import logging
import random
import zlib
from pathlib import Path

import pytest

from triage.core.paths import cache_dir_for
from triage.search import SearchIndex, fastpaths, phrases, prefixes, wholebuild
from triage.store import Store

WORDS = ["large", "language", "model", "models", "zero", "shot", "text", "to", "image", "the"]
QUERIES = ["model", "mod", "l", '"large language', "zero-sh", "title:text", '"text to image"']


@pytest.fixture
def library(tmp_path, monkeypatch):
    if not fastpaths.fast_paths():
        pytest.skip("only the bulk writer splits words in a second process")
    monkeypatch.setattr(prefixes, "DENSE", 1)  # store every prefix, even in a small library
    monkeypatch.setattr(wholebuild, "BATCH", 7)  # many batches, the last one short
    rng = random.Random(5)

    def text(length: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(length))

    path = tmp_path / "library.db"
    with Store(path) as store:
        papers = [(f"Paper {number} {text(4)}", f"{text(15)}.") for number in range(60)]
        store.add_papers(papers, source="one.txt", listed_on="2026-10-01")
    return path


def built(library: Path) -> tuple[dict, bytes, dict[str, bytes]]:
    """A fresh build's answers to the queries, its phrase file and its prefix sets."""
    index = SearchIndex.open(library, rebuild=True)
    try:
        answers = {query: list(index.search(query).ids) for query in QUERIES}
    finally:
        index.close()
    directory = cache_dir_for(library, "index")
    data = (directory / prefixes.FILE).read_bytes()
    length = int.from_bytes(data[-8:], "little")
    header = json.loads(data[-8 - length : -8])
    sets = {
        key: zlib.decompress(data[offset : offset + size])
        for key, (offset, size) in header["sets"].items()
    }
    return answers, (directory / phrases.FILE).read_bytes(), sets


def no_child(path: Path) -> None:
    raise OSError("no process may be started here")


def test_the_index_built_with_a_helper_process_is_the_one_built_alone(library, monkeypatch):
    with_child = built(library)
    monkeypatch.setattr(wholebuild, "_Splitter", no_child)
    alone = built(library)
    assert with_child == alone
    assert with_child[0]['"large language'] != []  # the comparison saw papers


def test_a_helper_process_that_dies_mid_build_costs_only_time(library, monkeypatch, caplog):
    expected = built(library)
    # the child reads the first batch, then dies without answering
    dying = "import pickle, sys; pickle.load(sys.stdin.buffer); sys.exit(3)"
    monkeypatch.setattr(wholebuild, "_CHILD", dying)
    with caplog.at_level(logging.WARNING, logger="triage.search.wholebuild"):
        assert built(library) == expected
    assert "words split in this process" in caplog.text
    leftovers = list(cache_dir_for(library, "index").glob("*.tmp"))
    assert leftovers == []


def test_a_helper_process_that_fails_after_the_index_is_written_costs_only_time(
    library, monkeypatch
):
    expected = built(library)

    def failing(self) -> None:
        raise wholebuild.SplitFailed("the phrase file was not written")

    monkeypatch.setattr(wholebuild._Splitter, "wait_for_phrases", failing)
    assert built(library) == expected
    index = SearchIndex.open(library)
    try:  # each paper indexed once: the first attempt's segment is not kept beside the second
        assert index.text.ix.doc_count_all() == 60
    finally:
        index.close()
