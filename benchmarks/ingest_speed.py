"""Ingest speed: extraction alone on the Article Extraction Benchmark pages, and extraction plus
entities through the parallel pipeline on Reuters-21578.

    python benchmarks/ingest_speed.py [--reuters 2000] [--workers 2]
"""

from __future__ import annotations

import argparse
import gzip
import tempfile
import time
from pathlib import Path

import trafilatura
from common import DATA, require, reuters_subset

from search.ingest import RawDocument, extract_all, extract_article, read_documents
from search.ingest import pipeline
from search.ingest.entities import recognizer
from search.settings import Settings


def aeb_pages() -> list[bytes]:
    folder = require(DATA / "aeb" / "html")
    return [gzip.decompress(p.read_bytes()) for p in sorted(folder.glob("*.html.gz"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuters", type=int, default=2000, help="Reuters articles to ingest")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    settings = Settings(workers=args.workers)

    pages = aeb_pages()
    start = time.perf_counter()
    for page in pages:
        trafilatura.bare_extraction(page, favor_precision=True, with_metadata=False)
    seconds = time.perf_counter() - start
    print(f"AEB, trafilatura alone (the anchor), 1 process: {1000 * seconds / len(pages):.1f} ms/page")

    failures = 0
    start = time.perf_counter()
    for page in pages:
        try:
            extract_article(page)
        except Exception:
            failures += 1
    seconds = time.perf_counter() - start
    print(f"AEB, extraction alone, 1 process: {len(pages)} pages, {1000 * seconds / len(pages):.1f} ms/page "
          f"({failures} refused)")

    docs = [RawDocument(f"aeb{i}", "", html=page, url="https://example.org/") for i, page in enumerate(pages)]
    start = time.perf_counter()
    with_entities, pipeline.add_entities = pipeline.add_entities, lambda article, settings: None
    results = list(extract_all(docs * 2, settings))
    pipeline.add_entities = with_entities
    seconds = time.perf_counter() - start
    print(f"AEB, extraction alone, {args.workers} workers: {1000 * seconds / len(results):.1f} ms/page "
          f"= {len(results) / seconds:.1f} pages/s ({len(results)} pages, each page twice)")

    recognizer(settings.spacy_model)
    start = time.perf_counter()
    results = list(extract_all(docs, settings))
    seconds = time.perf_counter() - start
    print(f"AEB, extraction + entities, {args.workers} workers: {len(results) / seconds:.1f} pages/s")

    with tempfile.TemporaryDirectory() as folder:
        subset = reuters_subset(args.reuters, Path(folder) / "reuters.jsonl")
        docs = [d for d in read_documents(subset) if isinstance(d, RawDocument)]
        words = sum(len((d.text or "").split()) for d in docs)
        start = time.perf_counter()
        results = list(extract_all(docs, settings))
        seconds = time.perf_counter() - start
    print(f"Reuters, record + entities, {args.workers} workers: {len(results)} articles "
          f"({words / len(docs):.0f} words each) in {seconds:.1f} s = {len(results) / seconds:.1f} articles/s")


if __name__ == "__main__":
    main()
