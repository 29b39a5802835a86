"""What goes wrong around a command gets one line and a non-zero exit, and loses nothing: a note
that is not UTF-8, a full disk on standard output, a backup into a folder that is not there,
an export onto a link or a device, a --db that names no DB."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from triage.cli import main
from triage.store import paper_id

SAMPLES = Path(__file__).parents[1] / "sample_dumps"
TIDAL = paper_id("Tidal: Streaming Speech Recognition with Bounded Look-Ahead")


def run(db, *args, input=None):
    return CliRunner().invoke(main, ["--db", str(db), *map(str, args)], input=input)


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "triage.db"
    assert run(path, "import", SAMPLES).exit_code == 0
    return path


def note_of(db, paper):
    return json.loads(run(db, "show", paper, "--json").stdout)["note"]


def test_a_note_piped_in_that_is_not_utf8_is_refused_in_one_line(db):
    assert run(db, "mark", TIDAL, "--note", "kept").exit_code == 0
    result = run(db, "mark", TIDAL, "--note", "-", input=b"caf\xe9 au lait\n")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: standard input is not UTF-8 text (byte 4: 0xe9); the note was not changed\n"
    )
    assert note_of(db, TIDAL) == "kept"
    assert run(db, "mark", TIDAL, "--note", "-", input="café\n".encode()).exit_code == 0
    assert note_of(db, TIDAL) == "café"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize(
    "command", [["list"], ["list", "--json"], ["export"], ["show", TIDAL], ["stats"]]
)
def test_output_to_a_full_disk_ends_in_one_line_not_a_traceback(db, command):
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "triage", "--db", str(db), *command],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr == "Error: cannot write to standard output: No space left on device\n"


def test_export_writes_through_a_symbolic_link_and_keeps_it(db, tmp_path):
    target = tmp_path / "notes" / "reading.md"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "reading.md"
    link.symlink_to(target)
    result = run(db, "export", "-o", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text(encoding="utf-8").startswith("# Papers\n")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_export_into_a_named_pipe_writes_into_it_and_leaves_it_a_pipe(db, tmp_path):
    fifo = tmp_path / "reader"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE, text=True)
    try:
        result = run(db, "export", "--format", "json", "-o", fifo)
        assert result.exit_code == 0, result.output
        assert len(json.loads(reader.communicate(timeout=60)[0])) == 22
    finally:
        reader.kill()
    assert fifo.is_fifo()


def test_backup_into_a_missing_folder_makes_no_folder(db, tmp_path):
    target = tmp_path / "nonexistent" / "copy.db"
    result = run(db, "backup", target)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {target.parent}: no such folder; nothing written\n"
    assert not target.parent.exists()


@pytest.mark.parametrize("command", [["list"], ["export"], ["mark", TIDAL, "--star"]])
def test_a_db_that_does_not_exist_is_created_with_a_note_saying_so(tmp_path, command):
    typo = tmp_path / "tirage.db"
    result = run(typo, *command)
    assert result.stderr.startswith(f"note: {typo} did not exist: created it, an empty triage DB\n")
    assert result.stdout == "" or command[0] == "export"


def test_importing_into_a_new_db_needs_no_note(tmp_path):
    result = run(tmp_path / "new.db", "import", SAMPLES / "daily-nov-20.txt")
    assert result.exit_code == 0
    assert "note:" not in result.stderr
