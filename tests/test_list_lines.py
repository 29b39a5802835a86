"""The lines `triage list QUERY` prints: each paper's star, state and tags as the DB has them
now (they come from the search's table, caught up with the store at the search), also after
another program changed them."""

import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile_text import SEQUENCES

from triage.cli import main
from triage.cli.common import write_lines
from triage.core.text import plain_utf8_lines, strip_control
from triage.store import Store

SAMPLES = Path(__file__).parents[1] / "sample_dumps"
SPREADSHEETS = "Sheet Happens: Benchmarking LLM Agents on Messy Real-World Spreadsheets"


def run(db, *args):
    result = CliRunner().invoke(main, ["--db", str(db), *map(str, args)])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def db(tmp_path, whoosh_mode):
    path = tmp_path / "triage.db"
    run(path, "import", SAMPLES)
    return path


def expected_lines(db, ids):
    """The lines of these papers' full records: id, star, state, date, title, tags."""
    with Store(db) as store:
        papers = store.papers(ids)
    lines = []
    for p in papers:
        star = "*" if p.starred else " "
        tags = f"  [{', '.join(p.tags)}]" if p.tags else ""
        lines.append(f"{p.id}  {star} {p.state:<8} {p.listed_on}  {p.title}{tags}\n")
    return "".join(lines)


def test_a_querys_lines_are_those_its_papers_full_records_make(db):
    with Store(db) as store:
        ids = store.ids_newest_first()
        store.mark(ids[::3], star=True, add_tags=["zeta", "alpha", "mid"])
        store.mark(ids[1::4], state="reading", add_tags=["Émile", "b"])
        store.mark(ids[2::5], state="archived", note="a note")
    for query in ("the", "is:starred", "tag:alpha sort:title", "learning -model"):
        listed = [paper["id"] for paper in json.loads(run(db, "list", query, "--json"))]
        assert listed
        assert run(db, "list", query) == expected_lines(db, listed)


def test_marks_changed_by_another_program_since_the_last_search_show(db):
    with Store(db) as store:
        paper = next(p.id for p in store.papers() if p.title == SPREADSHEETS)
    before = run(db, "list", "spreadsheets")  # the index built, its table saved
    assert before == expected_lines(db, [paper])
    assert before.split()[1] == "inbox"
    with Store(db) as store:  # another terminal, the app, a sync
        store.mark([paper], star=True, state="reading", add_tags=["to-read", "best"])
    after = run(db, "list", "spreadsheets")
    assert after == expected_lines(db, [paper])
    assert after.split()[1:3] == ["*", "reading"]
    assert after.rstrip().endswith("[best, to-read]")
    with Store(db) as store:
        store.mark([paper], star=False, state="inbox", remove_tags=["best", "to-read"])
    assert run(db, "list", "spreadsheets") == before


def test_each_papers_date_is_the_one_newest_first_orders_by(tmp_path, whoosh_mode):
    """The date shown is the paper's latest listing, as in the app's list: a paper listed
    again on a later day moves up and shows that day, so the dates read newest first."""
    db = tmp_path / "triage.db"
    with Store(db) as store:
        both = [("Alpha", "An abstract."), ("Beta", "An abstract.")]
        store.add_papers(both, source="a.txt", listed_on="2026-11-20")
        store.add_papers([("Gamma", "An abstract.")], source="b.txt", listed_on="2026-11-21")
        store.add_papers([("Alpha", "An abstract.")], source="c.txt", listed_on="2026-11-22")
        store.add_papers([("Beta", "An abstract.")], source="old.txt", listed_on="2026-11-19")
    for query in ([], ["abstract"]):  # newest first; searched
        shown = [line.split()[2:] for line in run(db, "list", *query).splitlines()]
        assert shown == [["2026-11-22", "Alpha"], ["2026-11-21", "Gamma"], ["2026-11-20", "Beta"]]


def test_titles_that_could_drive_the_terminal_are_listed_stripped(tmp_path, whoosh_mode):
    """A title stored with escape sequences or controls (an older import, another program's
    write) is listed as strip_control leaves it, whichever way its line is made."""
    db = tmp_path / "triage.db"
    hostile = [f"{number} {case.values[0]}" for number, case in enumerate(SEQUENCES)]
    with Store(db) as store:
        entries = [(title, "An abstract.") for title in [*hostile, "A plain title — naïve"]]
        store.add_papers(entries, source="hostile.txt", listed_on="2026-11-20")
    shown = {strip_control(title, keep_newlines=False) for title in hostile}
    for query in ([], ["abstract"]):  # newest first (marks read from the store); searched
        lines = run(db, "list", *query).splitlines()
        assert len(lines) == len(hostile) + 1
        titles = {line[35:] for line in lines}  # after "id  * state    YYYY-MM-DD  "
        assert titles == {*shown, "A plain title — naïve"}
        assert all(strip_control(line, keep_newlines=False) == line for line in lines)


def test_lines_checked_as_utf8_bytes_pass_just_when_strip_control_leaves_them():
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:  # surrogates: no UTF-8 of their own
            continue
        line = f"a{chr(code)}b"
        kept = strip_control(line, keep_newlines=False) == line
        assert plain_utf8_lines(f"{line}\n".encode(), 1) == kept, hex(code)
    assert plain_utf8_lines(b"one\ntwo\n", 2)
    assert not plain_utf8_lines(b"one\ntwo\n", 1)  # a line break within a line


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])  # checked as bytes, or as text
@pytest.mark.parametrize(("hostile", "shown"), SEQUENCES)
def test_each_kind_of_terminal_sequence_is_stripped_from_listed_lines(
    monkeypatch, encoding, hostile, shown
):
    stdout = io.TextIOWrapper(io.BytesIO(), encoding=encoding)
    monkeypatch.setattr(sys, "stdout", stdout)
    write_lines([f"0a1b2c3d4e    inbox    2026-11-20  {hostile}\n", "5f6a7b8c9d  plain\n"])
    written = stdout.buffer.getvalue().decode(encoding)
    assert written == f"0a1b2c3d4e    inbox    2026-11-20  {shown}\n5f6a7b8c9d  plain\n"
