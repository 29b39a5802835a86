"""The domain's LRU cache bounded by bytes: a long session's row sets and word lists stay within
their budget whatever their sizes."""

from __future__ import annotations

from triage.core.cache import LRUCache


def test_entries_are_dropped_least_recently_used_first_once_over_the_bytes():
    cache: LRUCache[str, bytes] = LRUCache(100, maxbytes=10, size_of=len)
    cache["a"] = b"xxxx"
    cache["b"] = b"xxxx"
    assert cache.get("a") == b"xxxx"  # now the most recently used
    cache["c"] = b"xxxx"
    assert list(cache) == ["a", "c"]
    assert cache.bytes == 8
    cache["a"] = b"x"  # replaced: its old size no longer counts
    assert cache.bytes == 5


def test_an_entry_larger_than_the_budget_is_computed_but_not_kept():
    cache: LRUCache[str, bytes] = LRUCache(100, maxbytes=10, size_of=len)
    cache["small"] = b"x"
    assert cache.get_or_compute("huge", lambda: b"x" * 11) == b"x" * 11
    assert "huge" not in cache
    assert list(cache) == ["small"]  # nothing dropped for it


def test_the_count_still_bounds_small_entries():
    cache: LRUCache[int, bytes] = LRUCache(3, maxbytes=1_000, size_of=len)
    for key in range(5):
        cache[key] = b"x"
    assert list(cache) == [2, 3, 4]
    assert cache.bytes == 3
