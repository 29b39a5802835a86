"""Full-text search over the store: a Whoosh index kept in the user cache dir, and the query language.

See :mod:`triage.search.query` for the language and :class:`SearchResult` for what highlighting gets.
"""

from .engine import SearchIndex
from .result import SearchResult
from .textindex import IndexLocked

__all__ = ["IndexLocked", "SearchIndex", "SearchResult"]
