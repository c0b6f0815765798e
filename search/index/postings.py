"""A term's postings (document numbers and weights) read as numpy arrays, block by block.

Whoosh stores a term's postings in blocks of up to 128: a pickled header, then a zlib-compressed
pickle of (document number deltas, weights, values). Its own reader unpickles the whole block, values
(word positions) included, at about 1 µs a posting; the positions are most of the bytes and are not
needed to match or score. Here only the front of each block is inflated and the ids and weights
are read from it, at about 0.1 µs a posting. Reading goes through ``get`` (a slice of the mapped
file), never the file's shared position, so several threads may read one segment at once.
"""

from __future__ import annotations

import io
import itertools
import pickle
import struct
import threading
import zlib
from collections import OrderedDict
from typing import Callable, Hashable

import numpy as np

_BLOCK_LENGTH = struct.Struct("!i")
_FLOATS = np.dtype([("opcode", "u1"), ("value", ">f8")])
"""A pickled float: the BINFLOAT opcode, then the value as a big-endian double."""
_END_OF_IDS = b"tq\x00"
"""TUPLE, then BINPUT 0: the end of the pickled ids, the first object the block's pickle remembers."""
_NONE, _FLOAT, _MARK = 0x4E, 0x47, 0x28
POSTINGS_HEADER = 4
"""Whoosh's magic bytes at the start of a term's postings."""
_CODECS_ENCODE, _BYTES = b"c_codecs\nencode\n", b"cbuiltins\nbytes\n"
"""A pickle's GLOBAL opcode naming ``_codecs.encode``, and one naming ``bytes``."""
_POSITIONS_FRONT = 4 + 2
"""Before a Positions value's pickled list: the count of positions, and the pickle's PROTO opcode."""


class Postings:
    """Document numbers (ascending, within the segment) and the weight of each."""

    __slots__ = ("ids", "weights")

    def __init__(self, ids: np.ndarray, weights: np.ndarray):
        self.ids = ids
        self.weights = weights

    @property
    def arrays(self) -> tuple[np.ndarray, ...]:
        return self.ids, self.weights


class TermPositions:
    """Where a term is in each document of its postings: document ``ids[i]`` has it at
    ``positions[offsets[i]:offsets[i + 1]]`` (word numbers, ascending)."""

    __slots__ = ("ids", "offsets", "positions")

    def __init__(self, ids: np.ndarray, owners: np.ndarray, positions: np.ndarray):
        """``owners[j]``: the index into ``ids`` of the document of ``positions[j]`` (ascending)."""
        self.ids = ids
        self.offsets = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(owners, minlength=len(ids)), out=self.offsets[1:])
        self.positions = positions.astype(np.int32)

    @property
    def arrays(self) -> tuple[np.ndarray, ...]:
        return self.ids, self.offsets, self.positions

    def of(self, documents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """As ``read_positions``: (index into ``documents``, position) pairs, for the documents (ascending)
        that have the term."""
        at = np.minimum(np.searchsorted(self.ids, documents), max(len(self.ids) - 1, 0))
        held = np.flatnonzero(self.ids[at] == documents) if len(self.ids) else np.zeros(0, dtype=np.int64)
        starts = self.offsets[at[held]]
        lengths = self.offsets[at[held] + 1] - starts
        total = int(lengths.sum())
        where = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        return np.repeat(held, lengths), self.positions[where].astype(np.int64)


class PostingsCache:
    """The postings (and word positions) of long terms read lately, kept decoded up to a budget of
    bytes (the least recently used go first). Decoding is most of the cost of a common word, and the
    words of an archive's searches recur: a word in a third of 100,000 articles is 30,000 postings,
    3-5 ms to decode and 360 KB to keep (its positions, for phrases, take 10-20 ms and about as much
    again). Shared by the threads of a process and by the snapshots of one generation (segments
    never change; deleted documents are masked after reading)."""

    BUDGET = 96 * 1024 * 1024
    SHORTEST = 1024
    """Postings of fewer documents are decoded each time: it is quick, and they are many."""

    def __init__(self, budget: int = BUDGET):
        self.budget = budget
        self.size = 0
        self._entries: OrderedDict[Hashable, Postings] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, key: Hashable) -> Postings | TermPositions | None:
        """What is cached under ``key``, or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def get(self, key: Hashable, read: Callable[[], Postings | TermPositions]) -> Postings | TermPositions:
        """What is cached under ``key``, else ``read()`` and kept."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        found = read()
        for array in found.arrays:
            array.flags.writeable = False  # shared: never changed in place
        with self._lock:
            if key not in self._entries:
                self._entries[key] = found
                self.size += sum(array.nbytes for array in found.arrays)
                while self.size > self.budget and len(self._entries) > 1:
                    _, dropped = self._entries.popitem(last=False)
                    self.size -= sum(array.nbytes for array in dropped.arrays)
        return found


def term_postings(reader, fieldname: str, term: bytes, info=None) -> Postings:
    """Every posting of a term in a segment (a Whoosh segment reader), deleted documents included;
    ``info``: the term's information in the segment (W3TermInfo), when already looked up."""
    info = info or reader._terms.term_info(fieldname, term)
    if info.is_inlined():
        ids, weights, _ = info.inlined_postings()
        return Postings(np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float64))
    offset, _ = info.extent()
    return read_postings(reader._terms._postfile, offset + POSTINGS_HEADER)


def read_postings(postfile, start: int) -> Postings:
    """Every posting of the term whose blocks begin at ``start`` (after the postings' header) in
    ``postfile``, a Whoosh structured file of the W3 codec."""
    ids, weights = [], []
    position = start
    while True:
        (length,) = _BLOCK_LENGTH.unpack(postfile.get(position, 4))
        block_ids, block_weights = _decode_block(postfile.get(position + 4, abs(length)))
        ids.append(block_ids)
        weights.append(block_weights)
        if length < 0:  # the last block is marked by a negative length
            break
        position += 4 + length
    if len(ids) == 1:
        return Postings(ids[0], weights[0])
    return Postings(np.concatenate(ids), np.concatenate(weights))


def read_positions(postfile, start: int, documents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The word positions of a term in some of the documents of its postings (``documents``,
    ascending): pairs of (index into ``documents``, position), for a phrase to be checked. Only the
    blocks holding those documents are read whole."""
    values, owners = [], []
    position, first = start, 0
    while True:
        (length,) = _BLOCK_LENGTH.unpack(postfile.get(position, 4))
        block = postfile.get(position + 4, abs(length))
        stream = io.BytesIO(block)
        _, last, _, compression, _, _ = pickle.load(stream)
        wanted = np.searchsorted(documents, [first, last + 1])
        if wanted[1] > wanted[0]:  # a document of the block is wanted
            data = block[stream.tell():]
            deltas, _, block_values = _whole_block(zlib.decompress(data) if compression else data)
            ids = _absolute(deltas)
            at = np.searchsorted(documents, ids)
            np.minimum(at, len(documents) - 1, out=at)
            found = np.flatnonzero(documents[at] == ids)
            values.extend(block_values[i] for i in found.tolist())
            owners.append(at[found])
        if length < 0 or wanted[1] == len(documents):
            break
        first = last + 1
        position += 4 + length
    return _positions(values, np.concatenate(owners) if owners else np.zeros(0, dtype=np.int64))


def _whole_block(data: bytes) -> tuple:
    """A block's (id deltas, weights, values) unpickled. Its values are bytes pickled with protocol 2,
    each one a call of ``_codecs.encode(text, "latin1")`` (the function named once, then recalled
    from the pickle's memo): naming ``bytes`` instead, which makes the same bytes of the same text
    without looking the codec up, halves the time. Neither name can occur inside the ids or
    weights, whose opcodes (K, M, J, G) the name holds none of."""
    return pickle.loads(data.replace(_CODECS_ENCODE, _BYTES, 1))


def _positions(values: list[bytes], owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(owner of each position, position) for Positions values, each owned by ``owners[i]``."""
    if not values:
        return owners, np.zeros(0, dtype=np.int64)
    counts, positions = positions_of(values)
    return np.repeat(owners, counts), positions


def positions_of(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Whoosh's Positions values (a count, then a pickled list of position deltas, its STOP opcode
    sometimes left off) decoded all at once, the lists' pickles joined into one list of lists: how
    many positions each value holds, and all of them, value after value."""
    if not values:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    bodies = [value[_POSITIONS_FRONT:-1] if value.endswith(b".") else value[_POSITIONS_FRONT:] for value in values]
    deltas = pickle.loads(b"\x80\x02](" + b"".join(bodies) + b"e.")
    counts = np.fromiter((len(d) for d in deltas), dtype=np.int64, count=len(deltas))
    flat = np.fromiter(itertools.chain.from_iterable(deltas), dtype=np.int64, count=int(counts.sum()))
    running = np.cumsum(flat)
    firsts = np.cumsum(counts) - counts
    nonempty = counts > 0
    before = np.zeros(len(counts), dtype=np.int64)
    before[nonempty] = running[firsts[nonempty]] - flat[firsts[nonempty]]
    return counts, running - np.repeat(before, counts)


def _decode_block(block: bytes) -> tuple[np.ndarray, np.ndarray]:
    stream = io.BytesIO(block)
    count, _, _, compression, _, _ = pickle.load(stream)
    data = block[stream.tell():]
    if count > 3:  # a tuple of up to three items is pickled without a MARK: read the whole block
        # ids (opcode + up to 4 bytes each) and weights (opcode + 8 bytes each) come first
        needed = 14 * count + 16
        front = zlib.decompressobj().decompress(data, needed) if compression else bytes(data[:needed])
        found = _front(front, count)
        if found is not None:
            return found
    ids, weights, _ = pickle.loads(zlib.decompress(data) if compression else data)
    return _absolute(ids), _weights(weights, count)


def _front(front: bytes, count: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The ids and weights pickled at the front of a block, or None when it is not laid out as expected."""
    end = front.find(_END_OF_IDS, 3)
    while end > 0:
        try:  # the ids' tuple alone, closed where it ends: a match inside a number's bytes fails or falls short
            ids = pickle.loads(front[: end + 1] + b".")
        except (pickle.UnpicklingError, EOFError, ValueError):
            ids = None
        if isinstance(ids, tuple) and len(ids) == count:
            break
        end = front.find(_END_OF_IDS, end + 1)
    else:
        return None
    start = end + len(_END_OF_IDS)
    opcode = front[start]
    if opcode == _NONE:
        weights = np.ones(count)
    elif opcode == _FLOAT:
        weights = np.full(count, np.frombuffer(front, ">f8", 1, start + 1)[0])
    elif opcode == _MARK and len(front) >= start + 1 + 9 * count:
        pickled = np.frombuffer(front, _FLOATS, count, start + 1)
        if not (pickled["opcode"] == _FLOAT).all():
            return None
        weights = pickled["value"].astype(np.float64)
    else:
        return None
    return _absolute(ids), weights


def _absolute(deltas) -> np.ndarray:
    return np.cumsum(np.array(deltas, dtype=np.int64)).astype(np.int32)


def _weights(weights, count: int) -> np.ndarray:
    if weights is None:
        return np.ones(count)
    if isinstance(weights, float):
        return np.full(count, weights)
    return np.array(weights, dtype=np.float64)
