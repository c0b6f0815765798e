"""A segment's postings as plain arrays beside it, read by slicing a memory map.

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

A search reads a term from here when its segment has the files, else from Whoosh's blocks (an
index written by an earlier version). The files are named for the segment (``<segment>.arr_*``), so
that Whoosh deletes them with it, and are written before the segment is listed in the index.
"""

from __future__ import annotations

import json
import os
import secrets
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from search.index.postings import Postings, positions_of

FORMAT = 1
ARRAYS = ("terms", "starts", "ids", "weights", "position_ends", "positions")


def _name(prefix: str, what: str) -> str:
    return f"{prefix}.arr_{what}.npy"


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
        for what, array in self.arrays().items():
            _write_atomically(folder, prefix, _name(prefix, what), lambda out, array=array: np.save(out, array))
        _write_atomically(folder, prefix, _marker(prefix),
                          lambda out: out.write(json.dumps({"format": FORMAT}).encode("utf-8")))


def _write_atomically(folder: Path, prefix: str, name: str, write) -> None:
    # The temporary name is one of the segment's, so that Whoosh removes it with the segment if left behind.
    temporary = folder / f"{prefix}.arr_tmp{secrets.token_hex(4)}"
    try:
        with open(temporary, "wb") as out:
            write(out)
        os.replace(temporary, folder / name)
    finally:
        temporary.unlink(missing_ok=True)


@dataclass(frozen=True)
class TermArrays:
    """The arrays of one segment, memory-mapped."""

    terms: np.ndarray
    starts: np.ndarray
    ids: np.ndarray
    weights: np.ndarray
    position_ends: np.ndarray
    positions: np.ndarray

    @classmethod
    def load(cls, folder: Path, prefix: str) -> TermArrays | None:
        """The segment's arrays, or None when it has none (or they are of another format)."""
        try:
            if json.loads((folder / _marker(prefix)).read_text(encoding="utf-8")).get("format") != FORMAT:
                return None
            return cls(**{what: np.load(folder / _name(prefix, what), mmap_mode="r") for what in ARRAYS})
        except (OSError, ValueError):
            return None

    def _span(self, offset: int) -> tuple[int, int] | None:
        at = int(np.searchsorted(self.terms, offset))
        if at == len(self.terms) or self.terms[at] != offset:
            return None
        return int(self.starts[at]), int(self.starts[at + 1])

    def postings(self, offset: int) -> Postings | None:
        """The postings of the term at ``offset`` of the postings file (None: not here)."""
        span = self._span(offset)
        if span is None:
            return None
        start, end = span
        return Postings(np.asarray(self.ids[start:end]), self.weights[start:end].astype(np.float64))

    def word_positions(self, offset: int, documents: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """As ``postings.read_positions``: (index into ``documents``, position) pairs of the term's
        words in those of its documents (ascending); None when the term is not here."""
        span = self._span(offset)
        if span is None:
            return None
        start, end = span
        ids = np.asarray(self.ids[start:end])
        at = np.searchsorted(ids, documents)
        np.minimum(at, max(len(ids) - 1, 0), out=at)
        wanted = np.flatnonzero(ids[at] == documents) if len(ids) else np.zeros(0, dtype=np.int64)
        postings = start + at[wanted]
        ends = np.asarray(self.position_ends[postings])
        begins = np.where(postings > 0, np.asarray(self.position_ends[np.maximum(postings - 1, 0)]), 0)
        counts = ends - begins
        total = int(counts.sum())
        owners = np.repeat(wanted, counts)
        if not total:
            return owners, np.zeros(0, dtype=np.int64)
        into = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(begins, counts)
        return owners, np.asarray(self.positions[into]).astype(np.int64)
