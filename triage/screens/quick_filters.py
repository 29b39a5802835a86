"""The built-in views answered straight from SQLite.

They must paint at launch before the search index is open (building it for 100,000 papers takes
a while), and they need no text search: state and star live in the store. The order is the
query language's default for word-less queries, newest first.
"""

from __future__ import annotations

from triage.store import DEFAULT_STATE, STATES, Store

_ORDER = "ORDER BY p.last_listed DESC, p.added_at DESC, p.rowid"
_FROM = "FROM papers p LEFT JOIN annotations a ON a.paper_id = p.id"


def quick_ids(store: Store, query: str) -> list[str] | None:
    """Ids for `query` when it is one of the simple filters, else None (ask the index)."""
    query = query.strip()
    if query == "":
        sql, args = f"SELECT p.id FROM papers p {_ORDER}", []
    elif query == "is:starred":
        sql, args = f"SELECT p.id {_FROM} WHERE a.starred {_ORDER}", []
    elif query.startswith("state:") and query[6:] in STATES:
        sql = f"SELECT p.id {_FROM} WHERE coalesce(a.state, ?) = ? {_ORDER}"
        args = [DEFAULT_STATE, query[6:]]
    else:
        return None
    return [row[0] for row in store.conn.execute(sql, args)]
