"""Storing an import once: a dump file, a saved API response or a fetched day is keyed in the
import log by a hash of what was read; the same content again adds nothing, and a failure
leaves nothing half-stored."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from triage.store import Store, StoreError


@dataclass(frozen=True)
class Stored:
    new: int = 0
    known: int = 0
    before: str | None = None
    """When the same content was stored before (then nothing was stored now)."""
    error: str | None = None
    """Why nothing was stored (the transaction was rolled back)."""


def store_once(
    store: Store, digest: str, write: Callable[[], tuple[int, int]], name: str
) -> Stored:
    """``write()`` (one transaction, returning (new, known)) unless ``digest`` is in the
    import log already; ``name`` says what was read, in the error line. Inside the caller's
    transaction (files written in batches: see :mod:`triage.store.batches`) a failure is
    raised, not reported: the caller's whole transaction is undone, which only it can report."""
    batched = store.conn.in_transaction
    try:
        if previous := store.known_import(digest):
            return Stored(before=previous["imported_at"])
        new, known = write()
    except StoreError as error:
        if batched:
            raise
        return Stored(error=str(error))
    except sqlite3.Error as error:  # e.g. disk full or locked midway: rolled back
        if batched:
            raise
        return Stored(error=f"{name}not imported, {store.path} refused it: {error}")
    return Stored(new, known)
