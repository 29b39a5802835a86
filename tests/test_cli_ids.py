"""Papers named by id on the command line: `show`, `delete`, and ids as unique prefixes in any
case wherever a command takes them."""

import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from triage.cli import main
from triage.store import Entry, Identity, Store, paper_id

SAMPLES = Path(__file__).parents[1] / "sample_dumps"
TIDAL = paper_id("Tidal: Streaming Speech Recognition with Bounded Look-Ahead")
HEADING = paper_id("# Heading Matters: Structural Cues in Long-Document Summarization")


def run(db, *args, input=None):
    return CliRunner().invoke(main, ["--db", str(db), *map(str, args)], input=input)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "triage.db"
    assert run(path, "import", SAMPLES).exit_code == 0
    return path


def test_show_prints_the_paper_in_full(db):
    note = "compare §4\nwith LCM"
    assert run(db, "mark", TIDAL, "--star", "--tag", "asr", "--note", note).exit_code == 0
    result = run(db, "show", TIDAL)
    assert result.exit_code == 0, result.output
    title, fields, abstract, note_part = result.stdout.split("\n\n")
    assert title == "Tidal: Streaming Speech Recognition with Bounded Look-Ahead"
    assert fields.splitlines() == [
        f"id       {TIDAL}",
        "arXiv    2611.14534  https://arxiv.org/abs/2611.14534",
        "authors  Aoife Byrne, José Álvarez, Mei Lin",
        "state    inbox",
        "starred  yes",
        "tags     asr",
        "listed   2026-11-20  Daily Papers 2026-11-20",
        "listed   2026-11-20  daily-nov-20.txt",
        "listed   2026-11-21  daily-nov-21.txt",
        "link     https://github.com/tidal-asr/tidal",
        "link     https://tidal-asr.github.io",
    ]
    assert abstract.startswith("Streaming speech recognizers must trade accuracy")
    assert note_part == "Note:\ncompare §4\nwith LCM\n"


def test_show_json_is_the_paper_as_list_json_has_it(db):
    shown = json.loads(run(db, "show", TIDAL, "--json").stdout)
    listed = json.loads(run(db, "list", "--json").stdout)
    assert shown == next(paper for paper in listed if paper["id"] == TIDAL)


def test_show_never_lets_a_title_drive_the_terminal(tmp_path):
    db = tmp_path / "t.db"
    hostile = "\x1b]0;pwned\x07Clean\x1b[2J Title"
    with Store(db) as store:
        store.add_papers([Entry(hostile, "An abstract.\x1b[31m")], source="x", listed_on=None)
    result = run(db, "show", paper_id(hostile))
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and result.stdout.startswith("Clean Title\n")


def test_ids_are_taken_as_unique_prefixes_in_any_case(db):
    result = run(db, "mark", TIDAL[:5].upper(), HEADING[:4], "--state", "reading")
    assert (result.exit_code, result.stdout) == (0, "2 of 2 papers changed\n")
    assert run(db, "show", TIDAL.upper()).stdout.splitlines()[5] == "state    reading"
    assert run(db, "show", TIDAL[:4], "--json").exit_code == 0


def colliding_titles():
    """Two titles whose ids share their first four characters."""
    seen = {}
    titles = (f"Paper {n}: A Study of Things" for n in itertools.count())
    while (prefix := paper_id(title := next(titles))[:4]) not in seen:
        seen[prefix] = title
    return seen[prefix], title


def test_an_ambiguous_unknown_or_too_short_id_fails_in_one_line_and_changes_nothing(tmp_path):
    db = tmp_path / "t.db"
    first, second = colliding_titles()
    with Store(db) as store:
        store.add_papers([(first, "One."), (second, "Two.")], source="x", listed_on=None)
    one, two = sorted([paper_id(first), paper_id(second)])
    prefix = one[:4]
    for command in (["show"], ["mark", "--star"], ["delete"]):
        result = run(db, *command[:1], prefix, *command[1:])
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: id {prefix} is ambiguous: {one}, {two}; give more of it\n"
        )
        result = run(db, *command[:1], "ffff0", *command[1:])
        assert (result.exit_code, result.stderr) == (1, "Error: no paper with id ffff0\n")
        result = run(db, *command[:1], one[:3], *command[1:])
        assert result.stderr == "Error: id " + one[:3] + (
            " is too short: give at least 4 characters of it\n"
        )
    result = run(db, "mark", one, prefix, "--star")
    assert result.exit_code == 1  # one good id and one ambiguous: nothing changes
    with Store(db) as store:
        assert [paper.starred for paper in store.papers()] == [False, False]
        assert store.count() == 2


def test_delete_removes_the_papers_prints_them_and_publishes(db, tmp_path):
    shared = tmp_path / "Sync" / "triage.db"
    shared.parent.mkdir()
    assert run(db, "sync", shared).exit_code == 0
    assert run(db, "mark", HEADING, "--star", "--note", "oops").exit_code == 0
    result = run(db, "delete", TIDAL[:6], HEADING)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"deleted {TIDAL}  Tidal: Streaming Speech Recognition with Bounded Look-Ahead",
        f"deleted {HEADING}  # Heading Matters: Structural Cues in Long-Document Summarization",
    ]
    assert run(db, "show", TIDAL).stderr == f"Error: no paper with id {TIDAL}\n"
    assert json.loads(run(db, "stats", "--json").stdout)["starred"] == 0
    with Store(shared) as published:
        assert published.count() == 20
        assert published.get(TIDAL) is None


def test_a_deleted_paper_comes_back_with_a_later_import(db, tmp_path):
    assert run(db, "delete", TIDAL).exit_code == 0
    later = tmp_path / "nov-21-again.txt"
    later.write_bytes((SAMPLES / "daily-nov-21.txt").read_bytes() + b"\r\n")
    assert run(db, "import", later).exit_code == 0
    assert run(db, "show", TIDAL).exit_code == 0


def test_an_arxiv_id_is_shown_only_when_known(tmp_path):
    db = tmp_path / "t.db"
    with Store(db) as store:
        store.add_papers(
            [Entry("Known", "Abstract.", Identity(arxiv_id="2611.00001", authors=("A. B",)))],
            source="Daily Papers 2026-11-20",
            listed_on="2026-11-20",
        )
        store.add_papers([("Unknown", "Abstract.")], source="x.txt", listed_on=None)
    assert (
        "arXiv    2611.00001  https://arxiv.org/abs/2611.00001"
        in run(db, "show", paper_id("Known")).stdout
    )
    plain = run(db, "show", paper_id("Unknown")).stdout
    assert "arXiv" not in plain and "authors" not in plain
    assert "listed   undated     x.txt" in plain


def test_a_tag_longer_than_the_limit_is_cut_and_the_user_told(tmp_path):
    db = tmp_path / "t.db"
    runner = CliRunner()
    runner.invoke(main, ["--db", str(db), "import", str(SAMPLES / "daily-nov-20.txt")])
    paper = json.loads(runner.invoke(main, ["--db", str(db), "list", "--json"]).stdout)[0]["id"]
    long_tag = "a-very-long-tag-" * 5
    result = runner.invoke(main, ["--db", str(db), "mark", paper, "--tag", long_tag])
    assert result.exit_code == 0
    assert result.stderr == f"warning: tag cut to 40 characters: {long_tag[:40].rstrip('-')}\n"
