"""Dumps read and parsed in a child process, ahead of the store writing them.

Reading, decoding and parsing is a third of an import's time, and the store's writes (SQLite)
wait for none of it: on a second core the child parses the next files meanwhile. The child (a
:class:`~triage.core.child.Child`) only reads: a file is still written whole or not at all, by
this process. Its results come through a pipe, in order; a full pipe stops it, so it is at most
a few files ahead (a megabyte) and memory does not grow with the import. If it fails or
dies, or a file is asked for again (a batch written again after a failure), this process
parses the file itself.
"""

from __future__ import annotations

import pickle
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, cast

from triage.core.child import Child, ChildFailed, answer, channels
from triage.core.cpu import usable_cores
from triage.importers.files import total_bytes

if TYPE_CHECKING:
    from triage.importers.dump import ParsedDump

MIN_BYTES = 8_000_000
"""Fewer bytes of dumps are parsed here: starting the child and waiting for its first file
costs about a tenth of a second, what parsing 8 MB costs (50 days of Daily Papers)."""
_CHILD = "from triage.importers.ahead import serve; serve()"


def serve() -> None:
    """The child: parses the paths it is sent, each result (or its DumpError) answered in
    order."""
    from triage.importers.dump import DumpError, read_dump

    paths, answers = channels()
    for path in pickle.load(paths):
        result: ParsedDump | DumpError
        try:
            result = read_dump(path)
        except DumpError as error:
            result = error
        answer(answers, result)


class DumpsAhead:
    """:func:`.dump.read_dump` of the files an import reads, by their place in its list:
    parsed ahead by a child when there are many ``*.txt`` dumps and a second core."""

    def __init__(self, files: Sequence[Path]) -> None:
        self._files = files
        dumps = [number for number, path in enumerate(files) if path.suffix.lower() == ".txt"]
        self._coming: deque[int] = deque()  # the child's next results are those of these files
        self._child: Child | None = None
        if (
            len(dumps) > 1
            and total_bytes(files[n] for n in dumps) >= MIN_BYTES
            and usable_cores() > 1
        ):
            self._coming.extend(dumps)
            self._start([str(files[number]) for number in dumps])

    def _start(self, paths: list[str]) -> None:
        try:
            self._child = Child(_CHILD, name="dumps-ahead")
        except (OSError, ValueError):  # no interpreter to start: parsed here
            return
        self._child.send(paths)
        self._child.end_input()

    def read(self, number: int) -> ParsedDump:
        """The parsed ``files[number]``; raises :class:`.dump.DumpError` as read_dump does."""
        from triage.importers.dump import DumpError, read_dump

        while self._child is not None and self._coming and self._coming[0] <= number:
            try:
                result = self._child.receive()
            except ChildFailed:  # it died or failed: parsed here from now on
                self.close()
                break
            if self._coming.popleft() == number:
                if isinstance(result, DumpError):
                    raise result
                return cast("ParsedDump", result)
        return read_dump(self._files[number])

    def close(self) -> None:
        if self._child is not None:
            self._child.close(kill=True)
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
