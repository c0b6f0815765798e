"""Running a plan on a snapshot: match, aggregate (facets, attention over time), rank, fold copies,
page, and read the page's articles.

Everything between matching and reading the page works on arrays of document numbers and the
snapshot's columns, so its cost per match is a few numpy operations, not a step of Python.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
from whoosh import query as wq
from whoosh.query.qcore import QueryError

from search.index.decoder import to_hit
from search.index.direct import Computation, TermStatistics
from search.index.matches import Leaf, Matches
from search.index.plan import Plan, plan
from search.index.schema import FACET_FIELDS
from search.index.snapshot import Snapshot
from search.index.suggest import SUGGEST_BELOW, corrected_query
from search.query import FacetCount, Hit, QuerySyntaxError, QueryTooSlow, SearchRequest, SearchResult
from search.timeline import DateBucket, timeline

_UNDATED_LAST = np.iinfo(np.int64).max
"""The sort key of an undated article when sorted by date: after every dated one."""


def find(snapshot: Snapshot, query: wq.Query, deadline: float, scored: bool = True) -> tuple[Matches, list[Leaf]]:
    """The documents a query matches (numbers over the whole index, ascending), scored as Whoosh
    scores them when ``scored``, and the terms it matched; QueryTooSlow past ``deadline``
    (``time.monotonic()``)."""
    searcher = snapshot.searcher
    context = searcher.context(needs_current=True, weighting=searcher.weighting if scored else None)
    statistics = TermStatistics(searcher, snapshot.reading())
    ids, scores, leaves = [], [], []
    for (part, offset), segment in zip(searcher.leaf_searchers(), snapshot.segments):
        computation = Computation(part, context, segment, statistics, scored, deadline, snapshot.whoosh_lock)
        found = computation.run(query)
        ids.append(found.ids.astype(np.int64) + offset)
        scores.append(found.scores)
        leaves.extend(Leaf(leaf.fieldname, leaf.text, leaf.ids.astype(np.int64) + offset)
                      for leaf in computation.leaves)
    _check(deadline)
    if not ids:
        return Matches(np.zeros(0, dtype=np.int64), np.zeros(0) if scored else None), leaves
    return Matches(np.concatenate(ids), np.concatenate(scores) if scored else None), leaves


def matching(snapshot: Snapshot, planned: Plan, deadline: float) -> tuple[Matches, list[Leaf]]:
    """The documents the plan's text query matches and its filters keep, scored, and the terms matched."""
    matched, leaves = find(snapshot, planned.query, deadline)
    keep = kept_by_columns(snapshot, planned, matched.ids)
    if planned.mentioned is not None:
        mentioned, _ = find(snapshot, planned.mentioned, deadline, scored=False)
        keep &= np.isin(matched.ids, mentioned.ids, assume_unique=True)
    if planned.copies_of:
        keep &= np.isin(matched.ids, _copies_of(snapshot, planned.copies_of), assume_unique=True)
    if not keep.all():
        matched = Matches(matched.ids[keep], matched.scores[keep])
    return matched, leaves


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


def ranked(keys: np.ndarray, ids: np.ndarray, wanted: int | None = None) -> np.ndarray:
    """Positions of the first ``wanted`` (default: all) in order of (key, document number), without
    sorting the rest."""
    if wanted is not None and wanted < len(keys):
        threshold = np.partition(keys, wanted - 1)[wanted - 1]
        candidates = np.flatnonzero(keys <= threshold)
        return candidates[np.lexsort((ids[candidates], keys[candidates]))][:wanted]
    return np.lexsort((ids, keys))


def folded(snapshot: Snapshot, keys: np.ndarray, ids: np.ndarray, wanted: int) -> np.ndarray:
    """Positions of the first ``wanted`` stories in order, each at its best-ranked copy."""
    stories = snapshot.copy_ids[ids]
    reading = wanted
    while True:
        order = ranked(keys, ids, reading)
        _, first = np.unique(stories[order], return_index=True)
        if len(first) >= wanted or len(order) == len(keys):
            return order[np.sort(first)][:wanted]
        reading *= 4


def facet_counts(snapshot: Snapshot, request: SearchRequest, ids: np.ndarray) -> dict[str, list[FacetCount]]:
    """Each facet's commonest values among the matches, with every selected value."""
    every = len(ids) == snapshot.count
    facets = {}
    for name, field in FACET_FIELDS.items():
        index = snapshot.facets[field]
        counts = snapshot.remembered(("facet", field), lambda: index.counts(ids)) if every else index.counts(ids)
        selected = getattr(request, name)
        chosen = {value.casefold() for value in selected}
        facets[name] = [FacetCount(value, count, value.casefold() in chosen)
                        for value, count in index.top(counts, selected)]
    return facets


def attention(snapshot: Snapshot, request: SearchRequest, ids: np.ndarray) -> list[DateBucket]:
    """Matches per day, week, month or year over the requested range (else the matches' own)."""
    days = snapshot.days[ids]
    days = days[days > 0]
    if len(days) and days.max() - days.min() < 1_000_000:
        first = int(days.min())
        counts = np.bincount(days - first)
        present = np.flatnonzero(counts)
        return timeline(present + first, counts[present], request.date_from, request.date_to)
    distinct, counts = np.unique(days, return_counts=True)
    return timeline(distinct, counts, request.date_from, request.date_to)


def search(snapshot: Snapshot, request: SearchRequest, deadline: float) -> SearchResult:
    """One page of ranked, filtered hits with facet counts and attention over time over every match."""
    with snapshot.reading():
        planned = plan(snapshot, request)
    matched, leaves = matching(snapshot, planned, deadline)
    start = (request.page - 1) * request.per_page
    keys = sort_keys(snapshot, planned, matched)
    wanted = start + request.per_page
    if planned.folds:
        stories = np.bincount(snapshot.copy_ids[matched.ids], minlength=snapshot.stories)
        listed = int(np.count_nonzero(stories))
        page = folded(snapshot, keys, matched.ids, wanted)[start:]
    else:
        listed, page = len(matched), ranked(keys, matched.ids, wanted)[start:]
    _check(deadline)
    hits = []
    if len(page):
        words = _matched_words(snapshot, leaves, matched.ids)
        formatter = snapshot.snippets.formatter()
        shown = (-keys[page]).tolist() if planned.shows_scores else [None] * len(page)
        for docnum, score in zip(matched.ids[page].tolist(), shown):
            with snapshot.reading():
                stored = snapshot.searcher.stored_fields(docnum)
            text = stored.get("text", "")
            snippet = snapshot.snippets.snippet(text, words, formatter) or snapshot.snippets.opening(text)
            copies = int(stories[snapshot.copy_ids[docnum]]) - 1 if planned.folds else 0
            hits.append(to_hit(stored, score, snippet, copies))
    result = SearchResult(request, len(matched), hits, facet_counts(snapshot, request, matched.ids),
                          attention(snapshot, request, matched.ids), folded=len(matched) - listed)
    if len(matched) < SUGGEST_BELOW and request.q.strip():
        result.suggestion = _better_query(snapshot, request, len(matched), deadline)
    return result


def export(snapshot: Snapshot, request: SearchRequest, deadline: float) -> list[Hit]:
    """Every article the request matches (not one page, copies included), in the request's order,
    without snippets."""
    with snapshot.reading():
        planned = plan(snapshot, request)
    matched, _ = matching(snapshot, planned, deadline)
    keys = sort_keys(snapshot, planned, matched)
    order = ranked(keys, matched.ids)
    _check(deadline)
    shown = (-keys[order]).tolist() if planned.shows_scores else [None] * len(order)
    hits = []
    for docnum, score in zip(matched.ids[order].tolist(), shown):
        with snapshot.reading():
            stored = snapshot.searcher.stored_fields(docnum)
        hits.append(to_hit(stored, score))
    return hits


def _matched_words(snapshot: Snapshot, leaves: list[Leaf], ids: np.ndarray) -> frozenset[str]:
    """The words of the text that matched in the matching documents: those a snippet marks."""
    matched = np.zeros(len(snapshot.deleted), dtype=bool)
    matched[ids] = True
    return frozenset(leaf.text.decode("utf-8") if isinstance(leaf.text, bytes) else leaf.text
                     for leaf in leaves if leaf.fieldname == "text" and matched[leaf.ids].any())


def _better_query(snapshot: Snapshot, request: SearchRequest, total: int, deadline: float) -> str | None:
    """A corrected query, when it finds more than this one."""
    with snapshot.reading():
        fixed = corrected_query(snapshot.searcher, request.q)
    if fixed is None:
        return None
    try:
        with snapshot.reading():
            planned = plan(snapshot, replace(request, q=fixed))
        matched, _ = matching(snapshot, planned, deadline)
    except (QuerySyntaxError, QueryTooSlow, QueryError):
        return None
    return fixed if len(matched) > total else None


def _check(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise QueryTooSlow(None)
