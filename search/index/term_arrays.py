"""A segment's postings as plain arrays beside it, read without decoding.

Whoosh keeps a term's postings in pickled, compressed blocks of 128: reading a common word means
decompressing and unpickling hundreds of blocks, and a phrase unpickles every word position of
its words (half the time of a search of ten words, and of a phrase of common words, at 100,000
articles). The writer has every term's postings in hand when it writes a segment; it also saves
them here, in the order it writes the terms:

- ``terms``: each term's offset in the segment's postings file (its W3TermInfo's extent), ascending;
- ``starts``: where each term's postings begin in ``ids`` and ``weights`` (one more at the end);
- ``ids`` and ``weights``: document numbers and weights, as Whoosh's blocks hold them (float32);
- ``position_ends``: where each posting's word positions end in ``positions`` (fields without
  positions add none).

They are saved one after another in ``<segment>.arr_data``, then ``<segment>.arr_format.json``
says where each is (its presence says the data is whole). A search reads a term from here when its
segment has them, else from Whoosh's blocks (an index written by an earlier version). The files are
named for the segment, so that Whoosh deletes them with it, and are written before the segment is
listed in the index.
"""

from __future__ import annotations

import json
import os
import threading
from array import array
from pathlib import Path
from typing import Callable

import numpy as np

from search.index.postings import Postings, positions_of
from search.index.segment_files import save_beside

FORMAT = 2
ARRAYS = ("terms", "starts", "ids", "weights", "position_ends", "positions")


def _data(prefix: str) -> str:
    return f"{prefix}.arr_data"


def _marker(prefix: str) -> str:
    """Written last: its presence says the arrays are whole."""
    return f"{prefix}.arr_format.json"


class TermArraysWriter:
    """Gathers a segment's terms as the segment writer writes them, then saves them."""

    def __init__(self) -> None:
        self.terms, self.counts = array("q"), array("q")
        self.ids, self.weights = array("i"), array("f")
        self.position_counts, self.positions = array("q"), array("i")

    def add(self, offset: int, docnums: list[int], weights: list[float], values: list[bytes] | None) -> None:
        """A term written at ``offset`` of the postings file; ``values`` are its postings' encoded
        positions (Whoosh's Positions format), or None for a field without them."""
        self.terms.append(offset)
        self.counts.append(len(docnums))
        self.ids.extend(docnums)
        self.weights.extend(weights)
        if values is None:
            self.position_counts.frombytes(bytes(8 * len(docnums)))
        else:
            counts, positions = positions_of(values)
            self.position_counts.frombytes(counts.astype(np.int64).tobytes())
            self.positions.frombytes(positions.astype(np.int32).tobytes())

    def arrays(self) -> dict[str, np.ndarray]:
        def of(buffer: array, dtype) -> np.ndarray:
            return np.frombuffer(buffer, dtype=dtype) if len(buffer) else np.zeros(0, dtype=dtype)

        return {
            "terms": of(self.terms, np.int64),
            "starts": np.concatenate([[0], np.cumsum(of(self.counts, np.int64))]).astype(np.int64),
            "ids": of(self.ids, np.int32),
            "weights": of(self.weights, np.float32),
            "position_ends": np.cumsum(of(self.position_counts, np.int64)).astype(np.int64),
            "positions": of(self.positions, np.int32),
        }

    def save(self, folder: Path, prefix: str) -> None:
        """One file of the arrays one after another, then the marker saying where each is."""
        layout, at = {}, 0
        arrays = self.arrays()
        for what, array in arrays.items():
            layout[what] = [at, len(array), array.dtype.str]
            at += array.nbytes

        def write(out) -> None:
            for array in arrays.values():
                out.write(array.tobytes())

        save_beside(folder, prefix, _data(prefix), write)
        save_beside(folder, prefix, _marker(prefix),
                    lambda out: out.write(json.dumps({"format": FORMAT, "arrays": layout}).encode("utf-8")))


class TermArrays:
    """The arrays of one segment. The terms and their starts are memory-mapped (a look-up touches a
    few pages of them); a term's postings and positions are read from the file when wanted, into
    the search's own memory: pages of the operating system's cache, shared by every process, rather
    than pages mapped into each (which would count in each worker's resident memory)."""

    def __init__(self, path: Path, layout: dict[str, list]) -> None:
        self.path = path
        self.layout = {what: (int(at), int(count), np.dtype(kind)) for what, (at, count, kind) in layout.items()}
        self.terms, self.starts = self._mapped("terms"), self._mapped("starts")
        self._fd: int | None = None
        self._opening = threading.Lock()

    def _descriptor(self) -> int:
        """The data file, opened at the first read and kept open for the segment's life (a search
        of ten words over 20 segments opened and closed it 200 times); ``pread`` needs no lock."""
        if self._fd is None:
            with self._opening:
                if self._fd is None:
                    self._fd = os.open(self.path, os.O_RDONLY)
        return self._fd

    def __del__(self) -> None:
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)
            self._fd = None

    def _mapped(self, what: str) -> np.ndarray:
        at, count, kind = self.layout[what]
        if not count:
            return np.zeros(0, dtype=kind)
        return np.memmap(self.path, dtype=kind, mode="r", offset=at, shape=(count,))

    @classmethod
    def load(cls, folder: Path, prefix: str) -> TermArrays | None:
        """The segment's arrays, or None when it has none (or they are of another format)."""
        try:
            marker = json.loads((folder / _marker(prefix)).read_text(encoding="utf-8"))
            if marker.get("format") != FORMAT or set(marker["arrays"]) != set(ARRAYS):
                return None
            path = folder / _data(prefix)
            arrays = cls(path, marker["arrays"])
            if path.stat().st_size != sum(count * kind.itemsize for _, count, kind in arrays.layout.values()):
                return None
            return arrays
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _read(self, fd: int, what: str, start: int, stop: int) -> np.ndarray:
        at, count, kind = self.layout[what]
        size = kind.itemsize
        wanted = (stop - start) * size
        data = os.pread(fd, wanted, at + start * size) if wanted > 0 else b""
        if len(data) != wanted:
            raise OSError(f"{self.path} ends before its {what} do")
        return np.frombuffer(data, dtype=kind)

    def _term(self, offset: int, read: Callable[[int, int, int], tuple]) -> tuple | None:
        """``read(file, start, end)`` for the term at ``offset`` of the postings file, its postings
        being ``start`` to ``end`` of the arrays; None when the term is not here."""
        at = int(np.searchsorted(self.terms, offset))
        if at == len(self.terms) or self.terms[at] != offset:
            return None
        return read(self._descriptor(), int(self.starts[at]), int(self.starts[at + 1]))

    def postings(self, offset: int) -> Postings | None:
        """The postings of the term at ``offset`` of the postings file (None: not here)."""
        found = self._term(offset, lambda fd, start, end: (self._read(fd, "ids", start, end),
                                                           self._read(fd, "weights", start, end)))
        return None if found is None else Postings(found[0], found[1].astype(np.float64))

    def _positions(self, fd: int, start: int, end: int) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
        """A term's (ids, index of its first position, end of each posting's positions, positions)."""
        ids = self._read(fd, "ids", start, end)
        ends = self._read(fd, "position_ends", max(start - 1, 0), end)  # and the end before the term's first
        first = int(ends[0]) if start > 0 else 0
        ends = ends[1:] if start > 0 else ends
        return ids, first, ends, self._read(fd, "positions", first, int(ends[-1]) if len(ends) else first)

    def word_positions(self, offset: int, documents: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """As ``postings.read_positions``: (index into ``documents``, position) pairs of the term's
        words in those of its documents (ascending); None when the term is not here."""
        found = self._term(offset, self._positions)
        if found is None:
            return None
        ids, first, ends, positions = found
        at = np.searchsorted(ids, documents)
        np.minimum(at, max(len(ids) - 1, 0), out=at)
        wanted = np.flatnonzero(ids[at] == documents) if len(ids) else np.zeros(0, dtype=np.int64)
        chosen = at[wanted]
        stops = ends[chosen] - first
        begins = np.where(chosen > 0, ends[np.maximum(chosen - 1, 0)] - first, 0)
        counts = stops - begins
        total = int(counts.sum())
        owners = np.repeat(wanted, counts)
        if not total:
            return owners, np.zeros(0, dtype=np.int64)
        into = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(begins, counts)
        return owners, positions[into].astype(np.int64)
