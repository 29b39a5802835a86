"""The sync layer's one error type."""

from __future__ import annotations

from triage.store import StoreError


class SyncError(StoreError):
    """A backup or move that cannot be done (one line, names the file)."""
