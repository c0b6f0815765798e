"""Cost per matching article of a search's aggregation paths (facet counts, the attention chart,
filters, copy folding) over the columns of an archive of N articles, for a match of half of them.

    python benchmarks/aggregation_cost.py [--articles 1000000] [--share 0.5] [--rounds 5]

The columns are synthetic, shaped like benchmarks/scale_corpus.py's archive: days over 30 years,
40 sources (Zipf), one byline of 600, and 0-4 people, organisations and places each per article
drawn (Zipf 1.1) from a few thousand names; one story in 50 has a copy. They go through the
product's own code (search.index.facets.FacetIndex, search.index.executor's facet_counts,
attention, folded and kept_by_columns), timed over several rounds (the best counts); the target is 1 µs per
match for each path.
"""

from __future__ import annotations

import argparse
import os
import time
from types import SimpleNamespace

import numpy as np
from common import best_of
from whoosh import query as wq

from search.index import executor
from search.index.columns import FacetColumn
from search.index.facets import FacetIndex
from search.index.matches import Matches
from search.index.plan import Plan
from search.query import SearchRequest

TARGET_US = 1.0
FIRST_DAY = 728_659  # 1995-01-01
NAMES = {"people": 3000, "orgs": 1500, "places": 600}


def facet_column(rng: np.random.Generator, articles: int, names: int, most: int) -> FacetColumn:
    """0 to ``most`` values per article, Zipf-skewed over ``names`` spellings."""
    counts = rng.integers(0, most + 1, articles)
    offsets = np.zeros(articles + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    values = np.minimum(rng.zipf(1.1, int(offsets[-1])) - 1, names - 1).astype(np.int32)
    return FacetColumn(offsets, values, tuple(f"Name {number}" for number in range(names)))


def columns(articles: int, seed: int = 1) -> SimpleNamespace:
    """A stand-in for a snapshot with one segment: the attributes the aggregation paths read."""
    rng = np.random.default_rng(seed)
    deleted = np.zeros(articles, dtype=bool)
    facets = {field: FacetIndex(field, [(facet_column(rng, articles, names, 4), deleted)])
              for field, names in NAMES.items()}
    for field, names, most in (("source", 40, 1), ("authors", 600, 1), ("language", 1, 1)):
        column = facet_column(rng, articles, names, most)
        facets[field] = FacetIndex(field, [(column, deleted)])
    copy_ids = np.arange(articles, dtype=np.int32)
    copied = rng.random(articles) < 0.02
    copy_ids[copied] = rng.integers(0, articles, int(copied.sum()))
    _, copy_ids = np.unique(copy_ids, return_inverse=True)
    snapshot = SimpleNamespace(days=(FIRST_DAY + rng.integers(0, 30 * 365, articles)).astype(np.int32),
                               facets=facets, count=articles, deleted=deleted, copy_ids=copy_ids.astype(np.int32),
                               stories=int(copy_ids.max()) + 1)
    snapshot.remembered = lambda key, compute: compute()  # every count measured, none remembered
    return snapshot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--share", type=float, default=0.5, help="share of the articles the query matches")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    snapshot = columns(args.articles)
    print(f"{args.articles:,} articles of synthetic columns built in {time.perf_counter() - started:.1f} s "
          f"(load average {' '.join(f'{v:.2f}' for v in os.getloadavg())})")
    rng = np.random.default_rng(2)
    ids = np.flatnonzero(rng.random(args.articles) < args.share).astype(np.int64)
    matched = Matches(ids, rng.random(len(ids)))
    request = SearchRequest(q="word")
    person = snapshot.facets["people"].shown[0]
    planned = Plan(query=wq.Every(), values=(("people", person),), days=(FIRST_DAY + 3650, FIRST_DAY + 7300))

    def filters() -> None:
        executor.kept_by_columns(snapshot, planned, matched.ids)

    def folding() -> None:
        keys = executor.sort_keys(snapshot, Plan(query=wq.Every()), matched)
        np.bincount(snapshot.copy_ids[matched.ids], minlength=snapshot.stories)
        executor.folded(snapshot, keys, matched.ids, 10)

    paths = {
        "facet counts (6 facets, top 15 each)": lambda: executor.facet_counts(snapshot, request, matched.ids),
        "attention chart": lambda: executor.attention(snapshot, request, matched.ids),
        "filters (a person, a date range)": filters,
        "copy folding and the first page": folding,
    }
    print(f"A query matching {len(ids):,} articles ({100 * args.share:.0f}%); best of {args.rounds} rounds:")
    total = 0.0
    for name, work in paths.items():
        seconds = best_of(args.rounds, work)
        total += seconds
        per_match = 1e6 * seconds / len(ids)
        print(f"  {name:38s} {1000 * seconds:8.1f} ms  {per_match:6.3f} µs per match  "
              f"{'met' if per_match <= TARGET_US else 'NOT met'} (target <= {TARGET_US} µs)")
    print(f"  {'all four':38s} {1000 * total:8.1f} ms  {1e6 * total / len(ids):6.3f} µs per match")


if __name__ == "__main__":
    main()
