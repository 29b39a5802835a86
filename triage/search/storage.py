"""Segment files read in place: the file interface over a view of their mapping.

Whoosh's own ``FileStorage`` maps a compound segment file and hands each part of it to a
``BufferFile``, which wraps the part in a ``BytesIO``: that copies every part of every segment
into memory when the index is opened (~75 MB at 100,000 papers), and touches every page of
the mapping while doing it (another ~80 MB of resident pages). The mapped storage
(:class:`~.whoosh_internals.MappedStorage`) makes each part a view of the mapping read through
:class:`ViewReader`, so only the pages a search actually reads become resident, and they are
the kernel's page cache, shared and dropped under memory pressure.
"""

from __future__ import annotations

import os

SEGMENT_SUFFIX = ".seg"
PEEK_BYTES = 512


class ViewReader:
    """The file interface Whoosh and ``pickle`` use (read, readline, seek, tell), over a view."""

    __slots__ = ("_position", "_view")

    def __init__(self, view: memoryview):
        self._view = view
        self._position = 0

    def read(self, size: int = -1) -> bytes:
        start = self._position
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        self._position = max(end, start)
        return bytes(self._view[start:end])

    def peek(self, size: int = 0) -> bytes:
        """Some bytes ahead, without moving: ``pickle`` reads a whole small pickle through one
        call instead of one ``read`` per opcode (~20 per posting block's header)."""
        return bytes(self._view[self._position : self._position + PEEK_BYTES])

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        view = self._view
        start = self._position
        limit = len(view) if size is None or size < 0 else min(start + size, len(view))
        end = start
        while end < limit:
            chunk = bytes(view[end : min(end + 4096, limit)])
            newline = chunk.find(b"\n")
            if newline >= 0:
                end += newline + 1
                break
            end += len(chunk)
        self._position = max(end, start)
        return bytes(view[start:end])

    def seek(self, position: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            position += self._position
        elif whence == os.SEEK_END:
            position += len(self._view)
        self._position = max(position, 0)
        return self._position

    def tell(self) -> int:
        return self._position

    def close(self) -> None:
        pass
