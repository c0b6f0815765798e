"""The contract between search/ and its callers: SearchRequest in, SearchResult out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Mapping, Sequence

from search.article import safe_link
from search.facets import FACETS
from search.timeline import DateBucket

SORTS = ("relevance", "fresh", "newest", "oldest")
FRESHNESS_HALF_LIFE_DAYS = 30
"""With sort=fresh, a match's relevance is halved for every this many days it was published before
the newest article in the index (the index's own "now", so that an archive of 1987 works too)."""
MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_VALUES = 20
"""How many times one parameter may be given."""
MAX_FILTER_VALUES = 20
"""Values of the six filters together: every link on a page repeats the whole search and each value
adds links, so a page grows with the square of their number (120 short values gave 0.6 MB)."""
MAX_QUERY_LENGTH = 10_000
"""Characters in ``q``: a long pasted article; parsing query syntax is slow past this."""
MAX_VALUE_LENGTH = 200
"""Characters in any other parameter's value (a name, a source, an id, a date)."""
LISTING_PARAMS = ("sort", "page", "per_page", "collapse", "copies_of", "generation")
"""Parameters that shape a list of results (its order, its page, its folding) rather than choose
which articles count: an overview of all the matches (a comparison, an entity page) takes none."""
FILTER_PARAMS = {facet.parameter: facet.name for facet in FACETS}
"""Query-string parameter → request attribute, for the repeatable entity and source filters."""
FACET_NAMES = tuple(facet.name for facet in FACETS)


class SearchError(Exception):
    """A request that cannot be answered, with the parameter that caused it."""

    def __init__(self, message: str, parameter: str | None = None):
        super().__init__(message)
        self.message = message
        self.parameter = parameter

    def to_dict(self) -> dict:
        return {"error": {"message": self.message, "parameter": self.parameter}}

    def prefix(self, context: str) -> None:
        """Say where the problem is, before the message ("Query 2 (…): …")."""
        self.message = f"{context}: {self.message}"
        self.args = (self.message,)


class InvalidParameter(SearchError):
    """A parameter with a value the search cannot use."""


class QuerySyntaxError(SearchError):
    """A query string that does not parse; ``position`` is the character offset of the problem."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message, "q")
        self.position = position


class QueryTooSlow(SearchError):
    """A query stopped at the time limit."""

    def __init__(self, seconds: float | None):
        limit = f" ({seconds:g} s)" if seconds else ""
        super().__init__(f"This query took too long{limit} and was stopped: make it more specific, for example "
                         "with fewer wildcards or none at the start of a word.", "q")


class IndexChanged(SearchError):
    """A search asked of the index generation its earlier pages came from, which is no longer served."""

    def __init__(self, asked: str, current: str):
        super().__init__(f"The index has changed since these results were listed (generation {asked}, now "
                         f"{current}): articles may have been added or removed, so pages would overlap or skip. "
                         "Search again from page 1.", "generation")
        self.current = current


class QueryTooBroad(SearchError):
    """A wildcard that stands for too many words to search with."""

    def __init__(self, pattern: str, limit: int):
        super().__init__(f"'{pattern}' stands for more than {limit} different words in the index: add letters "
                         "(protest* rather than p*), or leave the query empty to list every article.", "q")


class QueryTooLong(SearchError):
    """A query in the query language that combines too many words to search with at once."""

    def __init__(self, terms: int, limit: int):
        super().__init__(f"This query combines {terms} words and values; up to {limit} can be searched at once. "
                         "Keep the most telling ones, or leave out the operators and quotes to search a "
                         "pasted passage by its most telling words.", "q")


@dataclass(frozen=True)
class SearchRequest:
    """What to search for: words, date range, entity and source filters, order and page."""

    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    mentioned_from: date | None = None
    mentioned_to: date | None = None
    people: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    """Language codes as stored with the articles ("en", "de")."""
    sort: str = "relevance"
    collapse: bool = True
    """Show copies of one story (see search.index.copies) once, with their number."""
    copies_of: str = ""
    """An article id: only that article and its copies."""
    page: int = 1
    per_page: int = 10
    generation: str = ""
    """The index generation the client's earlier pages came from (``SearchResult.generation``): when
    the index has changed since, the search is refused (IndexChanged) rather than mix two states."""

    def selects(self, facet: str, value: str) -> bool:
        """Whether a facet's filter holds ``value``, in any case."""
        return value.casefold() in (v.casefold() for v in getattr(self, facet))

    def filters(self) -> dict[str, tuple[str, ...]]:
        """The entity and source filters, by facet name."""
        return {name: getattr(self, name) for name in FACET_NAMES}

    def toggled(self, facet: str, value: str) -> "SearchRequest":
        """This request with ``value`` added to or removed from a facet's filter (in any case), back
        on page 1."""
        current = getattr(self, facet)
        chosen = self.selects(facet, value)  # filters match any case
        values = tuple(v for v in current if v.casefold() != value.casefold()) if chosen else current + (value,)
        return replace(self, **{facet: values, "page": 1})

    def to_params(self) -> list[tuple[str, str]]:
        """The request as query-string pairs, the inverse of :func:`parse_params` (defaults left out)."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        if self.date_from:
            pairs.append(("from", self.date_from.isoformat()))
        if self.date_to:
            pairs.append(("to", self.date_to.isoformat()))
        if self.mentioned_from:
            pairs.append(("mentioned_from", self.mentioned_from.isoformat()))
        if self.mentioned_to:
            pairs.append(("mentioned_to", self.mentioned_to.isoformat()))
        for param, attr in FILTER_PARAMS.items():
            pairs.extend((param, v) for v in getattr(self, attr))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if not self.collapse:
            pairs.append(("collapse", "false"))
        if self.copies_of:
            pairs.append(("copies_of", self.copies_of))
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        if self.per_page != 10:
            pairs.append(("per_page", str(self.per_page)))
        if self.generation and self.page > 1:  # only a later page is tied to the state of its first
            pairs.append(("generation", self.generation))
        return pairs


def param_values(params: Mapping[str, Sequence[str]], name: str) -> list[str]:
    """The values given for ``name``, stripped; InvalidParameter when there are too many or one is too long."""
    values = params.get(name) or []
    if len(values) > MAX_VALUES:
        raise InvalidParameter(f"'{name}' may be given at most {MAX_VALUES} times, not {len(values)}", name)
    longest = MAX_QUERY_LENGTH if name == "q" else MAX_VALUE_LENGTH
    stripped = [value.strip() for value in values]
    too_long = max(map(len, stripped), default=0)
    if too_long > longest:
        raise InvalidParameter(f"'{name}' may be at most {longest:,} characters long, not {too_long:,}", name)
    return stripped


def _one(params: Mapping[str, Sequence[str]], name: str) -> str:
    values = param_values(params, name)
    return values[-1] if values else ""


def _date(params: Mapping[str, Sequence[str]], name: str) -> date | None:
    raw = _one(params, name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidParameter(f"'{name}' must be a date as YYYY-MM-DD, not {raw!r}", name) from None


def _int(params: Mapping[str, Sequence[str]], name: str, default: int, low: int, high: int) -> int:
    raw = _one(params, name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParameter(f"'{name}' must be a whole number, not {raw!r}", name) from None
    if not low <= value <= high:
        raise InvalidParameter(f"'{name}' must be between {low} and {high}, not {value}", name)
    return value


def _check_filter_count(filters: dict[str, tuple[str, ...]]) -> None:
    """InvalidParameter, naming the filter that goes past it, when the filters hold too many values in all."""
    total, running = sum(map(len, filters.values())), 0
    for param, attr in FILTER_PARAMS.items():
        running += len(filters[attr])
        if running > MAX_FILTER_VALUES:
            raise InvalidParameter(f"At most {MAX_FILTER_VALUES} values of {', '.join(FILTER_PARAMS)} can be "
                                   f"combined, not {total}", param)


def parse_params(params: Mapping[str, Sequence[str]]) -> SearchRequest:
    """Build a SearchRequest from query-string parameters (each name mapped to its values).

    Raises InvalidParameter naming the parameter when a value cannot be used.
    """
    sort = _one(params, "sort") or "relevance"
    if sort not in SORTS:
        raise InvalidParameter(f"'sort' must be one of {', '.join(SORTS)}, not {sort!r}", "sort")
    date_from, date_to = _date(params, "from"), _date(params, "to")
    if date_from and date_to and date_from > date_to:
        raise InvalidParameter("'from' must not be later than 'to'", "from")
    mentioned_from, mentioned_to = _date(params, "mentioned_from"), _date(params, "mentioned_to")
    if mentioned_from and mentioned_to and mentioned_from > mentioned_to:
        raise InvalidParameter("'mentioned_from' must not be later than 'mentioned_to'", "mentioned_from")
    filters = {attr: tuple(dict.fromkeys(v for v in param_values(params, param) if v))
               for param, attr in FILTER_PARAMS.items()}
    _check_filter_count(filters)
    collapse = _one(params, "collapse").casefold() or "true"
    if collapse not in ("true", "false", "1", "0", "yes", "no"):
        raise InvalidParameter(f"'collapse' must be true or false, not {collapse!r}", "collapse")
    return SearchRequest(
        q=_one(params, "q"),
        collapse=collapse in ("true", "1", "yes"),
        copies_of=_one(params, "copies_of"),
        date_from=date_from,
        date_to=date_to,
        mentioned_from=mentioned_from,
        mentioned_to=mentioned_to,
        sort=sort,
        page=_int(params, "page", 1, 1, MAX_PAGE),
        per_page=_int(params, "per_page", 10, 1, MAX_PER_PAGE),
        generation=_one(params, "generation"),
        **filters,
    )


@dataclass
class Hit:
    """One result: the article's display fields, a highlighted snippet and its score."""

    id: str
    title: str
    url: str | None
    source: str | None
    published: date | None
    authors: list[str]
    snippet: str
    """Plain text with the matched words wrapped in ``<mark>``; everything else HTML-escaped."""
    people: list[str]
    orgs: list[str]
    places: list[str]
    score: float | None = None
    copies: int = 0
    """Other copies of this story among the matches, folded into this hit."""
    missing: list[str] = field(default_factory=list)
    """The words (or phrases, bracketed groups) of the query this article lacks, as typed."""

    def __post_init__(self) -> None:
        self.url = safe_link(self.url)  # as for an Article: an index written by an older version may hold one

    def to_dict(self, snippet: bool = True) -> dict:
        data = {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "published": self.published.isoformat() if self.published else None,
            "authors": self.authors,
            "snippet": self.snippet,
            "people": self.people,
            "orgs": self.orgs,
            "places": self.places,
            "score": self.score,
            "copies": self.copies,
            "missing": self.missing,
        }
        if not snippet:
            del data["snippet"]
        return data


@dataclass
class FacetCount:
    value: str
    count: int
    selected: bool = False

    def to_dict(self) -> dict:
        return {"value": self.value, "count": self.count, "selected": self.selected}


@dataclass
class SearchResult:
    """A page of hits for a request, the total number of matches and facet counts over all of them."""

    request: SearchRequest
    total: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    published: list[DateBucket] = field(default_factory=list)
    """Matches per day, week, month or year over the range shown (see search.timeline)."""
    suggestion: str | None = None
    """A corrected query that finds more, offered when this one finds few or none."""
    folded: int = 0
    """Matches not listed because they are copies of a listed story (``total`` counts them)."""
    total_all_words: int | None = None
    """Matches with every word of the query (listed first; ``total`` also counts those lacking some);
    None for a query read as a description, where any word may match."""
    generation: str | None = None
    """Which state of the index answered (changes with every ``index`` or ``reindex``); None when
    there is no index yet."""

    @property
    def listed(self) -> int:
        """How many results the pages list: the matches less the folded copies."""
        return self.total - self.folded

    @property
    def pages(self) -> int:
        return max(1, -(-self.listed // self.request.per_page))

    def to_dict(self) -> dict:
        return {
            "query": self.request.q,
            "suggestion": self.suggestion,
            "total": self.total,
            "total_all_words": self.total_all_words,
            "folded": self.folded,
            "generation": self.generation,
            "page": self.request.page,
            "per_page": self.request.per_page,
            "results": [hit.to_dict() for hit in self.hits],
            "facets": {**{name: [f.to_dict() for f in values] for name, values in self.facets.items()},
                       "published": [bucket.to_dict() for bucket in self.published]},
        }
