"""The `triage` command line, as a user types it."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from triage.cli import main
from triage.store import SCHEMA_VERSION, paper_id

SAMPLES = Path(__file__).parents[1] / "sample_dumps"
NOV_20 = SAMPLES / "daily-nov-20.txt"
NOV_21 = SAMPLES / "daily-nov-21.txt"
COMPACT = SAMPLES / "compact-nov-22.txt"
HEADING = paper_id("# Heading Matters: Structural Cues in Long-Document Summarization")
WARNING = paper_id(
    "[bold red]Warning[/]: Markup-Aware Tokenizers Leak Formatting into Language Model Outputs"
)
TIDAL = paper_id("Tidal: Streaming Speech Recognition with Bounded Look-Ahead")


@pytest.fixture
def db(tmp_path):
    return tmp_path / "triage.db"


def run(db, *args, input=None):
    result = CliRunner().invoke(
        main, ["--db", str(db), *map(str, args)], input=input, prog_name="triage"
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def listed(db, *args):
    result = run(db, "list", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_import_prints_one_summary_line_per_file_and_problems_on_stderr(db):
    result = run(db, "import", NOV_20, NOV_21, COMPACT)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{NOV_20}: 10 papers found, 10 new, 0 already known, 1 skipped",
        f"{NOV_21}: 8 papers found, 5 new, 3 already known, 1 skipped",
        f"{COMPACT}: 8 papers found, 7 new, 1 already known, 0 skipped",
    ]
    assert result.stderr.splitlines() == [
        f"{NOV_20}: line 53: skipped a title with no abstract: "
        "'Scaling Laws for Data Pruning in Multilingual Pretraining'",
        f"{NOV_21}: line 43: skipped page text "
        "'Get trending papers in your email inbox once a day!'",
        f"warning: {COMPACT}: not UTF-8 (line 3), decoded as Windows-1252",
    ]


def test_reimport_says_nothing_was_added(db):
    run(db, "import", NOV_20)
    result = run(db, "import", NOV_20)
    assert result.exit_code == 0
    [line] = result.stdout.splitlines()
    assert line.startswith(f"{NOV_20}: already imported on ")
    assert line.endswith(", nothing added (10 papers)")
    assert len(listed(db)) == 10


def test_a_bad_file_among_good_ones_gets_one_error_line_and_a_failing_exit(db, tmp_path):
    bad = tmp_path / "garbage.txt"
    bad.write_bytes(bytes(range(256)) * 8)
    result = run(db, "import", NOV_20, bad, NOV_21)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if "garbage.txt" in line]
    assert errors == [f"error: {bad}: binary file, not a Daily Papers text dump"]
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [str(NOV_20), str(NOV_21)]
    stats = json.loads(run(db, "stats", "--json").stdout)
    assert (stats["papers"], stats["dumps_imported"]) == (15, 2)


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty file, nothing to import"),
        (b"\x00" * 64, "binary file, not a Daily Papers text dump"),
    ],
)
def test_empty_or_binary_file_alone_fails(db, tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    result = run(db, "import", path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: {path}: {reason}"]
    assert result.stdout == ""


def test_missing_file_and_empty_folder_fail_with_one_line(db, tmp_path):
    result = run(db, "import", tmp_path / "nope.txt")
    assert result.exit_code == 1
    missing = tmp_path / "nope.txt"
    assert result.stderr == f"error: {missing}: cannot read: No such file or directory\n"
    (tmp_path / "empty").mkdir()
    result = run(db, "import", tmp_path / "empty")
    assert result.exit_code == 1
    assert result.stderr == f"Error: no *.txt dumps or *.json responses in {tmp_path / 'empty'}\n"


def test_list_json_fields_order_and_limit(db):
    run(db, "import", NOV_20, NOV_21)
    papers = listed(db)
    assert len(papers) == 15
    fields = {"id", "title", "abstract", "starred", "state", "tags", "note", "listed", "added_at"}
    assert fields <= set(papers[0])
    # newest listing first: Nov 21's papers (including those also on Nov 20) before Nov 20's
    assert {p["listed"][-1]["source"] for p in papers[:8]} == {"daily-nov-21.txt"}
    assert {p["listed"][-1]["source"] for p in papers[8:]} == {"daily-nov-20.txt"}
    tidal = next(p for p in papers if p["id"] == TIDAL)
    assert tidal["title"] == "Tidal: Streaming Speech Recognition with Bounded Look-Ahead"
    assert (tidal["starred"], tidal["state"], tidal["tags"], tidal["note"]) == (
        False,
        "inbox",
        [],
        "",
    )
    assert [item["source"] for item in tidal["listed"]] == ["daily-nov-20.txt", "daily-nov-21.txt"]
    assert [item["date"][5:] for item in tidal["listed"]] == ["11-20", "11-21"]
    assert tidal["abstract"].startswith("Streaming speech recognizers must trade accuracy")
    assert [p["id"] for p in listed(db, "--limit", 3)] == [p["id"] for p in papers[:3]]
    assert listed(db, "--limit", 0) == []


def test_list_text_shows_markup_literally_and_no_escape_sequences(db):
    run(db, "import", NOV_20, NOV_21)
    result = run(db, "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 15
    assert "\x1b" not in result.stdout
    red_team = "  Red-Teaming Spoken Assistants with Audio Jailbreaks"
    assert any(line.endswith(red_team) for line in lines)
    row = next(line for line in lines if line.startswith(WARNING))
    assert row.endswith(
        "[bold red]Warning[/]: Markup-Aware Tokenizers Leak Formatting into Language Model Outputs"
    )


def test_list_query_filters_by_a_plain_word(db):
    run(db, "import", NOV_20, NOV_21)
    titles = [p["title"] for p in listed(db, "spreadsheets")]
    assert titles == ["Sheet Happens: Benchmarking LLM Agents on Messy Real-World Spreadsheets"]


def test_mark_every_option(db):
    run(db, "import", NOV_20)
    result = run(
        db,
        "mark",
        HEADING,
        TIDAL,
        "--star",
        "--tag",
        "Must Read",
        "--tag",
        "asr",
        "--state",
        "reading",
        "--note",
        "check §4",
    )
    assert (result.exit_code, result.stdout) == (0, "2 of 2 papers changed\n")
    result = run(db, "mark", TIDAL, "--unstar", "--untag", "asr", "--state", "read")
    assert result.stdout == "1 of 1 paper changed\n"
    result = run(db, "mark", HEADING, "--note", "-", input="first line\nsecond line\n")
    assert result.exit_code == 0
    papers = {p["id"]: p for p in listed(db)}
    heading, tidal = papers[HEADING], papers[TIDAL]
    assert (heading["starred"], heading["state"], heading["tags"]) == (
        True,
        "reading",
        ["asr", "must-read"],
    )
    assert heading["note"] == "first line\nsecond line"
    assert (tidal["starred"], tidal["state"], tidal["tags"], tidal["note"]) == (
        False,
        "read",
        ["must-read"],
        "check §4",
    )
    assert run(db, "mark", TIDAL, "--state", "read").stdout == "0 of 1 paper changed\n"


def test_mark_refuses_bad_input_without_changing_anything(db):
    run(db, "import", NOV_20)
    before = listed(db)
    result = run(db, "mark", HEADING)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: nothing to change")
    result = run(db, "mark", HEADING, "0123456789", "--star")
    assert (result.exit_code, result.stderr) == (1, "Error: no paper with id 0123456789\n")
    result = run(db, "mark", HEADING, "--state", "done")
    assert result.exit_code == 2 and "'done' is not one of" in result.stderr
    assert listed(db) == before


def test_export_to_a_file_replaces_it_whole(db, tmp_path):
    run(db, "import", NOV_20)
    run(db, "mark", HEADING, WARNING, "--star", "--tag", "to-read")
    run(db, "mark", HEADING, "--note", "line one\n# not a heading")
    out = tmp_path / "reading.md"
    out.write_text("old content that is much longer than nothing\n" * 200)
    result = run(db, "export", "--starred", "-o", out)
    assert result.exit_code == 0
    assert result.stderr == f"wrote 2 papers to {out}\n"
    text = out.read_text(encoding="utf-8")
    assert text == run(db, "export", "--starred").stdout
    assert text.startswith("# Starred papers\n\n2 papers, 2 starred.\n\n## Inbox (2)\n")
    assert "old content" not in text
    assert "- ★ **\\# Heading Matters: Structural Cues in Long-Document Summarization**" in text
    # nothing the user wrote turns into a heading of its own
    assert [line for line in text.splitlines() if line.startswith("#")] == [
        "# Starred papers",
        "## Inbox (2)",
    ]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["reading.md", "triage.db"]


def test_export_filters_by_tag_and_state(db):
    run(db, "import", NOV_20)
    run(db, "mark", TIDAL, "--tag", "asr", "--state", "read")
    run(db, "mark", HEADING, "--tag", "asr")
    by_tag = run(db, "export", "--tag", "ASR").stdout
    assert "2 papers." in by_tag and "**Tidal:" in by_tag
    by_both = run(db, "export", "--tag", "asr", "--state", "read").stdout
    assert "1 paper." in by_both and "## Read (1)" in by_both and "Heading Matters" not in by_both


def test_export_to_a_missing_folder_fails_with_one_line(db, tmp_path):
    run(db, "import", NOV_20)
    target = tmp_path / "no" / "such" / "out.md"
    result = run(db, "export", "-o", target)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {target}: cannot write: No such file or directory\n"


def test_stats_json_counts(db):
    run(db, "import", NOV_20, NOV_21, COMPACT)
    run(db, "mark", HEADING, WARNING, "--star", "--tag", "llm")
    run(db, "mark", TIDAL, "--state", "archived", "--tag", "asr")
    stats = json.loads(run(db, "stats", "--json").stdout)
    assert stats == {
        "papers": 22,
        "starred": 2,
        "states": {"inbox": 21, "reading": 0, "read": 0, "archived": 1},
        "tags": {"llm": 2, "asr": 1},
        "dumps_imported": 3,
        "listings": 26,
    }
    text = run(db, "stats").stdout
    assert "papers          22\n" in text and "imports         3\n" in text


@pytest.mark.parametrize(
    "command, expected",
    [
        ("import", "Import Daily Papers dumps"),
        ("list", "--limit"),
        ("search", "--json"),
        ("mark", "--star / --unstar"),
        ("export", "--output FILE"),
        ("stats", "--json"),
        ("reindex", "Rebuild the search index"),
        ("backup", "DESTINATION"),
        ("merge", "--dry-run"),
        ("status", "Where the DB"),
    ],
)
def test_every_command_has_help(db, command, expected):
    result = run(db, command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: triage {command} ")
    assert expected in result.stdout
    assert not db.exists()


def test_top_level_help_lists_the_commands(db):
    result = run(db, "--help")
    assert result.exit_code == 0
    for command in ("import", "list", "mark", "export", "stats"):
        assert f"  {command} " in result.stdout


# -- real processes: exit codes and stderr as a shell sees them ----------------------


def triage(*args, input=None):
    return subprocess.run(
        [sys.executable, "-m", "triage", *map(str, args)],
        capture_output=True,
        text=True,
        input=input,
        timeout=60,
    )


def test_a_db_that_is_not_sqlite_is_refused_untouched(tmp_path):
    path = tmp_path / "thesis.docx"
    content = b"PK\x03\x04 a word document, not a database" * 50
    path.write_bytes(content)
    result = triage("--db", path, "import", NOV_20)
    assert result.returncode == 1
    assert result.stderr == f"Error: {path}: not an SQLite database (left untouched)\n"
    assert result.stdout == ""
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.docx"]


def test_a_db_from_a_newer_triage_is_refused_untouched(tmp_path):
    path = tmp_path / "triage.db"
    assert run(path, "import", NOV_20).exit_code == 0
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 7}")
    conn.close()
    content = path.read_bytes()
    result = triage("--db", path, "list")
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: {path}: made by a newer triage (schema {SCHEMA_VERSION + 7}, this one knows "
        f"{SCHEMA_VERSION}); upgrade triage to open it\n"
    )
    assert path.read_bytes() == content


@pytest.mark.parametrize("command", ["list", "stats"])
def test_a_corrupt_db_gives_one_line_not_a_traceback(db, command):
    run(db, "import", NOV_20, NOV_21)
    data = bytearray(db.read_bytes())
    data[4096:] = b"A" * (len(data) - 4096)
    db.write_bytes(bytes(data))
    result = triage("--db", db, command)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"Error: {db}: ") and "malformed" in result.stderr
    assert db.read_bytes() == data


def test_the_first_search_after_an_import_never_builds_the_index(db, monkeypatch):
    from triage.search.textindex import TextIndex

    run(db, "import", NOV_20, NOV_21)

    def no_build(*args, **kwargs):
        raise AssertionError("the search waited for an index build")

    monkeypatch.setattr(TextIndex, "rebuild", no_build)
    assert TIDAL in {paper["id"] for paper in listed(db, "tidal")}
