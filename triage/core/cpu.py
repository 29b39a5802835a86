"""How many cores this process may use: work is only handed to a second process when there is
a second core to run it (on one, the two would take turns, with pickling on top)."""

from __future__ import annotations

import os


def usable_cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
