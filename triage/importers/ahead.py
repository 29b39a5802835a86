"""Dumps read and parsed in a child process, ahead of the store writing them.

Reading, decoding and parsing is a third of an import's time, and the store's writes (SQLite)
wait for none of it: on a second core the child parses the next files meanwhile. The child is
started with the interpreter and ``sys.path`` of this one (not multiprocessing's: it would run
``python -m triage`` again) and only reads: a file is still written whole or not at all, by
this process. Its results come through a pipe, in order; a full pipe stops it, so it is at most
a file or two ahead and memory does not grow with the import. If it fails or dies, or a file is
asked for again (a batch written again after a failure), this process parses the file itself.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, cast

from triage.core.cpu import usable_cores
from triage.importers.files import total_bytes

if TYPE_CHECKING:
    from triage.importers.dump import ParsedDump

MIN_BYTES = 8_000_000
"""Fewer bytes of dumps are parsed here: starting the child and waiting for its first file
costs about a tenth of a second, what parsing 8 MB costs (50 days of Daily Papers)."""
_CHILD = (
    "import pickle, sys\n"
    "sys.path[:] = pickle.load(sys.stdin.buffer)\n"
    "paths = pickle.load(sys.stdin.buffer)\n"
    "from triage.importers.ahead import serve\n"
    "serve(paths)\n"
)


def serve(paths: list[str]) -> None:
    """The child: parses ``paths``, each result (or its DumpError) pickled to stdout in
    order."""
    from triage.importers.dump import DumpError, read_dump

    out = sys.stdout.buffer
    for path in paths:
        result: ParsedDump | DumpError
        try:
            result = read_dump(path)
        except DumpError as error:
            result = error
        pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()


class DumpsAhead:
    """:func:`.dump.read_dump` of the files an import reads, by their place in its list:
    parsed ahead by a child when there are many ``*.txt`` dumps and a second core."""

    def __init__(self, files: Sequence[Path]) -> None:
        self._files = files
        dumps = [number for number, path in enumerate(files) if path.suffix.lower() == ".txt"]
        self._coming: deque[int] = deque()  # the child's next results are those of these files
        self._child: subprocess.Popen[bytes] | None = None
        if (
            len(dumps) > 1
            and total_bytes(files[n] for n in dumps) >= MIN_BYTES
            and usable_cores() > 1
        ):
            self._coming.extend(dumps)
            self._start([str(files[number]) for number in dumps])

    def _start(self, paths: list[str]) -> None:
        try:
            self._child = subprocess.Popen(
                [sys.executable, "-c", _CHILD],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # its failure is this process parsing after all
            )
            assert self._child.stdin is not None
            with self._child.stdin as handle:
                pickle.dump(sys.path, handle)
                pickle.dump(paths, handle)
        except (OSError, ValueError):  # no interpreter to start, or it died at once
            self.close()

    def read(self, number: int) -> ParsedDump:
        """The parsed ``files[number]``; raises :class:`.dump.DumpError` as read_dump does."""
        from triage.importers.dump import DumpError, read_dump

        while self._child is not None and self._coming and self._coming[0] <= number:
            try:
                assert self._child.stdout is not None
                result = pickle.load(self._child.stdout)
            except Exception:  # it died or failed: parsed here from now on
                self.close()
                break
            if self._coming.popleft() == number:
                if isinstance(result, DumpError):
                    raise result
                return cast("ParsedDump", result)
        return read_dump(self._files[number])

    def close(self) -> None:
        if self._child is not None:
            self._child.kill()
            self._child.wait()
            if self._child.stdout is not None:
                self._child.stdout.close()
            self._child = None
        self._coming.clear()

    def __enter__(self) -> DumpsAhead:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
