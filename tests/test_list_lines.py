"""The lines `triage list QUERY` prints: each paper's star, state and tags as the DB has them
now (they come from the search's table, caught up with the store at the search), also after
another program changed them."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from triage.cli import main
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
        day = p.first_listed or p.added_at[:10]
        lines.append(f"{p.id}  {star} {p.state:<8} {day}  {p.title}{tags}\n")
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
