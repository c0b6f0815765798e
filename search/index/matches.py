"""The documents a query matches, with their scores, as numpy arrays.

Whoosh builds its matcher tree for the query (which matchers, in which order, with which scorers:
the same tree its own collectors walk), and the tree is then computed here a node at a time over
whole arrays instead of a document at a time: a term's postings are read block by block
(search.index.postings), scored by a vectorised BM25F, and combined by set operations in numpy.
Scores are the same floating-point numbers Whoosh computes, in the same order of additions. A
matcher this module does not know (a phrase's, say) is stepped through as Whoosh would step it.
"""

from __future__ import annotations

import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from whoosh import matching
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.filedb.structfile import BufferFile
from whoosh.query.spans import SpanNear2
from whoosh.scoring import BM25FScorer, WeightScorer
from whoosh.util.numeric import _length_byte_cache

from search.index.mapped import MappedFile
from search.index.postings import Postings, PostingsCache, read_positions, read_postings, term_postings
from search.index.term_arrays import TermArrays
from search.query import QueryTooSlow

_LENGTHS = np.array(_length_byte_cache, dtype=np.float64)
"""Whoosh stores a field's length in a document as one byte; this is the length each byte stands for."""
_DENSE = 8
"""Matches combined by marking them in an array of the segment's size when they are more than one
in this many of its documents (else by sorting or binary search)."""
_STEP_CHECK = 1023
"""Documents stepped through between two looks at the clock."""


@dataclass
class Matches:
    """Document numbers (ascending) and, when scored, the score of each."""

    ids: np.ndarray
    scores: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class SegmentData:
    """What scoring and matching need from one segment, read once: its deleted documents and the
    length of each scored field in each document."""

    reader: object
    deleted: np.ndarray
    mapped: bool
    """Whether the segment's postings are read from a memory map (a compound segment, as Whoosh
    writes them), which threads may read at once; else reading moves a shared file position."""
    lengths: dict[str, np.ndarray] = field(default_factory=dict)
    has_deleted: bool = False
    name: str = ""
    """The segment's id ("" for an index without segments)."""
    cache: PostingsCache | None = None
    arrays: TermArrays | None = None
    """The segment's postings as arrays (search.index.term_arrays), where it has them."""

    @classmethod
    def of(cls, reader, cache: PostingsCache | None = None, folder: Path | None = None) -> SegmentData:
        """The segment's deleted documents and the lengths of its scored fields, read now (when the
        snapshot opens) so that searches only read them; ``cache`` keeps long postings decoded;
        ``folder``: the index's, where the segment's term arrays are (if it has them)."""
        deleted = np.zeros(reader.doc_count_all(), dtype=bool)
        deleted[list(reader.deleted_docs_set)] = True
        lengths = {name: _field_lengths(reader, name) for name, field_type in reader.schema.items()
                   if field_type.scorable}
        name = reader.segment().segment_id() if reader.segment() is not None else ""
        return cls(reader, deleted, isinstance(reader._terms._postfile, (BufferFile, MappedFile)),
                   {name: found for name, found in lengths.items() if found is not None}, bool(deleted.any()),
                   name, cache, TermArrays.load(folder, name) if name and folder is not None else None)

    def postings(self, fieldname: str, term: bytes, info, reading) -> Postings:
        """Every posting of a term present in the segment (``info``: its W3TermInfo), deleted documents
        included; ``reading`` is held while the segment's files are read."""
        if self.arrays is not None and not info.is_inlined():
            found = self.arrays.postings(info.extent()[0])
            if found is not None:
                return found

        def read() -> Postings:
            with reading:
                return term_postings(self.reader, fieldname, term, info)

        if self.cache is None or info.doc_frequency() < self.cache.SHORTEST:
            return read()
        return self.cache.get((self.name, fieldname, term), read)


def _field_lengths(reader, fieldname: str) -> np.ndarray | None:
    """Each document's length in the field as Whoosh stores it (one byte: see _LENGTHS), 0 for none."""
    column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    count = reader.doc_count_all()
    lengths = np.zeros(count, dtype=np.uint8)
    stored = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
    lengths[: len(stored)] = stored[:count]
    return lengths


@dataclass
class Leaf:
    """A term matched in the final set: recorded for highlighting (the words shown marked)."""

    fieldname: str
    text: bytes | str
    ids: np.ndarray


class _Evaluation:
    """One matcher tree of one segment, computed bottom-up."""

    def __init__(self, segment: SegmentData, scored: bool, deadline: float, lock: threading.Lock):
        self.segment = segment
        self.scored = scored
        self.deadline = deadline
        self.lock = lock
        self.leaves: list[Leaf] = []

    def check_clock(self) -> None:
        if time.monotonic() > self.deadline:
            raise QueryTooSlow(None)

    def run(self, matcher, positive: bool = True) -> Matches:
        kind = type(matcher)
        handler = _HANDLERS.get(kind)
        found = handler(self, matcher, positive) if handler else self.step_through(matcher, positive)
        self.check_clock()
        return found

    # leaves

    def leaf(self, matcher, positive: bool) -> Matches:
        with nullcontext() if self.segment.mapped else self.lock:
            postings = read_postings(matcher._postfile, matcher._baseoffset)
        return self._scored_leaf(matcher, matcher.scorer, postings.ids, postings.weights, positive)

    def listed(self, matcher, positive: bool) -> Matches:
        ids = np.asarray(matcher._ids[matcher._i:], dtype=np.int32)
        if matcher._all_weights:
            weights = np.full(len(ids), float(matcher._all_weights))
        elif matcher._weights:
            weights = np.asarray(matcher._weights[matcher._i:], dtype=np.float64)
        else:
            weights = np.ones(len(ids))
        return self._scored_leaf(matcher, matcher._scorer, ids, weights, positive)

    def _scored_leaf(self, matcher, scorer, ids: np.ndarray, weights: np.ndarray, positive: bool) -> Matches:
        term = matcher.term()
        if positive and term is not None:
            self.leaves.append(Leaf(term[0], term[1], ids))
        if not self.scored:
            return Matches(ids)
        if scorer is None:
            return Matches(ids, weights)  # Whoosh scores a leaf without a scorer by its weight
        if type(scorer) is WeightScorer:
            return Matches(ids, weights)
        if type(scorer) is BM25FScorer:
            lengths = self.segment.lengths.get(term[0])
            if lengths is not None:
                length_bytes = lengths[ids]
                if length_bytes.all():  # Whoosh reads a missing length as None, and fails
                    return Matches(ids, bm25(weights, length_bytes, scorer.idf, scorer.avgfl, scorer.B, scorer.K1))
        return self.step_through(matcher, positive)

    # combinations

    def union(self, matcher, positive: bool) -> Matches:
        a, b = self.run(matcher.a, positive), self.run(matcher.b, positive)
        return union(a, b, len(self.segment.deleted), self.scored)

    def intersection(self, matcher, positive: bool) -> Matches:
        return intersection(self.run(matcher.a, positive), self.run(matcher.b, positive), self.scored)

    def and_not(self, matcher, positive: bool) -> Matches:
        return and_not(self.run(matcher.a, positive), self.run(matcher.b, False), self.scored)

    def and_maybe(self, matcher, positive: bool) -> Matches:
        return and_maybe(self.run(matcher.a, positive), self.run(matcher.b, positive), self.scored)

    def require(self, matcher, positive: bool) -> Matches:
        return require(self.run(matcher.a, positive), self.run(matcher.b, positive), self.scored)

    def phrase(self, matcher, positive: bool) -> Matches:
        """Words one after another (Whoosh's SpanNear2 of a phrase: ordered, next to each other): the
        documents holding every word, scored as their intersection, kept where the words' positions
        follow one another."""
        leaves = [getattr(m, "child", m) if type(m) is matching.FilterMatcher else m for m in matcher.ms]
        if not (matcher.ordered and matcher.slop == 1 and matcher.mindist == 1
                and all(type(leaf) is W3LeafMatcher for leaf in leaves)):
            return self.step_through(matcher, positive)
        found = self.run(matcher.child, False)

        def positions(leaf, documents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            found = self.segment.arrays.word_positions(leaf._startoffset, documents) if self.segment.arrays is not None else None
            if found is not None:
                return found
            with nullcontext() if self.segment.mapped else self.lock:
                return read_positions(leaf._postfile, leaf._baseoffset, documents)

        kept = phrase_kept(found.ids, [lambda documents, leaf=leaf: positions(leaf, documents) for leaf in leaves])
        ids = found.ids[kept]
        if positive:
            self.leaves.extend(Leaf(*leaf.term(), ids) for leaf in leaves)
        return Matches(ids, found.scores[kept] * matcher.boost if self.scored else None)

    def wrapped(self, matcher, positive: bool) -> Matches:
        found = self.run(matcher.child, positive)
        if self.scored and matcher.boost != 1.0:
            return Matches(found.ids, found.scores * matcher.boost)
        return found

    def filtered(self, matcher, positive: bool) -> Matches:
        if matcher._ids is self.segment.reader.deleted_docs_set:
            found = self.run(matcher.child, positive)
            keep = ~self.segment.deleted[found.ids] if matcher._exclude else self.segment.deleted[found.ids]
        else:
            found = self.run(matcher.child, positive)
            listed = np.fromiter(matcher._ids, dtype=np.int64, count=len(matcher._ids))
            keep = np.isin(found.ids, listed, invert=matcher._exclude)
        scores = found.scores[keep] if self.scored else None
        if scores is not None and matcher.boost != 1.0:
            scores = scores * matcher.boost
        return Matches(found.ids[keep], scores)

    def inverse(self, matcher, positive: bool) -> Matches:
        missing = matcher.missing
        if getattr(missing, "__func__", None) is not type(self.segment.reader).is_deleted or \
                getattr(missing, "__self__", None) is not self.segment.reader:
            return self.step_through(matcher, positive)
        child = self.run(matcher.child, False)
        keep = ~self.segment.deleted.copy()
        keep[child.ids] = False
        keep[: matcher._id] = False
        ids = np.flatnonzero(keep[: matcher.limit]).astype(np.int32)
        return Matches(ids, np.full(len(ids), float(matcher._weight)) if self.scored else None)

    def constant(self, matcher, positive: bool) -> Matches:
        found = self.run(matcher.child, positive)
        return Matches(found.ids, np.full(len(found.ids), float(matcher._score)) if self.scored else None)

    def nothing(self, matcher, positive: bool) -> Matches:
        return Matches(np.zeros(0, dtype=np.int32), np.zeros(0) if self.scored else None)

    def step_through(self, matcher, positive: bool) -> Matches:
        """Any other matcher, stepped through one document at a time, as Whoosh's collectors do."""
        ids: list[int] = []
        scores: list[float] = []
        terms: dict[tuple, list[int]] = {}
        with self.lock:  # stepping moves Whoosh's shared file position
            while matcher.is_active():
                docnum = matcher.id()
                ids.append(docnum)
                if self.scored:
                    scores.append(matcher.score())
                if positive:
                    for term in matcher.matching_terms(docnum):
                        terms.setdefault(term, []).append(docnum)
                matcher.next()
                if not len(ids) & _STEP_CHECK:
                    self.check_clock()
        for (fieldname, text), docnums in terms.items():
            self.leaves.append(Leaf(fieldname, text, np.array(docnums, dtype=np.int32)))
        return Matches(np.array(ids, dtype=np.int32), np.array(scores, dtype=np.float64) if self.scored else None)


_HANDLERS = {
    W3LeafMatcher: _Evaluation.leaf,
    matching.ListMatcher: _Evaluation.listed,
    matching.UnionMatcher: _Evaluation.union,
    matching.IntersectionMatcher: _Evaluation.intersection,
    matching.AndNotMatcher: _Evaluation.and_not,
    matching.AndMaybeMatcher: _Evaluation.and_maybe,
    matching.RequireMatcher: _Evaluation.require,
    matching.WrappingMatcher: _Evaluation.wrapped,
    matching.FilterMatcher: _Evaluation.filtered,
    matching.InverseMatcher: _Evaluation.inverse,
    matching.ConstantScoreWrapperMatcher: _Evaluation.constant,
    matching.NullMatcherClass: _Evaluation.nothing,
    SpanNear2.SpanNear2Matcher: _Evaluation.phrase,
}
"""Matchers computed over whole arrays, by exact type (a subclass may score differently)."""


def bm25(weights: np.ndarray, length_bytes: np.ndarray, idf: float, avgfl: float, b: float, k1: float) -> np.ndarray:
    """whoosh.scoring.bm25 over arrays, term by term in the same order (the same floating-point numbers)."""
    fl = _LENGTHS[length_bytes]
    return idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * fl / avgfl)))


def union(a: Matches, b: Matches, size: int, scored: bool) -> Matches:
    """Documents in either (Whoosh's UnionMatcher: a score is a's plus b's); ``size``: the segment's documents."""
    if (len(a) + len(b)) * _DENSE > size:  # many matches: mark them in an array of the segment's size
        present = np.zeros(size, dtype=bool)
        present[a.ids] = True
        present[b.ids] = True
        ids = np.flatnonzero(present).astype(np.int32)
        if not scored:
            return Matches(ids)
        scores = np.zeros(size)
        scores[a.ids] = a.scores
        scores[b.ids] = scores[b.ids] + b.scores  # 0 + b is b: only a, only b, or a + b
        return Matches(ids, scores[ids])
    merged = np.concatenate([a.ids, b.ids])
    merged.sort(kind="stable")  # two ascending runs: merged in one pass
    ids = merged[np.append(True, merged[1:] != merged[:-1])] if len(merged) else merged
    if not scored:
        return Matches(ids)
    scores = np.zeros(len(ids))
    scores[np.searchsorted(ids, a.ids)] = a.scores
    in_b = np.searchsorted(ids, b.ids)
    scores[in_b] = scores[in_b] + b.scores
    return Matches(ids, scores)


def intersection(a: Matches, b: Matches, scored: bool) -> Matches:
    """Documents in both (Whoosh's IntersectionMatcher)."""
    in_a, in_b = _common(a.ids, b.ids)
    return Matches(a.ids[in_a], a.scores[in_a] + b.scores[in_b] if scored else None)


def and_not(a: Matches, b: Matches, scored: bool) -> Matches:
    """Documents in a and not in b (Whoosh's AndNotMatcher)."""
    keep = np.ones(len(a), dtype=bool)
    keep[_common(a.ids, b.ids)[0]] = False
    return Matches(a.ids[keep], a.scores[keep] if scored else None)


def and_maybe(a: Matches, b: Matches, scored: bool) -> Matches:
    """Documents in a, plus b's score where b has them too (Whoosh's AndMaybeMatcher)."""
    if not scored:
        return Matches(a.ids)
    in_a, in_b = _common(a.ids, b.ids)
    scores = a.scores.copy()
    scores[in_a] = a.scores[in_a] + b.scores[in_b]
    return Matches(a.ids, scores)


def require(a: Matches, b: Matches, scored: bool) -> Matches:
    """Documents in a that b has too, scored by a alone (Whoosh's RequireMatcher)."""
    in_a, _ = _common(a.ids, b.ids)
    return Matches(a.ids[in_a], a.scores[in_a] if scored else None)


def phrase_kept(candidates: np.ndarray, positions: list) -> np.ndarray:
    """Positions in ``candidates`` (documents holding every word of a phrase, ascending) of those where
    the words follow one another; ``positions[i](documents)`` gives the i-th word's (index into
    ``documents``, position) pairs in some of the documents. Each word is read only in the documents
    still in the running after the words before it."""
    alive = np.arange(len(candidates))
    keys = None
    if not len(alive):
        return alive
    for offset, read in enumerate(positions):
        owners, where = read(candidates[alive])
        start = where - offset  # where the phrase would start for this word to be its offset-th
        word_keys = np.unique((alive[owners[start >= 0]].astype(np.int64) << 32) | start[start >= 0])
        keys = word_keys if keys is None else np.intersect1d(keys, word_keys, assume_unique=True)
        alive = np.unique(keys >> 32)
        if not len(alive):
            break
    return alive


def _common(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``a`` and in ``b`` (both ascending) of the numbers they share."""
    if len(a) > len(b):
        in_b, in_a = _common(b, a)
        return in_a, in_b
    if not len(a) or not len(b):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    at = np.searchsorted(b, a)
    np.minimum(at, len(b) - 1, out=at)
    found = np.flatnonzero(b[at] == a)
    return found, at[found]


def evaluate(matcher, segment: SegmentData, scored: bool, deadline: float,
             lock: threading.Lock) -> tuple[Matches, list[Leaf]]:
    """What a matcher of one segment matches (and scores), and the terms it matched on; ``lock``
    is held while Whoosh's own reading moves a file position shared with other threads."""
    evaluation = _Evaluation(segment, scored, deadline, lock)
    found = evaluation.run(matcher)
    return found, evaluation.leaves
