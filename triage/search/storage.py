"""Whoosh storage that maps segment files without copying them.

Whoosh's own ``FileStorage`` maps a compound segment file and hands each part of it to a
``BufferFile``, which wraps the part in a ``BytesIO``: that copies every part of every segment
into memory when the index is opened (~75 MB at 100,000 papers), and touches every page of
the mapping while doing it (another ~80 MB of resident pages). Here each part is a view of
the mapping, so only the pages a search actually reads become resident, and they are the
kernel's page cache, shared and dropped under memory pressure.
"""

from __future__ import annotations

import mmap
import os

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile

SEGMENT_SUFFIX = ".seg"
PEEK_BYTES = 512


class MappedStorage(FileStorage):
    """A ``FileStorage`` whose segment files are read through :class:`MappedFile`.

    ``supports_mmap`` is False so that Whoosh's compound reader does not map the file again
    itself but asks our file for its parts (``subset``), which are views of one mapping.
    """

    def __init__(self, path: str):
        super().__init__(path, supports_mmap=False)

    def open_file(self, name, **kwargs):
        if name.endswith(SEGMENT_SUFFIX):
            with open(self._fpath(name), "rb") as handle:
                if os.fstat(handle.fileno()).st_size:
                    return MappedFile(
                        memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)),
                        name=name,
                    )
        return super().open_file(name, **kwargs)


class MappedFile(BufferFile):
    """A ``BufferFile`` over a memory view, reading it in place; parts are views too."""

    def __init__(self, view: memoryview, name=None, onclose=None):
        self._buf = view
        self._name = name
        self.file = _ViewReader(view)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def subset(self, position, length, name=None):
        return MappedFile(self._buf[position : position + length], name=name or self._name)

    def close(self):
        super().close()
        # the mapping itself goes when the last view of it does (parts may outlive this file)
        try:
            self._buf.release()
        except BufferError:  # something still reads this very view: it goes with it
            pass


class _ViewReader:
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
