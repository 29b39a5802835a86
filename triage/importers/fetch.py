"""Days of the Daily Papers API into the store, each day imported like a dump file.

A day is stored whole or not at all, in one transaction with its row in the import log: named
``Daily Papers YYYY-MM-DD`` (as its listings' source), its path the URL asked. Those rows tell
the next ``triage fetch`` where to start; a row's key (a hash of the day and of what the server
sent) tells that fetching the same answer again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field

from triage.core.wording import plural
from triage.importers.api import DayBatch, listing_source, parse_response, store_batches
from triage.importers.daily_papers import DailyPapersClient, FetchError
from triage.importers.once import store_once
from triage.store import Store

_FETCHED = re.compile(r"Daily Papers (\d{4}-\d{2}-\d{2})")


@dataclass
class DayReport:
    day: dt.date
    found: int = 0
    new: int = 0
    known: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)  # "item N: …"
    already_fetched: str | None = None  # when the server sent exactly this before
    error: str | None = None
    unreachable: bool = False  # the server could not be reached: the next days would fail too

    def summary(self) -> str:
        if self.error:
            return f"error: {self.day}: {self.error}"
        if self.already_fetched:
            return (
                f"{self.day}: already fetched on {self.already_fetched[:10]}, nothing new "
                f"({plural(self.found, 'paper')})"
            )
        if not self.found and not self.skipped:
            return f"{self.day}: no papers listed"
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        return (
            f"{self.day}: {plural(self.found, 'paper')} fetched, {self.new} new, "
            f"{self.known} already known{skipped}"
        )


def latest_listed_day() -> dt.date:
    """The last day that can have a list yet: today where the user is, or in UTC if later."""
    return max(dt.date.today(), dt.datetime.now(dt.UTC).date())


def fetched_days(store: Store) -> list[dt.date]:
    """The days fetched into this store (or a copy merged into it), oldest first."""
    days = {
        dt.date.fromisoformat(match[1])
        for row in store.import_history()
        if (match := _FETCHED.fullmatch(str(row.get("name"))))
        and str(row.get("path")).startswith(("http://", "https://"))
    }
    return sorted(days)


def days_since_last_fetch(store: Store, today: dt.date) -> list[dt.date]:
    """From the last day fetched (again: its list may have grown since) through ``today``;
    just ``today`` when nothing was fetched yet."""
    fetched = fetched_days(store)
    first = min(fetched[-1], today) if fetched else today
    return [first + dt.timedelta(days=n) for n in range((today - first).days + 1)]


def fetch_day(store: Store, client: DailyPapersClient, day: dt.date) -> DayReport:
    """Fetch every page of ``day``, then store it whole, or report why not."""
    report = DayReport(day)
    try:
        items = client.fetch_day(day)
    except FetchError as error:
        report.error, report.unreachable = str(error), error.unreachable
        return report
    iso = day.isoformat()
    parsed = parse_response(items, name=iso, default_day=iso)
    report.found, report.skipped, report.problems = parsed.found, parsed.skipped, parsed.problems
    name = listing_source(iso)
    answer = json.dumps(items, sort_keys=True, ensure_ascii=False).encode()
    digest = hashlib.sha256(name.encode() + b"\n" + answer).hexdigest()
    record = {
        "sha256": digest,
        "name": name,
        "path": client.url(day),
        "size": len(answer),
        "skipped": report.skipped,
    }
    batches = parsed.batches or [DayBatch(iso)]  # an empty day is logged too: it was fetched
    stored = store_once(store, digest, lambda: store_batches(store, batches, record), "")
    report.new, report.known, report.error = stored.new, stored.known, stored.error
    if stored.before:
        report.already_fetched, report.known = stored.before, report.found
    return report
