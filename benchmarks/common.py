"""Shared helpers for the benchmark scripts: where the evaluation data is, and timing summaries."""

from __future__ import annotations

import gzip
import json
import statistics
import sys
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
    ordered = sorted(milliseconds)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   max {ordered[-1]:7.1f} ms"
