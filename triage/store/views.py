"""The built-in views answered straight from SQLite.

They must paint at launch before the search index is open (building it for 100,000 papers takes
a while), and they need no text search: state and star live in the store. The order is the
query language's default for word-less queries, newest first.
"""

from __future__ import annotations

from triage.store import DEFAULT_STATE, STATES, Store

_ORDER = "ORDER BY p.last_listed DESC, p.added_at DESC, p.rowid"


def quick_ids(store: Store, query: str, *, limit: int = -1) -> list[str] | None:
    """Ids for `query` when it is one of the simple filters, else None (ask the index);
    the first `limit` of them when given.

    Annotated papers are few: each filter is a scan of the store's covering order index
    against the set of annotated papers that match (or, for the default state, that don't).
    """
    query = query.strip()
    if query == "":
        where, args = "", []
    elif query == "is:starred":
        where, args = "WHERE p.id IN (SELECT paper_id FROM annotations WHERE starred)", []
    elif query.startswith("state:") and query[6:] == DEFAULT_STATE:
        where = ("WHERE p.id NOT IN (SELECT paper_id FROM annotations "
                 "WHERE coalesce(state, ?) != ?)")
        args = [DEFAULT_STATE, DEFAULT_STATE]
    elif query.startswith("state:") and query[6:] in STATES:
        where, args = "WHERE p.id IN (SELECT paper_id FROM annotations WHERE state = ?)", [query[6:]]
    else:
        return None
    sql = f"SELECT p.id FROM papers p {where} {_ORDER} LIMIT ?"
    return [row[0] for row in store.conn.execute(sql, [*args, limit])]
