"""Cycle collection while the user is idle, not in the middle of a keystroke.

At 100,000 papers a full collection walks tens of thousands of live objects (painted rows,
Textual's caches) and took 10-60 ms on the 2-core machine this was measured on; at Python's
default thresholds one landed in about one keystroke in ten. Reference counting still frees
almost everything at once; only cycles wait for a pause in typing (or for a long burst).
"""

from __future__ import annotations

import gc
import time

IDLE_SECONDS = 0.5
"""No input for this long: collect now."""
BURST_OBJECTS = 200_000
"""Tracked objects allocated without a pause: collect anyway, memory must stay bounded."""


class IdleCollector:
    def __init__(self) -> None:
        self._last_input = time.monotonic()
        self._running = False

    def start(self) -> None:
        """Take over from the automatic collector, after a full collection."""
        gc.collect()
        gc.freeze()  # what exists now lives as long as the app: no collection need walk it
        gc.disable()
        self._running = True

    def stop(self) -> None:
        if self._running:
            self._running = False
            gc.unfreeze()
            gc.enable()

    def input_seen(self) -> None:
        self._last_input = time.monotonic()

    def tick(self) -> None:
        """Called a few times a second, on the UI thread."""
        if not self._running:
            return
        pending = gc.get_count()[0]
        idle = time.monotonic() - self._last_input >= IDLE_SECONDS
        if (idle and pending > 1_000) or pending > BURST_OBJECTS:
            gc.collect()
