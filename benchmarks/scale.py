"""Archive scale: indexing and searching a synthetic archive of N articles (real Reuters paragraphs
recombined, see scale_corpus.py), beside SQLite FTS5 doing the same work in the same run, with the
targets of the archive-scale work printed beside the figures.

    python benchmarks/scale.py --articles 10000 [--queries 360] [--seed 1] [--rounds 1] [--http 5]
                               [--work DIR] [--phases index,fts5,search,http,cold]
    python benchmarks/scale.py --articles 10000,100000      (the growth table: every phase at each size)

The corpus (JSONL), the index and the FTS5 twin are kept in --work (default: a folder under the
system's temporary folder) and reused by the next run with the same size and seed; an index is
reused only when its indexing run completed (its figures are kept beside it). Phases: ``index``
runs `news-search index` on the corpus (time, articles/s, peak memory of the process tree, size on
disk); ``fts5`` builds the twin; ``search`` runs every query through SearchIndex.search, as the page
does (snippets, all facets, the chart), and the twin's equivalent, side by side; ``http`` sends a
sample of them to `news-search serve` over loopback and reads the workers' memory; ``cold`` times
the first search in fresh processes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlencode

import scale_fts5
from common import ROOT, machine, tree_memory, wait_watching_memory
from load import get, stop_server
from scale_corpus import load_pool, write_corpus
from scale_queries import CLASSES, Query, Vocabulary, draw_queries
from scale_report import COLD_RUNS, MB, ColdStart, Figures, Indexing, Timed, growth, report

from search.index import SearchIndex
from search.query import SearchError, SearchRequest

PHASES = ("index", "fts5", "search", "http", "cold")
TIME_LIMIT = 3600.0
"""The search time limit while measuring: a slow search is measured, not stopped."""
COLD = """
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from search.index import SearchIndex
from search.query import SearchRequest
imported = time.perf_counter()
index = SearchIndex(Path(sys.argv[1]), time_limit=3600)
index.search(SearchRequest(q=sys.argv[2]))
first = time.perf_counter()
index.search(SearchRequest(q=sys.argv[2]))
second = time.perf_counter()
rss = next(int(line.split()[1]) * 1024 for line in open("/proc/self/status") if line.startswith("VmRSS:"))
print(json.dumps({"imports": imported - started, "first": first - imported, "second": second - first, "rss": rss}))
"""


def index_corpus(corpus: Path, root: Path, figures_path: Path) -> Indexing:
    """Runs `news-search index` on the corpus into a new index, following its process tree's memory."""
    shutil.rmtree(root, ignore_errors=True)
    log_path, measured = root.with_name(root.name + ".log"), machine()
    started = time.perf_counter()
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "search", "index", str(corpus), "--index", str(root)],
                                   cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        peaks = wait_watching_memory(process, 0.5)
    seconds = time.perf_counter() - started
    output = log_path.read_text()
    if process.returncode != 0:
        sys.exit(f"news-search index failed (exit {process.returncode}):\n{output[-3000:]}")
    articles = SearchIndex(root).count()
    figures = Indexing(seconds, articles, articles / seconds, peaks.rss, peaks.largest, peaks.pss, folder_size(root),
                       f"{measured} at the start, {' '.join(f'{v:.2f}' for v in os.getloadavg())} at the end",
                       next((line for line in output.splitlines() if line.startswith("Indexed")), ""))
    figures_path.write_text(json.dumps(asdict(figures)))
    return figures


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def entities_note(index: SearchIndex, vocabulary: Vocabulary) -> str:
    """Whether the index holds the records' entity lists, or names the NER model found instead."""
    facets = index.search(SearchRequest()).facets["people"]
    indexed = [f.value for f in facets[:5]]
    given = [name for name, _ in Counter(vocabulary.names["people"]).most_common(5)]
    how = ("as the records give them" if indexed and set(indexed[:3]) <= set(vocabulary.names["people"])
           else "found by the NER model (the records' lists were not used)")
    return f"entities in the index: {how}; top people indexed: {', '.join(indexed)}; in the records: {', '.join(given)}"


def run_searches(root: Path, twin_path: Path | None, queries: list[Query], half_word: str, rounds: int,
                 figures: Figures, vocabulary: Vocabulary) -> None:
    """Every query through SearchIndex.search and through the twin, side by side (rounds: medians)."""
    index = SearchIndex(root, time_limit=TIME_LIMIT)
    started = time.perf_counter()
    index.search(SearchRequest(q=queries[0].q))
    print(f"First search in this process (the index just written, files in the page cache): "
          f"{1000 * (time.perf_counter() - started):,.0f} ms")
    figures.entities = entities_note(index, vocabulary)
    twin = scale_fts5.Twin(twin_path) if twin_path else None
    for query in [*queries, Query("half", (half_word,))]:
        ours, theirs, total, their_total = [], [], 0, None
        try:
            for _ in range(rounds):
                started = time.perf_counter()
                total = index.search(query.request()).total
                ours.append(1000 * (time.perf_counter() - started))
                if twin:
                    started = time.perf_counter()
                    their_total = twin.search(query)
                    theirs.append(1000 * (time.perf_counter() - started))
        except SearchError as error:
            figures.errors.append(f"{query.kind}: {query.describe()}: {error.message}")
            continue
        timed = Timed(query, statistics.median(ours), total, statistics.median(theirs) if theirs else None,
                      their_total)
        if query.kind == "half":
            figures.half = timed
        else:
            figures.timed.append(timed)
    if twin:
        twin.close()


def start_server(root: Path, log_path: Path) -> tuple[subprocess.Popen, int, float]:
    """`news-search serve` with two workers; returns it, its port and the seconds until both were ready."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "search", "serve", "--index", str(root), "--port", str(port), "--workers", "2"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "NEWS_SEARCH_SEARCH_TIME_LIMIT": str(TIME_LIMIT)})
    while log_path.read_text().count(" ready: ") < 2:
        if process.poll() is not None or time.monotonic() > started + 1800:
            process.kill()
            sys.exit(f"news-search serve did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.1)
    return process, port, time.monotonic() - started


def run_http(root: Path, queries: list[Query], per_class: int, figures: Figures, work: Path) -> None:
    """A sample of each class sent to the real server, each just after the same search in this
    process (so that both meet the same load); then the workers' memory."""
    process, port, figures.ready = start_server(root, work / "serve.log")
    index = SearchIndex(root, time_limit=TIME_LIMIT)
    index.search(SearchRequest())
    try:
        by_query = {id(t.query): t for t in figures.timed}
        for kind in CLASSES:
            for query in [q for q in queries if q.kind == kind][:per_class]:
                started = time.perf_counter()
                index.search(query.request())
                beside = 1000 * (time.perf_counter() - started)
                started = time.perf_counter()
                status, body = get(port, "/api/search?" + urlencode(query.request().to_params()), TIME_LIMIT)
                elapsed = 1000 * (time.perf_counter() - started)
                if status != 200:
                    figures.errors.append(f"HTTP {status} for {query.describe()}: {body[:200]!r}")
                    continue
                timed = by_query.get(id(query))
                if timed is None:
                    timed = Timed(query, float("nan"), json.loads(body)["total"])
                    figures.timed.append(timed)
                timed.http, timed.beside_http = elapsed, beside
        sizes = tree_memory(process.pid)
        figures.worker_rss = max((size.rss for size in sizes[1:]), default=None)
    finally:
        stop_server(process)


def run_cold(root: Path, word: str, figures: Figures) -> None:
    """The first search of a fresh process (import, open, search), COLD_RUNS times; the median run."""
    runs = []
    for _ in range(COLD_RUNS):
        out = subprocess.run([sys.executable, "-c", COLD, str(root), word], cwd=ROOT, capture_output=True,
                             text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        runs.append(ColdStart(**json.loads(out.stdout)))
    figures.cold = sorted(runs, key=lambda run: run.first)[len(runs) // 2]

def measure(articles: int, args: argparse.Namespace, pool, twin_note: str) -> Figures:
    work, phases = args.work, set(args.phases.split(","))
    stem = f"{articles}-seed{args.seed}"
    started = time.perf_counter()
    corpus = work / f"corpus-{stem}.jsonl"
    fresh = not corpus.exists()
    write_corpus(corpus, articles, args.seed, pool)
    print(f"Corpus: {corpus} ({corpus.stat().st_size / MB:,.0f} MB; "
          f"{'written in ' + format(time.perf_counter() - started, '.0f') + ' s' if fresh else 'reused'})", flush=True)
    vocabulary = Vocabulary.read(corpus)
    per_class = max(1, -(-args.queries // len(CLASSES)))
    queries = draw_queries(vocabulary, per_class, args.seed)
    figures = Figures(articles)
    root, figures_path = work / f"index-{stem}", work / f"index-{stem}.json"
    if "index" in phases and not figures_path.exists():
        print(f"Indexing ({machine()}) …", flush=True)
        figures.indexing = index_corpus(corpus, root, figures_path)
    elif figures_path.exists():
        figures.indexing = Indexing(**json.loads(figures_path.read_text()))
        print(f"Index: {root} reused (written on {figures.indexing.measured})")
    if not figures_path.exists():
        sys.exit(f"No complete index at {root}: run the 'index' phase.")
    twin_path = None
    if "fts5" in phases and scale_fts5.available() is None:
        twin_path = work / f"fts5-{stem}.sqlite"
        if not twin_path.exists():
            started = time.perf_counter()
            scale_fts5.build(corpus, twin_path)
            seconds = time.perf_counter() - started
            print(f"FTS5 twin built in {seconds:.0f} s ({articles / seconds:,.0f} articles/s, "
                  f"{twin_path.stat().st_size / MB:,.0f} MB)", flush=True)
    if "search" in phases:
        print(f"Searching: {len(queries)} queries, {args.rounds} round(s) ({machine()})", flush=True)
        run_searches(root, twin_path, queries, vocabulary.half_of_all(), args.rounds, figures, vocabulary)
    if "http" in phases:
        run_http(root, queries, args.http, figures, work)
    if "cold" in phases:
        run_cold(root, queries[0].q, figures)
    print(f"Done ({machine()})")
    report(figures, twin_note)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", default="10000", help="articles, or several sizes separated by commas")
    parser.add_argument("--queries", type=int, default=360, help=f"queries in all, spread over the {len(CLASSES)} classes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1, help="times each query is run (its median counts)")
    parser.add_argument("--http", type=int, default=5, help="queries of each class also sent over HTTP")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "news-search-scale",
                        help="where the corpus, index and FTS5 twin are kept and reused")
    parser.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated, from {', '.join(PHASES)}")
    args = parser.parse_args()
    unknown = set(args.phases.split(",")) - set(PHASES)
    if unknown:
        parser.error(f"unknown phase(s): {', '.join(sorted(unknown))}")
    args.work.mkdir(parents=True, exist_ok=True)
    pool = load_pool()
    missing = scale_fts5.available()
    twin_note = (f"SQLite {scale_fts5.sqlite3.sqlite_version} FTS5 doing the same work in the same run"
                 if missing is None else f"no FTS5 anchor: {missing}")
    if "fts5" not in args.phases.split(","):
        twin_note = "no FTS5 anchor (phase not run)"
    all_figures = [measure(int(size), args, pool, twin_note) for size in args.articles.split(",")]
    if len(all_figures) > 1:
        growth(all_figures)


if __name__ == "__main__":
    main()
