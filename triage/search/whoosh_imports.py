"""Whoosh imported without two standard library packages it imports for nothing a search does.

``whoosh.compat`` imports ``urllib.request`` (for ``urlretrieve``, which Whoosh never calls)
and ``whoosh.reading`` the ``cached_property`` package, which imports ``asyncio`` to ask whether
a property is a coroutine function: ~25 ms of every ``triage list``, a sixth of it. While those
two first import, each package not imported yet is a stand-in that imports the real one when
it is first really used; every later ``import urllib.request`` or ``import asyncio`` gets the
real package as usual. Imported first by :mod:`triage.search`, before any Whoosh module.
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


def _iscoroutinefunction(function: Callable[..., Any]) -> bool:
    """``asyncio.iscoroutinefunction``: without asyncio imported, no function carries its
    coroutine mark, so ``inspect`` answers the same."""
    real = sys.modules.get("asyncio")
    if real is not None and not isinstance(real, _StandIn):
        return bool(real.iscoroutinefunction(function))
    return inspect.iscoroutinefunction(function)


_STAND_INS = {
    # the package -> (what imports it, the names it takes from it at import or calls most)
    "urllib.request": ("whoosh.compat", {"urlretrieve": _urlretrieve}),
    "asyncio": ("cached_property", {"iscoroutinefunction": _iscoroutinefunction}),
}


def _import_with_stand_ins() -> None:
    for package, (importer, names) in _STAND_INS.items():
        if importer in sys.modules or package in sys.modules:
            continue
        stand_in = _StandIn(package)
        stand_in.__dict__.update(names)
        sys.modules[package] = stand_in
        try:
            importlib.import_module(importer)
        finally:
            if sys.modules.get(package) is stand_in:
                del sys.modules[package]


_import_with_stand_ins()
