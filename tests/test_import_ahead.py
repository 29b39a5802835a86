"""An import of many dumps parses the next files in a child process while the store writes:
it must store and report exactly what an import parsing them one by one does."""

import shutil
from pathlib import Path

import pytest
from store_contents import contents

import triage.importers.ahead
import triage.importers.dump
from triage.importers.dump import import_paths
from triage.store import Store

SAMPLES = Path(__file__).parents[1] / "sample_dumps"
ABSTRACT = (
    "We study how small models learn to plan. Our experiments cover three tasks and four "
    "model sizes. Results show consistent gains over strong baselines across every setting."
)


@pytest.fixture
def dumps(tmp_path):
    """The sample dumps (page and compact forms, a saved API response), a binary file, and
    days enough to be parsed ahead, one of them listing a paper of another again."""
    folder = tmp_path / "dumps"
    folder.mkdir()
    for sample in SAMPLES.iterdir():
        shutil.copy(sample, folder / sample.name)
    (folder / "day-03-binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    for day in range(10, 22):
        titles = [f"Paper {day}-{n}: Planning With Small Models" for n in range(3)]
        titles.append("Paper 10-0: Planning with small models")  # listed again
        lines = ["new", "Subscribe", f"Nov {day}, 2026"]
        for title in titles:
            lines += [title, ABSTRACT]
        (folder / f"day-{day}.txt").write_text("\n\n".join(lines) + "\n")
    return folder


@pytest.fixture(autouse=True)
def parsed_ahead_however_small(monkeypatch):
    monkeypatch.setattr(triage.importers.ahead, "MIN_BYTES", 0)


def imported(path, folder):
    with Store(path) as store:
        summaries = [report.summary() for report in import_paths(store, [folder])]
        return summaries, contents(store)


def test_dumps_parsed_ahead_are_stored_and_reported_as_when_parsed_one_by_one(
    tmp_path, dumps, monkeypatch
):
    one_by_one = tmp_path / "one-by-one.db"
    with monkeypatch.context() as patch:
        patch.setattr(triage.importers.ahead, "MIN_BYTES", 10**12)
        expected = imported(one_by_one, dumps)
    parsed_here = []
    real_read_dump = triage.importers.dump.read_dump
    monkeypatch.setattr(
        triage.importers.dump,
        "read_dump",
        lambda path: parsed_here.append(path) or real_read_dump(path),
    )
    assert imported(tmp_path / "ahead.db", dumps) == expected
    assert parsed_here == []  # every dump was parsed by the child
    assert "binary file" in "\n".join(expected[0])


def test_an_import_parsed_ahead_survives_the_child_failing(tmp_path, dumps, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(triage.importers.ahead, "MIN_BYTES", 10**12)
        expected = imported(tmp_path / "one-by-one.db", dumps)
    monkeypatch.setattr(triage.importers.ahead, "_CHILD", "import sys; sys.exit(3)")
    assert imported(tmp_path / "ahead.db", dumps) == expected


def test_a_file_refused_amid_dumps_parsed_ahead_leaves_nothing_and_the_others_whole(
    tmp_path, dumps
):
    """The refused file undoes its batch, whose files are then parsed and written again one
    by one here: each file but the refused one is kept whole."""
    with Store(tmp_path / "t.db") as store:
        store.conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON papers WHEN NEW.title LIKE 'Paper 15-1:%' "
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )
        reports = import_paths(store, [dumps])
        refused = [report.path.name for report in reports if report.error]
        assert refused == ["day-03-binary.txt", "day-15.txt"]
        assert not store.conn.execute(
            "SELECT title FROM papers WHERE title LIKE 'Paper 15-%'"
        ).fetchall()
        kept = [row[0] for row in store.conn.execute("SELECT name FROM imports ORDER BY rowid")]
        assert kept == [report.path.name for report in reports if not report.error and report.found]
        assert "day-21.txt" in kept
