"""Load on a real `news-search serve` over loopback: 8 clients searching at once, then the same while
10 clients hold connections half-open, while 10 clients read an export of every article very slowly,
and while `news-search reindex` rebuilds the index. Each configuration of the server is measured in
the same run; the anchor is the one `serve` used before: 2 sync workers, timeout 60 s.

    python benchmarks/load.py [--articles 2000] [--requests 1000] [--slow 10] [--configs sync,serve]

The index is a slice of Reuters-21578 (../shared/data), or the bundled corpus/ when that is absent.
Every phase is bounded: at most --requests requests (the reindex phase: until the rebuild is served,
at most ten times that), none sent after 50 s, and a request unanswered after 10 s is an error, so a
phase lasts 60 s at most. The rebuild reads the same articles without entity recognition, so that on
two cores it ends, and the server switches to it, within the phase (the phase comes last, as the
rebuilt index has no entities).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from common import DATA, ROOT, reuters_subset

CLIENTS = 8
SENDING_SECONDS = 50.0
"""No request of a phase is sent later than this."""
REQUEST_SECONDS = 10.0
"""A request unanswered after this long is an error."""
SEARCHES = [
    {"q": "oil"}, {"q": "coffee prices"}, {"q": '"trade deficit"'}, {"q": "bank", "place": "United States"},
    {"q": "wheat", "from": "1987-03-01", "to": "1987-03-31"}, {}, {"q": "dollar yen", "sort": "newest"},
    {"q": "japan", "page": "2"}, {"q": "interest rates", "sort": "fresh"}, {"q": "opec production"},
    {"q": "what is reported about grain exports in the markets this week"}, {"q": "takeover bid"},
]
ANCHOR = """
import sys
from web import create_app
from web.server import _Gunicorn, _warm_up
app = create_app({"INDEX_DIR": sys.argv[1]})
_Gunicorn(app, {"bind": "127.0.0.1:" + sys.argv[2], "workers": 2, "accesslog": "-", "timeout": 60,
                "graceful_timeout": 10, "control_socket_disable": True, "post_worker_init": _warm_up(app)}).run()
"""
"""The configuration `serve` had before its threaded worker: gunicorn's sync workers."""
GUNICORN_THREADED = ANCHOR.replace('"workers": 2,', '"workers": 2, "worker_class": "gthread", "threads": 8,')
"""gunicorn's own threaded worker, 8 threads, without the guards of web/worker.py (for comparison)."""
GUNICORN_GEVENT = ANCHOR.replace('"workers": 2,', '"workers": 2, "worker_class": "gevent",')
"""gunicorn's gevent worker (for comparison; needs ``pip install gevent``, which the project does not use)."""


CONFIGS = {"sync": "2 sync workers (before)", "gthread": "gunicorn's gthread, 2×8 threads",
           "gevent": "gunicorn's gevent worker, 2 workers",
           "serve": "news-search serve (2 workers; serve-N: N threads each)"}


def server_command(config: str, index_dir: Path, port: int) -> list[str]:
    if config.startswith("serve"):
        threads = ["--threads", config.split("-")[1]] if "-" in config else []
        return [sys.executable, "-m", "search", "serve", "--index", str(index_dir), "--port", str(port), *threads]
    script = {"sync": ANCHOR, "gthread": GUNICORN_THREADED, "gevent": GUNICORN_GEVENT}[config]
    return [sys.executable, "-c", script, str(index_dir), str(port)]


@dataclass
class Phase:
    """What one phase measured."""

    name: str
    seconds: float = 0.0
    times: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    note: str = ""

    def line(self) -> str:
        done = len(self.times) + sum(self.errors.values())
        ordered = sorted(self.times) or [float("nan")]

        def pct(p: float) -> float:
            return 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * p))]

        errors = sum(self.errors.values())
        detail = f" ({', '.join(f'{k} {v}' for k, v in sorted(self.errors.items()))})" if errors else ""
        return (f"  {self.name:26s} {done:5d} requests {errors:4d} errors{detail}  {done / self.seconds:6.1f} req/s  "
                f"p50 {1000 * statistics.median(ordered):7.0f} ms  p95 {pct(0.95):7.0f} ms  p99 {pct(0.99):7.0f} ms  "
                f"max {1000 * ordered[-1]:7.0f} ms  ({self.seconds:.1f} s){self.note}")


def request_paths(port: int) -> list[str]:
    """The mix of requests: searches (JSON and the page), article pages and their JSON."""
    status, body = get(port, "/api/search?per_page=20", 30)
    ids = [hit["id"] for hit in json.loads(body)["results"]]
    paths = []
    for n, params in enumerate(SEARCHES):
        paths.append(("/api/search?" if n % 3 else "/?") + urlencode(params))
        paths.append(f"/articles/{ids[n % len(ids)]}" if n % 2 else f"/api/articles/{ids[n % len(ids)]}")
    return paths


def get(port: int, path: str, timeout: float) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def run_load(port: int, paths: list[str], name: str, count: int, until=None) -> Phase:
    """CLIENTS threads issue ``count`` requests from ``paths`` in turn, each on a new connection, until
    they are done, ``until()`` is True or SENDING_SECONDS have passed."""
    phase, lock = Phase(name), threading.Lock()
    queue = iter(itertools.islice(itertools.cycle(paths), count))
    start = time.monotonic()
    deadline = start + SENDING_SECONDS

    def client() -> None:
        while True:
            with lock:
                path = next(queue, None)
            now = time.monotonic()
            if path is None or now >= deadline or (until is not None and until()):
                return
            try:
                status, _ = get(port, path, REQUEST_SECONDS)
                outcome = None if status == 200 else f"status {status}"
            except TimeoutError:
                outcome = "timed out"
            except OSError as error:
                outcome = type(error).__name__
            with lock:
                if outcome is None:
                    phase.times.append(time.monotonic() - now)
                else:
                    phase.errors[outcome] = phase.errors.get(outcome, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.monotonic() - start
    return phase


class SlowClients:
    """``count`` connections kept open for as long as a phase lasts, each opened again when the
    server drops it: ``half-line`` sends half a request line and nothing more; ``reader`` asks for
    an export of every article and reads 4 KiB of it every second."""

    def __init__(self, port: int, kind: str, count: int):
        self.port, self.kind, self.stop, self.opened = port, kind, threading.Event(), 0
        self.threads = [threading.Thread(target=self._hold) for _ in range(count)]

    def __enter__(self) -> "SlowClients":
        for thread in self.threads:
            thread.start()
        time.sleep(1.0)  # every connection is open before the measured clients start
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _hold(self) -> None:
        while not self.stop.is_set():
            with socket.socket() as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                try:
                    sock.connect(("127.0.0.1", self.port))
                    self.opened += 1
                    if self.kind == "half-line":
                        sock.sendall(b"GET /api/sea")
                    else:
                        sock.sendall(b"GET /api/search.jsonl HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    sock.settimeout(1.0)
                    while not self.stop.is_set():
                        try:
                            if not sock.recv(4096):
                                break  # the server closed it: open another
                        except TimeoutError:
                            continue
                        self.stop.wait(1.0)
                except OSError:
                    self.stop.wait(0.2)


def start_server(config: str, index_dir: Path, log_path: Path) -> tuple[subprocess.Popen, int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(log_path, "w")
    process = subprocess.Popen(server_command(config, index_dir, port), cwd=ROOT, stdout=log,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while log_path.read_text().count(" ready: ") < 2:  # both workers have opened the index
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            sys.exit(f"The server ({config}) did not start:\n{log_path.read_text()}")
        time.sleep(0.3)
    return process, port


def stop_server(process: subprocess.Popen) -> float:
    """Seconds a graceful stop (SIGTERM) took."""
    start = time.monotonic()
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return time.monotonic() - start


def measure(config: str, source: Path, index_dir: Path, folder: Path, count: int, slow: int) -> list[Phase]:
    process, port = start_server(config, index_dir, folder / f"{config}.log")
    try:
        paths = request_paths(port)
        phases = [run_load(port, paths, "searches", count)]

        for kind in ("half-line", "reader"):
            with SlowClients(port, kind, slow) as clients:
                phase = run_load(port, paths, f"{slow} slow clients: {kind}", count)
            phase.note = f"  ({clients.opened} slow connections opened)"
            phases.append(phase)

        reindex = subprocess.Popen([sys.executable, "-m", "search", "reindex", str(source), "--index", str(index_dir)],
                                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env={**os.environ, "NEWS_SEARCH_ENTITY_LANGUAGES": ""})
        ended: list[float] = []

        def served_rebuild() -> bool:
            if not ended and reindex.poll() is not None:
                ended.append(time.monotonic())
            return bool(ended) and time.monotonic() > ended[0] + 3.0  # workers look every 2 s

        started = time.monotonic()
        phase = run_load(port, paths, "during reindex", 10 * count, until=served_rebuild)
        reindex.wait(600)
        phase.note = (f"  reindex {'done' if reindex.returncode == 0 else 'FAILED'} in "
                      f"{(ended[0] if ended else time.monotonic()) - started:.0f} s"
                      + ("" if ended else ", NOT within the phase"))
        phases.append(phase)
    finally:
        stopped = stop_server(process)
    print(f"{config}, {CONFIGS[config.split('-')[0]]}: stopped {stopped:.1f} s after SIGTERM", flush=True)
    for phase in phases:
        print(phase.line(), flush=True)
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="Reuters articles to index")
    parser.add_argument("--requests", type=int, default=1000, help="requests in each phase")
    parser.add_argument("--slow", type=int, default=10, help="slow clients in the last two phases")
    parser.add_argument("--configs", default="sync,serve",
                        help=f"comma-separated, in order, from {', '.join(CONFIGS)} (sync is the anchor)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if (DATA / "reuters21578").exists():
            source = reuters_subset(args.articles, folder / "reuters.jsonl")
            print(f"Index: the first {args.articles} Reuters-21578 articles with a body")
        else:
            source = ROOT / "corpus"
            print("Reuters-21578 is absent (../shared/data): the index is the bundled corpus/ (22 articles), "
                  "so searches cost far less than on a real archive")
        index_dir = folder / "index"
        start = time.monotonic()
        subprocess.run([sys.executable, "-m", "search", "index", str(source), "--index", str(index_dir)],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        print(f"Indexed in {time.monotonic() - start:.0f} s. {CLIENTS} clients, {args.requests} requests a phase, "
              f"CPUs: {os.cpu_count()}", flush=True)
        for config in args.configs.split(","):
            measure(config, source, index_dir, folder, args.requests, args.slow)


if __name__ == "__main__":
    main()
