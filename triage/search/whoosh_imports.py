"""Whoosh imported without standard library packages it imports for nothing a search does.

``whoosh.compat`` imports ``urllib.request`` (for ``urlretrieve``, which Whoosh never calls)
and ``html`` (for ``escape``, which only highlighting calls), and ``whoosh.reading`` the
``cached_property`` package, which imports ``asyncio`` to ask whether a property is a
coroutine function: ~30 ms of every ``triage list``, a sixth of it. While those two first
import, each package not imported yet is a stand-in that imports the real one when it is
first really used; every later ``import asyncio`` (and the like) gets the real package as
usual. Imported first by :mod:`triage.search`, before any Whoosh module.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any


class _StandIn(ModuleType):
    """A package not imported yet: any other name of it imports the real one (but the
    import system's questions, ``__path__`` and the like)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def _escape(*args: Any, **kwargs: Any) -> Any:
    from html import escape

    return escape(*args, **kwargs)


def _iscoroutinefunction(function: Callable[..., Any]) -> bool:
    """``asyncio.iscoroutinefunction``: without asyncio imported, no function carries its
    coroutine mark, so ``inspect`` answers the same."""
    real = sys.modules.get("asyncio")
    if real is not None and not isinstance(real, _StandIn):
        return bool(real.iscoroutinefunction(function))
    return inspect.iscoroutinefunction(function)


_STAND_INS = {
    # what imports them -> the packages -> the names it takes from them at import
    "whoosh.compat": {"urllib.request": {"urlretrieve": _urlretrieve}, "html": {"escape": _escape}},
    "cached_property": {"asyncio": {"iscoroutinefunction": _iscoroutinefunction}},
}


def _import_with_stand_ins() -> None:
    for importer, packages in _STAND_INS.items():
        if importer in sys.modules:
            continue
        stand_ins = {}
        for package, names in packages.items():
            if package not in sys.modules:
                stand_ins[package] = sys.modules[package] = _StandIn(package)
                stand_ins[package].__dict__.update(names)
        try:
            importlib.import_module(importer)
        finally:
            for package, stand_in in stand_ins.items():
                if sys.modules.get(package) is stand_in:
                    del sys.modules[package]


_import_with_stand_ins()
