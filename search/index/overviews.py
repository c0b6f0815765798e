"""Overviews over many matches at once: queries compared over time, and one entity across the
archive. Both run on the search's own machinery (search.index.executor): the same matching, facet
columns and periods, so that their counts are the search's counts."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable

import numpy as np

from search.comparison import COMPARED_FACETS, CompareRequest, CompareResult, Series
from search.index.executor import facet_counts, matching, search
from search.index.plan import plan
from search.index.schema import FACET_FIELDS
from search.index.snapshot import Snapshot
from search.profiles import LISTED, EntityNotFound, EntityProfile, EntityRequest
from search.query import SearchError, SearchRequest
from search.timeline import Periods, day_counts

COMPARED_SIZE = 10
"""Values of each facet listed per compared query."""


def matched_ids(snapshot: Snapshot, request: SearchRequest, deadline: float) -> np.ndarray:
    """The documents with every word (phrase, bracketed group) of the request's query that its
    filters keep, however many words it has (a search reads more than three as a description, any
    of whose words may match); ascending."""
    with snapshot.reading():
        planned = plan(snapshot, request, descriptions=False)
    found = matching(snapshot, planned, deadline, scored=False)
    ids = found.matches.ids
    if found.counts is not None:
        ids = ids[found.counts == len(found.present)]
    return ids


def compare(snapshot: Snapshot, request: CompareRequest, deadline: float) -> CompareResult:
    """Each query's matches per period and as a share of every article the shared filters keep in
    the period, on periods spanning the requested dates (else every query's matches, in whole periods)."""
    shared = request.shared
    matches = [_numbered(number, query, lambda: matched_ids(snapshot, request.search(query), deadline))
               for number, query in enumerate(request.queries, 1)]
    days = [day_counts(snapshot.days[ids]) for ids in matches]
    total, every_day = _every_day(snapshot, shared, deadline)
    union = np.unique(np.concatenate([present for present, _ in days])) if days else np.zeros(0, dtype=np.int64)
    periods = Periods.spanning(union, shared.date_from, shared.date_to)
    if periods:  # a period the matches set the bounds of is counted whole, so that its share is of all of it
        periods = periods.widened(first=shared.date_from is None, last=shared.date_to is None)
    totals = periods.count(*every_day) if periods else np.zeros(0, dtype=np.int64)
    series = []
    for query, ids, (present, counts) in zip(request.queries, matches, days):
        per_period = periods.count(present, counts) if periods else np.zeros(0, dtype=np.int64)
        shares = [round(count / total, 6) if total else None for count, total in zip(per_period.tolist(), totals.tolist())]
        series.append(Series(query, len(ids), per_period.tolist(), shares,
                             facet_counts(snapshot, shared, ids, COMPARED_FACETS, COMPARED_SIZE)))
    return CompareResult(request, total, periods.buckets(totals) if periods else [], series)


def _numbered(number: int, query: str, run: Callable[[], np.ndarray]) -> np.ndarray:
    """``run()``, its SearchError saying which of the queries it is about."""
    try:
        return run()
    except SearchError as error:
        error.prefix(f"Query {number} ({query})")
        raise


def _every_day(snapshot: Snapshot, shared: SearchRequest, deadline: float) -> tuple[int, tuple[np.ndarray, np.ndarray]]:
    """How many articles the shared filters keep, and how many of them each day holds. Dates alone
    only bound the days, so they are counted from every article's days, remembered for the snapshot."""
    undated = replace(shared, date_from=None, date_to=None)
    if undated != SearchRequest():
        ids = matched_ids(snapshot, shared, deadline)
        return len(ids), day_counts(snapshot.days[ids])
    every, (days, counts) = snapshot.remembered(("every day",), lambda: (snapshot.count, day_counts(
        snapshot.days[~snapshot.deleted])))
    if shared == undated:
        return every, (days, counts)
    first = shared.date_from.toordinal() if shared.date_from else 0
    last = shared.date_to.toordinal() if shared.date_to else np.iinfo(np.int64).max
    inside = (days >= first) & (days <= last)
    return int(counts[inside].sum()), (days[inside], counts[inside])


def entity(snapshot: Snapshot, request: EntityRequest, deadline: float) -> EntityProfile:
    """What the archive holds about one entity: its articles over time, the entities named with
    it, its sources, its latest and most relevant articles. Raises EntityNotFound."""
    index = snapshot.facets[FACET_FIELDS[request.kind]]
    number = index.number(request.name)
    if number is None:
        raise EntityNotFound(request.kind, request.name)
    shown = index.shown[number]
    wanted = replace(request, name=shown).search()  # as the index writes it (an accent typed decomposed)
    latest = search(snapshot, replace(wanted, sort="newest", per_page=LISTED), deadline)
    if not latest.total and request.filters == SearchRequest():  # named only by articles since deleted
        raise EntityNotFound(request.kind, request.name)
    words = wanted.q or " ".join(re.findall(r"\w+", shown))
    relevant = search(snapshot, replace(wanted, q=words, sort="relevance", per_page=LISTED), deadline,
                      aggregate=False).hits if words else []
    listed = {hit.id for hit in relevant}  # an article may name it without its words (a name normalised at ingest)
    relevant += [hit for hit in latest.hits if hit.id not in listed][:LISTED - len(relevant)]
    named_with = {kind: [value for value in latest.facets[kind] if not value.selected][:COMPARED_SIZE]
                  for kind in COMPARED_FACETS}
    return EntityProfile(request, shown, index.spellings()[index.folded[number]], latest.total, latest.published,
                         named_with, [value for value in latest.facets["sources"] if not value.selected],
                         latest.hits, relevant)
