"""`triage fetch` against a stand-in for the Daily Papers API on 127.0.0.1: what a user types,
the line each day prints, the exit code, and what the store holds afterwards."""

import datetime as dt
import socket
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner
from clock import NOON
from daily_papers_server import Answer, FakeApi, item

from triage.cli import main
from triage.importers import daily_papers
from triage.importers.dump import read_dump
from triage.store import Store, paper_id

SAMPLES = Path(__file__).parents[1] / "sample_dumps"
NOV_20 = SAMPLES / "daily-nov-20.txt"
RESPONSE = SAMPLES / "daily-papers-2026-11-20.json"
DAY = "2026-11-20"
NEXT = "2026-11-21"
PROBLEM = (
    "[bold red]Warning[/]: Markup-Aware Tokenizers Leak Formatting into Language Model Outputs"
)


@pytest.fixture
def api(monkeypatch):
    monkeypatch.setattr(daily_papers, "BACKOFF_SECONDS", 0.001)  # polite, not slow
    with FakeApi() as server:
        monkeypatch.setenv("HF_ENDPOINT", server.endpoint + "/")
        yield server


@pytest.fixture
def db(tmp_path):
    return tmp_path / "triage.db"


def run(db, *args):
    result = CliRunner().invoke(main, ["--db", str(db), *map(str, args)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception  # never a traceback
    return result


def stored(db):
    with Store(db) as store:
        return {paper.title: paper for paper in store.papers()}


def host(api):
    return api.endpoint.removeprefix("http://")


def test_a_day_is_fetched_page_by_page_until_a_short_page(api, db):
    api.serve(
        DAY,
        [item(n, DAY) for n in range(100)],
        [item(n, DAY) for n in range(100, 200)],
        [item(200, DAY)],
    )
    result = run(db, "fetch", "--date", DAY)
    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        f"{DAY}: 201 papers fetched, 201 new, 0 already known\n",
        "",
    )
    assert api.asked() == [(DAY, "0"), (DAY, "1"), (DAY, "2")]
    assert {request["limit"] for request in api.requests} == {"100"}
    assert {request["path"] for request in api.requests} == {"/api/daily_papers"}
    paper = stored(db)["Paper 7: A Study of Things"]
    assert paper.identity.arxiv_id == "2611.10007"
    assert paper.identity.authors == ("Author 7",)
    assert [(listing.listed_on, listing.source) for listing in paper.listed] == [
        (DAY, f"Daily Papers {DAY}")
    ]


def test_an_empty_day_says_so_and_succeeds(api, db):
    result = run(db, "fetch", "--date", DAY)
    assert (result.exit_code, result.stdout) == (0, f"{DAY}: no papers listed\n")
    with Store(db) as store:
        assert [row["name"] for row in store.import_history()] == [f"Daily Papers {DAY}"]


def test_fetching_a_day_again_adds_nothing_and_a_changed_day_only_refreshes(api, db):
    api.serve(DAY, [item(1, DAY), item(2, DAY)])
    run(db, "fetch", "--date", DAY)
    again = run(db, "fetch", "--date", DAY)
    assert again.exit_code == 0
    assert again.stdout.startswith(f"{DAY}: already fetched on ")
    assert again.stdout.endswith(", nothing new (2 papers)\n")
    api.serve(DAY, [item(1, DAY, upvotes=99), item(2, DAY), item(3, DAY)])  # the day grew
    grown = run(db, "fetch", "--date", DAY)
    assert grown.stdout == f"{DAY}: 3 papers fetched, 1 new, 2 already known\n"
    papers = stored(db)
    assert len(papers) == 3
    assert papers["Paper 1: A Study of Things"].identity.upvotes == 99
    assert all(len(paper.listed) == 1 for paper in papers.values())


def test_a_server_400_prints_its_message(api, db):
    api.script(DAY, Answer(400, {"error": "Invalid date: must not be in the future"}))
    result = run(db, "fetch", "--date", DAY)
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"error: {DAY}: HTTP 400 from {host(api)}: Invalid date: must not be in the future\n"
    )
    assert len(api.requests) == 1  # a 4xx is not asked again


@time_machine.travel(NOON)
def test_a_future_date_is_refused_without_asking(api, db):
    result = run(db, "fetch", "--date", "2026-12-01")
    assert result.exit_code == 1
    assert result.stderr == "error: 2026-12-01: in the future, no list yet (today is 2026-11-30)\n"
    assert api.requests == []


def test_a_429_is_waited_out_then_the_day_fetched(api, db):
    api.script(
        DAY,
        Answer(429, {"error": "Too many requests"}, {"Retry-After": "0"}),
        Answer(body=[item(1, DAY)]),
    )
    result = run(db, "fetch", "--date", DAY)
    assert (result.exit_code, result.stdout) == (
        0,
        f"{DAY}: 1 paper fetched, 1 new, 0 already known\n",
    )
    assert (
        result.stderr == f"{DAY}: HTTP 429 from {host(api)}: Too many requests; retrying in 0 s\n"
    )


def test_a_500_is_retried_a_few_times_then_reported(api, db):
    api.script(DAY, Answer(500, {"error": "Internal Error"}))
    result = run(db, "fetch", "--date", DAY)
    assert result.exit_code == 1
    *retries, last = result.stderr.splitlines()
    assert (
        last == f"error: {DAY}: HTTP 500 from {host(api)}: Internal Error (gave up after 4 retries)"
    )
    assert len(retries) == 4 and all("retrying in" in line for line in retries)
    assert len(api.requests) == 5


def test_an_html_error_page_is_named_by_its_status_not_printed(api, db):
    api.script(DAY, Answer(404, b"<!DOCTYPE html><html><body>Not here</body></html>"))
    result = run(db, "fetch", "--date", DAY)
    assert result.stderr == f"error: {DAY}: HTTP 404 from {host(api)}: Not Found\n"


def test_invalid_json_fails_the_day_and_stores_nothing(api, db):
    api.script(DAY, Answer(body=b'[{"paper": '))
    result = run(db, "fetch", "--date", DAY)
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"error: {DAY}: invalid JSON from {host(api)} (line 1, column 12: Expecting value)\n"
    )
    with Store(db) as store:
        assert (store.count(), store.import_history()) == (0, [])


def test_an_answer_that_is_not_a_list_fails_the_day(api, db):
    api.script(DAY, Answer(body={"papers": []}))
    result = run(db, "fetch", "--date", DAY)
    assert (
        result.stderr
        == f"error: {DAY}: unexpected answer from {host(api)}: not a JSON array of papers\n"
    )


def test_a_day_whose_second_page_fails_is_not_stored_at_all(api, db):
    api.serve(DAY, [item(n, DAY) for n in range(100)])
    api.script(DAY, Answer(503, b"busy"), page=1)
    result = run(db, "fetch", "--date", DAY)
    assert result.exit_code == 1
    assert (
        result.stderr.splitlines()[-1]
        == f"error: {DAY}: HTTP 503 from {host(api)}: busy (gave up after 4 retries)"
    )
    with Store(db) as store:
        assert store.count() == 0


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_connection_refused_names_the_server_and_the_days_left(db, monkeypatch):
    port = closed_port()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    result = run(db, "fetch", "--since", "2026-11-18", "--until", DAY)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: 2026-11-18: cannot connect to 127.0.0.1:{port}: connection refused",
        f"error: 2026-11-19 to {DAY}: not fetched, 127.0.0.1:{port} unreachable",
    ]


def test_a_server_that_never_answers_times_out(api, db):
    api.script(DAY, Answer(stall=True))
    result = run(db, "fetch", "--date", DAY, "--timeout", "0.2")
    assert result.exit_code == 1
    assert result.stderr == f"error: {DAY}: no answer from {host(api)} within 0.2 s\n"


def test_a_range_fetches_every_day_and_fails_only_for_the_failing_one(api, db):
    api.serve("2026-11-18", [item(1, "2026-11-18")])
    api.script("2026-11-19", Answer(403, {"error": "Forbidden"}))
    api.serve(DAY, [item(2, DAY), item(3, DAY)])
    result = run(db, "fetch", "--since", "2026-11-18", "--until", NEXT)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "2026-11-18: 1 paper fetched, 1 new, 0 already known",
        f"{DAY}: 2 papers fetched, 2 new, 0 already known",
        f"{NEXT}: no papers listed",
    ]
    assert result.stderr == f"error: 2026-11-19: HTTP 403 from {host(api)}: Forbidden\n"
    assert len(stored(db)) == 3


@time_machine.travel(NOON)
def test_without_a_date_it_fetches_the_days_since_the_last_fetch(api, db):
    today = NOON.date()
    assert run(db.with_name("new.db"), "fetch").stdout == f"{today}: no papers listed\n"
    assert api.asked() == [(str(today), "0")]  # nothing fetched yet: today
    start = today - dt.timedelta(days=3)
    run(db, "fetch", "--date", start)
    api.requests.clear()
    result = run(db, "fetch")
    assert result.exit_code == 0
    assert [day for day, _ in api.asked()] == [str(start + dt.timedelta(days=n)) for n in range(4)]


def test_unreadable_items_of_a_day_are_reported_and_the_rest_stored(api, db):
    api.serve(DAY, [item(1, DAY), item(2, DAY, title=""), {**item(3, DAY), "publishedAt": None}])
    result = run(db, "fetch", "--date", DAY)
    assert result.exit_code == 0
    assert result.stderr == f"{DAY}: item 2: skipped, no title\n"
    assert result.stdout == f"{DAY}: 2 papers fetched, 2 new, 0 already known, 1 skipped\n"
    # an item without its own day is listed on the day asked for
    assert stored(db)["Paper 3: A Study of Things"].listed[0].listed_on == DAY


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", DAY, "--since", DAY], "give --date, or --since (with --until), not both"),
        (["--until", DAY], "--until needs --since"),
        (
            ["--since", NEXT, "--until", DAY],
            f"--since {NEXT} is after --until {DAY}: no days to fetch",
        ),
    ],
)
def test_options_that_do_not_go_together_get_one_line(api, db, args, message):
    result = run(db, "fetch", *args)
    assert (result.exit_code, result.stderr) == (1, f"Error: {message}\n")
    assert api.requests == []


def test_a_date_that_is_no_date_is_a_usage_error(api, db):
    result = run(db, "fetch", "--date", "2026-02-30")
    assert result.exit_code == 2
    assert "'2026-02-30' does not match the format '%Y-%m-%d'" in result.stderr


def test_an_endpoint_that_is_not_a_url_is_named(db, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "huggingface.co")
    result = run(db, "fetch", "--date", DAY)
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: HF_ENDPOINT='huggingface.co' is not an http(s) URL\n",
    )


# -- the same papers, whichever way they came in --------------------------------------


def nov_20_response():
    """The Nov 20 dump's papers as the API lists them: the first with other case and spacing."""
    entries = read_dump(NOV_20).entries
    items = [
        item(n, DAY, title=title, summary=abstract) for n, (title, abstract) in enumerate(entries)
    ]
    items[0]["paper"]["title"] = PROBLEM.upper().replace(" ", "  ")
    return items


def test_a_dump_then_the_same_day_fetched_is_one_paper_each_with_the_users_data_kept(api, db):
    run(db, "import", NOV_20)
    run(
        db,
        "mark",
        paper_id(PROBLEM),
        "--star",
        "--tag",
        "security",
        "--state",
        "reading",
        "--note",
        "read §3",
    )
    before = stored(db)
    api.serve(DAY, nov_20_response())
    result = run(db, "fetch", "--date", DAY)
    assert result.stdout == f"{DAY}: 10 papers fetched, 0 new, 10 already known\n"
    after = stored(db)
    assert after.keys() == before.keys()  # no duplicate, titles as the dump had them
    warning = after[PROBLEM]
    assert (warning.starred, warning.tags, warning.state, warning.note) == (
        True,
        ["security"],
        "reading",
        "read §3",
    )
    assert warning.abstract == before[PROBLEM].abstract
    assert warning.identity.arxiv_id == "2611.10000" and warning.identity.authors == ("Author 0",)
    assert sorted(listing.source for listing in warning.listed) == [
        f"Daily Papers {DAY}",
        "daily-nov-20.txt",
    ]
    assert all(paper.identity.arxiv_id for paper in after.values())


def test_a_day_fetched_then_dumped_is_one_paper_each_with_the_users_data_kept(api, db):
    api.serve(DAY, nov_20_response())
    run(db, "fetch", "--date", DAY)
    fetched = stored(db)
    shouting = PROBLEM.upper().replace(" ", "  ")
    [warning_id] = [
        paper.id for title, paper in fetched.items() if title == " ".join(shouting.split())
    ]
    run(db, "mark", warning_id, "--star", "--note", "mine")
    result = run(db, "import", NOV_20)
    assert result.stdout.endswith("10 papers found, 0 new, 10 already known, 1 skipped\n")
    after = stored(db)
    assert after.keys() == fetched.keys()
    warning = next(paper for paper in after.values() if paper.id == warning_id)
    assert (warning.starred, warning.note, warning.identity.arxiv_id) == (
        True,
        "mine",
        "2611.10000",
    )
    assert sorted(listing.source for listing in warning.listed) == [
        f"Daily Papers {DAY}",
        "daily-nov-20.txt",
    ]


def test_a_saved_response_then_the_same_day_fetched_shares_one_listing(api, db):
    run(db, "import", RESPONSE)
    api.serve(DAY, [item(n, DAY, title=paper.title) for n, paper in enumerate(stored(db).values())])
    result = run(db, "fetch", "--date", DAY)
    assert result.stdout == f"{DAY}: 10 papers fetched, 0 new, 10 already known\n"
    assert all(len(paper.listed) == 1 for paper in stored(db).values())


def test_a_fetch_that_adds_papers_publishes_to_the_shared_file(api, db, tmp_path):
    from triage.sync.shared import SharedFile

    shared = tmp_path / "Sync" / "triage.db"
    shared.parent.mkdir()
    run(db, "import", NOV_20)
    with Store(db) as store:
        SharedFile(store).attach(shared)
    api.serve(DAY, [item(1, DAY), item(2, DAY)])
    fetched = run(db, "fetch", "--date", DAY)
    assert fetched.exit_code == 0
    assert f"published to {shared}" in fetched.stderr
    assert "published" not in run(db, "fetch", "--date", DAY).stderr  # nothing new: no publish
