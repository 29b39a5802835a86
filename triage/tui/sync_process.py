"""One sync of a working copy with its shared file, in a process of its own.

The app runs this instead of merging and publishing on one of its threads: a merge at 100,000
papers is seconds of Python, which would hold the interpreter the UI thread needs for every
keystroke. It prints one JSON object: what changed (so the app can refresh just that and say
"3 papers updated from the shared file"), the lines to show, and the change tokens of its
writes (so the app's file watch takes them as the app's own, not as an outside change).

Usage: python -m triage.tui.sync_process DB
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from triage.store import Store, StoreError, WriteLog
from triage.sync.errors import SyncError
from triage.sync.shared import SharedFile


def sync(db: Path) -> dict[str, object]:
    writes = WriteLog()
    try:
        with Store(db, create=False, writes=writes) as store:
            report = SharedFile(store).sync()
    except (StoreError, SyncError, OSError) as error:
        return {"error": str(error), "writes": writes.entries()}
    return {
        "changed": report.changed_papers(),
        "lines": report.lines(),
        "refused": report.refused,
        "published": report.published,
        "writes": writes.entries(),
    }


def main() -> None:
    json.dump(sync(Path(sys.argv[1])), sys.stdout)


if __name__ == "__main__":
    main()
