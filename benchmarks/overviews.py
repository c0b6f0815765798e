"""Compare and entity pages at archive scale: what a comparison of three queries and an entity's
profile cost, beside the anchor (one search of each query, as the search page runs it: snippets,
every facet, the chart) in the same run.

    python benchmarks/overviews.py [--index DIR] [--rounds 5] [--triples 20] [--entities 15]

--index is an index built by scale.py (default: its 100,000-article index in its default --work
folder; build it with `python benchmarks/scale.py --articles 100000 --phases index`). The target:
a comparison of 3 queries answers in at most 3 times one search.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from common import best_of, machine

from search.comparison import CompareRequest
from search.index import SearchIndex
from search.profiles import EntityRequest
from search.query import SearchRequest

WORDS = ["oil", "bank", "trade", "prices", "government", "dollar", "wheat", "coffee", "gold", "shares", "profit",
         "tax", "exports", "rates", "debt", "strike", "merger", "crude oil", "interest rates", "grain", "sugar",
         "yen", "loss", "budget", "takeover", "opec", "deficit", "copper"]
"""Words of the Reuters newswire the synthetic archive is made of: common and rarer ones, one of two words."""
FILTERS = {
    "no filter": SearchRequest(),
    "+ date range (2 years)": SearchRequest(date_from=date(2010, 1, 1), date_to=date(2011, 12, 31)),
    "+ place filter": SearchRequest(places=("United States",)),
}


@dataclass
class Timings:
    one: list[float] = field(default_factory=list)
    """The mean of one search of each of the three queries, per triple."""
    compared: list[float] = field(default_factory=list)

    def ratios(self) -> list[float]:
        return [c / o for c, o in zip(self.compared, self.one)]


def milliseconds(values: list[float]) -> str:
    ordered = sorted(values)
    return (f"median {1000 * statistics.median(ordered):7.1f} ms, p90 {1000 * ordered[int(0.9 * (len(ordered) - 1))]:7.1f} ms, "
            f"max {1000 * ordered[-1]:7.1f} ms")


def pages(args: argparse.Namespace, triples: list[tuple[str, ...]]) -> None:
    """The same through the web app (in-process, rendering included): the compare page and
    /api/compare beside the search page and /api/search of each query."""
    from urllib.parse import urlencode

    from web import create_app

    client = create_app({"INDEX_DIR": str(args.index)}).test_client()

    def timed(url: str) -> float:
        client.get(url)
        return best_of(args.rounds, lambda: client.get(url).close())

    print(f"\nthrough the web app ({len(triples)} triples, no filter and a date range of 3 months)")
    for anchor, compared, label in (("/", "/compare", "page"), ("/api/search", "/api/compare", "API")):
        ratios = []
        for triple in triples:
            for dates in ({}, {"from": "2020-01-01", "to": "2020-03-31"}):
                one = statistics.mean(timed(f"{anchor}?{urlencode({'q': q, **dates})}") for q in triple)
                ratios.append(timed(f"{compared}?{urlencode({'q': triple, **dates}, doseq=True)}") / one)
        print(f"  compare {label} / search {label}  median {statistics.median(ratios):.2f}x, max {max(ratios):.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path,
                        default=Path(tempfile.gettempdir()) / "news-search-scale" / "index-100000-seed1")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--triples", type=int, default=20)
    parser.add_argument("--entities", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not (args.index / "current").exists():
        sys.exit(f"No index in {args.index}: build one with `python benchmarks/scale.py --articles 100000 "
                 "--phases index` (or give --index).")
    index = SearchIndex(args.index)
    start = time.perf_counter()
    articles = index.count()
    index.search(SearchRequest(q="oil"))
    print(f"{articles:,} articles; {machine()}; opened and first search in {time.perf_counter() - start:.1f} s")
    rng = random.Random(args.seed)
    triples = [tuple(rng.sample(WORDS, 3)) for _ in range(args.triples)]
    for label, shared in FILTERS.items():
        timings = Timings()
        for triple in triples:
            searches = [CompareRequest(triple, shared).search(q) for q in triple]
            for request in searches:  # warm: the terms' postings read once, as a server that has run a while
                index.search(request)
            timings.one.append(statistics.mean(best_of(args.rounds, lambda r=r: index.search(r)) for r in searches))
            request = CompareRequest(triple, shared)
            index.compare(request)
            timings.compared.append(best_of(args.rounds, lambda: index.compare(request)))
        ratios = timings.ratios()
        print(f"\n{label} ({len(triples)} triples of queries, best of {args.rounds} each)")
        print(f"  one search (anchor)      {milliseconds(timings.one)}")
        print(f"  compare of 3 queries     {milliseconds(timings.compared)}")
        print(f"  compare / one search     median {statistics.median(ratios):.2f}x, max {max(ratios):.2f}x "
              f"(target: at most 3x)")

    pages(args, triples[:5])

    names = [(kind, value.value) for kind in ("people", "orgs", "places")
             for value in index.search(SearchRequest()).facets[kind][:args.entities // 3]]
    profile, anchor = [], []
    for kind, name in names:
        entity = EntityRequest(kind, name)
        index.entity(entity)
        profile.append(best_of(args.rounds, lambda: index.entity(entity)))
        anchor.append(best_of(args.rounds, lambda: index.search(entity.search())))
    print(f"\nentity pages ({len(names)} commonest people, organisations and places, best of {args.rounds} each)")
    print(f"  search with its filter (anchor) {milliseconds(anchor)}")
    print(f"  entity profile                  {milliseconds(profile)}")
    print(f"  profile / search                median {statistics.median(p / a for p, a in zip(profile, anchor)):.2f}x")


if __name__ == "__main__":
    main()
