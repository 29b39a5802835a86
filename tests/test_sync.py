"""Living with sync clients: outside changes noticed, conflict copies found, backups consistent."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from triage.store import Store, WriteLog, paper_id
from triage.sync.backup import backup
from triage.sync.copies import (
    find_conflict_copies,
    is_conflict_copy,
    merge_conflict_copies,
    move_aside,
)
from triage.sync.errors import SyncError
from triage.sync.watch import DiskChange, FileWatch

TITLES = [f"Synced paper {n}" for n in range(1, 21)]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "sync" / "triage.db"
    with Store(path) as store:
        store.add_papers([(title, "Abstract.") for title in TITLES], source="d.txt", listed_on=None)
    return path


# -- conflict copies ----------------------------------------------------------------------

CONFLICT_COPIES = [
    "triage (Ana's conflicted copy 2026-11-23).db",  # Dropbox
    "triage (Ana Lima's conflicted copy 2026-11-23 (1)).db",  # Dropbox, second one that day
    "triage.sync-conflict-20261123-101500-ABCDEF7.db",  # Syncthing
    "triage (conflicted copy 2026-11-23 101500).db",  # Nextcloud / ownCloud
    "triage_conflict-20261123-101500.db",  # older ownCloud clients
    "triage 2.db",  # iCloud Drive
]
UNRELATED = [
    "triage-old.db",
    "other.db",
    "triage.db.bak",
    "triage.db-journal",
    "triage (conflicted copy 2026-11-23 101500).db-journal",
    "triage.sync-conflict-20261123-101500-ABCDEF7.db-journal",
    "other (Ana's conflicted copy 2026-11-23).db",
    "other.sync-conflict-20261123-101500-ABCDEF7.db",
    "triage 2.txt",
    "triage2.db",
    "triage copy.db",
    "mytriage 2.db",
]


def test_conflict_copies_of_each_sync_client_are_found_and_nothing_else(db):
    for name in CONFLICT_COPIES + UNRELATED:
        (db.parent / name).write_bytes(b"x")
    (db.parent / "triage 3.db").mkdir()  # a folder is never a copy
    found = find_conflict_copies(db)
    assert sorted(path.name for path in found) == sorted(CONFLICT_COPIES)
    assert all(path.parent == db.parent for path in found)


def test_a_database_with_another_name_has_its_own_copies(tmp_path):
    db = tmp_path / "papers.sqlite"
    (tmp_path / "papers.sync-conflict-20261123-101500-ABCDEF7.sqlite").write_bytes(b"x")
    (tmp_path / "triage 2.db").write_bytes(b"x")
    assert [p.name for p in find_conflict_copies(db)] == [
        "papers.sync-conflict-20261123-101500-ABCDEF7.sqlite"
    ]


def test_move_aside_never_overwrites_or_deletes(tmp_path):
    first = tmp_path / "triage 2.db"
    first.write_text("first")
    moved = move_aside(first)
    assert moved == tmp_path / "merged" / "triage 2.db"
    first.write_text("second")
    moved_again = move_aside(first)
    assert moved_again == tmp_path / "merged" / "triage 2 (2).db"
    assert not first.exists()
    assert moved.read_text() == "first" and moved_again.read_text() == "second"


def test_conflict_copies_are_merged_then_moved_aside(db):
    copy = db.parent / "triage.sync-conflict-20261123-101500-ABCDEF7.db"
    shutil.copy(db, copy)
    with Store(copy) as other:
        other.mark([paper_id(TITLES[0])], star=True, add_tags=["from-laptop"])
    with Store(db) as store:
        reports = merge_conflict_copies(store)
        paper = store.get(paper_id(TITLES[0]))
    assert [r.other for r in reports] == [copy]
    assert paper.starred and paper.tags == ["from-laptop"]
    assert not copy.exists()
    assert (db.parent / "merged" / copy.name).exists()
    assert find_conflict_copies(db) == []


def test_a_dry_run_over_conflict_copies_leaves_them_in_place(db):
    copy = db.parent / "triage 2.db"
    shutil.copy(db, copy)
    with Store(db) as store:
        merge_conflict_copies(store, dry_run=True)
    assert find_conflict_copies(db) == [copy]


# -- noticing outside changes -------------------------------------------------------------


def star_in_another_process(db, title):
    code = (
        "import sys; from triage.store import Store, paper_id\n"
        "with Store(sys.argv[1]) as s: s.mark([paper_id(sys.argv[2])], star=True)"
    )
    subprocess.run([sys.executable, "-c", code, str(db), title], check=True)


def test_file_watch_sees_a_write_by_another_process(db):
    watch = FileWatch(db, WriteLog())
    assert watch.poll() is None
    star_in_another_process(db, TITLES[1])
    assert watch.poll() == DiskChange(replaced=False)
    assert watch.poll() is None


def test_file_watch_never_reports_this_process_own_writes_whatever_the_timing(db):
    writes = WriteLog()
    watch = FileWatch(db, writes)
    with Store(db, writes=writes) as store:
        store.mark([paper_id(TITLES[1])], star=True)
        watch.accept()
        assert watch.poll() is None
        # A worker's write the UI has not accepted yet, from another connection of this process.
        with Store(db, writes=writes) as worker:
            worker.mark([paper_id(TITLES[2])], star=True)
        assert watch.poll() is None
        store.mark([paper_id(TITLES[3])], note="mine")
        assert watch.poll() is None


def test_file_watch_sees_another_process_write_followed_by_one_of_ours(db):
    writes = WriteLog()
    watch = FileWatch(db, writes)
    star_in_another_process(db, TITLES[1])
    with Store(db, writes=writes) as store:
        store.mark([paper_id(TITLES[2])], star=True)
        watch.accept()  # our accept must not swallow the other process's change
    assert watch.poll() == DiskChange(replaced=False)


def test_file_watch_sees_the_file_replaced_by_a_synced_copy(db, tmp_path):
    incoming = tmp_path / "incoming.db"
    shutil.copy(db, incoming)
    with Store(incoming) as other_machine:
        other_machine.mark([paper_id(TITLES[3])], note="from the desktop")
    watch = FileWatch(db, WriteLog())
    os.replace(incoming, db)
    assert watch.poll() == DiskChange(replaced=True)
    assert watch.poll() is None


def test_file_watch_waits_while_the_file_is_missing(db, tmp_path):
    watch = FileWatch(db, WriteLog())
    aside = tmp_path / "aside.db"
    os.replace(db, aside)
    assert watch.poll() is None
    shutil.copy(aside, db)
    assert watch.poll() == DiskChange(replaced=True)


def test_file_watch_sees_a_same_size_rewrite_in_place(db):
    watch = FileWatch(db, WriteLog())
    size, mtime = db.stat().st_size, db.stat().st_mtime_ns
    star_in_another_process(db, TITLES[4])
    os.utime(db, ns=(mtime, mtime))  # same size, same mtime: only the token tells
    assert db.stat().st_size == size
    assert watch.poll() == DiskChange(replaced=False)


# -- backups ------------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from triage.store import Store
    db, go, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    with Store(db) as store:
        ids = store.ids_newest_first()
        n = 0
        while not stop.exists():
            store.mark([ids[n % len(ids)]], note=f"write {n} " + "x" * (n % 500),
                       add_tags=[f"t{n}"])
            n += 1
            go.touch()  # after the first write: every backup has at least one
    print(n)
    """
)


def test_backup_while_another_process_writes_is_a_valid_database(db, tmp_path):
    go, stop = tmp_path / "go", tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(go), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not go.exists():
            assert writer.poll() is None, writer.stderr.read()
        copies = [backup(db, tmp_path / f"backup-{n}.db") for n in range(5)]
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert int(out) > 0
    for copy in copies:
        with sqlite3.connect(copy) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        with Store(copy) as store:
            assert store.count() == len(TITLES)
            # Each write adds exactly one tag with its note: a consistent copy has as many of each.
            tags = store.conn.execute("SELECT count(*) FROM tags").fetchone()[0]
            notes = store.conn.execute(
                "SELECT max(0 + substr(note, 7, 8)) FROM annotations"
            ).fetchone()[0]
            assert tags == notes + 1


def test_backup_goes_to_the_backup_folder_by_default(db, tmp_path, monkeypatch):
    monkeypatch.setenv("TRIAGE_BACKUP_DIR", str(tmp_path / "backups"))
    written = backup(db)
    assert written.parent == tmp_path / "backups"
    assert written.name.startswith("triage-") and written.suffix == ".db"
    with Store(written) as copy:
        assert copy.count() == len(TITLES)
    into_folder = backup(db, tmp_path)
    assert into_folder.parent == tmp_path and into_folder.name.startswith("triage-")
    assert [p.name for p in tmp_path.iterdir() if ".partial" in p.name] == []


def test_backup_never_overwrites_and_refuses_a_non_database(db, tmp_path):
    existing = tmp_path / "keep.db"
    existing.write_text("precious")
    with pytest.raises(SyncError, match="keep.db: already exists"):
        backup(db, existing)
    assert existing.read_text() == "precious"
    not_db = tmp_path / "notes.txt"
    not_db.write_text("hello")
    with pytest.raises(SyncError, match="notes.txt: not an SQLite database"):
        backup(not_db, tmp_path / "out.db")
    with pytest.raises(SyncError, match="missing.db: no such database"):
        backup(tmp_path / "missing.db", tmp_path / "out.db")
    assert not (tmp_path / "out.db").exists()


def test_is_conflict_copy_only_for_copies_beside_the_database(db, tmp_path):
    beside = db.parent / "triage (conflicted copy 2026-11-23 101500).db"
    beside.write_bytes(b"x")
    elsewhere = tmp_path / "triage (conflicted copy 2026-11-23 101500).db"
    elsewhere.write_bytes(b"x")
    assert is_conflict_copy(db, beside)
    assert not is_conflict_copy(db, elsewhere)
    assert not is_conflict_copy(db, db)


def test_backups_in_the_same_second_get_distinct_names(db, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    written = [backup(db, folder) for _ in range(3)]
    assert len(set(written)) == 3
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written)
