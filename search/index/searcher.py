"""Answering SearchRequests from the current index generation."""

from __future__ import annotations

import html
import itertools
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
from whoosh import highlight
from whoosh import query as wq
from whoosh.query.qcore import QueryError
from whoosh.searching import Searcher

from search.article import Article
from search.index.facets import FacetTable
from search.index.matches import Leaf, Matches, SegmentData, evaluate
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
UNDATED_AGE = 3
"""Half-lives an undated article counts as old with sort=fresh."""


class _Searcher(Searcher):
    """Whoosh's searcher, with matchers for the unscored parts of a query (NOT, filters) built as trees
    of unions: Whoosh's own boolean context lets an OR of three or more words in a small segment read
    every posting in Python as it is built, where search.index.matches reads them as arrays."""

    def boolean_context(self):
        return self.context(needs_current=True, weighting=None)


def find(generation: _Generation, query: wq.Query, deadline: float, scored: bool = True) -> tuple[Matches, list[Leaf]]:
    """The documents a query matches (numbers over the whole index, ascending), scored as Whoosh
    scores them when ``scored``, and the terms matched; QueryTooSlow past ``deadline``
    (``time.monotonic()``)."""
    searcher = generation.searcher
    context = searcher.context(needs_current=True, weighting=searcher.weighting if scored else None)
    ids, scores, leaves = [], [], []
    for (part, offset), segment in zip(searcher.leaf_searchers(), generation.segments):
        found, matched = evaluate(query.matcher(part, context), segment, scored, deadline)
        ids.append(found.ids.astype(np.int64) + offset)
        scores.append(found.scores)
        leaves.extend(Leaf(leaf.fieldname, leaf.text, leaf.ids.astype(np.int64) + offset) for leaf in matched)
    if time.monotonic() > deadline:
        raise QueryTooSlow(None)
    if not ids:
        return Matches(np.zeros(0, dtype=np.int64), np.zeros(0) if scored else None), leaves
    return Matches(np.concatenate(ids), np.concatenate(scores) if scored else None), leaves


def _typed(part: wq.MultiTerm) -> str:
    """How a wildcard, range or fuzzy word was written, near enough to name it in a message."""
    if isinstance(part, wq.TermRange):
        return f"[{part.start or ''} to {part.end or ''}]"
    return part.text + ("*" if isinstance(part, wq.Prefix) else "")


def copy_keys(reader) -> np.ndarray | None:
    """Each document's copy key as a number (equal numbers for equal keys), by document number;
    None for an index built without them."""
    if "copies" not in reader.schema or not reader.has_column("copies"):
        return None  # an index built before copies were keyed: nothing is folded until a reindex
    column = reader.column_reader("copies")
    keys = [column[docnum] for docnum in range(reader.doc_count_all())]
    return np.unique(np.array(keys, dtype=object), return_inverse=True)[1].astype(np.int64)


def published_days(reader) -> np.ndarray:
    """Each document's publication day as yyyymmdd, by document number; 0 when it has none."""
    if not reader.has_column("published"):
        return np.zeros(reader.doc_count_all(), dtype=np.int64)
    column = reader.column_reader("published", translate=False)
    days = np.array([column.sort_key(docnum) for docnum in range(reader.doc_count_all())], dtype=np.int64)
    days[days > LATEST_DAY] = 0
    return days


def fresh_divisors(days: np.ndarray, newest: int | None) -> np.ndarray:
    """What each day's relevance is divided by with sort=fresh: halved for every
    FRESHNESS_HALF_LIFE_DAYS it is older than ``newest``; an undated article counts as
    UNDATED_AGE half-lives old. Computed with Python's floats, as the ranking always has."""
    latest = from_day_number(newest) if newest else None
    divisors = {}
    for day in np.unique(days).tolist():
        published = from_day_number(day) if day else None
        if latest is None or published is None:
            divisors[day] = 2 ** UNDATED_AGE
        else:
            divisors[day] = 2 ** (max((latest - published).days, 0) / FRESHNESS_HALF_LIFE_DAYS)
    values = np.array(sorted(divisors))
    return np.array([divisors[v] for v in values.tolist()])[np.searchsorted(values, days)]


class _Generation:
    """An open searcher on one generation, with its per-document tables (rebuilt when the searcher changes)."""

    def __init__(self, path: Path, store: IndexStore):
        self.path = path
        with store.reading(path):
            self.index = store.open(path)
            self.parser = build_parser(self.index.schema)
            self._use(_Searcher(self.index.reader(), weighting=RobertsonBM25F(), fromindex=self.index))

    def _use(self, searcher) -> None:
        """Take a searcher and read its per-document tables: facet values, days, copy keys."""
        self.searcher = searcher
        reader = searcher.reader()
        self.segments = [SegmentData.of(part.reader()) for part, _ in searcher.leaf_searchers()]
        self.facets = FacetTable(reader, FACET_FIELDS.values())
        self.deleted = np.concatenate([segment.deleted for segment in self.segments]) if self.segments \
            else np.zeros(0, dtype=bool)
        self.days = published_days(reader)
        live_days = self.days[~self.deleted]
        self.newest = int(live_days.max()) if live_days.any() else None
        self.fresh_divisors = fresh_divisors(self.days, self.newest)
        self.copies = copy_keys(reader)

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
            return [self._hit(searcher, hit.docnum, hit.score) for hit in close[:limit]]

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
                _, matched, _, deadline = self._matches(generation, request)
                ranked = self._ranked(generation, request, matched, deadline)
                score_sign = self._score_sign(request)
                return [self._hit(generation.searcher, docnum, score, score_sign=score_sign)
                        for docnum, score in zip(matched.ids[ranked].tolist(), self._shown_scores(
                            generation, request, matched, ranked))]
            except QueryError as error:
                raise QuerySyntaxError(f"This query cannot be run: {error}") from None

    def _matches(self, generation: _Generation, request: SearchRequest,
                 deadline: float | None = None) -> tuple[wq.Query, Matches, list[Leaf], float]:
        """The request's text query, the documents it and the filters match (scored), the terms
        matched, and the deadline (a new one unless given)."""
        text_query = self._text_query(generation, request.q)
        deadline = time.monotonic() + self.time_limit if deadline is None else deadline
        matched, leaves = find(generation, text_query, deadline)
        allowed = np.ones(len(matched), dtype=bool)
        filters = self._filters(generation, request)
        if filters:
            filtered, _ = find(generation, wq.And(filters), deadline, scored=False)
            allowed &= np.isin(matched.ids, filtered.ids, assume_unique=True)
        if request.copies_of:
            allowed &= np.isin(matched.ids, self._copies_of(generation, request.copies_of), assume_unique=True)
        if not allowed.all():
            matched = Matches(matched.ids[allowed], matched.scores[allowed])
        return text_query, matched, leaves, deadline

    @staticmethod
    def _copies_of(generation: _Generation, article_id: str) -> np.ndarray:
        """The documents that are copies of this article's story (the article included)."""
        docnum = generation.searcher.document_number(id=article_id)
        if docnum is None:
            return np.zeros(0, dtype=np.int64)
        if generation.copies is None:
            return np.array([docnum])
        return np.flatnonzero(generation.copies == generation.copies[docnum])

    def _search(self, generation: _Generation, request: SearchRequest) -> SearchResult:
        searcher = generation.searcher
        _, matched, leaves, deadline = self._matches(generation, request)
        docnums = matched.ids.tolist()

        facets = {}
        for name, field in FACET_FIELDS.items():
            selected = getattr(request, name)
            chosen = {value.casefold() for value in selected}
            facets[name] = [FacetCount(value, count, value.casefold() in chosen)
                            for value, count in generation.facets.counts(field, docnums, selected)]
        hits: list[Hit] = []
        start = (request.page - 1) * request.per_page
        ranked = self._ranked(generation, request, matched, deadline)
        folding = self._folds(generation, request)
        if folding:
            keys = generation.copies[matched.ids[ranked]]
            _, first = np.unique(keys, return_index=True)
            ranked = ranked[np.sort(first)]  # each story once, where its best-ranked copy stands
        listed = len(ranked)
        page = ranked[start : start + request.per_page]
        if len(page):
            copies = np.bincount(generation.copies[matched.ids]) if folding else None
            words = self._matched_words(leaves, matched.ids)
            formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
            score_sign = self._score_sign(request)
            for docnum, score in zip(matched.ids[page].tolist(), self._shown_scores(generation, request, matched, page)):
                hit = self._hit(searcher, docnum, score, formatter, words, score_sign)
                if folding:
                    hit.copies = int(copies[generation.copies[docnum]]) - 1
                hits.append(hit)
        matched_days = [from_day_number(day) for day in generation.days[matched.ids].tolist() if day]
        published = timeline(matched_days, request.date_from, request.date_to)
        result = SearchResult(request, len(matched), hits, facets, published, folded=len(matched) - listed)
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
            _, matched, _, _ = self._matches(generation, replace(request, q=fixed), deadline)
        except (QuerySyntaxError, QueryTooSlow, QueryError):
            return None
        return fixed if len(matched) > total else None

    @staticmethod
    def _folds(generation: _Generation, request: SearchRequest) -> bool:
        """Whether copies of a story are listed once."""
        return request.collapse and not request.copies_of and generation.copies is not None

    @staticmethod
    def _matched_words(leaves: list[Leaf], matched: np.ndarray) -> frozenset[str]:
        """The words of the text that matched in the matching documents: those a snippet marks."""
        words = set()
        for leaf in leaves:
            if leaf.fieldname == "text" and leaf.text not in words and np.isin(leaf.ids, matched).any():
                words.add(leaf.text)
        return frozenset(w.decode("utf-8") if isinstance(w, bytes) else w for w in words)

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
        """Whether a hit shows its score: not when the results are sorted by date."""
        return 0 if not request.q.strip() or request.sort in ("newest", "oldest") else 1

    @staticmethod
    def _sort(request: SearchRequest) -> str:
        """The order asked for; an empty query lists every article, newest first."""
        if request.sort in ("relevance", "fresh") and not request.q.strip():
            return "newest"
        return request.sort

    def _ranked(self, generation: _Generation, request: SearchRequest, matched: Matches,
                deadline: float) -> np.ndarray:
        """Positions in ``matched`` in the request's order: relevance (score), relevance with a
        freshness factor, or the publication date with undated articles last either way; ties by
        document number, as Whoosh orders them."""
        sort = self._sort(request)
        if sort == "relevance":
            key = -matched.scores
        elif sort == "fresh":
            key = self._fresh_keys(generation, matched)
        else:
            days = generation.days[matched.ids]
            if sort == "newest":
                key = np.where(days > 0, -days, 1)
            else:
                key = np.where(days > 0, days, LATEST_DAY + 1)
        order = np.lexsort((matched.ids, key))
        if time.monotonic() > deadline:
            raise QueryTooSlow(None)
        return order

    @staticmethod
    def _fresh_keys(generation: _Generation, matched: Matches) -> np.ndarray:
        """Whoosh's sort key for sort=fresh: the negated score divided by the freshness divisor."""
        return (0 - matched.scores) / generation.fresh_divisors[matched.ids]

    def _shown_scores(self, generation: _Generation, request: SearchRequest, matched: Matches,
                      positions: np.ndarray) -> list[float | None]:
        """The score shown with each hit: the relevance, with sort=fresh the relevance with its
        freshness factor, nothing when sorted by date."""
        sort = self._sort(request)
        if sort == "relevance":
            return matched.scores[positions].tolist()
        if sort == "fresh":
            return (-self._fresh_keys(generation, Matches(matched.ids[positions], matched.scores[positions]))).tolist()
        return [None] * len(positions)

    @staticmethod
    def _hit(searcher, docnum: int, score: float | None, formatter=None, words: frozenset[str] = frozenset(),
             score_sign: int = 1) -> Hit:
        """A result; without a ``formatter`` (exports, related stories) it carries no snippet at all."""
        stored = searcher.stored_fields(docnum)
        snippet = ""
        if formatter is not None:
            text = stored.get("text", "")
            snippet = _snippet(searcher.schema["text"].analyzer, text, words, formatter)
            if not snippet:
                snippet = html.escape(text[:SNIPPET_CHARS]) + ("…" if len(text) > SNIPPET_CHARS else "")
        return Hit(
            id=stored["id"],
            title=stored.get("title", ""),
            url=stored.get("url"),
            source=stored.get("source") or None,
            published=from_day_number(stored.get("published")),
            authors=split_values(stored.get("authors")),
            snippet=snippet,
            people=split_values(stored.get("people")),
            orgs=split_values(stored.get("orgs")),
            places=split_values(stored.get("places")),
            score=float(f"{score:.4g}") if score_sign and score is not None else None,
        )


_SNIPPETS = highlight.Highlighter(fragmenter=highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80,
                                                                         charlimit=None))


def _snippet(analyzer, text: str, words: frozenset[str], formatter) -> str:
    """The text's best two passages with ``words`` marked, as Whoosh's highlighter makes them when
    it re-reads the text (the formatter numbers the words across a page's hits)."""
    tokens = analyzer(text, positions=True, chars=True, mode="index", removestops=False)
    tokens = _SNIPPETS._merge_matched_tokens(highlight.set_matched_filter(tokens, words))
    fragments = highlight.top_fragments(_SNIPPETS.fragmenter.fragment_tokens(text, tokens), 2, _SNIPPETS.scorer,
                                        _SNIPPETS.order, minscore=1)
    return formatter.format(fragments)
