"""Indexing on a Dask cluster against the local worker processes, on this machine.

    python benchmarks/distributed.py [--reuters 2000] [--aeb-copies 2] [--repeat 3] [--noop 20000]

Each run indexes into a fresh folder with ``index_paths`` (read, extract, entities, write), as
``news-search index`` does:
- the local path (the anchor): 2 worker processes on this machine;
- a LocalCluster of 1 and of 2 worker processes (one thread each) on loopback, started before the
  clock (a cluster is started once, not per run); each run connects, checks the workers and
  registers the model plugin, as every ``index --scheduler`` run does.
Inputs: Reuters-21578 records (text given: entities and dates) and the Article Extraction Benchmark
pages (HTML: the whole extraction).

The scheduler's cost per document: tiny records that give their entities (next to nothing to do)
through the cluster with 1 worker, less the same records extracted in this process, divided by
their number. With it, and the articles/s a worker reaches, the throughput of N machines is
projected: per document, a worker's time / N + the client's share (reading, writing the index).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
import dask  # noqa: E402 - the Dask package, not this script of the same name
from distributed import Client, LocalCluster  # noqa: E402

sys.path.insert(0, str(HERE))
from common import DATA, require, reuters_subset  # noqa: E402

from search.indexing import index_paths  # noqa: E402
from search.ingest import RawDocument, extract_all  # noqa: E402
from search.ingest.entities import recognizer  # noqa: E402
from search.settings import Settings  # noqa: E402


def aeb_folder(target: Path, copies: int) -> Path:
    """The AEB pages, ``copies`` times each (under other names and URLs), as HTML files."""
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
        return time.perf_counter() - start, report.indexed


def noop_docs(count: int) -> list[RawDocument]:
    return [RawDocument(f"n{n}", "f", title=f"N{n}", text="x", people=()) for n in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuters", type=int, default=2000, help="Reuters records to index")
    parser.add_argument("--aeb-copies", type=int, default=2, help="times each AEB page is indexed")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the median is shown")
    parser.add_argument("--noop", type=int, default=20000, help="tiny records for the per-document cost")
    args = parser.parse_args()
    recognizer(Settings().spacy_model)  # the local path loads it once before forking, in every run

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        sets = {"Reuters records": reuters_subset(args.reuters, scratch / "reuters.jsonl"),
                "AEB pages": aeb_folder(scratch / "aeb", args.aeb_copies)}
        clusters = {}
        with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
            for workers in (1, 2):
                start = time.perf_counter()
                clusters[workers] = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                 dashboard_address=None)
                print(f"LocalCluster of {workers} worker(s) started in {time.perf_counter() - start:.1f} s")
        try:
            runs = {"local, 2 processes (anchor)": dict(workers=2)}
            for workers, cluster in clusters.items():
                runs[f"cluster, {workers} worker(s)"] = dict(scheduler=cluster.scheduler_address)
            print(f"\nIndexing, median of {args.repeat} runs (articles/s; seconds):")
            print(f"| inputs | {' | '.join(runs)} |")
            print("|---|" + "---|" * len(runs))
            for name, inputs in sets.items():
                cells = []
                anchor = None
                for label, options in runs.items():
                    timings = [timed_index(inputs, **options) for _ in range(args.repeat)]
                    seconds, indexed = statistics.median(t for t, _ in timings), timings[0][1]
                    rate = indexed / seconds
                    anchor = anchor or rate
                    cells.append(f"{rate:.1f}/s ({seconds:.1f} s, {rate / anchor:.0%})")
                print(f"| {name} ({indexed}) | {' | '.join(cells)} |")

            docs = noop_docs(args.noop)
            start = time.perf_counter()
            list(extract_all(iter(docs), Settings(workers=1)))
            here = time.perf_counter() - start
            with Client(clusters[1]) as client:
                client.wait_for_workers(1)
            start = time.perf_counter()
            results = list(extract_all(iter(docs), Settings(scheduler=clusters[1].scheduler_address)))
            there = time.perf_counter() - start
            assert len(results) == len(docs)
            print(f"\nScheduler's cost per document ({args.noop} tiny records): in this process "
                  f"{1e6 * here / len(docs):.0f} µs each, on a 1-worker cluster {1e6 * there / len(docs):.0f} µs: "
                  f"{1e3 * (there - here) / len(docs):.3f} ms per document (target ≤ 2 ms)")
        finally:
            for cluster in clusters.values():
                cluster.close()


if __name__ == "__main__":
    main()
