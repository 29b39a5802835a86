"""Options after a command are options, or click's usage error; never words of the query."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from triage.cli import main

SAMPLES = Path(__file__).parents[1] / "sample_dumps"


def run(db, *args):
    return CliRunner().invoke(main, ["--db", str(db), *map(str, args)])


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "triage.db"
    assert run(path, "import", SAMPLES).exit_code == 0
    return path


def test_db_after_the_command_is_a_usage_error_not_a_search(db, tmp_path, isolated_user_dirs):
    other = tmp_path / "h.db"
    for command in ("list", "search", "export"):
        result = run(db, command, "--db", other)
        assert result.exit_code == 2
        assert result.stderr.endswith(
            f"Error: No such option: --db (it goes before the command: triage --db … {command} …)\n"
        )
    assert not other.exists()
    assert not (isolated_user_dirs / "data" / "triage.db").exists()


@pytest.mark.parametrize("command", ["list", "export"])
def test_a_mistyped_option_is_a_usage_error_not_a_query(db, command):
    result = run(db, command, "--jsn")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "No such option '--jsn'" in result.stderr


def test_options_work_before_between_and_after_the_query_words(db):
    def titles(*args):
        result = run(db, "list", *args)
        assert result.exit_code == 0, result.output
        return [paper["title"] for paper in json.loads(result.stdout)]

    everything = titles("--json")
    assert len(everything) == 22
    assert titles("--limit", "2", "--json") == everything[:2]
    assert titles("messy", "--json", "spreadsheets") == titles("--json", "messy spreadsheets")
    assert len(titles("--limit=3", "--json")) == 3


def test_query_words_that_start_with_a_dash_never_become_options(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(db, "export", "diffusion", "-video", "tag:x")
    assert result.exit_code == 0, result.output
    assert "Query: diffusion -video tag:x" in result.stdout
    assert sorted(path.name for path in tmp_path.iterdir()) == ["triage.db"]
    everything = run(db, "list").stdout.splitlines()
    assert len(run(db, "list", "-sheet", "-ontology").stdout.splitlines()) == len(everything) - 1


def test_words_after_a_double_dash_are_all_query(db, tmp_path):
    out = tmp_path / "naive.md"
    result = run(db, "export", "-o", out, "--", "title:naive")
    assert result.exit_code == 0, result.output
    assert "Query: title:naive" in out.read_text(encoding="utf-8")
    result = run(db, "list", "--", "--json")
    assert result.exit_code == 0 and not result.stdout.startswith("[")


@pytest.mark.parametrize("args", [["diffusion", "-o"], ["--state"], ["--tag"]])
def test_an_option_missing_its_value_is_a_usage_error(db, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = run(db, "export", *args)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: Option '{args[-1]}' requires an argument.\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["triage.db"]
