"""What an import leaves in a store, without time stamps: two imports that must leave the same
file are compared on it."""

from __future__ import annotations

from triage.store import Store

QUERIES = [
    "SELECT rowid, id, title, abstract, last_listed, match_key FROM papers ORDER BY rowid",
    "SELECT rowid, * FROM listings ORDER BY rowid",
    "SELECT name, path, size, found, new, known, skipped FROM imports ORDER BY rowid",
    "SELECT seq, paper_id FROM paper_changes ORDER BY seq",
]


def contents(store: Store) -> list[list[tuple]]:
    """Papers, listings, the import log and the change numbering."""
    return [store.conn.execute(query).fetchall() for query in QUERIES]
