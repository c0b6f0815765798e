"""Indexing on a Dask cluster against the local worker processes, on this machine.

    python benchmarks/distributed.py [--reuters 2000] [--aeb-copies 2] [--repeat 3] [--noop 20000]
                                     [--batch 16[,32...]] [--sets reuters,aeb]

Each run indexes into a fresh folder with ``index_paths`` (read, extract, entities, write), as
``news-search index`` does:
- the local path (the anchor): 2 worker processes on this machine;
- a scheduler and 1 or 2 worker processes (``dask worker --nthreads 1``) started as processes on
  loopback before the clock, with the model loaded in each (once in a worker's life, not per run);
  each run connects, checks the workers and registers the model plugin, as every
  ``index --scheduler`` run does.
Inputs: Reuters-21578 records (text given: entities and dates) and the Article Extraction Benchmark
pages (HTML: the whole extraction).

The scheduler's cost per document: tiny records that give their entities (next to nothing to do)
through the cluster with 1 worker, less the same records extracted in this process, divided by
their number. With it, and the articles/s a worker reaches, the throughput of N machines is
projected: per document, a worker's time / N + the client's share (reading, writing the index).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
from distributed import Client  # noqa: E402 - the Dask package, not this script of the same name

sys.path.insert(0, str(HERE))
from common import DATA, ROOT, require, reuters_subset  # noqa: E402

from search.index import IndexStore, PreparedArticle, prepare, rebuild_index  # noqa: E402
from search.indexing import index_paths  # noqa: E402
from search.ingest import RawDocument, cluster, extract_all, read_documents  # noqa: E402
from search.ingest.entities import recognizer  # noqa: E402
from search.settings import Settings  # noqa: E402


def aeb_folder(target: Path, copies: int) -> Path:
    """The AEB pages, ``copies`` times each (under other names; a copy with its page's URL is
    extracted all the same, then kept once), as HTML files."""
    pages = sorted(require(DATA / "aeb" / "html").glob("*.html.gz"))
    target.mkdir()
    for copy in range(copies):
        for page in pages:
            (target / f"{copy}-{page.name}").write_bytes(page.read_bytes())
    return target


def timed_index(inputs: Path, scheduler: str = "", workers: int = 2) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(index_dir=Path(folder) / "index", scheduler=scheduler, workers=workers)
        start = time.perf_counter()
        report = index_paths([inputs], settings, rebuild=True)
        seconds = time.perf_counter() - start
        return seconds, report.indexed + len(report.duplicates) + len(report.failures)  # every document read


def noop_docs(count: int) -> list[RawDocument]:
    return [RawDocument(f"n{n}", "f", title=f"N{n}", text="x", people=()) for n in range(count)]


@contextmanager
def started_cluster(workers: int, folder: Path) -> Iterator[str]:
    """``dask scheduler`` and ``dask worker --nworkers N --nthreads 1`` as processes, as on a real
    cluster (the scheduler out of the indexing process); the scheduler's address."""
    address_file = folder / f"scheduler-{workers}.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"}
    run = [sys.executable, "-m", "dask"]
    processes = [subprocess.Popen([*run, "scheduler", "--port", "0", "--no-dashboard", "--scheduler-file",
                                   str(address_file)], env=env, stderr=subprocess.DEVNULL)]
    try:
        while not address_file.exists():
            time.sleep(0.1)
        address = json.loads(address_file.read_text())["address"]
        processes.append(subprocess.Popen([*run, "worker", address, "--nworkers", str(workers), "--nthreads", "1",
                                           "--no-dashboard"], env=env, stderr=subprocess.DEVNULL))
        with Client(address) as client:
            client.wait_for_workers(workers)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuters", type=int, default=2000, help="Reuters records to index")
    parser.add_argument("--aeb-copies", type=int, default=2, help="times each AEB page is indexed")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of runs; the median is shown")
    parser.add_argument("--noop", type=int, default=20000, help="tiny records for the per-document cost")
    parser.add_argument("--batch", default=str(cluster.BATCH_SIZE),
                        help="documents per task on the cluster; several (16,32) compare them on 2 workers")
    parser.add_argument("--sets", default="reuters,aeb", help="which inputs: reuters, aeb or both")
    args = parser.parse_args()
    batch_sizes = [int(size) for size in args.batch.split(",")]
    recognizer(Settings().spacy_model)  # the local path loads it once before forking, in every run

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        sets = {}
        if "reuters" in args.sets:
            sets["Reuters records"] = reuters_subset(args.reuters, scratch / "reuters.jsonl")
        if "aeb" in args.sets:
            sets["AEB pages"] = aeb_folder(scratch / "aeb", args.aeb_copies)
        configurations = {"local, 2 processes (anchor)": (0, 0), "cluster, 1 worker": (1, batch_sizes[0])}
        for size in batch_sizes:
            configurations["cluster, 2 workers" + (f", batches of {size}" if len(batch_sizes) > 1 else "")] = (2, size)
        timings: dict[tuple[str, str], list[tuple[float, int]]] = {}
        noop = None
        for round_ in range(args.repeat):  # a round runs each configuration once: drift reaches them alike
            for label, (workers, size) in configurations.items():
                with ExitStack() as stack:  # a cluster is up only for its own runs
                    options = dict(workers=2)
                    if workers:
                        cluster.BATCH_SIZE = size
                        start = time.perf_counter()
                        options = dict(scheduler=stack.enter_context(started_cluster(workers, scratch)))
                        list(extract_all(iter(noop_docs(1)), Settings(**options)))  # each worker loads the model
                        if round_ == 0:
                            print(f"Scheduler and {workers} worker process(es) started, the model loaded in each, "
                                  f"in {time.perf_counter() - start:.1f} s (once per worker, not per run)")
                    for name, inputs in sets.items():
                        timings.setdefault((name, label), []).append(timed_index(inputs, **options))
                    if workers == 1 and noop is None:
                        noop = scheduler_cost(args.noop, options["scheduler"])

        print(f"\nIndexing, median of {args.repeat} rounds: documents/s (seconds; share of the anchor's rate)")
        print(f"| inputs | {' | '.join(configurations)} |")
        print("|---|" + "---|" * len(configurations))
        for name in sets:
            cells, anchor = [], None
            for label in configurations:
                seconds = statistics.median(t for t, _ in timings[name, label])
                documents = timings[name, label][0][1]
                rate = documents / seconds
                anchor = anchor or rate
                cells.append(f"{rate:.1f}/s ({seconds:.1f} s, {rate / anchor:.0%})")
            print(f"| {name} ({documents}) | {' | '.join(cells)} |")
        for name in sets:
            runs = "; ".join(f"{label}: " + ", ".join(f"{t:.1f}" for t, _ in timings[name, label]) for label in configurations)
            print(f"  {name}, each round's seconds: {runs}")
        if "Reuters records" in sets:
            print(f"\nThe index writer alone (articles extracted beforehand): {writer_rate(sets['Reuters records']):.0f} "
                  "articles/s: the ceiling of any number of workers")
        here, there = noop
        print(f"\nScheduler's cost per document ({args.noop} tiny records): in this process "
              f"{1e6 * here:.0f} µs each, on a 1-worker cluster {1e6 * there:.0f} µs: "
              f"{1e3 * (there - here):.3f} ms per document (target ≤ 2 ms)")


def writer_rate(inputs: Path) -> float:
    """Articles/s of the index writer alone, on articles read and prepared beforehand."""
    docs = (doc for doc in read_documents(inputs) if isinstance(doc, RawDocument))
    prepared = [result for result in extract_all(docs, Settings(workers=2), finish=prepare)
                if isinstance(result, PreparedArticle)]
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        count = rebuild_index(IndexStore(Path(folder) / "index"), prepared)
        return count / (time.perf_counter() - start)


def scheduler_cost(count: int, scheduler: str) -> tuple[float, float]:
    """Seconds per tiny record extracted in this process, and through the cluster."""
    docs = noop_docs(count)
    start = time.perf_counter()
    list(extract_all(iter(docs), Settings(workers=1)))
    here = time.perf_counter() - start
    start = time.perf_counter()
    results = list(extract_all(iter(docs), Settings(scheduler=scheduler)))
    there = time.perf_counter() - start
    assert len(results) == len(docs)
    return here / count, there / count

if __name__ == "__main__":
    main()
