"""The commands over search, backup and merge: what a user types and reads back."""

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from triage.cli import main
from triage.store import Store

SAMPLES = Path(__file__).parents[1] / "sample_dumps"
SPREADSHEETS = "Sheet Happens: Benchmarking LLM Agents on Messy Real-World Spreadsheets"
NAIVE = "Naïve Bayes Is Not Dead: Revisiting Generative Classifiers for Tabular Data"


def run(db, *args, input=None):
    return CliRunner().invoke(main, ["--db", str(db), *map(str, args)], input=input)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "triage.db"
    assert run(path, "import", SAMPLES).exit_code == 0
    return path


def titles(db, *args):
    result = run(db, "list", *args, "--json")
    assert result.exit_code == 0, result.output
    return [paper["title"] for paper in json.loads(result.stdout)]


def paper_id(db, title):
    with Store(db) as store:
        return next(paper.id for paper in store.papers() if paper.title == title)


def test_list_speaks_the_query_language(db):
    spreadsheets = paper_id(db, SPREADSHEETS)
    assert run(db, "mark", spreadsheets, "--star", "--tag", "to-read").exit_code == 0

    assert titles(db, "title:naive") == [NAIVE]  # accents folded
    assert titles(db, "tag:to-read is:starred") == [SPREADSHEETS]
    assert SPREADSHEETS not in titles(db, "-tag:to-read")
    assert len(titles(db, "-tag:to-read")) == 21


def test_search_is_list(db):
    assert titles(db, "spreadsheets") == [SPREADSHEETS]
    result = run(db, "search", "spreadsheets", "--json")
    assert [paper["title"] for paper in json.loads(result.stdout)] == [SPREADSHEETS]


def test_a_malformed_query_answers_with_a_hint_not_a_traceback(db):
    result = run(db, "list", '"unbalanced (tag: -')
    assert result.exit_code == 0
    assert result.exception is None


def test_a_misspelt_word_gets_a_suggestion(db):
    result = run(db, "list", "spredsheets")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "did you mean: spreadsheets" in result.stderr


def test_export_takes_a_query(db, tmp_path):
    out = tmp_path / "export.md"
    result = run(db, "export", "title:naive", "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Query: title:naive" in text
    assert "**Naïve Bayes Is Not Dead: Revisiting Generative Classifiers for Tabular Data**" in text
    assert text.count("\n- ") == 1


def test_reindex_after_the_index_is_deleted(db, isolated_user_dirs):
    assert titles(db, "spreadsheets") == [SPREADSHEETS]
    shutil.rmtree(isolated_user_dirs / "cache")
    result = run(db, "reindex")
    assert result.exit_code == 0
    assert "indexed 22 papers" in result.stderr
    assert titles(db, "spreadsheets") == [SPREADSHEETS]


def test_backup_is_a_full_copy_and_never_overwrites(db, tmp_path):
    target = tmp_path / "copy.db"
    result = run(db, "backup", target)
    assert result.exit_code == 0, result.output
    with Store(target) as copy:
        assert copy.count() == 22
    again = run(db, "backup", target)
    assert again.exit_code == 1
    assert "already exists" in again.stderr


def test_status_lists_conflict_copies_and_merge_moves_them_aside(db):
    conflict = db.with_name("triage (Bob's conflicted copy 2026-11-22).db")
    shutil.copy(db, conflict)
    with Store(conflict) as other:
        other.mark([paper_id(db, NAIVE)], star=True, note="read on the train")

    status = run(db, "status")
    assert status.exit_code == 0
    assert str(conflict) in status.stdout

    dry = run(db, "merge", conflict, "--dry-run")
    assert dry.exit_code == 0
    assert [line for line in dry.stdout.splitlines() if "dry run" in line] == [
        "dry run: nothing was changed"
    ]
    assert conflict.exists()
    assert not json.loads(run(db, "list", "is:starred", "--json").stdout)

    merged = run(db, "merge", conflict)
    assert merged.exit_code == 0, merged.output
    assert not conflict.exists()
    assert (db.parent / "merged" / conflict.name).exists()
    [starred] = json.loads(run(db, "list", "is:starred", "--json").stdout)
    assert (starred["title"], starred["note"]) == (NAIVE, "read on the train")
    assert str(conflict) not in run(db, "status").stdout


def test_merge_refuses_a_file_that_is_not_a_db(db, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    result = run(db, "merge", junk)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {junk}")
    assert len(result.stderr.splitlines()) == 1
    assert junk.read_text() == "not a database"


def test_a_db_locked_too_long_is_reported_in_one_line_and_left_intact(db, monkeypatch):
    monkeypatch.setattr("triage.store.connection.BUSY_TIMEOUT_MS", 200)
    before = db.read_bytes()
    blocker = sqlite3.connect(db)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        result = run(db, "mark", "0" * 10, "--star")
    finally:
        blocker.rollback()
        blocker.close()
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"Error: {db}") and "locked" in result.stderr
    assert db.read_bytes() == before


def test_a_query_may_span_arguments_and_start_with_a_dash(db):
    assert titles(db, "messy", "spreadsheets") == [SPREADSHEETS]
    assert SPREADSHEETS not in titles(db, "-spreadsheets")
