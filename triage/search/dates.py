"""The values of ``added:`` and ``listed:``, read as an inclusive range of ISO days.

A day (``2026-11-01``), a month (``2026-11``), a year (``2026``), ``today``, ``yesterday``,
or an age: ``7d``, ``2w``, ``3m``, ``1y`` (days, weeks, 30-day months, 365-day years), which
alone means "within the last …". ``>``, ``>=``, ``<``, ``<=`` compare a day as a date
(``>2026-11-01``: after it) and an age as an age (``<7d``: less than 7 days ago, as ``7d``;
``>7d``: more than 7 days ago). ``a..b`` is a range; either end may be left out, and an age
there stands for the day that long ago (``30d..7d``).
"""

from __future__ import annotations

import datetime as dt
import re

FAR_PAST, FAR_FUTURE = "0000-01-01", "9999-12-31"
_AGE = re.compile(r"^(\d{1,5})([dwmy])$")
_DAY = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
_OPERATORS = (">=", "<=", ">", "<")

Span = tuple[str, str]


def parse_dates(value: str, today: dt.date) -> Span | None:
    """An inclusive (first_day, last_day) pair of ISO dates, or None if ``value`` is no date."""
    value = value.strip().lower()
    if ".." in value:
        start, _, end = value.partition("..")
        return _range(start, end, today)
    operator = next((op for op in _OPERATORS if value.startswith(op)), "")
    value = value[len(operator) :]
    age = _age_in_days(value)
    if age is not None:
        return _by_age(operator, age, today)
    span = _span(value, today)
    if span is None or not operator:
        return span
    first, last = span
    return {
        ">=": (first, FAR_FUTURE),
        "<=": (FAR_PAST, last),
        ">": (_shift(last, 1), FAR_FUTURE),
        "<": (FAR_PAST, _shift(first, -1)),
    }[operator]


def _by_age(operator: str, age: int, today: dt.date) -> Span:
    """Papers whose day is less (``<``, or no operator), at most, more or at least ``age``
    days before today."""
    if not operator:
        operator, age = "<", max(age, 1)  # `0d`: today
    newest = {"<": age - 1, "<=": age}.get(operator)
    if newest is not None:
        return _days_ago(today, newest), FAR_FUTURE
    oldest = age + 1 if operator == ">" else age
    return FAR_PAST, _days_ago(today, oldest)


def _range(start: str, end: str, today: dt.date) -> Span | None:
    """Either end a day, a month, a year or an age (that many days ago), in either order."""
    if not start and not end:
        return None
    ends = [
        _end(start, today) if start else (FAR_PAST, FAR_PAST),
        _end(end, today) if end else (FAR_FUTURE, FAR_FUTURE),
    ]
    if ends[0] is None or ends[1] is None:
        return None
    return min(ends[0][0], ends[1][0]), max(ends[0][1], ends[1][1])


def _end(value: str, today: dt.date) -> Span | None:
    age = _age_in_days(value)
    if age is None:
        return _span(value, today)
    day = _days_ago(today, age)
    return day, day


def _age_in_days(value: str) -> int | None:
    match = _AGE.match(value)
    return int(match[1]) * _UNIT_DAYS[match[2]] if match else None


def _days_ago(today: dt.date, days: int) -> str:
    try:
        return (today - dt.timedelta(days=days)).isoformat()
    except OverflowError:
        return FAR_PAST if days > 0 else FAR_FUTURE


def _span(value: str, today: dt.date) -> Span | None:
    """A day, a month, a year, today or yesterday: its first and last day."""
    if value in ("today", "yesterday"):
        day = _days_ago(today, 0 if value == "today" else 1)
        return day, day
    match = _DAY.match(value)
    if match is None:
        return None
    year, month, day = int(match[1]), match[2], match[3]
    try:
        if day is not None:
            first = last = dt.date(year, int(month), int(day))
        elif month is not None:
            first = dt.date(year, int(month), 1)
            last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            last -= dt.timedelta(days=1)
        else:
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    except (ValueError, OverflowError):
        return None
    return first.isoformat(), last.isoformat()


def _shift(day: str, days: int) -> str:
    try:
        return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()
    except (ValueError, OverflowError):
        return FAR_FUTURE if days > 0 else FAR_PAST
