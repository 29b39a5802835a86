"""Segment files read with positioned reads (``os.pread``), never through a memory mapping.

A mapped file that another program truncates kills the process with SIGBUS on the next read
of a page past the new end (the terminal left in raw mode by the app): a read gets fewer
bytes instead, which :class:`SegmentReader` reports as :class:`IndexDamaged`, and the index
is rebuilt. Whoosh's own ``FileStorage`` maps a compound segment file and copies every part
of it into a ``BytesIO`` at open (~75 MB at 100,000 papers); here each part is a window of
the open file, read a piece at a time as a search needs it, so the index's pages stay the
kernel's page cache, shared and dropped under memory pressure.
"""

from __future__ import annotations

import os
from typing import BinaryIO

SEGMENT_SUFFIX = ".seg"
PEEK_BYTES = 512


class IndexDamaged(OSError):
    """An index file is shorter than when it was opened: another program truncated it."""


class SegmentReader:
    """The file interface Whoosh and ``pickle`` use (read, readline, seek, tell, peek) over
    ``length`` bytes of an open file from ``start``, plus ``get`` for reads at a position."""

    __slots__ = ("_handle", "_length", "_name", "_position", "_start")

    def __init__(self, handle: BinaryIO, start: int, length: int, name: str) -> None:
        self._handle = handle  # shared by every part of the file, closed when the last goes
        self._start = start
        self._length = length
        self._name = name
        self._position = 0

    def window(self, position: int, length: int) -> SegmentReader:
        """A reader of a part of this one."""
        return SegmentReader(self._handle, self._start + position, length, self._name)

    def __len__(self) -> int:
        return self._length

    def get(self, position: int, length: int) -> bytes:
        """``length`` bytes from ``position`` (fewer at the end of the window)."""
        wanted = max(0, min(length, self._length - position))
        data = os.pread(self._handle.fileno(), wanted, self._start + position)
        if len(data) != wanted:
            raise IndexDamaged(f"search index file {self._name} was truncated")
        return data

    def read(self, size: int = -1) -> bytes:
        start = self._position
        if size is None or size < 0:
            size = self._length - start
        data = self.get(start, size)
        self._position = start + len(data)
        return data

    def peek(self, size: int = 0) -> bytes:
        """Some bytes ahead, without moving: ``pickle`` reads a whole small pickle through one
        call instead of one ``read`` per opcode (~20 per posting block's header)."""
        return self.get(self._position, PEEK_BYTES)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        start = self._position
        limit = self._length if size is None or size < 0 else min(start + size, self._length)
        end = start
        while end < limit:
            chunk = self.get(end, min(4096, limit - end))
            newline = chunk.find(b"\n")
            if newline >= 0:
                end += newline + 1
                break
            end += len(chunk)
        return self.read(end - start)

    def seek(self, position: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            position += self._position
        elif whence == os.SEEK_END:
            position += self._length
        self._position = max(position, 0)
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        """Nothing to do: the file is shared with the other parts."""
