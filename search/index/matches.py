"""The documents a query matches, with their scores, as numpy arrays.

Whoosh builds its matcher tree for the query (which matchers, in which order, with which scorers:
the same tree its own collectors walk), and the tree is then computed here a node at a time over
whole arrays instead of a document at a time: a term's postings are read block by block
(search.index.postings), scored by a vectorised BM25F, and combined by set operations in numpy.
Scores are the same floating-point numbers Whoosh computes, in the same order of additions. A
matcher this module does not know (a phrase's, say) is stepped through as Whoosh would step it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from whoosh import matching
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.scoring import BM25FScorer, WeightScorer
from whoosh.util.numeric import _length_byte_cache

from search.index.postings import read_postings
from search.query import QueryTooSlow

_LENGTHS = np.array(_length_byte_cache, dtype=np.float64)
"""Whoosh stores a field's length in a document as one byte; this is the length each byte stands for."""
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
    lengths: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(cls, reader) -> SegmentData:
        deleted = np.zeros(reader.doc_count_all(), dtype=bool)
        deleted[list(reader.deleted_docs_set)] = True
        return cls(reader, deleted)

    def field_lengths(self, fieldname: str) -> np.ndarray | None:
        """Each document's length in the field (0 for none), as Whoosh's scorer reads it."""
        if fieldname not in self.lengths:
            from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

            column = self.reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if column is None:
                return None
            count = self.reader.doc_count_all()
            stored = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
            lengths = np.zeros(count, dtype=np.uint8)
            lengths[: len(stored)] = stored[:count]
            self.lengths[fieldname] = lengths
        return self.lengths[fieldname]


@dataclass
class Leaf:
    """A term matched in the final set: recorded for highlighting (the words shown marked)."""

    fieldname: str
    text: bytes | str
    ids: np.ndarray


class _Evaluation:
    """One matcher tree of one segment, computed bottom-up."""

    def __init__(self, segment: SegmentData, scored: bool, deadline: float):
        self.segment = segment
        self.scored = scored
        self.deadline = deadline
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
            lengths = self.segment.field_lengths(term[0])
            if lengths is not None:
                length_bytes = lengths[ids]
                if length_bytes.all():  # Whoosh reads a missing length as None, and fails
                    fl = _LENGTHS[length_bytes]
                    idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
                    # whoosh.scoring.bm25, term by term in the same order
                    scores = idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * fl / avgfl)))
                    return Matches(ids, scores)
        return self.step_through(matcher, positive)

    # combinations

    def union(self, matcher, positive: bool) -> Matches:
        a, b = self.run(matcher.a, positive), self.run(matcher.b, positive)
        ids = np.union1d(a.ids, b.ids)
        if not self.scored:
            return Matches(ids)
        scores = np.zeros(len(ids))
        scores[np.searchsorted(ids, a.ids)] = a.scores
        in_b = np.searchsorted(ids, b.ids)
        scores[in_b] = scores[in_b] + b.scores  # 0 + b is b: only a, only b, or a + b
        return Matches(ids, scores)

    def intersection(self, matcher, positive: bool) -> Matches:
        a, b = self.run(matcher.a, positive), self.run(matcher.b, positive)
        ids, in_a, in_b = np.intersect1d(a.ids, b.ids, assume_unique=True, return_indices=True)
        return Matches(ids, a.scores[in_a] + b.scores[in_b] if self.scored else None)

    def and_not(self, matcher, positive: bool) -> Matches:
        a, b = self.run(matcher.a, positive), self.run(matcher.b, False)
        keep = ~np.isin(a.ids, b.ids, assume_unique=True)
        return Matches(a.ids[keep], a.scores[keep] if self.scored else None)

    def and_maybe(self, matcher, positive: bool) -> Matches:
        a, b = self.run(matcher.a, positive), self.run(matcher.b, positive)
        if not self.scored:
            return Matches(a.ids)
        _, in_a, in_b = np.intersect1d(a.ids, b.ids, assume_unique=True, return_indices=True)
        scores = a.scores.copy()
        scores[in_a] = a.scores[in_a] + b.scores[in_b]
        return Matches(a.ids, scores)

    def require(self, matcher, positive: bool) -> Matches:
        a, b = self.run(matcher.a, positive), self.run(matcher.b, positive)
        ids, in_a, _ = np.intersect1d(a.ids, b.ids, assume_unique=True, return_indices=True)
        return Matches(ids, a.scores[in_a] if self.scored else None)

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
}
"""Matchers computed over whole arrays, by exact type (a subclass may score differently)."""


def evaluate(matcher, segment: SegmentData, scored: bool, deadline: float) -> tuple[Matches, list[Leaf]]:
    """What a matcher of one segment matches (and scores), and the terms it matched on."""
    evaluation = _Evaluation(segment, scored, deadline)
    found = evaluation.run(matcher)
    return found, evaluation.leaves
