"""Indexing and query speed on Reuters-21578 through the normal path (JSONL → ingest → index),
then typical searches with facets, filters, sorting and snippets, as the page and API run them.

    python benchmarks/query_speed.py [--articles 5000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from common import reuters_subset, summary

from search.index import SearchIndex
from search.indexing import index_paths
from search.query import SearchRequest
from search.settings import Settings
from web import create_app

WORDS = ["oil", "coffee prices", "bank rate cut", "trade deficit", "wheat exports", "dollar yen",
         "opec production", "merger agreement", "gold", "interest rates", "crude oil prices",
         "federal reserve", "takeover bid", "grain", "japan", "strike"]
CASES = {
    "words": lambda q: SearchRequest(q=q),
    "phrase": lambda q: SearchRequest(q=f'"{q}"'),
    "words + place filter": lambda q: SearchRequest(q=q, places=("United States",)),
    "words + date range": lambda q: SearchRequest(q=q, date_from=date(1987, 3, 1), date_to=date(1987, 3, 31)),
    "words, newest first": lambda q: SearchRequest(q=q, sort="newest"),
    "words, page 3": lambda q: SearchRequest(q=q, page=3),
    "words, fresh": lambda q: SearchRequest(q=q, sort="fresh"),
    "words, copies listed": lambda q: SearchRequest(q=q, collapse=False),
    "description (any word)": lambda q: SearchRequest(q=f"what is reported about {q} in the markets this week"),
    "misspelt (did you mean)": lambda q: SearchRequest(q=q[:-1] + "x" + q[-1]),
    "query-language dates": lambda q: SearchRequest(q=f"{q} published:[1987-03-01 to 1987-03-31]"),
    "browse all, newest": lambda q: SearchRequest(),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        subset = reuters_subset(args.articles, Path(folder) / "reuters.jsonl")
        settings = Settings(index_dir=Path(folder) / "index")
        start = time.perf_counter()
        report = index_paths([subset], settings)
        seconds = time.perf_counter() - start
        print(f"Indexed {report.indexed} Reuters articles ({len(report.failures)} failed) in {seconds:.1f} s "
              f"= {report.indexed / seconds:.1f} articles/s (extraction, entities and index, 2 workers)")

        search = SearchIndex(settings.index_dir)
        start = time.perf_counter()
        search.search(SearchRequest(q="oil"))
        print(f"First search (opens the searcher, builds the facet table): {1000 * (time.perf_counter() - start):.0f} ms")
        for name, make in CASES.items():
            timings = []
            for _ in range(args.rounds):
                for words in WORDS:
                    start = time.perf_counter()
                    search.search(make(words))
                    timings.append(1000 * (time.perf_counter() - start))
            print(f"{name:24s} {summary(timings)}")

        client = create_app({"INDEX_DIR": str(settings.index_dir)}).test_client()
        timings = []
        for _ in range(args.rounds):
            for words in WORDS:
                start = time.perf_counter()
                assert client.get("/api/search", query_string={"q": words}).status_code == 200
                timings.append(1000 * (time.perf_counter() - start))
        print(f"{'API /api/search (WSGI)':24s} {summary(timings)}")

        timings, rows = [], 0
        for words in WORDS:
            start = time.perf_counter()
            response = client.get("/api/search.csv", query_string={"q": words})
            rows += response.get_data(as_text=True).count("\n") - 1
            timings.append(1000 * (time.perf_counter() - start))
        print(f"{'export CSV, every result':24s} {summary(timings)}   ({rows / len(WORDS):.0f} rows a query)")
        one = search.search(SearchRequest(q="oil")).hits[0].id
        timings = []
        for _ in range(args.rounds * 5):
            start = time.perf_counter()
            search.related(one)
            timings.append(1000 * (time.perf_counter() - start))
        print(f"{'related stories':24s} {summary(timings)}")
        everything = search.search(SearchRequest())
        print(f"Copies folded over the whole index: {everything.folded} of {everything.total} articles; "
              f"attention-over-time periods: {len(everything.published)} ({everything.published[0].interval})")


if __name__ == "__main__":
    main()
