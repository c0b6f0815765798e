"""Handing memory back to the system once a document is done with.

The C allocator (glibc's malloc) keeps freed memory for reuse rather than returning it, and raises
the size it serves from its own heap after each large block is freed. Without these calls a
worker that once read a 20 MB page, or the parent that passed it on, would hold that much for
the rest of the run. Elsewhere than on glibc both are no-ops.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from functools import lru_cache

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
LARGE_BLOCK = 256 * 1024
"""Blocks from this size up are mapped on their own and unmapped when freed."""
TRIM_THRESHOLD = 128 * 1024
"""glibc's own default: free memory at the top of the heap beyond this goes back to the system.
Dask's nanny starts its workers with 64 kB (``MALLOC_TRIM_THRESHOLD_``), which costs a system call
on many more frees."""
GROWTH = 32 << 20
"""Freed memory is handed back once the process has grown by this much since it last was: doing
so costs a millisecond or more, too much after every small document."""
_settled = 0


@lru_cache(maxsize=1)
def _libc():
    name = ctypes.util.find_library("c")
    library = ctypes.CDLL(name) if name else None
    return library if library is not None and hasattr(library, "malloc_trim") else None


@lru_cache(maxsize=1)
def return_large_blocks() -> None:
    """From now on (in this process and those it forks), blocks of LARGE_BLOCK bytes or more go
    back to the system as soon as they are freed, and free memory atop the heap beyond
    TRIM_THRESHOLD (once per process)."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK)
        libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)


def _resident() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def release_memory() -> None:
    """Returns the allocator's free memory to the system, when the process has grown by GROWTH."""
    global _settled
    libc = _libc()
    if libc is not None and _resident() > _settled + GROWTH:
        libc.malloc_trim(0)
        _settled = _resident()
