"""Answering SearchRequests from the current index generation."""

from __future__ import annotations

import html
import itertools
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

from whoosh import collectors, highlight, sorting
from whoosh import query as wq
from whoosh.query.qcore import QueryError

from search.article import Article
from search.index.facets import FacetTable
from search.index.parser import SEARCHED_FIELDS, build_parser
from search.index.ranking import RobertsonBM25F, description_query
from search.index.schema import (FACET_FIELDS, build_schema, day_number, day_range, from_day_number, split_values,
                                 to_article)
from search.index.store import IndexStore
from search.index.suggest import SUGGEST_BELOW, corrected_query
from search.query import (FRESHNESS_HALF_LIFE_DAYS, FacetCount, Hit, QuerySyntaxError, QueryTooBroad, QueryTooLong,
                          QueryTooSlow, SearchRequest, SearchResult)
from search.timeline import timeline

SNIPPET_CHARS = 240
RELATED = 5
RELATED_TERMS = 12
"""Key words of an article that find its related stories."""
RELATED_MIN_SHARED = 3
MAX_EXPANSION = 512
"""Words one wildcard may stand for: more would make the search slow without making it useful."""
MAX_QUERY_TERMS = 64
"""Words, phrases and values a query in the query language may combine (a plain description has no limit:
it keeps its most telling words)."""
TIME_LIMIT = 10.0
"""Default seconds a search may take before it is stopped and reported (a leading wildcard over a
large index, a long list of wildcards); the ``search_time_limit`` setting."""
LATEST_DAY = 9999_12_31


def matching_documents(searcher, query: wq.Query, deadline: float) -> set[int]:
    """The numbers of the documents a query matches; raises QueryTooSlow past ``deadline``
    (``time.monotonic()``), checking the clock every few thousand documents."""
    found: set[int] = set()
    parts = searcher.subsearchers or [(searcher, 0)]
    for part, offset in parts:
        for n, docnum in enumerate(query.docs(part)):
            found.add(docnum + offset)
            if not n & 4095 and time.monotonic() > deadline:
                raise QueryTooSlow(None)
    if time.monotonic() > deadline:
        raise QueryTooSlow(None)
    return found


class _TimedFilter(collectors.FilterCollector):
    """Whoosh's filter collector (documents outside ``allow`` are skipped), checking the clock as it
    goes: scoring many common words over a large index (a pasted passage) can take longer than
    matching them. Whoosh's own TimeLimitCollector uses SIGALRM, which a web worker's thread cannot."""

    def __init__(self, child, allow: set[int], deadline: float):
        super().__init__(child, allow=allow)
        self.deadline = deadline

    def collect_matches(self):
        child, allow, offset = self.child, self._allow, self.offset
        for n, sub_docnum in enumerate(child.matches()):
            if not n & 255 and time.monotonic() > self.deadline:
                raise QueryTooSlow(None)
            if offset + sub_docnum in allow:
                child.collect(sub_docnum)
            else:
                self.filtered_count += 1


def scored_search(searcher, query: wq.Query, allow: set[int], deadline: float, **options):
    """``searcher.search(query, filter=allow, **options)``, stopped with QueryTooSlow past ``deadline``."""
    collector = _TimedFilter(searcher.collector(**options), allow, deadline)
    searcher.search_with_collector(query, collector)
    if time.monotonic() > deadline:
        raise QueryTooSlow(None)
    return collector.results()


def _typed(part: wq.MultiTerm) -> str:
    """How a wildcard, range or fuzzy word was written, near enough to name it in a message."""
    if isinstance(part, wq.TermRange):
        return f"[{part.start or ''} to {part.end or ''}]"
    return part.text + ("*" if isinstance(part, wq.Prefix) else "")


def copy_keys(reader) -> list | None:
    """Each document's copy key, by document number; None for an index built without them."""
    if "copies" not in reader.schema or not reader.has_column("copies"):
        return None  # an index built before copies were keyed: nothing is folded until a reindex
    column = reader.column_reader("copies")
    return [column[docnum] for docnum in range(reader.doc_count_all())]


def published_days(reader) -> dict[int, date]:
    """Each dated document's publication day, by document number (read once per searcher)."""
    if not reader.has_column("published"):
        return {}
    column = reader.column_reader("published")
    days = {}
    for docnum in reader.all_doc_ids():
        day = from_day_number(column[docnum]) if 0 < column[docnum] <= LATEST_DAY else None
        if day:
            days[docnum] = day
    return days


class _Generation:
    """An open searcher on one generation, with its facet table (rebuilt when the searcher changes)."""

    def __init__(self, path: Path, store: IndexStore):
        self.path = path
        with store.reading(path):
            self.index = store.open(path)
            self.parser = build_parser(self.index.schema)
            self._use(self.index.searcher(weighting=RobertsonBM25F()))

    def _use(self, searcher) -> None:
        """Take a searcher and read its per-document tables: facet values, days, copy keys."""
        self.searcher = searcher
        reader = searcher.reader()
        self.facets = FacetTable(reader, FACET_FIELDS.values())
        self.days = published_days(reader)
        self.copies = copy_keys(reader)
        self.newest = day_number(max(self.days.values())) if self.days else None

    def refresh(self) -> None:
        fresh = self.searcher.refresh()
        if fresh is not self.searcher:
            self._use(fresh)

    def close(self) -> None:
        self.searcher.close()


class SearchIndex:
    """The search side of the index: open once per process; follows ``reindex`` switches."""

    def __init__(self, root: Path, time_limit: float = TIME_LIMIT):
        self.store = IndexStore(root)
        self.time_limit = time_limit
        self._lock = threading.RLock()
        self._open: _Generation | None = None

    def _generation(self) -> _Generation | None:
        current = self.store.current()
        if current is None:
            return None
        if self._open is None or self._open.path != current:
            if self._open is not None:
                self._open.close()
            self._open = _Generation(current, self.store)
        else:
            self._open.refresh()
        return self._open

    def follow(self) -> int | None:
        """Open what ``index`` or ``reindex`` has written since the last search, so that the next
        search need not; the number of articles when a rebuilt index was switched to, else None.
        The new searcher and its tables are read without holding up the searches meanwhile, which
        answer from what they had."""
        current = self.store.current()
        if current is None:
            return None
        with self._lock:
            opened = self._open
            if opened is not None and opened.path == current and opened.searcher.up_to_date():
                return None
        fresh = _Generation(current, self.store)
        with self._lock:
            if self._open is not None:
                self._open.close()
            self._open = fresh
        return fresh.searcher.doc_count() if opened is None or opened.path != current else None

    def count(self) -> int:
        """How many articles are indexed."""
        with self._lock:
            generation = self._generation()
            return generation.searcher.doc_count() if generation else 0

    def article(self, article_id: str) -> Article | None:
        """The stored article with this id, or None."""
        with self._lock:
            generation = self._generation()
            if generation is None:
                return None
            stored = generation.searcher.document(id=article_id)
            return to_article(stored) if stored else None

    def related(self, article_id: str, limit: int = RELATED) -> list[Hit] | None:
        """Articles most like this one, best first: those sharing at least RELATED_MIN_SHARED of its
        RELATED_TERMS key words (more-like-this, Bo1 weights), so that a story on a subject no other
        article covers has none; None when there is no such article."""
        with self._lock:
            generation = self._generation()
            if generation is None:
                return None
            searcher = generation.searcher
            docnum = searcher.document_number(id=article_id)
            if docnum is None:
                return None
            key_terms = searcher.key_terms([docnum], "text", numterms=RELATED_TERMS)
            if not key_terms:
                return []
            top = key_terms[0][1]
            like = wq.Or([wq.Term("text", term, boost=weight / top) for term, weight in key_terms])
            results = searcher.search(like, limit=limit * 4, terms=True, mask={docnum})
            close = [hit for hit in results if len(hit.matched_terms()) >= RELATED_MIN_SHARED]
            return [self._hit(hit, highlight=False) for hit in close[:limit]]

    def search(self, request: SearchRequest) -> SearchResult:
        """One page of ranked, filtered hits with facet counts over every match.

        Raises QuerySyntaxError when the query cannot be parsed.
        """
        with self._lock:
            generation = self._generation()
            if generation is None:
                build_parser(build_schema()).parse(request.q)  # a bad query is still an error
                return SearchResult(request, 0, facets={name: [] for name in FACET_FIELDS})
            try:
                return self._search(generation, request)
            except QueryError as error:
                raise QuerySyntaxError(f"This query cannot be run: {error}") from None

    def export(self, request: SearchRequest) -> list[Hit]:
        """Every article the request matches (not one page), in the request's order, without
        snippets. Raises QuerySyntaxError or QueryTooSlow like ``search``."""
        with self._lock:
            generation = self._generation()
            if generation is None:
                build_parser(build_schema()).parse(request.q)
                return []
            try:
                text_query, matched, deadline = self._matches(generation, request)
                if not matched:
                    return []
                order = self._order(request, generation.newest)
                results = scored_search(generation.searcher, text_query, matched, deadline, limit=None, sortedby=order)
                return [self._hit(hit, highlight=False, score_sign=self._score_sign(request)) for hit in results]
            except QueryError as error:
                raise QuerySyntaxError(f"This query cannot be run: {error}") from None

    def _matches(self, generation: _Generation, request: SearchRequest,
                 deadline: float | None = None) -> tuple[wq.Query, set[int], float]:
        """The request's text query, the documents it and the filters match, and the deadline
        (a new one unless given)."""
        searcher = generation.searcher
        text_query = self._text_query(generation, request.q)
        deadline = time.monotonic() + self.time_limit if deadline is None else deadline
        matched = matching_documents(searcher, text_query, deadline)
        filters = self._filters(generation, request)
        if filters:
            matched &= matching_documents(searcher, wq.And(filters), deadline)
        if request.copies_of:
            matched &= self._copies_of(generation, request.copies_of)
        return text_query, matched, deadline

    @staticmethod
    def _copies_of(generation: _Generation, article_id: str) -> set[int]:
        """The documents that are copies of this article's story (the article included)."""
        docnum = generation.searcher.document_number(id=article_id)
        if docnum is None:
            return set()
        if generation.copies is None:
            return {docnum}
        key = generation.copies[docnum]
        return {d for d, k in enumerate(generation.copies) if k == key}

    def _search(self, generation: _Generation, request: SearchRequest) -> SearchResult:
        searcher = generation.searcher
        text_query, matched, deadline = self._matches(generation, request)

        facets = {}
        for name, field in FACET_FIELDS.items():
            selected = getattr(request, name)
            chosen = {value.casefold() for value in selected}
            facets[name] = [FacetCount(value, count, value.casefold() in chosen)
                            for value, count in generation.facets.counts(field, matched, selected)]
        hits: list[Hit] = []
        start = (request.page - 1) * request.per_page
        groups = self._groups(generation, request, matched)
        listed = len(groups) if groups is not None else len(matched)
        if matched and start < listed:
            # the matching documents were found within the time limit; scoring only those costs less
            folded = len(matched) - listed
            # Whoosh's own collapsing is lost when a filter is given: fold here, reading as many more
            # results as there are copies to skip
            results = scored_search(
                searcher, text_query, matched, deadline, limit=start + request.per_page + folded,
                sortedby=self._order(request, generation.newest), terms=True,
            )
            results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80, charlimit=None)
            results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
            ranked = list(results)
            if groups is not None:
                seen: set = set()
                ranked = [h for h in ranked if not (generation.copies[h.docnum] in seen
                                                    or seen.add(generation.copies[h.docnum]))]
            score_sign = self._score_sign(request)
            hits = []
            for found in ranked[start : start + request.per_page]:
                hit = self._hit(found, score_sign=score_sign)
                if groups is not None:
                    hit.copies = groups[generation.copies[found.docnum]] - 1
                hits.append(hit)
        matched_days = [generation.days[d] for d in matched if d in generation.days]
        published = timeline(matched_days, request.date_from, request.date_to)
        result = SearchResult(request, len(matched), hits, facets, published,
                              folded=len(matched) - listed)
        if len(matched) < SUGGEST_BELOW and request.q.strip():
            result.suggestion = self._better_query(generation, request, len(matched), deadline)
        return result

    def _better_query(self, generation: _Generation, request: SearchRequest, total: int,
                      deadline: float) -> str | None:
        """A corrected query, when it finds more than this one."""
        fixed = corrected_query(generation.searcher, request.q)
        if fixed is None:
            return None
        try:
            _, matched, _ = self._matches(generation, replace(request, q=fixed), deadline)
        except (QuerySyntaxError, QueryTooSlow, QueryError):
            return None
        return fixed if len(matched) > total else None

    @staticmethod
    def _groups(generation: _Generation, request: SearchRequest, matched: set[int]) -> Counter | None:
        """How many matches each story has, when copies are folded; None when they are not."""
        if not request.collapse or request.copies_of or generation.copies is None:
            return None
        return Counter(generation.copies[d] for d in matched)

    @staticmethod
    def _text_query(generation: _Generation, q: str) -> wq.Query:
        """The query for the words of a request: a description, or the query language parsed, with
        entity values matched whatever their case."""
        if not q.strip():
            return wq.Every()
        reader = generation.searcher.reader()
        query = (description_query(q, generation.searcher.schema, dict.fromkeys(SEARCHED_FIELDS, 1.0), reader)
                 or generation.parser.parse(q))
        terms = len({str(getattr(part, "text", None) or getattr(part, "words", None) or part)
                     for part in query.leaves() if not isinstance(part, wq.Every)})  # once for all fields
        if terms > MAX_QUERY_TERMS:
            raise QueryTooLong(terms, MAX_QUERY_TERMS)
        for part in query.leaves():
            if isinstance(part, wq.MultiTerm):
                words = sum(1 for _ in itertools.islice(part.expanded_terms(reader), MAX_EXPANSION + 1))
                if words > MAX_EXPANSION:
                    raise QueryTooBroad(_typed(part), MAX_EXPANSION)

        def resolve(part: wq.Query) -> wq.Query:
            if isinstance(part, wq.Every):
                return wq.Every()  # a lone "*": every article, without scoring every word of every field
            if isinstance(part, wq.Term) and part.fieldname in generation.facets.values:
                return generation.facets.value_query(part.fieldname, part.text)
            return part

        return query.accept(resolve)

    @staticmethod
    def _filters(generation: _Generation, request: SearchRequest) -> list[wq.Query]:
        filters: list[wq.Query] = []
        for name, values in request.filters().items():
            filters.extend(generation.facets.filter_query(FACET_FIELDS[name], v) for v in values)
        if request.date_from or request.date_to:
            filters.append(day_range("published", request.date_from, request.date_to))
        if request.mentioned_from or request.mentioned_to:
            filters.append(day_range("mentioned_dates", request.mentioned_from, request.mentioned_to))
        return filters

    @staticmethod
    def _score_sign(request: SearchRequest) -> int:
        """How Whoosh's hit score reads as a score: as it is (relevance), negated (sort=fresh, whose
        sort key is the negated fresh score) or not at all (by date, the key is the date)."""
        if not request.q.strip() or request.sort in ("newest", "oldest"):
            return 0
        return -1 if request.sort == "fresh" else 1

    @staticmethod
    def _order(request: SearchRequest, newest: int | None = None):
        """Relevance (score), relevance with a freshness factor, or the publication date with
        undated articles last either way."""
        sort = request.sort
        if sort in ("relevance", "fresh") and not request.q.strip():
            sort = "newest"
        if sort == "relevance":
            return None
        if sort == "fresh":
            latest = from_day_number(newest) if newest else None

            def fresh(negated_score: float, day: int) -> float:
                published = from_day_number(day) if 0 < day <= LATEST_DAY else None
                if latest is None or published is None:
                    return negated_score / 2 ** 3  # undated: as if three half-lives old
                age = max((latest - published).days, 0)
                return negated_score / 2 ** (age / FRESHNESS_HALF_LIFE_DAYS)

            return sorting.TranslateFacet(fresh, sorting.ScoreFacet(), sorting.FieldFacet("published"))
        by_date = sorting.FieldFacet("published")
        if sort == "oldest":
            return by_date  # a missing date reads as the column's largest value: last
        return sorting.TranslateFacet(lambda day: -day if day <= LATEST_DAY else 1, by_date)

    @staticmethod
    def _hit(hit, highlight: bool = True, score_sign: int = 1) -> Hit:
        """A result; without ``highlight`` (exports, related stories) it carries no snippet at all."""
        snippet = hit.highlights("text", top=2) if highlight else ""
        if highlight and not snippet:
            text = hit.get("text", "")
            snippet = html.escape(text[:SNIPPET_CHARS]) + ("…" if len(text) > SNIPPET_CHARS else "")
        return Hit(
            id=hit["id"],
            title=hit.get("title", ""),
            url=hit.get("url"),
            source=hit.get("source") or None,
            published=from_day_number(hit.get("published")),
            authors=split_values(hit.get("authors")),
            snippet=snippet,
            people=split_values(hit.get("people")),
            orgs=split_values(hit.get("orgs")),
            places=split_values(hit.get("places")),
            score=float(f"{score_sign * hit.score:.4g}") if score_sign and hit.score is not None else None,
        )
