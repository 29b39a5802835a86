"""A check's verdict kept for later processes while the code it checks stays the same.

Whether the Whoosh fast paths may be used is checked by writing a small index and reading it
back (:mod:`.fastpaths`): ~20 ms, an eighth of a `triage list`, for an answer that only
another Whoosh (or another triage) changes. The verdict is noted in the cache dir with the
size, time and inode of each file of the package checked and of the check's own module, and
taken from there while they are the same (listing them costs ~1 ms).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator

from triage.core.files import atomic_write
from triage.core.paths import cache_dir

Verdict = str | None
"""None: passed; else why not."""
Check = Callable[[], Verdict]


def kept_verdict(name: str, package: str, *modules: str) -> Callable[[Check], Check]:
    """Decorates a check: worked out once per process, and noted as ``name`` for the next
    ones while the files of ``package`` (imported), of the check's module and of the other
    ``modules`` it checks (imported) are unchanged."""

    def decorate(check: Check) -> Check:
        @functools.cache
        @functools.wraps(check)
        def verdict() -> Verdict:
            try:
                named = [check.__module__, *modules]
                key = _key([*_files(package), *(str(sys.modules[m].__file__) for m in named)])
            except (OSError, KeyError):  # a file gone, a module not from a file
                return check()
            return _noted(cache_dir() / f"{name}.json", key, check)

        return verdict

    return decorate


def _noted(path: os.PathLike[str], key: str, check: Check) -> Verdict:
    try:
        with open(path, "rb") as handle:
            noted = json.load(handle)
        verdict = noted["verdict"]
        if noted["key"] == key and (verdict is None or isinstance(verdict, str)):
            return verdict
    except (OSError, ValueError, KeyError, TypeError):  # none yet, or damaged
        pass
    verdict = check()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        atomic_write(path, json.dumps({"key": key, "verdict": verdict}))
    except OSError:  # a read-only cache dir: checked again next time
        pass
    return verdict


def _files(package: str) -> Iterator[str]:
    """The package's Python files (its ``__pycache__`` left out: Python rewrites it)."""
    for folder, subfolders, names in os.walk(os.path.dirname(str(sys.modules[package].__file__))):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        yield from (os.path.join(folder, name) for name in sorted(names) if name.endswith(".py"))


def _key(files: list[str]) -> str:
    digest = hashlib.blake2b(sys.version.encode("utf-8"), digest_size=16)
    for path in files:
        status = os.stat(path)
        digest.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\0{status.st_ino}\n".encode())
    return digest.hexdigest()
