"""What an import does with files as users really have them: several days in one file, a few
bad bytes, garbage after a dump, a very long title, folders of folders, pipes and devices."""

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from triage.cli import main
from triage.importers import files
from triage.store import paper_id

SAMPLES = Path(__file__).parents[1] / "sample_dumps"
NOV_20 = SAMPLES / "daily-nov-20.txt"
NOV_21 = SAMPLES / "daily-nov-21.txt"
TIDAL = "Tidal: Streaming Speech Recognition with Bounded Look-Ahead"
ABSTRACT = (
    "We study how small models learn to plan. Our experiments cover three tasks and four "
    "model sizes. Results show consistent gains over strong baselines across every setting. "
) * 4
HEADER = ["new", "Get trending papers in your email inbox!", "Subscribe", "Daily Papers"]


def page(date, *pairs, final_newline=True):
    text = "\n\n".join([*HEADER, date, *(line for pair in pairs for line in pair)])
    return text + ("\n" if final_newline else "")


def run(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), *map(str, args)], prog_name="triage")


def listings(db):
    result = run(db, "list", "--json")
    assert result.exit_code == 0, result.output
    return {
        paper["title"]: [(item["date"], item["source"]) for item in paper["listed"]]
        for paper in json.loads(result.stdout)
    }


# -- item 1: several days in one file -----------------------------------------------------


def test_every_date_line_starts_a_new_day_for_the_papers_after_it(tmp_path):
    both = tmp_path / "nov-20-and-21.txt"
    both.write_bytes(NOV_20.read_bytes() + NOV_21.read_bytes())  # `cat`: BOM and CRLF included
    db = tmp_path / "t.db"
    result = run(db, "import", both)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{both}: 18 papers found on 2 days (2026-11-20, 2026-11-21), 15 new, "
        "3 already known, 2 skipped\n"
    )
    assert "stray date" not in result.stderr
    papers = listings(db)
    assert papers[TIDAL] == [
        ("2026-11-20", "nov-20-and-21.txt (2026-11-20)"),
        ("2026-11-21", "nov-20-and-21.txt (2026-11-21)"),
    ]
    red_teaming = "Red-Teaming Spoken Assistants with Audio Jailbreaks"  # only on Nov 21
    assert papers[red_teaming] == [("2026-11-21", "nov-20-and-21.txt (2026-11-21)")]
    assert run(db, "import", both).stdout.endswith("nothing added (18 papers)\n")


def test_a_day_saved_without_a_final_newline_does_not_glue_the_next_header_to_its_abstract(
    tmp_path,
):
    first = page("Mar 10", ("First Paper", ABSTRACT.strip()), final_newline=False)
    second = page("Mar 11", ("Second Paper", ABSTRACT.strip()))
    dump = tmp_path / "two.txt"
    dump.write_text(first + second, encoding="utf-8")
    db = tmp_path / "t.db"
    result = run(db, "import", dump)
    assert result.exit_code == 0, result.output
    assert ", 0 skipped" in result.stdout
    papers = json.loads(run(db, "list", "--json").stdout)
    assert {paper["title"]: paper["abstract"] for paper in papers} == {
        "First Paper": ABSTRACT.strip(),
        "Second Paper": ABSTRACT.strip(),
    }
    assert {paper["listed"][0]["date"][5:] for paper in papers} == {"03-10", "03-11"}


# -- item 16: a few bad bytes, garbage after a dump ---------------------------------------


def test_one_bad_byte_in_a_utf8_dump_garbles_no_other_line_nor_duplicates_papers(tmp_path):
    naive = "Naïve Bayes Is Not Dead: Revisiting Generative Classifiers"
    clean = tmp_path / "clean.txt"
    clean.write_text(page("Nov 21", (naive, ABSTRACT)), encoding="utf-8")
    pasted = page("Nov 22", (naive, ABSTRACT), ("Café Scale Models", ABSTRACT))
    one_bad = tmp_path / "one-bad.txt"
    one_bad.write_bytes(pasted.encode("utf-8").replace("Café".encode(), b"Caf\xe9"))
    db = tmp_path / "t.db"
    assert run(db, "import", clean).exit_code == 0
    result = run(db, "import", one_bad)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{one_bad}: 2 papers found, 1 new, 1 already known, 0 skipped\n"
    assert result.stderr == (
        f"warning: {one_bad}: 1 byte not UTF-8 on line 15, read as Windows-1252\n"
    )
    assert sorted(listings(db)) == ["Café Scale Models", naive]


def test_a_dump_followed_by_binary_garbage_is_refused_whole(tmp_path):
    dump = tmp_path / "garbage-after.txt"
    dump.write_bytes(NOV_20.read_bytes() + random.Random(16).randbytes(6000))
    db = tmp_path / "t.db"
    result = run(db, "import", dump)
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    prefix = f"error: {dump}: binary data on line "
    assert line.startswith(prefix) and line.endswith(", not a Daily Papers text dump")
    assert int(line[len(prefix) :].split(",")[0]) > len(NOV_20.read_text().splitlines())
    assert listings(db) == {}


# -- item 17: long titles, folders, pipes, devices, huge files -----------------------------


def test_a_350_character_title_heads_its_abstract(tmp_path):
    title = "Tidal: " + " ".join(["Streaming Recognition with Bounded Look-Ahead"] * 8)
    assert len(title) > 350
    alone = tmp_path / "alone.txt"
    alone.write_text(page("Nov 21", (title, ABSTRACT)), encoding="utf-8")
    among = tmp_path / "among.txt"
    among.write_text(page("Nov 22", ("Short", ABSTRACT), (title, ABSTRACT + "More.")))
    db = tmp_path / "t.db"
    result = run(db, "import", alone, among)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{alone}: 1 paper found, 1 new, 0 already known, 0 skipped",
        f"{among}: 2 papers found, 1 new, 1 already known, 0 skipped",
    ]
    assert sorted(listings(db)) == ["Short", title]


def test_a_folder_imports_upper_case_names_and_subfolders_but_not_hidden_ones(tmp_path):
    folder = tmp_path / "dumps"
    (folder / "2026" / "nov").mkdir(parents=True)
    (folder / ".trash").mkdir()
    (folder / "NOV-20.TXT").write_bytes(NOV_20.read_bytes())
    (folder / "2026" / "nov" / "daily-nov-21.txt").write_bytes(NOV_21.read_bytes())
    (folder / ".trash" / "old.txt").write_bytes(NOV_21.read_bytes())
    (folder / "notes.md").write_text("not a dump")
    assert files.expand_paths([folder]) == [
        folder / "2026" / "nov" / "daily-nov-21.txt",
        folder / "NOV-20.TXT",
    ]
    result = run(tmp_path / "t.db", "import", folder)
    assert result.exit_code == 0, result.output
    assert len(listings(tmp_path / "t.db")) == 15


def triage(*args):
    """The real command, bounded: a hang fails the test instead of stopping the suite."""
    return subprocess.run(
        [sys.executable, "-m", "triage", *map(str, args)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_with_one_line_not_waited_on(tmp_path):
    fifo = tmp_path / "dump.txt"
    os.mkfifo(fifo)
    result = triage("--db", tmp_path / "t.db", "import", fifo, NOV_20)
    assert result.returncode == 1
    assert f"error: {fifo}: a named pipe, not a regular file; nothing imported\n" in result.stderr
    assert f"{NOV_20}: 10 papers found" in result.stdout


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_a_device_is_refused_with_one_line_not_read_forever(tmp_path):
    result = triage("--db", tmp_path / "t.db", "import", "/dev/zero")
    assert result.returncode == 1
    assert result.stderr == "error: /dev/zero: a device, not a regular file; nothing imported\n"


def test_a_file_larger_than_the_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 4_000)
    result = run(tmp_path / "t.db", "import", NOV_20, SAMPLES / "daily-papers-2026-11-20.json")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {NOV_20}: larger than 0.004 MB, not a Daily Papers dump",
        f"error: {SAMPLES / 'daily-papers-2026-11-20.json'}: larger than 0.004 MB, "
        "not a Daily Papers dump",
    ]
    assert paper_id(TIDAL) not in run(tmp_path / "t.db", "list").stdout
