"""Sync through a shared file that is only ever replaced whole, as two machines and their sync
clients would use it. Each "machine" has its own data dir (its working copy and machine id);
the shared folder is what a sync client carries between them."""

from __future__ import annotations

import shlex
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from triage.cli import main
from triage.store import CONFLICT_TAG, Store, paper_id
from triage.sync.publish import TEMPORARY_PREFIX

SAMPLES = Path(__file__).parents[1] / "sample_dumps"
NOV_20 = SAMPLES / "daily-nov-20.txt"
NOV_21 = SAMPLES / "daily-nov-21.txt"
TIDAL = paper_id("Tidal: Streaming Speech Recognition with Bounded Look-Ahead")


class Machine:
    """A user's machine: its own data dir, its working copy at the default place."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.db = home / "triage.db"

    def run(self, *args: object, expect: int = 0):
        env = {
            "TRIAGE_DATA_DIR": str(self.home),
            "TRIAGE_DB": str(self.db),
            "TRIAGE_CACHE_DIR": str(self.home / "cache"),
        }
        result = CliRunner(env=env).invoke(main, [str(arg) for arg in args], prog_name="triage")
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code == expect, result.output
        return result

    def store(self) -> Store:
        return Store(self.db)


@pytest.fixture
def laptop(tmp_path):
    return Machine(tmp_path / "laptop")


@pytest.fixture
def desktop(tmp_path):
    return Machine(tmp_path / "desktop")


@pytest.fixture
def shared(tmp_path):
    folder = tmp_path / "Dropbox" / "papers"
    folder.mkdir(parents=True)
    return folder / "triage.db"


def annotations(db: Path) -> dict:
    """What the user wrote, per paper: the data that must agree after syncing."""
    with Store(db) as store:
        return {
            paper.id: (paper.starred, paper.state, paper.note, tuple(paper.tags))
            for paper in store.papers()
        }


def test_sync_publishes_a_whole_file_and_another_machine_joins_it(laptop, desktop, shared):
    laptop.run("import", NOV_20)
    laptop.run("sync", shared)
    assert sorted(p.name for p in shared.parent.iterdir()) == ["triage.db"]  # no journal, no temp
    with sqlite3.connect(shared) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    joined = desktop.run("sync", shared)
    assert f"joined the library of {shared}" in joined.stdout
    assert "10 papers added" in joined.stdout
    with desktop.store() as store:
        assert store.count() == 10


def test_every_change_is_published_by_the_command_that_made_it(laptop, desktop, shared):
    laptop.run("import", NOV_20)
    laptop.run("sync", shared)
    desktop.run("sync", shared)
    marked = desktop.run("mark", TIDAL, "--star", "--note", "from the desktop")
    assert f"published to {shared}" in marked.stderr
    laptop.run("sync")
    assert annotations(laptop.db)[TIDAL] == (True, "inbox", "from the desktop", ())
    imported = laptop.run("import", NOV_21)
    assert f"published to {shared}" in imported.stderr
    desktop.run("sync")
    assert annotations(desktop.db) == annotations(laptop.db)


def test_status_says_what_waits_and_quotes_its_commands(laptop, shared, tmp_path):
    odd = shared.parent / "Ana's papers (2026).db"
    laptop.run("import", NOV_20)
    laptop.run("sync", odd)
    status = laptop.run("status").stdout
    assert f"shared    {odd}" in status
    assert "waiting   nothing" in status
    with laptop.store() as store:
        store.mark([TIDAL], star=True)  # as the app would: published at its next sync
    status = laptop.run("status").stdout
    assert "local changes wait to be published (run: triage sync)" in status
    other = tmp_path / "elsewhere" / "my library.db"
    other.parent.mkdir()
    laptop.run("--db", other, "import", NOV_20)
    conflict = shared.parent / "Ana's papers (2026) (Ana's conflicted copy 2026-11-23).db"
    shutil.copy(odd, conflict)
    status = laptop.run("--db", other, "status").stdout
    line = next(line for line in status.splitlines() if line.startswith("shared"))
    suggested = line.split("(to sync between machines: ", 1)[1].rstrip(")")
    assert shlex.split(suggested) == ["triage", "--db", str(other), "sync", "PATH"]


def test_conflict_copies_beside_the_shared_file_are_merged_and_moved_aside(
    laptop, desktop, shared, tmp_path
):
    laptop.run("import", NOV_20)
    laptop.run("sync", shared)
    desktop.run("sync", shared)
    laptop_version = tmp_path / "laptop-version.db"
    shutil.copy(shared, laptop_version)
    desktop.run("mark", TIDAL, "--tag", "from-desktop")
    # Both machines changed the file before the sync client caught up: it keeps the laptop's
    # as the file and the desktop's as a conflict copy beside it.
    conflict = shared.with_name("triage.sync-conflict-20261123-101500-ABCDEF7.db")
    shutil.copy(shared, conflict)
    shutil.copy(laptop_version, shared)
    synced = laptop.run("mark", TIDAL, "--star")
    assert "moved triage.sync-conflict-20261123-101500-ABCDEF7.db aside" in synced.stderr
    assert not conflict.exists()
    assert (shared.parent / "merged" / conflict.name).exists()
    desktop.run("sync")
    assert annotations(laptop.db)[TIDAL] == (True, "inbox", "", ("from-desktop",))
    assert annotations(desktop.db) == annotations(laptop.db)


def test_files_that_are_not_this_library_are_never_merged_or_replaced(
    laptop, desktop, shared, tmp_path
):
    laptop.run("import", NOV_20)
    laptop.run("sync", shared)
    desktop.run("--db", desktop.home / "other-library.db", "import", NOV_21)
    foreign = shared.with_name("triage (conflicted copy 2026-11-23 101500).db")
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE photos (name)")
    torn = shared.with_name("triage.sync-conflict-20261123-101500-ABCDEF7.db")
    torn.write_bytes(shared.read_bytes()[: shared.stat().st_size // 2])
    other_library = shared.with_name("triage 2.db")
    shutil.copy(desktop.home / "other-library.db", other_library)
    before = annotations(laptop.db)
    laptop.run("mark", TIDAL, "--star")
    synced = laptop.run("sync").stdout
    for path, why in (
        (foreign, "not a triage database"),
        (torn, "damaged"),
        (other_library, "belongs to another triage library"),
    ):
        assert f"skipped {path}: {why}" in synced, synced
        assert path.exists()  # left where it is, for the user
    after = annotations(laptop.db)
    assert len(after) == len(before) == 10  # nothing of the other library came in

    shutil.copy(desktop.home / "other-library.db", shared)  # the shared file itself replaced
    refused = laptop.run("sync", expect=1).stdout
    assert f"skipped {shared}: belongs to another triage library" in refused
    with Store(desktop.home / "other-library.db") as theirs, sqlite3.connect(shared) as conn:
        assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == theirs.count()


def test_a_temporary_left_by_a_killed_publish_is_removed_by_the_next(laptop, shared):
    laptop.run("import", NOV_20)
    laptop.run("sync", shared)
    left = shared.with_name(f"{TEMPORARY_PREFIX}triage.db.deadbeef.tmp")
    left.write_bytes(b"half a snapshot")
    laptop.run("mark", TIDAL, "--star")
    assert not left.exists()
    assert sorted(p.name for p in shared.parent.iterdir()) == ["triage.db"]


def test_a_copy_with_bad_values_is_repaired_before_it_is_merged(laptop, desktop, shared):
    laptop.run("import", NOV_20)
    laptop.run("sync", shared)
    desktop.run("sync", shared)
    desktop.run("mark", TIDAL, "--star", "--tag", "keep")
    with sqlite3.connect(desktop.db) as conn:  # another program, or a machine in the year 2099
        conn.execute(
            "UPDATE annotations SET starred = 7, state = 'lost', starred_at = '2099-01-01T00:00:00.0Z'"
        )
        conn.execute("UPDATE tags SET tag = 'Must Read', changed_at = '2099-01-01T00:00:00.0Z'")
        conn.execute("UPDATE meta SET value = 'changed' WHERE key = 'change_token'")
    desktop.run("sync")
    synced = laptop.run("sync").stdout
    # a star of 7, a state 'lost', a tag 'Must Read', and two times in 2099
    assert "5 values from triage.db repaired or dropped" in synced, synced
    with laptop.store() as store:
        paper = store.get(TIDAL)
    assert (paper.starred, paper.state, paper.tags) == (True, "inbox", ["must-read"])
    laptop.run("mark", TIDAL, "--unstar", "--untag", "must-read")  # the user still wins
    with laptop.store() as store:
        assert (store.get(TIDAL).starred, store.get(TIDAL).tags) == (False, [])


def test_a_note_edited_right_after_a_sync_is_not_a_conflict(laptop, desktop, shared):
    laptop.run("import", NOV_20)
    laptop.run("sync", shared)
    with laptop.store() as store:  # the app's editor saves as the user types
        store.save_note(TIDAL, "first thoughts", base="")
    laptop.run("sync")
    desktop.run("sync", shared)
    with laptop.store() as store:  # a minute later, the same edit goes on
        store.save_note(TIDAL, "first thoughts, then more", base="first thoughts")
    laptop.run("sync")
    desktop.run("sync")
    paper = annotations(desktop.db)[TIDAL]
    assert paper[2] == "first thoughts, then more"
    assert CONFLICT_TAG not in paper[3]


def test_a_sqlite_file_of_another_program_is_refused_by_every_command(tmp_path):
    photos = tmp_path / "photos.db"
    with sqlite3.connect(photos) as conn:
        conn.execute("CREATE TABLE photos (name)")
    for command in (["stats"], ["list"], ["status"], ["sync"]):
        result = CliRunner().invoke(main, ["--db", str(photos), *command])
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: {photos}: an SQLite database of another program, not triage's "
            "(left untouched)\n"
        )
    with sqlite3.connect(photos) as conn:
        assert [row[0] for row in conn.execute("SELECT name FROM sqlite_master")] == ["photos"]


def test_a_db_inside_a_synced_folder_gets_a_warning_with_the_way_out(tmp_path, monkeypatch):
    folder = tmp_path / "Sync"
    (folder / ".stfolder").mkdir(parents=True)
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "local"))
    result = CliRunner().invoke(main, ["--db", str(folder / "triage.db"), "stats"])
    assert result.exit_code == 0
    warning = result.stderr.splitlines()
    assert len(warning) == 1 and "is in a Syncthing folder" in warning[0]
    way_out = shlex.split(warning[0].split("instead: ", 1)[1])
    assert way_out == [
        "triage",
        "--db",
        str(tmp_path / "local" / "triage.db"),
        "sync",
        str(folder / "triage.db"),
    ]


def test_a_path_that_is_not_a_triage_file_is_not_made_the_shared_file(laptop, shared):
    laptop.run("import", NOV_20)
    with sqlite3.connect(shared) as conn:
        conn.execute("CREATE TABLE photos (name)")
    refused = laptop.run("sync", shared, expect=1)
    assert f"skipped {shared}: not a triage database" in refused.stdout
    assert "shared    none" in laptop.run("status").stdout
    laptop.run("mark", TIDAL, "--star")  # nothing tries to publish there
    with sqlite3.connect(shared) as conn:
        assert [row[0] for row in conn.execute("SELECT name FROM sqlite_master")] == ["photos"]
