"""A request planned against a snapshot: the text query to match and score, the filters, the order.

Planning reads the index (a description keeps its most telling words, a wildcard is counted, an
entity's words are looked up), so it happens under the snapshot's Whoosh lock; executing the plan
(search.index.executor) does not need it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from whoosh import query as wq

from search.index.parser import SEARCHED_FIELDS, Clause, Clauses
from search.index.ranking import description_query
from search.index.schema import EARLIEST_DAY, FACET_FIELDS, LATEST_RANGE_DAY, day_range, from_day_number
from search.index.snapshot import Snapshot
from search.query import QueryTooBroad, QueryTooLong, SearchRequest

MAX_EXPANSION = 512
"""Words one wildcard may stand for: more would make the search slow without making it useful."""
MAX_QUERY_TERMS = 64
"""Words, phrases and values a query in the query language may combine (a plain description has no limit:
it keeps its most telling words)."""
_FIRST_DAY, _LAST_DAY = from_day_number(EARLIEST_DAY).toordinal(), from_day_number(LATEST_RANGE_DAY).toordinal()


@dataclass(frozen=True)
class Plan:
    """What to match (the text query), which of its matches to keep (every filter must hold) and how
    to order them."""

    query: wq.Query
    counted: tuple[Clause, ...] = ()
    """The parts of the query a match may lack, each a query object of ``query``'s tree: matches are
    ranked by how many they have (all first), and each hit names those it lacks."""
    description: bool = False
    """Whether the query is read as a description (any of its words, ranked by BM25F alone)."""
    values: tuple[tuple[str, str], ...] = ()
    """(index field, value): facet values every match must have, whatever their case."""
    days: tuple[int, int] | None = None
    """First and last publication day (ordinals, inclusive) of a date filter."""
    mentioned: wq.Query | None = None
    """Days the text must mention, as a query."""
    copies_of: str = ""
    sort: str = "relevance"
    """relevance, fresh, newest or oldest (an empty query is listed newest first)."""
    folds: bool = True
    """Whether copies of a story are listed once."""

    @property
    def shows_scores(self) -> bool:
        """Whether a hit shows its score: not when the results are sorted by date."""
        return self.sort in ("relevance", "fresh")


def plan(snapshot: Snapshot, request: SearchRequest, descriptions: bool = True) -> Plan:
    """The plan of a request; raises QuerySyntaxError, QueryTooLong or QueryTooBroad for a query
    that cannot be run. Without ``descriptions``, a long plain query is words like a short one."""
    sort = request.sort
    if sort in ("relevance", "fresh") and not request.q.strip():
        sort = "newest"
    values = tuple((FACET_FIELDS[name], value) for name, chosen in request.filters().items() for value in chosen)
    mentioned = None
    if request.mentioned_from or request.mentioned_to:
        mentioned = day_range("mentioned_dates", request.mentioned_from, request.mentioned_to)
    query, counted, description = text_query(snapshot, request.q, descriptions)
    return Plan(query=query, counted=counted, description=description, values=values,
                days=_days(request.date_from, request.date_to), mentioned=mentioned, copies_of=request.copies_of,
                sort=sort, folds=request.collapse and not request.copies_of and snapshot.copies is not None)


def _days(first: date | None, last: date | None) -> tuple[int, int] | None:
    """A publication date filter as ordinals, bounded as the query language's ranges are."""
    if not first and not last:
        return None
    low = max(first.toordinal(), _FIRST_DAY) if first else _FIRST_DAY
    high = min(last.toordinal(), _LAST_DAY) if last else _LAST_DAY
    return low, high


def text_query(snapshot: Snapshot, q: str, descriptions: bool = True) -> tuple[wq.Query, tuple[Clause, ...], bool]:
    """The query for the words of a request, with entity values matched whatever their case; the
    clauses of it a match may lack (counted for its rank); whether it is read as a description
    (only with ``descriptions``)."""
    if not q.strip():
        return wq.Every(), (), False
    reader = snapshot.searcher.reader()
    fields = dict.fromkeys(SEARCHED_FIELDS, 1.0)
    query = description_query(q, snapshot.searcher.schema, fields, reader) if descriptions else None
    if query is not None:
        _check_size(query, reader)
        return query, (), True
    clauses = snapshot.parser.clauses(q)
    _check_size(clauses.query(), reader)

    def resolve(part: wq.Query) -> wq.Query:
        if isinstance(part, wq.Every):
            return wq.Every()  # a lone "*": every article, without scoring every word of every field
        if isinstance(part, wq.Term) and part.fieldname in snapshot.facets:
            return snapshot.facets[part.fieldname].value_query(part.text)
        return part

    clauses = clauses.map(lambda query: query.accept(resolve))
    return clauses.query(), clauses.counted(), False


def _check_size(query: wq.Query, reader) -> None:
    """Raises QueryTooLong or QueryTooBroad for a query too big to run."""
    terms = len({str(getattr(part, "text", None) or getattr(part, "words", None) or part)
                 for part in query.leaves() if not isinstance(part, wq.Every)})  # once for all fields
    if terms > MAX_QUERY_TERMS:
        raise QueryTooLong(terms, MAX_QUERY_TERMS)
    for part in query.leaves():
        if isinstance(part, wq.MultiTerm):
            words = sum(1 for _ in itertools.islice(part.expanded_terms(reader), MAX_EXPANSION + 1))
            if words > MAX_EXPANSION:
                raise QueryTooBroad(_typed(part), MAX_EXPANSION)


def _typed(part: wq.MultiTerm) -> str:
    """How a wildcard, range or fuzzy word was written, near enough to name it in a message."""
    if isinstance(part, wq.TermRange):
        return f"[{part.start or ''} to {part.end or ''}]"
    return part.text + ("*" if isinstance(part, wq.Prefix) else "")
