"""What this machine remembers about syncing, kept in the working copy.

Sync settings are rows per machine (a published snapshot carries them, but no other machine
reads another's rows, and merges never copy them). Publish ids say which published snapshots
a copy's content includes, so a machine can tell when its publish was overwritten by another
machine's before anyone merged it. These are bookkeeping writes: they do not change the
change token (nothing a cache or another copy must see).
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING

from triage.store.reads import Reader

if TYPE_CHECKING:
    import sqlite_utils

LIBRARY_KEY = "db_uuid"  # made when the file is created, carried by every copy
PUBLISH_IDS_KEY = "publish_ids"
PUBLISH_IDS_KEPT = 1_000


class SyncState(Reader):
    def write(
        self, *, bookkeeping: bool = False
    ) -> contextlib.AbstractContextManager[sqlite_utils.Database]:
        raise NotImplementedError

    def library_id(self) -> str | None:
        """The library this copy belongs to: every copy of one library shares it."""
        return self.meta(LIBRARY_KEY)

    def join_library(self, library: str) -> None:
        """Become a copy of ``library`` (when this machine first syncs with its shared file)."""
        with self.write(bookkeeping=True):
            self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [LIBRARY_KEY, library],
            )

    def sync_settings(self, machine: str) -> dict[str, str]:
        return dict(
            self.conn.execute(
                "SELECT key, value FROM sync_settings WHERE machine = ? AND value IS NOT NULL",
                [machine],
            )
        )

    def set_sync_settings(self, machine: str, values: dict[str, str | None]) -> None:
        """Set (or, with None, clear) this machine's settings."""
        with self.write(bookkeeping=True):
            for key, value in values.items():
                self.conn.execute(
                    "INSERT INTO sync_settings (machine, key, value) VALUES (?, ?, ?) "
                    "ON CONFLICT (machine, key) DO UPDATE SET value = excluded.value",
                    [machine, key, value],
                )

    def publish_ids(self) -> list[str]:
        """The published snapshots this copy's content includes, oldest first."""
        return _ids(self.meta(PUBLISH_IDS_KEY))

    def add_publish_ids(self, ids: list[str]) -> None:
        """Remember that this copy's content now includes these snapshots (the latest kept)."""
        known = self.publish_ids()
        merged = [*known, *(new for new in ids if new not in known)][-PUBLISH_IDS_KEPT:]
        with self.write(bookkeeping=True):
            self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [PUBLISH_IDS_KEY, json.dumps(merged)],
            )

    def pin_note_history(self) -> None:
        """Every note text that leaves this machine is remembered for good: another copy may
        still hold it, so a quick re-edit here must not forget it (a merge would then see a
        change on both sides where there was one)."""
        with self.write(bookkeeping=True):
            self.conn.execute("UPDATE note_history SET pinned = 1 WHERE NOT pinned")


def _ids(text: str | None) -> list[str]:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def publish_ids_of(text: str | None) -> list[str]:
    """Publish ids as stored in another copy's meta."""
    return _ids(text)
