"""The moment tests stop the clock at when what they check depends on the day."""

import datetime as dt

NOON = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
"""Where a test travels the clock to (`time_machine.travel`, which lets it tick on) when it
counts days from today: `today` and `7d` then mean one day throughout, even in a run that
crosses midnight."""
