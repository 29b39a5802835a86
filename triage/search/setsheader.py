"""The header of ``prefixes.bin`` (see :mod:`.prefixes`), read at every open of the index."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

_SETS = b', "sets": {'
LOOKUPS = 64
_FIELDS = {"size", "order", "ids"}  # before the sets


def read_header(raw: bytes) -> tuple[dict, Mapping[str, list[int]]]:
    """The header's fields, and its sets looked up in its text (:class:`_Sets`) when it is
    as :func:`.prefixes.build` writes it."""
    at = raw.find(_SETS)
    if at >= 0 and raw.endswith(b"}}"):
        fields = json.loads(raw[:at] + b"}")
        if fields.keys() >= _FIELDS:
            return fields, _Sets(raw, at + len(_SETS))
    header = json.loads(raw)  # another layout: parsed whole
    return header, header["sets"]


class _Sets(Mapping[str, list[int]]):
    """Name -> extent of each stored set, found in the header's JSON text: parsing it whole
    took ~14 ms at a million papers (27,000 sets) at every open, for the few a search asks
    (a look-up costs ~0.3 ms there: past ``LOOKUPS``, it is parsed whole after all)."""

    def __init__(self, raw: bytes, start: int) -> None:
        self._raw = raw
        self._text = b", " + raw[start:-2]  # every entry now follows ", "
        self._all: dict[str, list[int]] | None = None
        self._lookups = 0
        self._found: dict[str, list[int] | None] = {}  # a search asks `in`, then for the set

    def get(self, name: str, default: Any = None) -> Any:
        if self._all is None:
            if name not in self._found:
                if self._lookups >= LOOKUPS:
                    return self._whole().get(name, default)
                self._lookups += 1
                self._found[name] = self._look_up(name)
            found = self._found[name]
            return default if found is None else found
        return self._all.get(name, default)

    def _look_up(self, name: str) -> list[int] | None:
        key = b", " + json.dumps(name).encode("ascii") + b": ["
        at = self._text.find(key)
        if at < 0 and not name.isascii():  # written unescaped?
            key = b", " + json.dumps(name, ensure_ascii=False).encode("utf-8") + b": ["
            at = self._text.find(key)
        if at < 0:
            return None
        start = at + len(key)
        return [int(part) for part in self._text[start : self._text.find(b"]", start)].split(b",")]

    def __getitem__(self, name: str) -> list[int]:
        found = self.get(name)
        if found is None:
            raise KeyError(name)
        return found

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def __bool__(self) -> bool:
        return len(self._text) > 2

    def __iter__(self) -> Iterator[str]:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    def _whole(self) -> dict[str, list[int]]:
        if self._all is None:
            self._all = json.loads(self._raw)["sets"]
        return self._all
