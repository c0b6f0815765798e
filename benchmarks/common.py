"""Shared helpers for the benchmark scripts: where the evaluation data is, timing summaries, the
memory of a process tree and the state of the machine."""

from __future__ import annotations

import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))


def require(path: Path) -> Path:
    """The data path, or exit with a clear message when the evaluation data is absent."""
    if not path.exists():
        sys.exit(f"Evaluation data not found: {path.relative_to(ROOT.parent)} "
                 "(expected ../shared/data beside the project). Nothing was measured.")
    return path


def reuters_subset(limit: int, target: Path) -> Path:
    """The first ``limit`` Reuters-21578 records with text, as a JSONL file for the normal ingest path."""
    source = require(DATA / "reuters21578" / "reuters21578.jsonl.gz")
    written = 0
    with gzip.open(source, "rt", encoding="utf-8") as lines, open(target, "w", encoding="utf-8") as out:
        for line in lines:
            record = json.loads(line)
            if not (record.get("body") or "").strip():
                continue
            out.write(json.dumps({"source": "Reuters", "title": record["title"].title(),
                                  "text": record["body"], "published": record["date"]}) + "\n")
            written += 1
            if written == limit:
                break
    return target


def summary(milliseconds: list[float]) -> str:
    return (f"p50 {statistics.median(milliseconds):7.1f} ms   p95 {percentile(milliseconds, 0.95):7.1f} ms   "
            f"max {max(milliseconds):7.1f} ms")


def best_of(rounds: int, run) -> float:
    """The fastest of ``rounds`` runs of ``run()``, in seconds (the others paid for a busy machine)."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of the values lie (nearest rank, as ``summary`` reports p95)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


@dataclass(frozen=True)
class ProcessMemory:
    """A process's resident memory (RSS, counting pages it shares with its parent or children in
    full) and proportional memory (PSS, splitting them), in bytes."""

    pid: int
    rss: int
    pss: int


def tree_memory(root: int) -> list[ProcessMemory]:
    """The memory of a process and each of its descendants, from /proc (Linux); the root first."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry))
    sizes, todo = [], [root]
    while todo:
        pid = todo.pop(0)
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                fields = dict(line.split()[:2] for line in rollup if line.split()[0] in ("Rss:", "Pss:"))
            sizes.append(ProcessMemory(pid, int(fields["Rss:"]) * 1024, int(fields["Pss:"]) * 1024))
        except (OSError, KeyError):
            continue
    return sizes


@dataclass
class PeakMemory:
    """The peaks over a run of its process tree's RSS summed, of its largest process's RSS and of
    its PSS summed, in bytes."""

    rss: int = 0
    largest: int = 0
    pss: int = 0


def wait_watching_memory(process, interval: float) -> PeakMemory:
    """Waits for ``process`` (a subprocess.Popen) to end, reading its tree's memory every ``interval`` seconds."""
    peaks = PeakMemory()
    while process.poll() is None:
        sizes = tree_memory(process.pid)
        if sizes:
            peaks.rss = max(peaks.rss, sum(size.rss for size in sizes))
            peaks.largest = max(peaks.largest, max(size.rss for size in sizes))
            peaks.pss = max(peaks.pss, sum(size.pss for size in sizes))
        time.sleep(interval)
    return peaks


def machine() -> str:
    """The commit measured (marked when the tree differs from it), the CPUs and the load average."""
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)

    commit = git("rev-parse", "--short", "HEAD").stdout.strip() or "unknown"
    changed = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"commit {commit}{' with local changes' if changed else ''}, {os.cpu_count()} CPUs, load average {load}"
