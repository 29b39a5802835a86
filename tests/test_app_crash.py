"""An error nobody expected: the app exits non-zero with one line pointing to a log that holds
the traceback, instead of a traceback on the screen and exit code 0."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from test_app_fixtures import make_db

CRASHING = textwrap.dedent(
    """
    import sys
    from triage.tui.app import run
    from triage.tui.screens.main import MainScreen

    def broken(self):
        raise RuntimeError("a bug in the star key")

    MainScreen.action_star = broken

    async def press_star(pilot):
        await pilot.pause()
        await pilot.press("s")

    sys.exit(run(sys.argv[1], headless=True, auto_pilot=press_star))
    """
)


def test_a_crash_exits_non_zero_and_points_to_a_log_with_the_traceback(tmp_path):
    db = make_db(tmp_path / "papers.db")
    state = tmp_path / "state"
    result = subprocess.run(
        [sys.executable, "-c", CRASHING, str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TRIAGE_STATE_DIR": str(state)},
        check=False,
    )
    assert result.returncode == 1
    logs = list((state / "crashes").glob("crash-*.log"))
    assert len(logs) == 1
    assert "RuntimeError: a bug in the star key" in logs[0].read_text()
    said = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert f"details are in {logs[0]}" in " ".join(said)
    assert "Traceback" not in result.stdout + result.stderr
