"""A small client for the Daily Papers API: every page of a day, polite retries, one-line errors.

Not ``huggingface_hub`` 2.4 (measured: 32 MB in twelve packages new to triage, among them a
native 11 MB library, and 165-310 ms to import ``HfApi``; its ``list_daily_papers`` asks for one
page, retries nothing, and reads ``githubRepo`` and ``projectPage`` from the item, not ``paper``).
The standard library does it in this one module, imported only when fetching.

The endpoint is ``$HF_ENDPOINT``, as for the hub's own client, else the Hugging Face hub.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from triage.core.text import strip_control

DEFAULT_ENDPOINT = "https://huggingface.co"
ENDPOINT_VARIABLE = "HF_ENDPOINT"
PAGE_SIZE = 100
MAX_PAGES = 50  # 5,000 papers in a day: far beyond any real day, a bound for a confused server
RETRIES = 4
BACKOFF_SECONDS = 1.0
"""The first wait before a retry (then twice as long each time), unless the server says."""
MAX_WAIT_SECONDS = 60.0
TIMEOUT_SECONDS = 30.0
MAX_PAGE_BYTES = 20_000_000
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "triage (a reading list of Daily Papers)"


class FetchError(Exception):
    """A day that could not be fetched: one line saying why.

    ``unreachable``: the server could not be reached at all (offline, refused, timed out), so
    asking for the next days now would fail the same way.
    """

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


class _Retry(Exception):
    """An answer worth asking again for (429, 5xx), after ``wait`` seconds if the server said."""

    def __init__(self, message: str, wait: float | None) -> None:
        super().__init__(message)
        self.wait = wait


def endpoint_from_environment() -> str:
    """``$HF_ENDPOINT`` (without a trailing slash), else the hub; FetchError if it is no URL."""
    endpoint = os.environ.get(ENDPOINT_VARIABLE, "").strip().rstrip("/") or DEFAULT_ENDPOINT
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        shown = strip_control(endpoint, keep_newlines=False)[:100]
        raise FetchError(f"{ENDPOINT_VARIABLE}={shown!r} is not an http(s) URL")
    return endpoint


class DailyPapersClient:
    """Fetches days from ``endpoint``; ``sleep`` and ``backoff`` are the retries' clock.

    ``notify`` hears of each retry, so a user waiting knows why.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        timeout: float = TIMEOUT_SECONDS,
        retries: int = RETRIES,
        backoff: float | None = None,
        page_size: int = PAGE_SIZE,
        sleep: Callable[[float], None] = time.sleep,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.host = urllib.parse.urlsplit(endpoint).netloc
        self.timeout = timeout
        self.retries = retries
        self.backoff = BACKOFF_SECONDS if backoff is None else backoff
        self.page_size = page_size
        self.sleep = sleep
        self.notify = notify

    def url(self, day: dt.date, page: int = 0) -> str:
        query = urllib.parse.urlencode(
            {"date": day.isoformat(), "p": page, "limit": self.page_size}
        )
        return f"{self.endpoint}/api/daily_papers?{query}"

    def fetch_day(self, day: dt.date) -> list[Any]:
        """Every item listed on ``day``: pages until one comes back short."""
        items: list[Any] = []
        for page in range(MAX_PAGES):
            found = self._page(self.url(day, page), day)
            items.extend(found)
            if len(found) < self.page_size:
                return items
        raise FetchError(f"{self.host} sent more than {MAX_PAGES} full pages; stopped asking")

    def _page(self, url: str, day: dt.date) -> list[Any]:
        attempt = 0
        while True:
            try:
                return self._get(url)
            except _Retry as answer:
                if attempt == self.retries:
                    raise FetchError(f"{answer} (gave up after {attempt} retries)") from None
                wait = self.backoff * 2**attempt if answer.wait is None else answer.wait
                wait = min(wait, MAX_WAIT_SECONDS)
                if self.notify:
                    self.notify(f"{day}: {answer}; retrying in {wait:g} s")
                self.sleep(wait)
                attempt += 1

    def _get(self, url: str) -> list[Any]:
        request = urllib.request.Request(
            url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(MAX_PAGE_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise self._refusal(error) from None
        except urllib.error.URLError as error:
            raise self._unreachable(error.reason) from None
        except (TimeoutError, OSError, http.client.HTTPException) as error:
            raise self._unreachable(error) from None
        if len(body) > MAX_PAGE_BYTES:
            raise FetchError(
                f"{self.host} sent more than {MAX_PAGE_BYTES // 1_000_000} MB for one page"
            )
        try:
            items = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            where = (
                f" (line {error.lineno}, column {error.colno}: {error.msg})"
                if isinstance(error, json.JSONDecodeError)
                else ""
            )
            raise FetchError(f"invalid JSON from {self.host}{where}") from None
        except RecursionError:
            raise FetchError(f"invalid JSON from {self.host} (nested too deeply)") from None
        if not isinstance(items, list):
            raise FetchError(f"unexpected answer from {self.host}: not a JSON array of papers")
        return items

    def _refusal(self, error: urllib.error.HTTPError) -> Exception:
        try:
            body = error.read(64_000)
        except (OSError, http.client.HTTPException):
            body = b""
        message = f"HTTP {error.code} from {self.host}: {server_message(body, error.reason)}"
        if error.code in RETRY_STATUSES:
            return _Retry(message, retry_after(error.headers.get("Retry-After")))
        return FetchError(message)

    def _unreachable(self, reason: object) -> FetchError:
        if isinstance(reason, TimeoutError):
            return FetchError(
                f"no answer from {self.host} within {self.timeout:g} s", unreachable=True
            )
        if isinstance(reason, ConnectionRefusedError):
            why = "connection refused"
        elif isinstance(reason, socket.gaierror):
            why = "host not found (offline?)"
        else:
            why = strip_control(
                str(getattr(reason, "strerror", None) or reason), keep_newlines=False
            )
        return FetchError(f"cannot connect to {self.host}: {why}", unreachable=True)


def server_message(body: bytes, reason: str) -> str:
    """What the server said went wrong: its JSON ``error``/``message``, or a line of plain text;
    never an HTML page (the reason phrase instead)."""
    text = body.decode("utf-8", errors="replace").strip()
    message = ""
    try:
        data = json.loads(text)
    except ValueError:
        if not text.startswith("<"):
            message = text
    else:
        if isinstance(data, dict):
            found = data.get("error") or data.get("message")
            message = found if isinstance(found, str) else ""
    message = " ".join(strip_control(message, keep_newlines=False).split())
    if len(message) > 200:
        message = message[:200] + "…"
    return message or strip_control(str(reason or "no reason given"), keep_newlines=False)


def retry_after(value: str | None) -> float | None:
    """A ``Retry-After`` in seconds (the form APIs send); a date or nonsense counts as unsaid."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds < float("inf") else None
