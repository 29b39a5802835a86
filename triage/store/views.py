"""The built-in views' lists (all, starred, a state), read from the store alone: they paint
at launch, before the search index is open, and need no text search."""

from __future__ import annotations

import sqlite3

from triage.store.id_column import IdColumn
from triage.store.models import DEFAULT_STATE, STATES

NEWEST_FIRST = "ORDER BY p.last_listed DESC, p.added_at DESC, p.rowid"


class BuiltInViews:
    conn: sqlite3.Connection

    def view_ids(self, query: str, *, limit: int = -1) -> list[str] | None:
        """Ids for ``query`` when it is one of the built-in views' simple filters (all, starred,
        a state), newest first; else None (ask the search index). The first ``limit`` when given.

        They must paint at launch before the search index is open, and need no text search.
        Annotated papers are few: each filter is a scan of the covering order index against
        the set of annotated papers that match (or, for the default state, that don't).
        """
        view = _view_query(query)
        if view is None:
            return None
        sql, args = view
        return [row[0] for row in self.conn.execute(f"{sql} LIMIT ?", [*args, limit])]

    def view_id_column(self, query: str) -> IdColumn | None:
        """All of `view_ids`, packed (a million ids in ~18 MB instead of ~72)."""
        view = _view_query(query)
        if view is None:
            return None
        sql, args = view
        return IdColumn.of(row[0] for row in self.conn.execute(sql, args))


def _view_query(query: str) -> tuple[str, list[str]] | None:
    """The SQL (newest first) and its arguments for a built-in view's filter; None for any
    other query."""
    query = query.strip()
    args: list[str] = []
    if query == "":
        where = ""
    elif query == "is:starred":
        where = "WHERE p.id IN (SELECT paper_id FROM annotations WHERE starred)"
    elif query.startswith("state:") and query[6:] == DEFAULT_STATE:
        where = "WHERE p.id NOT IN (SELECT paper_id FROM annotations WHERE coalesce(state, ?) != ?)"
        args = [DEFAULT_STATE, DEFAULT_STATE]
    elif query.startswith("state:") and query[6:] in STATES:
        where, args = (
            "WHERE p.id IN (SELECT paper_id FROM annotations WHERE state = ?)",
            [query[6:]],
        )
    else:
        return None
    return f"SELECT p.id FROM papers p {where} {NEWEST_FIRST}", args
