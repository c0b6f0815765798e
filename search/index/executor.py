"""Running a plan on a snapshot: match, aggregate (facets, attention over time), rank, fold copies,
page, and read the page's articles.

Everything between matching and reading the page works on arrays of document numbers and the
snapshot's columns, so its cost per match is a few numpy operations, not a step of Python.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Iterable

import numpy as np
from whoosh import query as wq
from whoosh.query.qcore import QueryError

from search.index.decoder import to_hit
from search.index.direct import Computation, TermStatistics
from search.index.facets import FACET_SIZE
from search.index.matches import Leaf, Matches
from search.index.plan import Plan, plan
from search.index.schema import FACET_FIELDS
from search.index.snapshot import Snapshot
from search.index.suggest import SUGGEST_BELOW, corrected_query
from search.query import FacetCount, Hit, IndexChanged, QuerySyntaxError, QueryTooSlow, SearchRequest, SearchResult
from search.timeline import DateBucket, day_counts, timeline

_UNDATED_LAST = np.iinfo(np.int64).max
"""The sort key of an undated article when sorted by date: after every dated one."""


def find(snapshot: Snapshot, query: wq.Query, deadline: float, scored: bool = True,
         counted: tuple[wq.Query, ...] = ()) -> tuple[Matches, list[Leaf], list[np.ndarray]]:
    """The documents a query matches (numbers over the whole index, ascending), scored as Whoosh
    scores them when ``scored``, the terms it matched, and the documents each of the ``counted``
    parts of its tree matched; QueryTooSlow past ``deadline`` (``time.monotonic()``)."""
    searcher = snapshot.searcher
    context = searcher.context(needs_current=True, weighting=searcher.weighting if scored else None)
    statistics = TermStatistics(searcher, snapshot.reading())
    ids, scores, leaves = [], [], []
    parts: list[list[np.ndarray]] = [[] for _ in counted]
    for (part, offset), segment in zip(searcher.leaf_searchers(), snapshot.segments):
        computation = Computation(part, context, segment, statistics, scored, deadline, snapshot.whoosh_lock)
        computation.tracked = {id(sub): number for number, sub in enumerate(counted)}
        found = computation.run(query)
        ids.append(found.ids.astype(np.int64) + offset)
        scores.append(found.scores)
        leaves.extend(Leaf(leaf.fieldname, leaf.text, leaf.ids.astype(np.int64) + offset)
                      for leaf in computation.leaves)
        for number, sub in enumerate(counted):
            kept = computation.kept.get(number)
            if kept is None:  # computed within a part Whoosh's matcher computed whole
                alone = Computation(part, context, segment, statistics, False, deadline, snapshot.whoosh_lock)
                kept = alone.run(sub, positive=False).ids
            parts[number].append(kept.astype(np.int64) + offset)
    _check(deadline)
    present = [np.concatenate(found) if found else np.zeros(0, dtype=np.int64) for found in parts]
    if not ids:
        return Matches(np.zeros(0, dtype=np.int64), np.zeros(0) if scored else None), leaves, present
    return Matches(np.concatenate(ids), np.concatenate(scores) if scored else None), leaves, present


@dataclass
class Matched:
    """What a plan matched after its filters: the scored documents, the terms matched, and how many
    of the plan's counted clauses each document has (None when none are counted)."""

    matches: Matches
    leaves: list[Leaf]
    present: list[np.ndarray]
    """Per counted clause, whether each document of the index has it (a mask by document number)."""
    counts: np.ndarray | None

    def missing(self, planned: Plan, docnum: int) -> list[str]:
        """The counted clauses a document lacks, as typed."""
        return [clause.label for clause, has in zip(planned.counted, self.present) if not has[docnum]]

    def all_words(self) -> int:
        """How many matches have every counted clause."""
        if self.counts is None:
            return len(self.matches)
        return int(np.count_nonzero(self.counts == len(self.present)))


def matching(snapshot: Snapshot, planned: Plan, deadline: float, scored: bool = True) -> Matched:
    """The documents the plan's text query matches and its filters keep, scored unless not
    ``scored``, the terms matched, and which counted clauses each has."""
    matched, leaves, found = find(snapshot, planned.query, deadline, scored,
                                  counted=tuple(clause.query for clause in planned.counted))
    keep = kept_by_columns(snapshot, planned, matched.ids)
    if planned.mentioned is not None:
        mentioned, _, _ = find(snapshot, planned.mentioned, deadline, scored=False)
        keep &= np.isin(matched.ids, mentioned.ids, assume_unique=True)
    if planned.copies_of:
        keep &= np.isin(matched.ids, _copies_of(snapshot, planned.copies_of), assume_unique=True)
    if not keep.all():
        matched = Matches(matched.ids[keep], None if matched.scores is None else matched.scores[keep])
    present, counts = [], None
    if found:
        counts = np.zeros(len(matched), dtype=np.int32)
        for ids in found:
            has = np.zeros(len(snapshot.deleted), dtype=bool)
            has[ids] = True
            counts += has[matched.ids]
            present.append(has)
    return Matched(matched, leaves, present, counts)


def kept_by_columns(snapshot: Snapshot, planned: Plan, ids: np.ndarray) -> np.ndarray:
    """Which of the documents the plan's facet values and publication dates keep (a mask)."""
    keep = np.ones(len(ids), dtype=bool)
    for field, value in planned.values:
        keep &= snapshot.facets[field].holding(value)[ids]
    if planned.days is not None:
        days = snapshot.days[ids]
        keep &= (days >= planned.days[0]) & (days <= planned.days[1])
    return keep


def _copies_of(snapshot: Snapshot, article_id: str) -> np.ndarray:
    """The documents that are copies of this article's story (the article included)."""
    with snapshot.whoosh_lock:  # finding a document by its id builds a Whoosh matcher
        docnum = snapshot.searcher.document_number(id=article_id)
    if docnum is None:
        return np.zeros(0, dtype=np.int64)
    if snapshot.copies is None:
        return np.array([docnum])
    return np.flatnonzero(snapshot.copy_ids == snapshot.copy_ids[docnum])


def sort_keys(snapshot: Snapshot, planned: Plan, matched: Matches) -> np.ndarray:
    """Each match's key in the plan's order (ascending; ties by document number, as Whoosh orders
    them): the negated score, the negated score divided by the freshness divisor (sort=fresh), or
    the day with undated articles last either way."""
    if planned.sort == "relevance":
        return -matched.scores
    if planned.sort == "fresh":
        return (0 - matched.scores) / snapshot.fresh_divisors[matched.ids]
    days = snapshot.days[matched.ids].astype(np.int64)
    return np.where(days > 0, -days if planned.sort == "newest" else days, _UNDATED_LAST)


def ranked(keys: np.ndarray, ids: np.ndarray, wanted: int | None = None, tiers: np.ndarray | None = None) -> np.ndarray:
    """Positions of the first ``wanted`` (default: all) in order of (key, document number), without
    sorting the rest; with ``tiers`` (small whole numbers), the highest tier first."""
    if tiers is not None:
        order, left = [], len(keys) if wanted is None else wanted
        for tier in np.flatnonzero(np.bincount(tiers))[::-1]:
            if left <= 0:
                break
            positions = np.flatnonzero(tiers == tier)
            order.append(positions[ranked(keys[positions], ids[positions], left)])
            left -= len(order[-1])
        return np.concatenate(order) if order else np.zeros(0, dtype=np.int64)
    if wanted is not None and wanted < len(keys):
        threshold = np.partition(keys, wanted - 1)[wanted - 1]
        candidates = np.flatnonzero(keys <= threshold)
        return candidates[np.lexsort((ids[candidates], keys[candidates]))][:wanted]
    return np.lexsort((ids, keys))


def folded(snapshot: Snapshot, keys: np.ndarray, ids: np.ndarray, wanted: int,
           tiers: np.ndarray | None = None) -> np.ndarray:
    """Positions of the first ``wanted`` stories in order, each at its best-ranked copy."""
    stories = snapshot.copy_ids[ids]
    reading = wanted
    while True:
        order = ranked(keys, ids, reading, tiers)
        _, first = np.unique(stories[order], return_index=True)
        if len(first) >= wanted or len(order) == len(keys):
            return order[np.sort(first)][:wanted]
        reading *= 4


def facet_counts(snapshot: Snapshot, request: SearchRequest, ids: np.ndarray, names: Iterable[str] = FACET_FIELDS,
                 size: int = FACET_SIZE) -> dict[str, list[FacetCount]]:
    """The named facets' commonest values among the matches (``size`` of each), with every selected value."""
    every = len(ids) == snapshot.count
    facets = {}
    for name in names:
        field = FACET_FIELDS[name]
        index = snapshot.facets[field]
        counts = snapshot.remembered(("facet", field), lambda: index.counts(ids)) if every else index.counts(ids)
        selected = getattr(request, name)
        chosen = {index.number(value) for value in selected}  # None: a selected value no article holds
        facets[name] = [FacetCount(value, count, index.number(value) in chosen)
                        for value, count in index.top(counts, selected, size)]
    return facets


def attention(snapshot: Snapshot, request: SearchRequest, ids: np.ndarray) -> list[DateBucket]:
    """Matches per day, week, month or year over the requested range (else the matches' own)."""
    return timeline(*day_counts(snapshot.days[ids]), request.date_from, request.date_to)


def search(snapshot: Snapshot, request: SearchRequest, deadline: float, aggregate: bool = True) -> SearchResult:
    """One page of ranked, filtered hits with facet counts and attention over time over every match:
    those with every counted clause of the query first, then those with most of them. Without
    ``aggregate``, the page alone (no facets, chart or suggestion). Raises IndexChanged when the
    request asks for another state of the index than the snapshot's."""
    _check_state(snapshot, request)
    with snapshot.reading():
        planned = plan(snapshot, request)
    found = matching(snapshot, planned, deadline)
    matched = found.matches
    start = (request.page - 1) * request.per_page
    keys = sort_keys(snapshot, planned, matched)
    wanted = start + request.per_page
    if planned.folds:
        stories = np.bincount(snapshot.copy_ids[matched.ids], minlength=snapshot.stories)
        listed = int(np.count_nonzero(stories))
        page = folded(snapshot, keys, matched.ids, wanted, found.counts)[start:]
    else:
        listed, page = len(matched), ranked(keys, matched.ids, wanted, found.counts)[start:]
    _check(deadline)
    hits = []
    if len(page):
        words = _matched_words(snapshot, found.leaves, matched.ids)
        formatter = snapshot.snippets.formatter()
        shown = (-keys[page]).tolist() if planned.shows_scores else [None] * len(page)
        for docnum, score in zip(matched.ids[page].tolist(), shown):
            with snapshot.reading():
                stored = snapshot.searcher.stored_fields(docnum)
            text = stored.get("text", "")
            snippet = snapshot.snippets.snippet(text, words, formatter) or snapshot.snippets.opening(text)
            copies = int(stories[snapshot.copy_ids[docnum]]) - 1 if planned.folds else 0
            hits.append(to_hit(stored, score, snippet, copies, found.missing(planned, docnum)))
    all_words = None if planned.description else found.all_words()
    result = SearchResult(request, len(matched), hits, folded=len(matched) - listed, total_all_words=all_words,
                          generation=snapshot.state)
    if not aggregate:
        return result
    result.facets = facet_counts(snapshot, request, matched.ids)
    result.published = attention(snapshot, request, matched.ids)
    fewest = len(matched) if all_words is None else all_words
    if fewest < SUGGEST_BELOW and request.q.strip():
        result.suggestion = _better_query(snapshot, request, fewest, deadline)
    return result


def export(snapshot: Snapshot, request: SearchRequest, deadline: float) -> list[Hit]:
    """Every article the request lists (not one page, copies included), in the request's order,
    without snippets."""
    _check_state(snapshot, request)
    with snapshot.reading():
        planned = plan(snapshot, request)
    found = matching(snapshot, planned, deadline)
    matched = found.matches
    keys = sort_keys(snapshot, planned, matched)
    order = ranked(keys, matched.ids, tiers=found.counts)
    _check(deadline)
    shown = (-keys[order]).tolist() if planned.shows_scores else [None] * len(order)
    hits = []
    for docnum, score in zip(matched.ids[order].tolist(), shown):
        with snapshot.reading():
            stored = snapshot.searcher.stored_fields(docnum)
        hits.append(to_hit(stored, score, missing=found.missing(planned, docnum)))
    return hits


def _matched_words(snapshot: Snapshot, leaves: list[Leaf], ids: np.ndarray) -> frozenset[str]:
    """The words of the text that matched in the matching documents: those a snippet marks."""
    matched = np.zeros(len(snapshot.deleted), dtype=bool)
    matched[ids] = True
    return frozenset(leaf.text.decode("utf-8") if isinstance(leaf.text, bytes) else leaf.text
                     for leaf in leaves if leaf.fieldname == "text" and matched[leaf.ids].any())


def _better_query(snapshot: Snapshot, request: SearchRequest, total: int, deadline: float) -> str | None:
    """A corrected query, when it finds more articles with all its words (or, a description, more
    articles) than this one's ``total``."""
    with snapshot.reading():
        fixed = corrected_query(snapshot.searcher, request.q)
    if fixed is None:
        return None
    try:
        with snapshot.reading():
            planned = plan(snapshot, replace(request, q=fixed))
        found = matching(snapshot, planned, deadline)
    except (QuerySyntaxError, QueryTooSlow, QueryError):
        return None
    return fixed if (len(found.matches) if planned.description else found.all_words()) > total else None


def _check_state(snapshot: Snapshot, request: SearchRequest) -> None:
    if request.generation and request.page > 1 and request.generation != snapshot.state:  # page 1 starts anew
        raise IndexChanged(request.generation, snapshot.state)


def _check(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise QueryTooSlow(None)
