"""Whoosh's index files read through memory maps, without copying them.

Whoosh maps a compound segment file, but then wraps each part of it (postings, stored fields,
columns) in an ``io.BytesIO``, which copies the part: opening a reader copied the whole index into
the process (1 GB at 100,000 articles), again in every process and for every reader. Here a file
and its parts are views of one map: nothing is copied, the pages are the system's file cache
(shared by every process reading the index), and ``get`` reads at a position without moving a
shared one, so threads may read at once.
"""

from __future__ import annotations

import mmap
from array import array

from whoosh.filedb.structfile import _SIZEMAP, StructFile
from whoosh.system import IS_LITTLE

from search.index.locking import ProcessLockedStorage


class _View:
    """A read-only file over a memory view, with its own position."""

    def __init__(self, view: memoryview):
        self.view = view
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.view) if size is None or size < 0 else min(self.position + size, len(self.view))
        data = bytes(self.view[self.position:end])
        self.position = max(end, self.position)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int = -1) -> bytes:
        end = len(self.view) if size is None or size < 0 else min(self.position + size, len(self.view))
        at = bytes(self.view[self.position:end]).find(b"\n")
        return self.read((at + 1 if at >= 0 else end - self.position))

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = offset + (self.position if whence == 1 else len(self.view) if whence == 2 else 0)
        return self.position

    def tell(self) -> int:
        return self.position

    def close(self) -> None:
        self.view = memoryview(b"")


class MappedFile(StructFile):
    """A Whoosh structured file over a memory view (of a file's map, or of part of one)."""

    def __init__(self, view: memoryview, name: str | None = None):
        super().__init__(_View(view), name=name)
        self._view = view

    def subset(self, position: int, length: int, name: str | None = None) -> MappedFile:
        """A part of the file, as a file of its own (Whoosh's compound storage asks for its parts so)."""
        return MappedFile(self._view[position:position + length], name=name or self._name)

    def get(self, position: int, length: int) -> bytes:
        return bytes(self._view[position:position + length])

    def get_array(self, position: int, typecode: str, length: int) -> array:
        values = array(typecode)
        values.frombytes(self.get(position, length * _SIZEMAP[typecode]))
        if IS_LITTLE:
            values.byteswap()
        return values


class MappedStorage(ProcessLockedStorage):
    """The storage of a generation, its files read through memory maps."""

    def open_file(self, name: str, **kwargs) -> MappedFile:
        with open(self._fpath(name), "rb") as file:
            try:
                view = memoryview(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ))
            except ValueError:  # an empty file cannot be mapped
                view = memoryview(b"")
        return MappedFile(view, name=name)
