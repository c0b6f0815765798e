"""Article text quality: shingle F1 on the Article Extraction Benchmark (181 real pages), for the
product's extraction and, in the same run, for trafilatura alone (the anchor).

    python benchmarks/body_text.py

The metric is the benchmark's own (see ../shared/data/README.md): tokens are ``\\w+`` matches, case
kept; shingles are runs of 4 tokens counted as multisets; each page's counts are normalised so that
tp + fp + fn = 1; precision and recall are averaged over pages, and F1 is computed from the averages.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter

import trafilatura
from common import DATA, require

from search.ingest import extract_article
from search.ingest.errors import UnreadableDocument

_TOKEN = re.compile(r"\w+")


def shingles(text: str, size: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + size]) for i in range(max(0, len(tokens) - size + 1)))


def page_counts(predicted: str, expected: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingles, normalised so that they add up to 1 (or all 0 for two empty texts)."""
    pred, true = shingles(predicted), shingles(expected)
    tp = sum((pred & true).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def f1_score(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """(precision, recall, F1) as the benchmark defines them."""
    precisions = [1.0 if fp == fn == 0 else tp / (tp + fp) for tp, fp, fn in counts if tp + fp > 0 or fp == fn == 0]
    recalls = [1.0 if fp == fn == 0 else tp / (tp + fn) for tp, fp, fn in counts if tp + fn > 0 or fp == fn == 0]
    precision = sum(precisions) / len(precisions)
    recall = sum(recalls) / len(recalls)
    return precision, recall, 2 * precision * recall / (precision + recall)


def pages() -> list[tuple[str, bytes, str, str]]:
    """(id, page bytes, url, expected body) for every benchmark page."""
    folder = require(DATA / "aeb")
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return [(key, gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()), value.get("url"),
             value.get("articleBody") or "") for key, value in sorted(truth.items())]


def ours(page: bytes, url: str) -> str:
    try:
        article = extract_article(page, url)
    except UnreadableDocument:
        return ""
    return f"{article.text}"


def trafilatura_alone(page: bytes, url: str) -> str:
    document = trafilatura.bare_extraction(page.decode("utf-8", errors="replace"), url=url,
                                           favor_precision=True, with_metadata=True)
    return (document.as_dict().get("text") if document is not None else "") or ""


def evaluate(name: str, extract, data) -> None:
    counts, empty = [], 0
    start = time.perf_counter()
    for _, page, url, expected in data:
        text = extract(page, url)
        empty += not text.strip()
        counts.append(page_counts(text, expected))
    seconds = time.perf_counter() - start
    precision, recall, f1 = f1_score(counts)
    print(f"{name:<20} F1 {f1:.3f}   precision {precision:.3f}   recall {recall:.3f}   "
          f"empty {empty}/{len(data)}   {1000 * seconds / len(data):.1f} ms/page")


def main() -> None:
    data = pages()
    print(f"Article Extraction Benchmark: {len(data)} pages")
    evaluate("trafilatura alone", trafilatura_alone, data)
    evaluate("this product", ours, data)


if __name__ == "__main__":
    main()
