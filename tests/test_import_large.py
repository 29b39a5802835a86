"""A large import into a small store drops the read indexes its random ids would scatter writes
over, and makes them again at its end: the same file as an import that kept them."""

import shutil
from pathlib import Path

import pytest
from store_contents import contents

import triage.store.batches
from triage.importers.dump import import_paths
from triage.store import Store
from triage.store.batches import DEFERRED_INDEXES

SAMPLES = Path(__file__).parents[1] / "sample_dumps"


def schema(store: Store) -> list[tuple]:
    return store.conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
    ).fetchall()


def indexes(store: Store) -> set[str]:
    return {
        row[0] for row in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    }


@pytest.fixture
def dumps(tmp_path):
    folder = tmp_path / "dumps"
    shutil.copytree(SAMPLES, folder)
    return folder


def test_a_large_import_leaves_the_file_an_import_keeping_the_indexes_leaves(
    tmp_path, dumps, monkeypatch
):
    with monkeypatch.context() as patch, Store(tmp_path / "kept.db") as store:
        patch.setattr(triage.store.batches, "DEFER_FROM", 10**12)
        import_paths(store, [dumps])
        expected = schema(store), contents(store)
    monkeypatch.setattr(triage.store.batches, "DEFER_FROM", 1)
    with Store(tmp_path / "deferred.db") as store:
        seen: list[set[str]] = []
        add_papers = store.add_papers
        monkeypatch.setattr(
            store, "add_papers", lambda *a, **k: seen.append(indexes(store)) or add_papers(*a, **k)
        )
        import_paths(store, [dumps])
        assert (schema(store), contents(store)) == expected
    assert seen and all(not set(DEFERRED_INDEXES) & present for present in seen)


def test_a_small_import_into_a_larger_store_keeps_them(tmp_path, dumps, monkeypatch):
    monkeypatch.setattr(triage.store.batches, "DEFER_FROM", 1)
    with Store(tmp_path / "library.db") as store:
        import_paths(store, [dumps / "daily-nov-20.txt", dumps / "daily-nov-21.txt"])
        seen: list[set[str]] = []
        add_papers = store.add_papers
        monkeypatch.setattr(
            store, "add_papers", lambda *a, **k: seen.append(indexes(store)) or add_papers(*a, **k)
        )
        import_paths(store, [dumps / "compact-nov-22.txt"])
    assert seen and all(set(DEFERRED_INDEXES) <= present for present in seen)


def test_an_import_stopped_midway_still_leaves_them_or_the_next_open_makes_them(
    tmp_path, dumps, monkeypatch
):
    monkeypatch.setattr(triage.store.batches, "DEFER_FROM", 1)
    path = tmp_path / "library.db"
    with Store(path) as store:
        monkeypatch.setattr(
            store, "add_papers", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt)
        )
        with pytest.raises(KeyboardInterrupt):
            import_paths(store, [dumps])
        assert set(DEFERRED_INDEXES) <= indexes(store)
        assert store.count() == 0
        store._drop_indexes(DEFERRED_INDEXES)  # as if the process was killed meanwhile
    with Store(path) as store:
        assert set(DEFERRED_INDEXES) <= indexes(store)
