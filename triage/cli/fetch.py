"""`triage fetch`: the Daily Papers of a day, of a range of days, or of the days since the last
fetch, from the Hugging Face API (or ``$HF_ENDPOINT``)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from triage.cli.common import fail, open_store, share_changes, stderr_progress
from triage.cli.main import main
from triage.core.text import strip_control
from triage.store import Store

if TYPE_CHECKING:
    from triage.importers.daily_papers import DailyPapersClient

DAY = click.DateTime(formats=["%Y-%m-%d"])
TIMEOUT_SECONDS = 30.0  # the client's default (its module is imported only when fetching)


@main.command()
@click.option("--date", "day", type=DAY, metavar="YYYY-MM-DD", help="Fetch this day.")
@click.option("--since", type=DAY, metavar="YYYY-MM-DD", help="Fetch every day from this one…")
@click.option("--until", type=DAY, metavar="YYYY-MM-DD", help="…through this one (default: today).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=TIMEOUT_SECONDS,
    show_default=True,
    help="Seconds to wait for the server's answer.",
)
@click.pass_context
def fetch(
    ctx: click.Context,
    day: dt.datetime | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    timeout: float,
) -> None:
    """Fetch the Daily Papers, with their arXiv ids, authors and links.

    Without --date or --since: the days since the last fetch (the last one again, as its list
    may have grown), or today. Each day is imported like a dump: whole or not at all, once
    (fetching it again adds nothing), never touching your stars, tags, notes or states. The
    server is $HF_ENDPOINT if set, else the Hugging Face hub.
    """
    from triage.importers.daily_papers import (
        DailyPapersClient,
        FetchError,
        endpoint_from_environment,
    )
    from triage.importers.fetch import days_since_last_fetch

    if day and (since or until):
        fail("give --date, or --since (with --until), not both")
    if until and not since:
        fail("--until needs --since")
    today = dt.date.today()
    days: list[dt.date] | None = None
    if day:
        days = [day.date()]
    elif since:
        first = since.date()
        last = until.date() if until else max(first, today)
        if first > last:
            fail(f"--since {first} is after --until {last}: no days to fetch")
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    try:
        endpoint = endpoint_from_environment()
    except FetchError as error:
        fail(str(error))
    client = DailyPapersClient(
        endpoint,
        timeout=timeout,
        notify=lambda message: say(message, err=True),
    )
    with open_store(ctx, expect_new=True) as store:
        if days is None:
            days = days_since_last_fetch(store, today)
        before = store.change_token()
        failed = fetch_days(store, client, days, today)
        if store.change_token() != before:
            share_changes(store)
    if failed:
        sys.exit(1)


def fetch_days(
    store: Store, client: DailyPapersClient, days: Sequence[dt.date], today: dt.date
) -> int:
    """Fetch each day, one line for each; returns how many days failed.

    A day after today is refused without asking. When the server cannot be reached at all,
    the days left are named in one line rather than each failing the same way.
    """
    from triage.importers.fetch import DayReport, fetch_day, latest_listed_day

    latest = latest_listed_day()
    failed = 0
    # A bar for a range, on a terminal (each day's line goes to stdout in any case).
    show = len(days) > 1 and sys.stderr.isatty()
    with stderr_progress("fetching", show=show) as progress:
        task = progress.add_task("fetching", total=len(days)) if progress else None
        for done, day in enumerate(days):
            if progress is not None and task is not None:
                progress.update(task, completed=done, description=f"fetching {day}")
            if day > latest:
                report = DayReport(day, error=f"in the future, no list yet (today is {today})")
            else:
                report = fetch_day(store, client, day)
            for problem in report.problems:
                say(f"{day}: {problem}", err=True)
            say(report.summary(), err=bool(report.error))
            failed += bool(report.error)
            left = days[done + 1 :]
            if report.unreachable and left:
                span = f"{left[0]} to {left[-1]}" if len(left) > 1 else f"{left[0]}"
                say(f"error: {span}: not fetched, {client.host} unreachable", err=True)
                return failed + len(left)
    return failed


def say(line: str, *, err: bool = False) -> None:
    """One line on stdout (or stderr), above the progress bar when one is shown.

    Written to ``sys.stdout`` as it is at the time: the bar wraps it to print above itself,
    and click's own stream would write under the wrapper, through the bar.
    """
    stream = sys.stderr if err else sys.stdout
    click.echo(strip_control(line, keep_newlines=False), file=stream)
