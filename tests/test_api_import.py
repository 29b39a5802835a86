"""`triage import FILE.json`: a saved Daily Papers API response imports like a dump, with the
papers' arXiv ids, authors and links."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from daily_papers_server import item
from hostile_text import SEQUENCES

from triage.cli import main
from triage.store import Store, paper_id

SAMPLES = Path(__file__).parents[1] / "sample_dumps"
RESPONSE = SAMPLES / "daily-papers-2026-11-20.json"
NOV_20 = SAMPLES / "daily-nov-20.txt"
TIDAL = "Tidal: Streaming Speech Recognition with Bounded Look-Ahead"


def run(db, *args):
    result = CliRunner().invoke(main, ["--db", str(db), *map(str, args)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def papers(db):
    with Store(db) as store:
        return {paper.title: paper for paper in store.papers()}


def save(path, items):
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_sample_response_imports_with_ids_authors_and_links(tmp_path):
    db = tmp_path / "t.db"
    result = run(db, "import", RESPONSE)
    assert result.exit_code == 0
    assert result.stdout == f"{RESPONSE}: 10 papers found, 10 new, 0 already known, 0 skipped\n"
    tidal = papers(db)[TIDAL]
    assert tidal.identity.arxiv_id == "2611.14534"
    assert tidal.identity.authors == ("Aoife Byrne", "José Álvarez", "Mei Lin")
    assert (tidal.identity.upvotes, tidal.identity.comments) == (19, 2)
    assert tidal.identity.github_repo == "https://github.com/tidal-asr/tidal"
    assert tidal.identity.project_page == "https://tidal-asr.github.io"
    assert [(item.listed_on, item.source) for item in tidal.listed] == [
        ("2026-11-20", "Daily Papers 2026-11-20")
    ]
    # the API wraps abstracts at 78 columns: stored as one paragraph, like a dump's
    assert "\n" not in tidal.abstract and "  " not in tidal.abstract


def test_the_sample_response_gives_the_sample_dumps_papers_their_identity(tmp_path):
    db = tmp_path / "t.db"
    assert run(db, "import", SAMPLES).exit_code == 0
    listed = json.loads(run(db, "list", "--json").stdout)
    assert len(listed) == 22  # the response's 10 papers are the Nov 20 dump's
    with_ids = [paper for paper in listed if paper["arxiv_id"]]
    assert len(with_ids) == 10 and all(paper["authors"] for paper in with_ids)
    tidal = next(paper for paper in listed if paper["title"] == TIDAL)
    assert sorted(entry["source"] for entry in tidal["listed"]) == [
        "Daily Papers 2026-11-20",
        "daily-nov-20.txt",
        "daily-nov-21.txt",
    ]


def test_importing_the_same_response_again_adds_nothing(tmp_path):
    db = tmp_path / "t.db"
    run(db, "import", RESPONSE)
    run(db, "mark", paper_id(TIDAL), "--star", "--note", "mine")
    result = run(db, "import", RESPONSE)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{RESPONSE}: already imported on ")
    assert result.stdout.endswith(", nothing added (10 papers)\n")
    tidal = papers(db)[TIDAL]
    assert (tidal.starred, tidal.note, len(tidal.listed)) == (True, "mine", 1)


def test_a_dump_then_its_response_is_one_paper_each_with_the_users_data_kept(tmp_path):
    db = tmp_path / "t.db"
    run(db, "import", NOV_20)
    run(db, "mark", paper_id(TIDAL), "--tag", "asr", "--state", "reading", "--note", "my note")
    before = papers(db)[TIDAL]
    assert run(db, "import", RESPONSE).stdout.endswith(
        "10 papers found, 0 new, 10 already known, 0 skipped\n"
    )
    after = papers(db)
    assert len(after) == 10
    tidal = after[TIDAL]
    assert (tidal.id, tidal.abstract, tidal.tags, tidal.state, tidal.note) == (
        before.id,
        before.abstract,
        ["asr"],
        "reading",
        "my note",
    )
    assert tidal.identity.arxiv_id == "2611.14534"
    assert len(tidal.listed) == 2


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        pytest.param(
            b'[{"paper": {"id": "2611.00001",',
            "invalid JSON (line 1, column 32: Expecting property name enclosed in double quotes)",
            id="cut off",
        ),
        pytest.param(b"", "invalid JSON (line 1, column 1: Expecting value)", id="empty"),
        pytest.param(b"[" * 100_000, "invalid JSON (nested too deeply)", id="nested too deeply"),
        pytest.param(
            b'{"error": "Invalid date"}',
            "not a Daily Papers API response (a JSON array of papers), found an object",
            id="an object",
        ),
        pytest.param(b"[]", "no papers found, nothing to import", id="no papers"),
        pytest.param(b'["a", 3]', "no papers found, nothing to import", id="no paper in it"),
        pytest.param(
            b'[{"title": "caf\xe9"}]',
            "not UTF-8 text, not a Daily Papers API response",
            id="not UTF-8",
        ),
    ],
)
def test_a_bad_response_file_gets_one_line_a_failing_exit_and_imports_nothing(
    tmp_path, content, reason
):
    db = tmp_path / "t.db"
    bad = tmp_path / "saved.json"
    bad.write_bytes(content)
    result = run(db, "import", RESPONSE, bad)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {bad}: {reason}"]
    assert len(papers(db)) == 10  # the good file beside it still imported


def test_unreadable_items_are_reported_and_skipped_the_rest_imported(tmp_path):
    day = "2026-11-20"
    items = [
        item(1, day),
        "not an object",
        item(3, day, title="  "),
        item(4, day, summary=None),
        {**item(5, day), "publishedAt": "someday"},
        item(
            6, day, id="2611.1; rm -rf /", githubRepo="javascript:alert(1)", projectPage="ftp://x"
        ),
    ]
    items[3]["summary"] = ""
    response = save(tmp_path / "day.json", items)
    result = run(tmp_path / "t.db", "import", response)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"{response}: item 2: skipped, not a JSON object",
        f"{response}: item 3: skipped, no title",
        f"{response}: item 4: skipped, no abstract for 'Paper 4: A Study of Things'",
        f"{response}: item 5: skipped, no listing day (publishedAt) for 'Paper 5: A Study of Things'",
        f"{response}: item 6: ignored an id that is not an arXiv id: '2611.1; rm -rf /'",
    ]
    assert result.stdout == f"{response}: 2 papers found, 2 new, 0 already known, 4 skipped\n"
    six = papers(tmp_path / "t.db")["Paper 6: A Study of Things"]
    assert (six.identity.arxiv_id, six.identity.github_repo, six.identity.project_page) == (
        None,
        None,
        None,
    )
    assert six.identity.authors == ("Author 6",)


@pytest.mark.parametrize(("hostile", "shown"), SEQUENCES)
def test_control_sequences_in_a_response_never_reach_the_store(tmp_path, hostile, shown):
    response = save(
        tmp_path / "day.json",
        [item(1, "2026-11-20", title=hostile, authors=[{"name": hostile}, {"name": "Ana"}])],
    )
    run(tmp_path / "t.db", "import", response)
    [paper] = papers(tmp_path / "t.db").values()
    assert (paper.title, paper.identity.authors) == (shown, (shown, "Ana"))


def test_a_response_spanning_two_days_lists_each_paper_on_its_own_day(tmp_path):
    response = save(
        tmp_path / "two.json", [item(1, "2026-11-19"), item(2, "2026-11-20"), item(3, "2026-11-19")]
    )
    result = run(tmp_path / "t.db", "import", response)
    assert result.stdout == f"{response}: 3 papers found, 3 new, 0 already known, 0 skipped\n"
    listed = {
        title: [(i.listed_on, i.source) for i in paper.listed]
        for title, paper in papers(tmp_path / "t.db").items()
    }
    assert listed["Paper 3: A Study of Things"] == [("2026-11-19", "Daily Papers 2026-11-19")]
    assert listed["Paper 2: A Study of Things"] == [("2026-11-20", "Daily Papers 2026-11-20")]
    again = run(tmp_path / "t.db", "import", response)
    assert "already imported" in again.stdout
