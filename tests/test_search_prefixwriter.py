"""A whole build's prefix sets are written by a second process while the segment is written:
the same sets as written in the building process, and a helper that dies only costs time."""

from __future__ import annotations

import json
import logging
import random
import zlib
from pathlib import Path

import pytest

from triage.core.cpu import usable_cores
from triage.core.paths import cache_dir_for
from triage.search import SearchIndex, fastpaths, prefixes, prefixwriter, whoosh_internals
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
    data = (cache_dir_for(library, "index") / prefixes.FILE).read_bytes()
    length = int.from_bytes(data[-8:], "little")
    header = json.loads(data[-8 - length : -8])
    sets = {
        key: zlib.decompress(data[offset : offset + size])
        for key, (offset, size) in header.pop("sets").items()
    }
    return answers, header, sets


def test_the_sets_written_by_a_helper_process_are_those_written_alone(library, monkeypatch):
    monkeypatch.setattr(prefixwriter, "PIECE", 5)  # a first letter sent in many pieces
    with_child = built(library)
    monkeypatch.setattr(prefixwriter, "start", lambda papers: None)
    alone = built(library)
    assert with_child == alone
    assert "title:lang" in with_child[2] and "fixed=model" in with_child[2]  # sets were compared


def test_a_helper_process_that_dies_mid_build_costs_only_time(library, monkeypatch, caplog):
    expected = built(library)
    # the child reads where to write and the first piece, then dies without answering
    dying = "import pickle, sys\nfor _ in range(3): pickle.load(sys.stdin.buffer)\nsys.exit(3)\n"
    monkeypatch.setattr(prefixwriter, "_CHILD", dying)
    monkeypatch.setattr(prefixwriter, "PIECE", 5)
    with caplog.at_level(logging.WARNING, logger="triage.search.bulk"):
        assert built(library) == expected
    assert "prefix sets' process failed" in caplog.text
    assert list(cache_dir_for(library, "index").glob("*.tmp")) == []


def test_a_build_that_fails_stops_the_helper_process(library, monkeypatch):
    started: list[prefixwriter.SetsChild] = []
    start = prefixwriter.start

    def watched(papers: int) -> prefixwriter.SetsChild | None:
        child = start(papers)
        if child is not None:
            started.append(child)
        return child

    def failing(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(prefixwriter, "start", watched)
    monkeypatch.setattr(whoosh_internals, "_write_field", failing)
    with pytest.raises(OSError, match="disk full"):
        SearchIndex.open(library, rebuild=True)
    assert started and all(child.child.process.poll() is not None for child in started)
    assert list(cache_dir_for(library, "index").parent.glob("*.building-*")) == []


def test_sets_of_few_rows_are_those_made_a_byte_per_row(library, monkeypatch):
    # the sets made in this process (the settings are this process's)
    monkeypatch.setattr(prefixwriter, "start", lambda papers: None)
    monkeypatch.setattr(prefixes, "FEW_ROWS_SHARE", 0)  # every set a byte per row
    byte_per_row = built(library)
    monkeypatch.setattr(prefixes, "FEW_ROWS_SHARE", 10**9)  # every set a bit at a time
    assert built(library) == byte_per_row


def test_a_library_past_the_helpers_limit_writes_its_sets_in_the_building_process(
    library, monkeypatch
):
    expected = built(library)
    started: list[int] = []
    helper = prefixwriter.SetsChild

    def counted() -> prefixwriter.SetsChild:
        started.append(1)
        return helper()

    monkeypatch.setattr(prefixwriter, "SetsChild", counted)
    monkeypatch.setattr(prefixwriter, "CHILD_PAPERS", 79)  # the library has 80 papers
    assert built(library) == expected
    assert started == []
    monkeypatch.setattr(prefixwriter, "CHILD_PAPERS", 80)
    assert built(library) == expected
    assert started == ([1] if usable_cores() > 1 else [])
