"""Answering SearchRequests from the current index generation, one snapshot at a time."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from whoosh import query as wq
from whoosh.index import TOC
from whoosh.query.qcore import QueryError

from search.article import Article
from search.comparison import CompareRequest, CompareResult, Series
from search.index import executor, overviews
from search.index.decoder import to_article, to_hit
from search.index.parser import build_parser
from search.index.schema import FACET_FIELDS, build_schema
from search.index.snapshot import Snapshot, open_snapshot
from search.index.store import INDEX_NAME, IndexStore
from search.profiles import EntityNotFound, EntityProfile, EntityRequest
from search.query import Hit, QuerySyntaxError, SearchRequest, SearchResult

RELATED = 5
RELATED_TERMS = 12
"""Key words of an article that find its related stories."""
RELATED_MIN_SHARED = 3
TIME_LIMIT = 10.0
"""Default seconds a search may take before it is stopped and reported (a leading wildcard over a
large index, a long list of wildcards); the ``search_time_limit`` setting."""


class SearchIndex:
    """The search side of the index: open once per process; follows ``index`` and ``reindex``.

    Each search answers from the snapshot current when it starts, without a lock: snapshots never
    change, and a new one is swapped in whole when the index has changed."""

    def __init__(self, root: Path, time_limit: float = TIME_LIMIT):
        self.store = IndexStore(root)
        self.time_limit = time_limit
        self._snapshot: Snapshot | None = None
        self._opening = threading.Lock()

    def _current(self) -> Snapshot | None:
        """The snapshot of the index as it is now (opened first if the index changed), or None when
        there is no index yet."""
        path = self.store.current()
        if path is None:
            return None
        snapshot = self._snapshot
        if snapshot is not None and snapshot.path == path and snapshot.up_to_date():
            return snapshot
        with self._opening:  # one thread opens it; the others wait for it rather than open it too
            snapshot = self._snapshot
            if snapshot is None or snapshot.path != path or not snapshot.up_to_date():
                snapshot = self._snapshot = open_snapshot(self.store, path, previous=snapshot)
            return snapshot

    def follow(self) -> int | None:
        """Open what ``index`` or ``reindex`` has written since the last search, so that the next
        search need not; the number of articles when a rebuilt index was switched to, else None.
        Searches meanwhile answer from the snapshot they had."""
        before = self._snapshot
        now = self._current()
        if now is None or now is before:
            return None
        return now.count if before is None or before.path != now.path else None

    def count(self) -> int:
        """How many articles are indexed."""
        snapshot = self._current()
        return snapshot.count if snapshot else 0

    def changed(self) -> datetime | None:
        """When the index last changed (a commit or a rebuild), in UTC to the second; None when there is
        no index yet. The same on every call until the index changes again."""
        snapshot = self._current()
        if snapshot is None:
            return None
        return snapshot.remembered("changed", lambda: _written(snapshot))

    def article(self, article_id: str) -> Article | None:
        """The stored article with this id, or None."""
        snapshot = self._current()
        if snapshot is None:
            return None
        with snapshot.whoosh_lock:  # finding a document by its id builds a Whoosh matcher
            stored = snapshot.searcher.document(id=article_id)
        return to_article(stored) if stored else None

    def related(self, article_id: str, limit: int = RELATED) -> list[Hit] | None:
        """Articles most like this one, best first: those sharing at least RELATED_MIN_SHARED of its
        RELATED_TERMS key words (more-like-this, Bo1 weights), so that a story on a subject no other
        article covers has none; None when there is no such article."""
        snapshot = self._current()
        if snapshot is None:
            return None
        searcher = snapshot.searcher
        with snapshot.whoosh_lock:
            docnum = searcher.document_number(id=article_id)
            if docnum is None:
                return None
            key_terms = searcher.key_terms([docnum], "text", numterms=RELATED_TERMS)
            if not key_terms:
                return []
            top = key_terms[0][1]
            like = wq.Or([wq.Term("text", term, boost=weight / top) for term, weight in key_terms])
            results = searcher.search(like, limit=limit * 4, terms=True, mask={docnum})
            close = [hit for hit in results if len(hit.matched_terms()) >= RELATED_MIN_SHARED][:limit]
            return [to_hit(searcher.stored_fields(hit.docnum), hit.score) for hit in close]

    def search(self, request: SearchRequest) -> SearchResult:
        """One page of ranked, filtered hits with facet counts over every match.

        Raises QuerySyntaxError when the query cannot be parsed, QueryTooSlow past the time limit.
        """
        snapshot = self._current()
        if snapshot is None:
            build_parser(build_schema()).clauses(request.q)  # a bad query is still an error
            return SearchResult(request, 0, facets={name: [] for name in FACET_FIELDS}, total_all_words=0)
        with _runnable():
            return executor.search(snapshot, request, time.monotonic() + self.time_limit)

    def compare(self, request: CompareRequest) -> CompareResult:
        """Each query's matches over time, in numbers and as a share of every article the shared
        filters keep. Raises like ``search``."""
        snapshot = self._current()
        if snapshot is None:
            for query in request.queries:
                build_parser(build_schema()).clauses(query)
            return CompareResult(request, 0, [], [Series(query, 0, [], []) for query in request.queries])
        with _runnable():
            return overviews.compare(snapshot, request, time.monotonic() + self.time_limit)

    def entity(self, request: EntityRequest) -> EntityProfile:
        """What the index holds about one person, organisation or place. Raises EntityNotFound when
        no article names it, and like ``search``."""
        snapshot = self._current()
        if snapshot is None:
            raise EntityNotFound(request.kind, request.name)
        with _runnable():
            return overviews.entity(snapshot, request, time.monotonic() + self.time_limit)

    def export(self, request: SearchRequest) -> list[Hit]:
        """Every article the request matches (not one page), in the request's order, without
        snippets. Raises QuerySyntaxError or QueryTooSlow like ``search``."""
        snapshot = self._current()
        if snapshot is None:
            build_parser(build_schema()).clauses(request.q)
            return []
        with _runnable():
            return executor.export(snapshot, request, time.monotonic() + self.time_limit)


def _written(snapshot: Snapshot) -> datetime:
    """When the snapshot's table of contents was written; now, when a commit since has removed it (a
    later search then opens the newer snapshot)."""
    try:
        seconds = (snapshot.path / TOC._filename(INDEX_NAME, snapshot.generation)).stat().st_mtime
    except FileNotFoundError:
        seconds = time.time()
    return datetime.fromtimestamp(int(seconds), timezone.utc)


@contextmanager
def _runnable() -> Iterator[None]:
    """A query Whoosh cannot run is the request's error, not the server's."""
    try:
        yield
    except QueryError as error:
        raise QuerySyntaxError(f"This query cannot be run: {error}") from None
