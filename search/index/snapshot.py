"""A point-in-time view of one index generation: its searcher, columns and tables, never changed.

A search takes the current snapshot and answers from it alone; ``follow()`` opens a new one when
``index`` or ``reindex`` has written, and swaps it in. A snapshot holds no lock while a search
runs: the index's files are memory maps, read at a position without moving a shared one, so
threads read terms, postings, columns and stored fields at once (``reading()``). Only what moves
a file position is serialised by ``whoosh_lock``: building a Whoosh matcher (for the queries
search.index.direct leaves to Whoosh), and every read of a generation whose files are not mapped.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Hashable

import numpy as np
from whoosh.searching import Searcher

from search.index.columns import SegmentColumns, segment_columns
from search.index.facets import FacetIndex
from search.index.matches import SegmentData
from search.index.parser import build_parser
from search.index.postings import PostingsCache
from search.index.ranking import RobertsonBM25F
from search.index.schema import FACET_FIELDS
from search.index.snippets import Snippets
from search.index.store import IndexStore
from search.query import FRESHNESS_HALF_LIFE_DAYS

UNDATED_AGE = 3
"""Half-lives an undated article counts as old with sort=fresh."""


class _Searcher(Searcher):
    """Whoosh's searcher, with matchers for the unscored parts of a query (NOT, filters) built as trees
    of unions: Whoosh's own boolean context lets an OR of three or more words in a small segment read
    every posting in Python as it is built, where search.index.matches reads them as arrays."""

    def boolean_context(self):
        return self.context(needs_current=True, weighting=None)


@dataclass(frozen=True)
class Snapshot:
    """One state of one generation: Whoosh's searcher, and per document (by document number over the
    whole index) whether it is deleted, its day, its copy key and its facet values."""

    path: Path
    generation: int
    """Whoosh's generation of the index's table of contents (a new one after every commit)."""
    searcher: Searcher
    parser: object
    segments: tuple[SegmentData, ...]
    offsets: tuple[int, ...]
    columns: dict[str, SegmentColumns]
    """Each segment's columns, by segment id (kept by the next snapshot for the segments it shares)."""
    deleted: np.ndarray
    days: np.ndarray
    """Publication day (ordinal), 0 when undated."""
    copies: np.ndarray | None
    """The copy key's hash; None for an index built without copy keys (nothing is folded)."""
    copy_ids: np.ndarray | None
    """The story each document tells, numbered from 0 (one number per copy key)."""
    stories: int
    """How many copy keys there are."""
    facets: dict[str, FacetIndex]
    newest: int | None
    """The latest publication day of an article in the index (ordinal): sort=fresh's "now"."""
    fresh_divisors: np.ndarray
    """What each document's relevance is divided by with sort=fresh."""
    snippets: Snippets
    postings_cache: PostingsCache
    count: int
    """How many articles are indexed."""
    whoosh_lock: threading.Lock = field(default_factory=threading.Lock)
    _remembered: dict = field(default_factory=dict)

    def reading(self) -> AbstractContextManager:
        """What to hold while reading the generation's terms, stored fields or columns: nothing when
        every segment is read through a memory map, else ``whoosh_lock``."""
        return nullcontext() if all(segment.mapped for segment in self.segments) else self.whoosh_lock

    @property
    def state(self) -> str:
        """This state of the index, named for clients: the generation's folder and its commit."""
        return f"{self.path.name.removeprefix('gen-')}-{self.generation}"

    def up_to_date(self) -> bool:
        """Whether nothing has been committed to the generation since the snapshot was taken."""
        return self.searcher.up_to_date()

    def remembered(self, key: Hashable, compute: Callable):
        """``compute()``, computed once per snapshot (the counts over every article, say)."""
        if key not in self._remembered:
            self._remembered[key] = compute()
        return self._remembered[key]


def open_snapshot(store: IndexStore, path: Path, previous: Snapshot | None = None) -> Snapshot:
    """The current state of the generation in ``path``, reusing the columns of ``previous`` for the
    segments they share. Raises DamagedIndex when it cannot be read."""
    with store.reading(path):
        index = store.open(path)
        searcher = _Searcher(index.reader(), weighting=RobertsonBM25F(), fromindex=index)
        same = previous is not None and previous.path == path
        known = previous.columns if same else {}
        cache = previous.postings_cache if same else PostingsCache()
        # an index of no segment (nothing indexed yet, or every input failed) reads as Whoosh's EmptyReader,
        # which is no segment: the snapshot has none
        leaves = [(part, offset) for part, offset in searcher.leaf_searchers() if part.reader().segment() is not None]
        segments = tuple(SegmentData.of(part.reader(), cache, path) for part, _ in leaves)
        names = [segment.name for segment in segments]
        columns = {name: known.get(name) or segment_columns(part.reader(), path)
                   for name, (part, _) in zip(names, leaves)}
        ordered = [columns[name] for name in names]
    deleted = _joined([s.deleted for s in segments], bool)
    days = _joined([c.days for c in ordered], np.int32)
    live_days = days[~deleted & (days > 0)]
    newest = int(live_days.max()) if len(live_days) else None
    copies = _joined([c.copies for c in ordered], np.int64) if "copies" in index.schema else None
    copy_ids, stories = (None, 0) if copies is None else _numbered(copies)
    facets = {name: FacetIndex(name, [(c.facets[name], s.deleted) for c, s in zip(ordered, segments)])
              for name in FACET_FIELDS.values()}
    return Snapshot(path=path, generation=searcher.reader().generation(), searcher=searcher,
                    parser=build_parser(index.schema), segments=segments,
                    offsets=tuple(offset for _, offset in leaves), columns=columns, deleted=deleted, days=days,
                    copies=copies, copy_ids=copy_ids, stories=stories, facets=facets, newest=newest,
                    fresh_divisors=_fresh_divisors(days, newest), snippets=Snippets(index.schema["text"].analyzer),
                    postings_cache=cache,
                    count=int(len(deleted) - deleted.sum()))


def _numbered(keys: np.ndarray) -> tuple[np.ndarray, int]:
    """Equal keys numbered alike from 0, and how many numbers there are."""
    distinct, numbers = np.unique(keys, return_inverse=True)
    return numbers.astype(np.int32), len(distinct)


def _joined(arrays: list, dtype) -> np.ndarray:
    return np.concatenate([np.asarray(a) for a in arrays]).astype(dtype, copy=False) if arrays \
        else np.zeros(0, dtype=dtype)


def _fresh_divisors(days: np.ndarray, newest: int | None) -> np.ndarray:
    """With sort=fresh a match's relevance is halved for every FRESHNESS_HALF_LIFE_DAYS it was
    published before ``newest``; an undated one counts as UNDATED_AGE half-lives old. Computed once
    per day with Python's floats, as the ranking always has."""
    distinct, where = np.unique(days, return_inverse=True)
    divisors = [2 ** UNDATED_AGE if newest is None or not day
                else 2 ** (max(newest - day, 0) / FRESHNESS_HALF_LIFE_DAYS) for day in distinct.tolist()]
    return np.array(divisors, dtype=np.float64)[where]
