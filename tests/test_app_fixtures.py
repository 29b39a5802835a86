"""Fixed papers and helpers shared by the UI tests (deterministic: fixed dates, no clocks shown).

No tests here: test_app*.py and test_snapshots.py import it.
"""

from __future__ import annotations

import asyncio
import html
import re
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from rich.cells import cell_len
from textual import events
from textual.message import Message
from textual.notifications import Notify

from triage.store import Entry, Identity, Store, paper_id

MARCH_11 = [
    (
        "Diffusion Models Beat GANs on Image Synthesis",
        "We show that diffusion models can achieve image sample quality superior to the current "
        "state-of-the-art generative models, with classifier guidance.",
    ),
    (
        "Attention Is All You Need",
        "The dominant sequence transduction models are based on complex recurrent networks. "
        "We propose the Transformer, based solely on attention mechanisms.",
    ),
    (
        "Scaling Laws for Neural Language Models",
        "We study empirical scaling laws for language model performance on the cross-entropy loss.",
    ),
]
MARCH_12 = [
    (
        "Denoising Diffusion Probabilistic Models",
        "We present high quality image synthesis results using diffusion probabilistic models.",
    ),
    (
        "Vision Transformers Need Registers",
        "Transformers have recently emerged as a powerful tool for learning visual representations.",
    ),
    (
        "Mixture of Experts for Sparse Routing",
        "Sparse mixture of experts routes each token to a few experts to scale model capacity.",
    ),
]
# Newest listing first, then the order of the dump.
NEWEST_FIRST = [paper_id(title) for title, _ in MARCH_12 + MARCH_11]
TITLES = {paper_id(title): title for title, _ in MARCH_12 + MARCH_11}
ATTENTION = Identity(
    arxiv_id="1706.03762",
    authors=("Ashish Vaswani", "Noam Shazeer", "Niki Parmar"),
    upvotes=42,
    comments=3,
)
"""What the Daily Papers API says of "Attention Is All You Need" (the others came from dumps)."""
IMPORTED_ON = "2026-03-14"
"""The day the fixed papers were added (their `added_at`)."""

HOSTILE_TITLES = [
    "[bold red]x[/] markup title",
    "x [/] y closing tag",
    "[@click=app.quit]y[/] click me",
    "[$accent]accent[/] variable",
    "Bell\x07 and \x1b[31mred\x1b[0m escape",
]


@contextmanager
def fixed_clock(day: str = IMPORTED_ON):
    """The store's clock stopped on `day`: dates added (shown in the detail) never change."""
    with mock.patch("triage.store.writes.now", lambda: f"{day}T09:00:00.000000Z"):
        yield


def make_db(path: Path, *, hostile: bool = False) -> Path:
    march_11 = [
        Entry(title, abstract, ATTENTION if title.startswith("Attention") else None)
        for title, abstract in MARCH_11
    ]
    with fixed_clock(), Store(path) as store:
        store.add_papers(march_11, source="mar-11.txt", listed_on="2026-03-11")
        store.add_papers(MARCH_12, source="mar-12.txt", listed_on="2026-03-12")
        if hostile:
            store.add_papers(
                [(title, f"Abstract of {title} [b]not bold[/b]") for title in HOSTILE_TITLES],
                source="[red]evil[/].txt",
                listed_on="2026-03-13",
            )
    return path


def screen_text(app) -> str:
    """What the terminal shows, as plain text lines (read from the app's SVG screenshot)."""
    svg = app.export_screenshot()
    width, height = app.size
    rows = [[" "] * width for _ in range(height)]
    for match in _SVG_TEXT.finditer(svg):
        x, length, row, escaped = match.groups()
        text = html.unescape(escaped).replace("\xa0", " ")
        column = round(float(x) / (float(length) / len(text)))
        for character in text:
            if column < width:
                rows[int(row)][column] = character
            column += cell_len(character)
            if cell_len(character) == 2 and column - 1 < width:
                rows[int(row)][column - 1] = ""  # the second cell of a wide character
    return "\n".join("".join(row) for row in rows)


_SVG_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="([\d.]+)" '
    r'clip-path="url\(#[^"]*-line-(\d+)\)">(.*?)</text>'
)
WAIT_SECONDS = 10.0
"""How long a test waits for the app before it fails (a hang, not a slow machine)."""


async def wait_until(pilot, condition, timeout: float = WAIT_SECONDS) -> None:
    """Let the app run until `condition()` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"the app never got there in {timeout} s: {condition}")
        await pilot.pause()


def quiet(app) -> bool:
    """No worker running, no change waiting to be written, and the list shows the answer to
    its newest request, detail and all."""
    return (
        all(worker.is_finished for worker in app.workers)
        and app.session.writer.waiting == 0
        and app.main.settled
    )


async def settle(pilot) -> None:
    """Until the app is quiet, twice in a row: a message or a callback after the next frame
    (the refill after a triage key, opening the index) may start more work."""
    app = pilot.app
    await wait_until(pilot, lambda: quiet(app))
    await pilot.pause()
    while not quiet(app):
        await wait_until(pilot, lambda: quiet(app))
        await pilot.pause()


async def wheel(pilot, selector: str, *, down: bool = True, times: int = 1) -> None:
    """Turn the mouse wheel over a widget, as the terminal reports it."""
    region = pilot.app.screen.query_one(selector).region
    x, y = region.x + region.width // 2, region.y + region.height // 2
    event_type = events.MouseScrollDown if down else events.MouseScrollUp
    for _ in range(times):
        pilot.app.post_message(event_type(None, x, y, 0, 1, 0, False, False, False, x, y))
        await pilot.pause()


class Notices:
    """The notifications the app posted, as run_test's message hook sees them."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.messages.append(message.notification.message)

    def __contains__(self, text: object) -> bool:
        return text in self.messages
