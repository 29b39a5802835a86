"""One small least-recently-used cache for the domain layer (which cannot use Textual's)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """A mapping that keeps at most ``maxsize`` entries, dropping the least recently used.

    Given ``size_of`` (an entry's bytes), it also keeps at most ``maxbytes`` of them: a count
    alone bounds nothing when an entry can be a few bytes or a few megabytes (a row set at a
    million papers is 125 KB). An entry larger than ``maxbytes`` on its own is not kept."""

    def __init__(
        self,
        maxsize: int,
        *,
        maxbytes: int | None = None,
        size_of: Callable[[V], int] | None = None,
    ) -> None:
        if (maxbytes is None) != (size_of is None):
            raise ValueError("maxbytes and size_of go together")
        self.maxsize = maxsize
        self.maxbytes = maxbytes
        self._size_of = size_of
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._sizes: dict[K, int] = {}
        self.bytes = 0
        """The entries' bytes, as ``size_of`` counts them (0 without it)."""

    def get(self, key: K, default: V | None = None) -> V | None:
        try:
            value = self._entries[key]
        except KeyError:
            return default
        self._entries.move_to_end(key)
        return value

    def __setitem__(self, key: K, value: V) -> None:
        self._forget(key)
        if self._size_of is not None and self.maxbytes is not None:
            size = self._size_of(value)
            if size > self.maxbytes:
                return
            while self._entries and self.bytes + size > self.maxbytes:
                self._forget(next(iter(self._entries)))
            self.bytes += size
            self._sizes[key] = size
        self._entries[key] = value
        if len(self._entries) > self.maxsize:
            self._forget(next(iter(self._entries)))

    def _forget(self, key: K) -> None:
        self._entries.pop(key, None)
        self.bytes -= self._sizes.pop(key, 0)

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        try:
            value = self._entries[key]
        except KeyError:
            value = compute()
            self[key] = value
            return value
        self._entries.move_to_end(key)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[K]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
        self._sizes.clear()
        self.bytes = 0
