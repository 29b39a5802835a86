"""The built-in views paint at launch straight from SQLite, before the search index is open:
they must list exactly the papers, in exactly the order, that the index gives once it is open."""

from __future__ import annotations

import sqlite3

import pytest

from triage.importers.dump import import_paths
from triage.search import SearchIndex
from triage.store import READ_INDEXES, Store
from triage.store.id_column import IdColumn

SAMPLES = "sample_dumps"
VIEWS = ["", "is:starred", "state:inbox", "state:reading", "state:read", "state:archived"]


@pytest.fixture
def library(tmp_path):
    path = tmp_path / "library.db"
    with Store(path) as store:
        import_paths(store, [SAMPLES])
        ids = store.ids_newest_first()
        store.mark(ids[0:3], star=True)  # starred papers keep the default state (inbox)
        store.mark(ids[2:5], state="reading")
        store.mark(ids[5:7], state="read")
        store.mark(ids[7:9], state="archived", star=True)
        store.mark(ids[9:11], add_tags=["to-read"])  # annotated, state untouched
        store.mark(ids[4:5], state="inbox")  # back to the inbox after reading
    return path


@pytest.mark.usefixtures("whoosh_mode")
@pytest.mark.parametrize("view", VIEWS)
def test_a_built_in_view_from_sqlite_lists_what_the_index_lists(library, view):
    with Store(library) as store:
        quick = store.view_ids(view)
        packed = store.view_id_column(view)  # what the app holds at launch
    index = SearchIndex.open(library)
    try:
        searched = list(index.search(view).ids)
    finally:
        index.close()
    assert quick == searched
    assert quick  # every view has papers in this library
    assert packed is not None
    assert list(packed) == searched and len(packed) == len(searched)
    assert [packed.index(paper) for paper in searched] == list(range(len(searched)))
    assert packed[1:3] == searched[1:3] and packed[-1] == searched[-1]


def test_views_that_need_words_are_left_to_the_index(library):
    with Store(library) as store:
        assert store.view_ids("diffusion") is None
        assert store.view_ids("state:inbox diffusion") is None


def test_an_older_file_gains_the_order_index_and_keeps_its_papers(library):
    with sqlite3.connect(library) as conn:
        for name in READ_INDEXES:
            conn.execute(f"DROP INDEX {name}")
    with Store(library) as store:
        assert store.count() == 22
        assert len(store.view_ids("state:inbox")) == 22 - 2 - 2 - 2  # reading, read, archived
    with sqlite3.connect(library) as conn:
        names = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
    assert set(READ_INDEXES) <= names


@pytest.mark.parametrize("view", VIEWS)
def test_the_first_rows_of_a_view_are_its_first_papers(library, view):
    with Store(library) as store:
        assert store.view_ids(view, limit=3) == store.view_ids(view)[:3]


def test_a_packed_list_finds_only_whole_ids():
    """An id that is a piece of two neighbours (or of a longer one) is not in the list."""
    packed = IdColumn.of(["ab", "cd", "abc", "e"], chunk=3)
    assert list(packed) == ["ab", "cd", "abc", "e"]
    assert packed.index("abc") == 2 and packed.index("e") == 3
    assert "bc" not in packed and "b" not in packed and "ce" not in packed
    with pytest.raises(ValueError):
        packed.index("abc", 0, 2)


def test_ids_of_one_length_are_packed_without_offsets_and_found_the_same():
    ids = ["0a1b", "2c3d", "4e5f", "a1b2"]
    packed = IdColumn.of(ids, chunk=3)
    assert list(packed) == ids and packed[2] == "4e5f" and packed.take([3, 0]) == ["a1b2", "0a1b"]
    assert packed.index("a1b2") == 3 and "1b2c" not in packed and "b2" not in packed
