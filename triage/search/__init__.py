"""Full-text search over the store: a Whoosh index kept in the user cache dir, and the query language.

See :mod:`triage.search.query` for the language and :class:`SearchResult` for what highlighting gets.
"""

from triage.search import whoosh_imports  # noqa: F401  (first: before any Whoosh module)
from triage.search.engine import SearchIndex
from triage.search.result import SearchResult
from triage.search.textindex import IndexLocked

__all__ = ["IndexLocked", "SearchIndex", "SearchResult"]
