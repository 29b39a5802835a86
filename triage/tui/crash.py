"""When the app stops on an error nobody expected: the traceback goes to a log in the user
state dir, and the user gets one line saying where, after the terminal is restored."""

from __future__ import annotations

import datetime as dt
import traceback
from pathlib import Path

from triage.core.paths import state_dir


def write_crash_log(error: BaseException) -> Path | None:
    """The traceback, in a new file; None if even that cannot be written."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    path = state_dir() / "crashes" / f"crash-{stamp}.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
    except OSError:
        return None
    return path


def crash_line(log: Path | None) -> str:
    where = f"the details are in {log}" if log else "and could not write a log"
    return f"triage stopped on an unexpected error; {where}. Nothing you saved is lost."
