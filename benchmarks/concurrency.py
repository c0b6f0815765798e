"""Concurrent searches on a large index: `news-search serve` (2 workers x 8 threads) over loopback,
CLIENTS clients each sending the next search as soon as the last is answered, for a bounded time.

    python benchmarks/concurrency.py --index DIR --corpus FILE.jsonl [--clients 8] [--seconds 30]

The index and its corpus are those of benchmarks/scale.py (``--work``: ``index-N-seedS`` and
``corpus-N-seedS.jsonl``); the searches are its query classes, drawn from the corpus, all classes in
turn. Each request gets 10 s; one unanswered by then, or answered with an error status, is an error.
Prints requests per second, p50/p95/p99 latency, errors, the workers' CPU time per request and
their memory (private, and pages of the index's files mapped), with the targets.
"""

from __future__ import annotations

import argparse
import itertools
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from common import ROOT, machine, tree_memory
from load import get, stop_server
from scale_queries import Vocabulary, draw_queries

REQUEST_SECONDS = 10.0
TARGET_RATE, TARGET_P99 = 100.0, 500.0


def serve(index: Path, workers: int, threads: int, log_path: Path) -> tuple[subprocess.Popen, int]:
    """`news-search serve` on a free port, once every worker has opened the index."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with open(log_path, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "search", "serve", "--index", str(index), "--port", str(port),
                                    "--workers", str(workers), "--threads", str(threads)],
                                   cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 600
    while log_path.read_text().count(" ready: ") < workers:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            sys.exit(f"news-search serve did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.1)
    return process, port


def load(port: int, paths: list[str], clients: int, seconds: float) -> tuple[list[float], list[str], float]:
    """Each client sends the next path as soon as its last is answered until ``seconds`` have passed;
    the latencies (ms), the errors and the seconds taken."""
    queue, lock = itertools.cycle(paths), threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    started = time.monotonic()

    def client() -> None:
        while time.monotonic() < started + seconds:
            with lock:
                path = next(queue)
            sent = time.monotonic()
            try:
                status, body = get(port, path, REQUEST_SECONDS)
            except OSError as error:
                status, body = None, str(error).encode()
            with lock:
                if status == 200:
                    latencies.append(1000 * (time.monotonic() - sent))
                else:
                    errors.append(f"{status}: {path} {body[:100]!r}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.monotonic() - started


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory(pid: int) -> tuple[int, int]:
    """A process's resident memory and the part of it that is its own (not pages of mapped files)."""
    with open(f"/proc/{pid}/status") as status:
        sizes = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in status if line.startswith(("VmRSS", "RssAnon"))}
    return sizes["VmRSS"], sizes["RssAnon"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--queries", type=int, default=360)
    args = parser.parse_args()
    queries = draw_queries(Vocabulary.read(args.corpus), max(1, args.queries // 9), seed=2)
    by_class = [list(group) for _, group in itertools.groupby(queries, key=lambda q: q.kind)]
    mixed = [q for row in itertools.zip_longest(*by_class) for q in row if q is not None]  # classes in turn
    paths = ["/api/search?" + urlencode(q.request().to_params()) for q in mixed]
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"concurrency-serve-{os.getpid()}.log"
    process, port = serve(args.index, args.workers, args.threads, log_path)
    try:
        load(port, paths[: args.clients * 2], args.clients, 3.0)  # every worker thread has searched once
        print(f"Serving {args.index} ({args.workers} workers x {args.threads} threads); {args.clients} clients for "
              f"{args.seconds:.0f} s; {len(paths)} searches of every class in turn ({machine()})", flush=True)
        pids = [size.pid for size in tree_memory(process.pid)[1:]]
        cpu_before = sum(cpu_seconds(pid) for pid in pids)
        latencies, errors, seconds = load(port, paths, args.clients, args.seconds)
        cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
        workers = [memory(pid) for pid in pids]
    finally:
        stop_server(process)
    latencies.sort()

    def at(share: float) -> float:
        return latencies[min(len(latencies) - 1, int(share * len(latencies)))] if latencies else float("nan")

    rate = len(latencies) / seconds
    print(f"{len(latencies)} answered in {seconds:.1f} s: {rate:.1f} requests/s (target >= {TARGET_RATE:.0f}); "
          f"p50 {statistics.median(latencies) if latencies else float('nan'):.0f} ms, p95 {at(0.95):.0f} ms, "
          f"p99 {at(0.99):.0f} ms (target <= {TARGET_P99:.0f}); {len(errors)} errors (target 0)")
    per_request = 1000 * cpu / max(1, len(latencies) + len(errors))
    print(f"The workers' CPU: {per_request:.1f} ms per request ({cpu:.1f} s in all; two idle cores would serve at "
          f"most {2000 / per_request:.0f} requests/s)")
    print("Worker memory: " + "; ".join(f"RSS {rss / 2**20:.0f} MB ({anon / 2**20:.0f} MB private, "
                                         f"{(rss - anon) / 2**20:.0f} MB of the index's mapped files)"
                                         for rss, anon in workers)
          + f"; load average at the end {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for error in errors[:5]:
        print("  error:", error)
    log_path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
