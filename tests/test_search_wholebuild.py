"""A whole index build splits titles and abstracts in a second process: it builds the index
one process builds alone, and a helper process that dies only costs time."""

from __future__ import annotations

import json
import logging
import pickle
import random
import zlib
from pathlib import Path

import pytest

from triage.core.paths import cache_dir_for
from triage.search import SearchIndex, fastpaths, phrases, prefixes, table, wholebuild
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


def saved_table(library: Path) -> tuple[dict, dict]:
    """What a fresh build leaves of the search table: its copy and its orders."""
    SearchIndex.open(library, rebuild=True).close()
    snapshot = cache_dir_for(library, "index") / table.SNAPSHOT_FILE
    saved = pickle.loads(snapshot.read_bytes())
    orders = pickle.loads(snapshot.with_name(f"{snapshot.name}.orders").read_bytes())
    return saved, orders


def test_the_table_the_helper_process_saves_is_the_one_read_alone(library, monkeypatch):
    with Store(library) as store:
        ids = store.ids_newest_first()
        store.mark(ids[:3], star=True, add_tags=["reading"], note="later")
        store.mark(ids[5:9], state="read")
    with_child = saved_table(library)
    monkeypatch.setattr(wholebuild, "_Splitter", no_child)
    alone = saved_table(library)
    assert with_child[1] == alone[1] and set(alone[1]["orders"]) == {"title", "added"}
    fields = ["ids", "rowids", "last_listed", "starred", "has_note", "state", "tags"]
    assert [pickle.dumps(with_child[0][name]) for name in fields] == [
        pickle.dumps(alone[0][name]) for name in fields
    ]
    # saved again with the index's rows: the next open maps no document
    assert with_child[0]["docrows"] is not None
    assert [list(rows) for rows in with_child[0]["docrows"].values()] == [
        list(rows) for rows in alone[0]["docrows"].values()
    ]


def test_a_table_the_helper_cannot_read_is_left_to_the_index(tmp_path):
    snapshot = tmp_path / table.SNAPSHOT_FILE
    assert not table.save_whole(tmp_path / "no such library.db", snapshot)
    assert not snapshot.exists()
