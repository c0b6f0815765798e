"""The copy tokens of a segment's articles (search.index.copies) as a sorted array beside it.

The writer looks up an incoming article's copy tokens in the index to find the earlier articles it
may be a copy of. Indexed as a Whoosh field, each token was a term of its own with one posting
(17 an article: 85,000 of a 5,000-article segment's 187,000 terms), and writing them was a
seventh of the writing process's time. Here a segment's tokens are one file,
``<segment>.copy_tokens.npy``: a 2 × n array of 64-bit integers, the tokens' hashes in ascending
order over the document numbers that hold them. It is written before the commit lists the
segment, and named for it, so that Whoosh deletes it with the segment.

A look-up reads only what it needs, by ``pread``: the hashes at every STRIDE-th place (read once
per reader), then the stretch of hashes between two of them, then the matching documents. A
segment written by an earlier version keeps its tokens as Whoosh postings: ``SegmentBands``
of such a segment is None, and they are looked up there as before.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from search.index.columns import copy_hash
from search.index.segment_files import save_beside

FIELD = "copy_bands"
"""The schema's field of copy tokens; the writer keeps its values out of Whoosh's postings."""
STRIDE = 512
"""Hashes between two entries of the in-memory index of a segment's hashes (4 kB to read)."""


def band_file(prefix: str) -> str:
    return f"{prefix}.copy_tokens.npy"


token_hash = copy_hash
"""A copy token as a signed 64-bit number: the hash the columns give a copy key."""


class BandsWriter:
    """A segment's (token hash, document number) pairs, gathered as its documents are written."""

    def __init__(self) -> None:
        self.hashes: list[int] = []
        self.docs: list[int] = []

    def add(self, docnum: int, tokens: list[str]) -> None:
        self.hashes.extend(map(token_hash, tokens))
        self.docs.extend([docnum] * len(tokens))

    def add_pairs(self, hashes: np.ndarray, docs: np.ndarray) -> None:
        self.hashes.extend(hashes.tolist())
        self.docs.extend(docs.tolist())

    def __len__(self) -> int:
        return len(self.hashes)

    def save(self, folder: Path, prefix: str) -> None:
        pairs = np.array([self.hashes, self.docs], dtype=np.int64).reshape(2, -1)
        pairs = pairs[:, np.lexsort((pairs[1], pairs[0]))]
        save_beside(folder, prefix, band_file(prefix), lambda out: np.save(out, np.ascontiguousarray(pairs)))


class SegmentBands:
    """One segment's saved tokens, open for look-ups."""

    def __init__(self, path: Path):
        with open(path, "rb") as file:
            version = np.lib.format.read_magic(file)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read_header(file)
            if len(shape) != 2 or shape[0] != 2 or fortran or dtype != np.dtype(np.int64):
                raise ValueError(f"{path.name}: not a 2 × n array of 64-bit integers")
            self.start, self.count = file.tell(), shape[1]
        self.descriptor = os.open(path, os.O_RDONLY)
        self.fences = self._hashes(0, self.count)[::STRIDE].copy() if self.count else np.zeros(0, np.int64)

    @classmethod
    def load(cls, folder: Path, prefix: str) -> SegmentBands | None:
        """The segment's tokens, or None when it has none saved (written by an earlier version)."""
        path = folder / band_file(prefix)
        return cls(path) if path.exists() else None

    def _read(self, row: int, start: int, end: int) -> np.ndarray:
        size = (end - start) * 8
        data = os.pread(self.descriptor, size, self.start + (row * self.count + start) * 8)
        if len(data) != size:
            raise ValueError("the copy tokens file is cut short")
        return np.frombuffer(data, dtype=np.int64)

    def _hashes(self, start: int, end: int) -> np.ndarray:
        return self._read(0, start, end)

    def documents(self, token: str) -> np.ndarray:
        """The segment's document numbers holding the token (ascending)."""
        if not self.count:
            return np.zeros(0, dtype=np.int64)
        wanted = token_hash(token)
        first = max(int(np.searchsorted(self.fences, wanted, "left")) - 1, 0) * STRIDE
        last = min(int(np.searchsorted(self.fences, wanted, "right")) * STRIDE, self.count)
        hashes = self._hashes(first, last)
        low, high = np.searchsorted(hashes, wanted, "left"), np.searchsorted(hashes, wanted, "right")
        return self._read(1, first + int(low), first + int(high)) if high > low else np.zeros(0, dtype=np.int64)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (hash, document number), as two arrays (for a merge)."""
        return self._hashes(0, self.count), self._read(1, 0, self.count)

    def close(self) -> None:
        if self.descriptor >= 0:
            os.close(self.descriptor)
            self.descriptor = -1

    def __del__(self) -> None:
        self.close()
