"""How well copies of one story are recognised, on every Reuters-21578 article with a body.

    python benchmarks/copies.py

Runs the index's copy finder (search.index.copies) over the articles in their order and prints:
how many are folded by the same-lead rule alone and with near-identical texts; the exact share
of five-word runs (Jaccard) of every pair the near-identical rule adds (its precision: a pair
far below 0.9 would be a wrong fold); and, among pairs of articles under the same headline whose
texts share at least 90% of their runs (the copies a reader would call the same), how many are
folded (recall).
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
import time
from collections import Counter, defaultdict

from common import DATA, require

from search.index.copies import CopyFinder, copy_key, fingerprint


def shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.casefold())
    return {tuple(words[i:i + 5]) for i in range(max(1, len(words) - 4))}


def jaccard(a: str, b: str) -> float:
    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y)


def folded(keys: list[str]) -> int:
    return sum(n - 1 for n in Counter(keys).values())


def main() -> None:
    source = require(DATA / "reuters21578" / "reuters21578.jsonl.gz")
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        records = [r for r in map(json.loads, lines) if (r.get("body") or "").strip()]
    texts = [r["body"] for r in records]
    start = time.perf_counter()
    prints = [fingerprint(text) for text in texts]
    finder = CopyFinder()
    keys = [finder.key(str(i), p) for i, p in enumerate(prints)]
    elapsed = time.perf_counter() - start
    leads = [copy_key(text) or str(i) for i, text in enumerate(texts)]
    print(f"{len(texts)} Reuters articles; fingerprints and keys {1000 * elapsed / len(texts):.2f} ms/article")
    print(f"folded by the same lead: {folded(leads)}; with near-identical texts: {folded(keys)}")

    groups = defaultdict(list)
    for i, key in enumerate(keys):
        groups[key].append(i)
    added = sorted(jaccard(texts[i], texts[j]) for members in groups.values()
                   for i, j in itertools.combinations(members, 2) if leads[i] != leads[j])
    if added:
        print(f"pairs joined by near-identical texts: {len(added)}; exact share of runs min {added[0]:.3f}, "
              f"median {added[len(added) // 2]:.3f}; below 0.85: {sum(a < 0.85 for a in added)}")

    by_title = defaultdict(list)
    for i, record in enumerate(records):
        by_title[record["title"].strip().upper()].append(i)
    found = missed = 0
    for members in by_title.values():
        for i, j in itertools.combinations(members, 2):
            if jaccard(texts[i], texts[j]) >= 0.9:
                found += keys[i] == keys[j]
                missed += keys[i] != keys[j]
    print(f"same-headline pairs sharing ≥ 90% of their runs: {found} folded, {missed} missed")


if __name__ == "__main__":
    main()
