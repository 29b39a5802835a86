"""The store names the papers changed since a change token, for caches (the search index)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from triage.importers.dump import import_file, import_paths
from triage.store import SCHEMA_VERSION, Store, paper_id
from triage.store.changes import LOG_ENTRIES, TRIGGERS
from triage.sync.merge import merge

PAPERS = [("Paper One", "First."), ("Paper Two", "Second."), ("Paper Three", "Third.")]
ONE, TWO, THREE = (paper_id(title) for title, _ in PAPERS)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "lib.db") as store:
        store.add_papers(PAPERS, source="a.txt", listed_on="2026-11-01")
        yield store


def test_marks_notes_imports_and_deletions_are_named_since_a_token(store):
    token = store.change_token()
    assert store.changes_since(token) == (token, set())
    store.mark([ONE], star=True)
    store.save_note(TWO, "a note", base="")
    later = store.change_token()
    store.delete_papers([THREE])
    store.add_papers([("Paper Four", "Fourth.")], source="b.txt", listed_on="2026-11-02")
    now = store.change_token()
    assert store.changes_since(token) == (now, {ONE, TWO, THREE, paper_id("Paper Four")})
    assert store.changes_since(later) == (now, {THREE, paper_id("Paper Four")})


def test_a_merge_names_what_it_changed(store, tmp_path):
    other = tmp_path / "other.db"
    store.conn.execute(f"VACUUM INTO '{other}'")
    with Store(other) as laptop:
        laptop.mark([TWO], note="from the laptop", add_tags=["zoo"])
    token = store.change_token()
    merge(store, other)
    assert store.changes_since(token)[1] == {TWO}


def test_a_change_by_plain_sql_is_named_as_triage_s_own(store):
    token = store.change_token()
    conn = sqlite3.connect(store.path)  # as an older triage, or a hand-written statement
    with conn:
        conn.execute("INSERT OR IGNORE INTO annotations (paper_id, note) VALUES (?, 'x')", [ONE])
        conn.execute("UPDATE OR IGNORE tags SET present = 0 WHERE paper_id = ?", [TWO])
        conn.execute(
            "INSERT INTO tags (paper_id, tag, present, changed_at) VALUES (?, 't', 1, '')", [TWO]
        )
        conn.execute("UPDATE meta SET value = 'by-hand' WHERE key = 'change_token'")
    conn.close()
    assert store.changes_since(token) == ("by-hand", {ONE, TWO})


def test_a_token_the_file_never_had_cannot_be_answered(store, tmp_path):
    backup = tmp_path / "backup.db"
    shutil.copy(store.path, backup)
    store.mark([ONE], star=True)
    after = store.change_token()
    assert store.changes_since("never-seen")[1] is None
    with Store(backup) as restored:
        restored.mark([TWO], star=True)  # as many changes since as the lost one
        assert restored.changes_since(after)[1] is None


def test_only_the_latest_tokens_are_kept(store):
    first = store.change_token()
    conn = sqlite3.connect(store.path)
    with conn:
        for number in range(LOG_ENTRIES + 1):
            conn.execute("UPDATE meta SET value = ? WHERE key = 'change_token'", [f"t{number}"])
    conn.close()
    assert store.changes_since(first)[1] is None
    assert store.changes_since("t5")[1] == set()
    assert store.conn.execute("SELECT count(*) FROM change_log").fetchone()[0] == LOG_ENTRIES


def test_a_file_from_before_change_tracking_gets_it_and_older_triage_still_opens_it(tmp_path):
    path = tmp_path / "old.db"
    with Store(path) as store:
        store.add_papers(PAPERS, source="a.txt", listed_on="2026-11-01")
    conn = sqlite3.connect(path)
    before = conn.execute("PRAGMA user_version").fetchone()[0]
    with conn:
        for name in TRIGGERS:
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DROP TABLE change_log")
        conn.execute("DROP TABLE paper_changes")
    conn.close()
    with Store(path) as store:
        token = store.change_token()
        assert store.changes_since(token) == (token, set())  # as it is now: nothing since
        store.mark([ONE], star=True)
        assert store.changes_since(token)[1] == {ONE}
        version = store.conn.execute("PRAGMA user_version").fetchone()[0]
    assert version == before == SCHEMA_VERSION  # no new schema version: older triage opens it


def test_triggers_dropped_by_hand_are_restored_and_earlier_tokens_no_longer_trusted(store):
    token = store.change_token()
    store.conn.execute("DROP TRIGGER track_annotation_insert")
    store.conn.commit()
    store.mark([ONE], star=True)  # numbered by the papers trigger, but the file cannot be sure
    with Store(store.path) as reopened:
        assert reopened.changes_since(token)[1] is None
        now = reopened.change_token()
        reopened.mark([TWO], star=True)
        assert reopened.changes_since(now)[1] == {TWO}


NUMBERS = "SELECT seq, paper_id FROM paper_changes ORDER BY seq"
TRIGGERS_NOW = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
REFUSE = (
    "CREATE TRIGGER refuse BEFORE INSERT ON papers WHEN NEW.title LIKE 'Tidal:%' "
    "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
)


def numbered(store):
    return store.conn.execute(NUMBERS).fetchall(), store.conn.execute(TRIGGERS_NOW).fetchall()


@pytest.mark.parametrize("refused", [False, True], ids=["all-kept", "one-refused"])
def test_papers_imported_in_batches_are_numbered_as_when_imported_one_by_one(tmp_path, refused):
    """A batch numbers its new papers itself (not by a trigger each): the numbers are those
    of files imported one transaction each (papers already known in between), a file the DB
    refuses midway leaves none, and the trigger numbers the papers added after."""
    samples = Path(__file__).parents[1] / "sample_dumps"
    dumps = sorted(samples.glob("*.txt"))  # Nov 21 lists papers of Nov 20 again
    with Store(tmp_path / "one-by-one.db") as alone:
        if refused:
            alone.conn.execute(REFUSE)
        errors = [bool(import_file(alone, path).error) for path in dumps]
        expected = numbered(alone)
    assert errors == [False, refused, refused]  # Nov 20 and Nov 21 list the refused paper
    with Store(tmp_path / "batched.db") as batched:
        if refused:
            batched.conn.execute(REFUSE)
        assert [bool(report.error) for report in import_paths(batched, dumps)] == errors
        assert numbered(batched) == expected
        assert len(expected[0]) > 1
        token = batched.change_token()
        batched.add_papers([("Paper Five", "Fifth.")], source="c.txt", listed_on="2026-11-03")
        assert batched.changes_since(token)[1] == {paper_id("Paper Five")}
