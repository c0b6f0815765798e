"""Locks that belong to the process that takes them.

An ``flock`` lock (what Whoosh takes, and what this project took) belongs to an open file, and a
forked worker inherits the open file: when the indexing process is killed, its workers go on
holding the lock and every later run is told the index is busy. A POSIX record lock (``lockf``)
belongs to the process: forked children do not hold it, and the kernel drops it when the process
ends, however it ends.
"""

from __future__ import annotations

import errno
import fcntl
import os
import threading
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from search.interruptions import uninterrupted


class ProcessLock:
    """An exclusive lock on a file, held by this process until ``release()`` or its end.

    Record locks do not exclude their own process, and closing any descriptor of the file drops
    them, so a second ``acquire()`` of the same file within the process is refused here without
    opening the file again.
    """

    _held: set[str] = set()
    _guard = threading.Lock()

    def __init__(self, path: Path | str):
        self.path = os.path.realpath(path)
        self.descriptor: int | None = None

    def acquire(self) -> bool:
        """Take the lock if no process (this one included) holds it; never waits."""
        with uninterrupted(), self._guard:
            if self.path in self._held:
                return False
            descriptor = os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o644)
            try:
                fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                os.close(descriptor)
                if error.errno in (errno.EACCES, errno.EAGAIN):
                    return False
                raise
            self._held.add(self.path)
            self.descriptor = descriptor
            return True

    def __del__(self) -> None:
        if self.descriptor is not None:  # a Whoosh writer dropped without commit or cancel, which
            self.release()  # Whoosh's own lock also allows

    def release(self) -> None:
        """Let go of the lock; releasing it again does nothing."""
        with uninterrupted(), self._guard:
            if self.descriptor is None:
                return
            os.close(self.descriptor)  # closing the file drops the record lock
            self.descriptor = None
            self._held.discard(self.path)


class ProcessLockedStorage(FileStorage):
    """Whoosh's file storage, with its writer lock taken as a ProcessLock (a killed run's workers
    must not keep it either)."""

    def lock(self, name: str) -> ProcessLock:
        return ProcessLock(self._fpath(name))
