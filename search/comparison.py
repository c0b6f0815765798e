"""Comparing queries over time: the contract of a comparison, CompareRequest in, CompareResult out.

Each query's attention is counted on the same periods as every other's, as a number of articles
and as a share of every article the shared filters keep in that period (normalised attention)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

from search.query import LISTING_PARAMS, FacetCount, InvalidParameter, SearchRequest, param_values, parse_params
from search.timeline import DateBucket

MAX_COMPARED = 5
MAX_COMPARED_LENGTH = 500
"""Characters in one compared query: a topic, not a pasted article. Every period of the page links
to each query's search, so a page repeats each query some 200 times."""
NOT_SHARED = ("q", *LISTING_PARAMS)
"""Search parameters a comparison's queries do not share."""
COMPARED_FACETS = ("people", "orgs", "places")
"""The facets each compared query lists its commonest values of."""


@dataclass(frozen=True)
class CompareRequest:
    """Up to MAX_COMPARED queries and the filters they share (dates, people, sources...)."""

    queries: tuple[str, ...]
    shared: SearchRequest = SearchRequest()
    """The shared filters, as a request with no query, on page 1 (its order is not used)."""

    def search(self, query: str) -> SearchRequest:
        """The search one of the queries stands for."""
        return replace(self.shared, q=query)

    def to_params(self) -> list[tuple[str, str]]:
        """The request as query-string pairs, the inverse of :func:`parse_compare_params`."""
        return [("q", query) for query in self.queries] + self.shared.to_params()


def parse_compare_params(params: Mapping[str, Sequence[str]]) -> CompareRequest:
    """A CompareRequest from query-string parameters: ``q`` given once per query (empty ones left
    out), and the search's filters. Raises InvalidParameter naming the parameter."""
    queries = tuple(query for query in param_values(params, "q") if query)
    if not queries:
        raise InvalidParameter(f"Give one to {MAX_COMPARED} queries to compare, each as its own 'q'.", "q")
    if len(queries) > MAX_COMPARED:
        raise InvalidParameter(f"Up to {MAX_COMPARED} queries can be compared, not {len(queries)}.", "q")
    longest = max(map(len, queries))
    if longest > MAX_COMPARED_LENGTH:
        raise InvalidParameter(f"A query to compare may be at most {MAX_COMPARED_LENGTH} characters long, not "
                               f"{longest:,}: name a topic in a few words.", "q")
    return CompareRequest(queries, parse_shared(params))


def parse_shared(params: Mapping[str, Sequence[str]]) -> SearchRequest:
    """The filters of a comparison's parameters (those of a search that narrow what is counted;
    the search's order, page and folding of copies left out). Raises InvalidParameter."""
    return parse_params({name: values for name, values in params.items() if name not in NOT_SHARED})


@dataclass
class Series:
    """One query's attention: its matches in all, per period, and their commonest entities."""

    query: str
    total: int
    """Articles matching every word of the query (and the shared filters), dated or not."""
    counts: list[int]
    """Matches published in each period of the comparison."""
    shares: list[float | None]
    """``counts[i]`` as a share of every article in period i; None where the period holds none."""
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"query": self.query, "total": self.total, "counts": self.counts, "shares": self.shares,
                **{name: [value.to_dict() for value in values] for name, values in self.facets.items()}}


@dataclass
class CompareResult:
    """The periods (each counting every article the shared filters keep: the denominator of the
    shares) and one series per query, in the request's order."""

    request: CompareRequest
    total: int
    """Every article the shared filters keep."""
    periods: list[DateBucket]
    series: list[Series]

    @property
    def interval(self) -> str | None:
        return self.periods[0].interval if self.periods else None

    def to_dict(self) -> dict:
        return {
            "queries": list(self.request.queries),
            "total": self.total,
            "interval": self.interval,
            "periods": [{"value": p.label, "from": p.start.isoformat(), "to": p.end.isoformat(), "total": p.count}
                        for p in self.periods],
            "series": [series.to_dict() for series in self.series],
        }
