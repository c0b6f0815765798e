"""The queries people type, computed over arrays without building Whoosh's matchers.

Whoosh builds a matcher tree before a search reads anything, and building it already reads: a leaf
decodes its first block (word positions included), an intersection steps its children to their
first common document, a phrase steps to its first phrase, a scorer sums statistics over every
segment. Over an archive that was most of the time of a search of a few words or a phrase. Here
the query objects themselves (words, AND, OR, phrases, boosts, every article) are computed segment by segment
into the same tree Whoosh would build — the same children paired in the same order, so every
score is the same sum of the same floating-point numbers — each node over whole arrays
(search.index.matches). Any other query (a wildcard, a range, NOT) is handed to
Whoosh's matcher, computed by search.index.matches.
"""

from __future__ import annotations

import bisect
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
from whoosh import query as wq
from whoosh.reading import TermNotFound

from search.index.matches import (
    Leaf,
    Matches,
    SegmentData,
    and_maybe,
    and_not,
    bm25,
    evaluate,
    intersection,
    phrase_kept,
    require,
    union,
)
from search.index.postings import POSTINGS_HEADER, TermPositions, read_positions
from search.query import QueryTooSlow


@dataclass
class TermStatistics:
    """What scoring a term needs from the whole index (not one segment), found once per search."""

    searcher: object
    """The searcher over the whole index (its weighting: search.index.ranking.RobertsonBM25F)."""
    reading: object
    """Held while reading every segment's term tables (see Computation.reading)."""
    _found: dict = field(default_factory=dict)
    _bytes: dict = field(default_factory=dict)

    def term_bytes(self, fieldname: str, text) -> bytes | None:
        """A term as the index holds it, None when the schema has no such field or value."""
        key = (fieldname, text)
        if key not in self._bytes:
            schema = self.searcher.schema
            try:
                self._bytes[key] = schema[fieldname].to_bytes(text) if fieldname in schema else None
            except ValueError:
                self._bytes[key] = None
        return self._bytes[key]

    def scoring(self, fieldname: str, text: bytes) -> tuple[float, float, float, float]:
        """(idf, average field length, B, K1) of a term, as the weighting's scorer has them."""
        known = self._found.get((fieldname, text))
        if known is None:
            weighting = self.searcher.weighting
            with self.reading:
                idf = weighting.robertson_idf(self.searcher, fieldname, text)
                avgfl = self._found.get(fieldname)
                if avgfl is None:
                    avgfl = self._found[fieldname] = self.searcher.avg_field_length(fieldname) or 1
            known = self._found[(fieldname, text)] = (idf, avgfl, weighting._field_B.get(fieldname, weighting.B),
                                                      weighting.K1)
        return known


class _Unsupported(Exception):
    """A query this module does not compute: Whoosh's matcher computes it."""


class Computation:
    """One query over one segment."""

    def __init__(self, part, context, segment: SegmentData, statistics: TermStatistics, scored: bool,
                 deadline: float, lock: threading.Lock):
        self.part = part
        """The segment's Whoosh searcher."""
        self.context = context
        self.segment = segment
        self.reader = segment.reader
        self.statistics = statistics
        self.scored = scored
        self.deadline = deadline
        self.lock = lock
        self.reading = nullcontext() if segment.mapped else lock
        """Held while reading the segment's files (a segment that is not mapped moves a shared position)."""
        self.leaves: list[Leaf] = []
        self.tracked: dict[int, int] = {}
        """Parts of the query whose own matches are kept (by the part's id → its number)."""
        self.kept: dict[int, np.ndarray] = {}
        """The documents each tracked part matched, by its number."""
        self._infos: dict[tuple[str, bytes], object] = {}
        self._sizes: dict[int, int] = {}
        """By the id of a part of the query (which lives as long as the search)."""

    def run(self, query: wq.Query, positive: bool = True) -> Matches:
        """What ``query`` matches in the segment; ``positive``: whether its terms are shown marked."""
        kind = type(query)
        compute = _COMPUTED.get(kind)
        found = None
        if compute is not None:
            try:
                found = compute(self, query, positive)
                self._check_clock()
            except _Unsupported:
                pass
        if found is None:
            found = self.whoosh(query, positive)
        if self.tracked and id(query) in self.tracked:
            self.kept[self.tracked[id(query)]] = found.ids
        return found

    def whoosh(self, query: wq.Query, positive: bool) -> Matches:
        """A query computed by Whoosh's matcher (search.index.matches)."""
        with self.lock:  # building a matcher moves Whoosh's shared file position
            matcher = query.matcher(self.part, self.context)
        found, leaves = evaluate(matcher, self.segment, self.scored, self.deadline, self.lock)
        if positive:
            self.leaves.extend(leaves)
        return found

    def _check_clock(self) -> None:
        if time.monotonic() > self.deadline:
            raise QueryTooSlow(None)

    # a word

    def _bytes(self, fieldname: str, text) -> bytes | None:
        """A term's bytes in the segment, or None when the field or the term is not there."""
        term = self.statistics.term_bytes(fieldname, text)
        return term if term is not None and self._info(fieldname, term) is not None else None

    def _info(self, fieldname: str, term: bytes):
        """The segment's term information (Whoosh's W3TermInfo) of a term, None when it has none; looked
        up once per search (sizes, presence and postings all need it)."""
        key = (fieldname, term)
        if key not in self._infos:
            with self.reading:
                try:
                    self._infos[key] = self.reader._terms.term_info(fieldname, term)
                except TermNotFound:
                    self._infos[key] = None
        return self._infos[key]

    def _size(self, query: wq.Query) -> int:
        """Whoosh's estimate of how many documents a query matches in the segment (what its trees are
        balanced by), from the term information already looked up; once per part of the query."""
        size = self._sizes.get(id(query))
        if size is None:
            size = self._sizes[id(query)] = self._estimate(query)
        return size

    def _estimate(self, query: wq.Query) -> int:
        kind = type(query)
        if kind is wq.Term:
            return self._term_size(query.fieldname, query.text)
        if kind is wq.And:
            return min(self._size(sub) for sub in query.subqueries)
        if kind is wq.Or:
            return min(sum(self._size(sub) for sub in query.subqueries), self.reader.doc_count())
        if kind is wq.Phrase:
            return min(self._term_size(query.fieldname, word) for word in query.words)
        with self.reading:
            return query.estimate_size(self.reader)

    def _term_size(self, fieldname: str, text) -> int:
        """Documents of the segment holding a term, deleted ones included (Whoosh's Term.estimate_size)."""
        term = self._bytes(fieldname, text)
        return self._info(fieldname, term).doc_frequency() if term is not None else 0

    def term(self, query: wq.Term, positive: bool) -> Matches:
        term = self._bytes(query.fieldname, query.text)
        if term is None:
            return _nothing(self.scored)
        found = self._posting(query.fieldname, term)
        if positive:
            self.leaves.append(Leaf(query.fieldname, term, found.ids))
        if self.scored and query.boost != 1.0:
            return Matches(found.ids, found.scores * query.boost)
        return found

    def _posting(self, fieldname: str, term: bytes) -> Matches:
        """A present term's live documents, scored (Whoosh's leaf matcher with its scorer, filtered by the
        deleted documents)."""
        postings = self.segment.postings(fieldname, term, self._info(fieldname, term), self.reading)
        ids, weights = postings.ids, postings.weights
        if self.segment.has_deleted:
            live = ~self.segment.deleted[ids]
            ids, weights = ids[live], weights[live]
        if not self.scored:
            return Matches(ids)
        if not self.reader.schema[fieldname].scorable:
            return Matches(ids, weights)  # Whoosh's WeightScorer
        lengths = self.segment.lengths.get(fieldname)
        if lengths is None:
            raise _Unsupported
        length_bytes = lengths[ids]
        if not length_bytes.all():  # Whoosh reads a missing length as None, and fails: let it
            raise _Unsupported
        return Matches(ids, bm25(weights, length_bytes, *self.statistics.scoring(fieldname, term)))

    # AND, OR, and the binary operators

    def compound(self, query, positive: bool) -> Matches:
        """And / Or as Whoosh builds them: a lone child is the child itself (its parent's boost left
        out); else a Huffman-like tree by estimated size (see ``_weighted_tree``), then the boost."""
        subs = query.subqueries
        if not subs:
            return _nothing(self.scored)
        if len(subs) == 1:
            return self.run(subs[0], positive)
        if type(query) is wq.Or and (len(subs) >= wq.Or.TOO_MANY_CLAUSES or query.scale
                                     or query.matcher_type != wq.Or.AUTO_MATCHER):
            raise _Unsupported  # Whoosh computes such an Or another way
        sign, combine = (-1, self._intersection) if type(query) is wq.And else (1, self._union)
        sizes = [sign * self._size(sub) for sub in subs]
        found = _weighted_tree([(size, self.run(sub, positive)) for size, sub in zip(sizes, subs)], combine)
        if self.scored and query.boost != 1.0:
            return Matches(found.ids, found.scores * query.boost)
        return found

    def every(self, query: wq.Every, positive: bool) -> Matches:
        """Every live document, each scored by the query's boost (Whoosh's ListMatcher of all_doc_ids)."""
        if query.fieldname not in (None, "", "*"):
            raise _Unsupported
        ids = np.flatnonzero(~self.segment.deleted).astype(np.int32)
        return Matches(ids, np.full(len(ids), float(query.boost)) if self.scored else None)

    def _union(self, a: Matches, b: Matches) -> Matches:
        return union(a, b, len(self.segment.deleted), self.scored)

    def _intersection(self, a: Matches, b: Matches) -> Matches:
        return intersection(a, b, self.scored)

    def binary(self, query, positive: bool) -> Matches:
        kind = type(query)
        a = self.run(query.a, positive)
        b = self.run(query.b, positive and kind is not wq.AndNot)
        return _BINARY[kind](a, b, self.scored)

    # a phrase

    def phrase(self, query: wq.Phrase, positive: bool) -> Matches:
        """Whoosh's Phrase: nothing when a word is missing; else the words' documents intersected (an
        order-preserving binary tree), kept where the words follow one another; then the boost."""
        if query.fieldname not in self.reader.schema:
            return _nothing(self.scored)
        if query.slop != 1 or not self.reader.schema[query.fieldname].format.supports("positions"):
            raise _Unsupported
        terms = [self._bytes(query.fieldname, word) for word in query.words]
        if not terms or any(term is None for term in terms):
            return _nothing(self.scored)
        postings = [self._posting(query.fieldname, term) for term in terms]
        found = _binary_tree(postings, self._intersection)
        kept = phrase_kept(found.ids, [lambda documents, term=term: self._positions(query.fieldname, term, documents)
                                       for term in terms])
        ids = found.ids[kept]
        if positive:
            self.leaves.extend(Leaf(query.fieldname, term, ids) for term in terms)
        if not self.scored:
            return Matches(ids)
        return Matches(ids, found.scores[kept] * query.boost if query.boost != 1.0 else found.scores[kept])

    def _positions(self, fieldname: str, term: bytes, documents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        info = self._info(fieldname, term)
        if info.is_inlined():
            raise _Unsupported
        if self.segment.arrays is not None:
            found = self.segment.arrays.word_positions(info.extent()[0], documents)
            if found is not None:
                return found
        start = info.extent()[0] + POSTINGS_HEADER
        cache = self.segment.cache
        key = (self.segment.name, fieldname, term, "positions")
        cached = cache.peek(key) if cache is not None else None
        if cached is not None:
            return cached.of(documents)
        if cache is None or info.doc_frequency() < cache.SHORTEST or len(documents) * _POSITIONS_READ_WHOLE < info.doc_frequency():
            # few of the term's documents: reading their blocks alone is quicker than reading all to keep
            with self.reading:
                return read_positions(self.reader._terms._postfile, start, documents)

        def every() -> TermPositions:
            ids = self.segment.postings(fieldname, term, info, self.reading).ids
            with self.reading:
                return TermPositions(ids, *read_positions(self.reader._terms._postfile, start, ids))

        return cache.get(key, every).of(documents)


_POSITIONS_READ_WHOLE = 4
"""A term's positions are read whole (and kept) when a phrase wants them in at least one in this many
of its documents: nearly every block holds one of those anyway."""
_BINARY = {wq.AndNot: and_not, wq.AndMaybe: and_maybe, wq.Require: require}
_COMPUTED = {wq.Term: Computation.term, wq.And: Computation.compound, wq.Or: Computation.compound,
             wq.Phrase: Computation.phrase, wq.Every: Computation.every, **dict.fromkeys(_BINARY, Computation.binary)}
"""Queries computed here, by exact type (a subclass may match or score differently)."""


def _nothing(scored: bool) -> Matches:
    return Matches(np.zeros(0, dtype=np.int32), np.zeros(0) if scored else None)


def _weighted_tree(parts: list[tuple[int, Matches]], combine) -> Matches:
    """whoosh.util.make_weighted_tree: the two lightest combined first, again and again (ties keep
    their order: Whoosh's matchers compare as equal)."""
    parts = sorted(parts, key=lambda part: part[0])
    while len(parts) > 1:
        (weight_a, a), (weight_b, b) = parts.pop(0), parts.pop(0)
        bisect.insort(parts, (weight_a + weight_b, combine(a, b)), key=lambda part: part[0])
    return parts[0][1]


def _binary_tree(parts: list[Matches], combine) -> Matches:
    """whoosh.util.make_binary_tree: halves combined, in order."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return combine(_binary_tree(parts[:half], combine), _binary_tree(parts[half:], combine))
