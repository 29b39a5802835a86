"""The Daily Papers client on its own: how long it waits before asking again, how far it pages,
and what it says the server said."""

import datetime as dt

import pytest
from daily_papers_server import Answer, FakeApi, item

from triage.importers import daily_papers
from triage.importers.daily_papers import (
    DailyPapersClient,
    FetchError,
    endpoint_from_environment,
    server_message,
)

DAY = dt.date(2026, 11, 20)
ISO = DAY.isoformat()


@pytest.fixture
def api():
    with FakeApi() as server:
        yield server


def client(api, waits, **options):
    return DailyPapersClient(api.endpoint, sleep=waits.append, **options)


def test_waits_double_from_the_backoff_base_then_it_gives_up(api):
    api.script(ISO, Answer(502, b"Bad Gateway"))
    waits = []
    with pytest.raises(FetchError) as failure:
        client(api, waits, backoff=0.5, retries=3).fetch_day(DAY)
    assert waits == [0.5, 1.0, 2.0]
    assert str(failure.value).endswith("Bad Gateway (gave up after 3 retries)")
    assert not failure.value.unreachable


def test_the_servers_retry_after_is_honoured_within_a_minute(api):
    api.script(
        ISO,
        Answer(429, headers={"Retry-After": "7"}),
        Answer(503, headers={"Retry-After": "86400"}),
        Answer(429, headers={"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"}),
        Answer(body=[item(1, ISO)]),
    )
    waits = []
    assert len(client(api, waits, backoff=1.0).fetch_day(DAY)) == 1
    assert waits == [7.0, 60.0, 4.0]  # a date is not read: the backoff's third wait instead


def test_each_retry_is_told_with_its_day(api):
    api.script(ISO, Answer(429, {"error": "Slow down"}), Answer(body=[]))
    said = []
    client(api, [], backoff=2.0, notify=said.append).fetch_day(DAY)
    assert said == [f"{ISO}: HTTP 429 from {api.endpoint[7:]}: Slow down; retrying in 2 s"]


def test_paging_stops_at_an_empty_page_after_full_ones(api):
    api.serve(ISO, [item(1, ISO), item(2, ISO)], [item(3, ISO), item(4, ISO)], [])
    items = client(api, [], page_size=2).fetch_day(DAY)
    assert [entry["paper"]["id"] for entry in items] == [
        "2611.10001",
        "2611.10002",
        "2611.10003",
        "2611.10004",
    ]
    assert api.asked() == [(ISO, "0"), (ISO, "1"), (ISO, "2")]


def test_a_server_that_never_sends_a_short_page_is_asked_a_bounded_number_of_times(
    api, monkeypatch
):
    monkeypatch.setattr(daily_papers, "MAX_PAGES", 3)
    for page in range(10):
        api.script(ISO, Answer(body=[item(page, ISO)]), page=page)
    with pytest.raises(FetchError, match="more than 3 full pages; stopped asking"):
        client(api, [], page_size=1).fetch_day(DAY)
    assert len(api.requests) == 3


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (b'{"error": "Invalid date"}', "Invalid date"),
        (b'{"message": "Rate limited"}', "Rate limited"),
        (b"plain words\n", "plain words"),
        (b"<html><body>big page</body></html>", "Bad Request"),
        (b"", "Bad Request"),
        (b'{"error": "\\u001b[31mred\\u001b[0m alert"}', "red alert"),
        (b'{"error": "' + b"x" * 300 + b'"}', "x" * 200 + "…"),
    ],
)
def test_the_servers_message_is_one_clean_line(body, said):
    assert server_message(body, "Bad Request") == said


@pytest.mark.parametrize(
    ("value", "endpoint"),
    [
        (None, "https://huggingface.co"),
        ("", "https://huggingface.co"),
        ("https://hf-mirror.example/", "https://hf-mirror.example"),
        ("http://127.0.0.1:8080/hub", "http://127.0.0.1:8080/hub"),
    ],
)
def test_the_endpoint_is_hf_endpoint_else_the_hub(monkeypatch, value, endpoint):
    if value is None:
        monkeypatch.delenv("HF_ENDPOINT", raising=False)
    else:
        monkeypatch.setenv("HF_ENDPOINT", value)
    assert endpoint_from_environment() == endpoint
    assert (
        DailyPapersClient(endpoint).url(DAY, 2)
        == f"{endpoint}/api/daily_papers?date={ISO}&p=2&limit=100"
    )
