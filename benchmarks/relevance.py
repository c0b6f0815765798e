"""Ranking quality on the TIME test collection (``../shared/data/time``: 423 articles from 1963,
83 queries, relevance judgments), for the product and, in the same run, for plain BM25 (the anchor).

    python benchmarks/relevance.py [--workers 2]

The articles go through the normal path (a JSONL file → ingest → Whoosh index) and each query is
asked through the product's own search function up to 1,000 results deep, in lower case (the
collection was typed in capitals, where the query language would read "AND", "OR" and "NOT" as
operators). The anchor is Okapi BM25 over the same tokens and stems (Whoosh's standard analyzer:
word tokens, lower case, its short stop list, Porter stemming), scoring every document that
shares a term with the query, at the two usual settings.

Metrics are trec_eval's: MAP, nDCG@10 (binary gains) and P@10, averaged over the queries that
have at least one relevant document in ``time_qrels.trec``.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from common import DATA, require
from whoosh.analysis import StemmingAnalyzer

from search.article import article_id
from search.index import SearchIndex
from search.indexing import index_paths
from search.query import MAX_PER_PAGE, SearchRequest
from search.settings import Settings

DEPTH = 1000


def load() -> tuple[list[dict], dict[str, str], dict[str, set[int]]]:
    folder = require(DATA / "time")
    docs = [json.loads(line) for line in (folder / "time_docs.jsonl").read_text(encoding="utf-8").splitlines()]
    queries = dict(line.split("\t", 1) for line in (folder / "time_queries.tsv").read_text().splitlines() if line)
    relevant: dict[str, set[int]] = defaultdict(set)
    for line in (folder / "time_qrels.trec").read_text().splitlines():
        qid, _, docno, grade = line.split()
        if int(grade) > 0:
            relevant[qid].add(int(docno))
    return docs, queries, relevant


def average_precision(ranking: list[int], relevant: set[int]) -> float:
    found, total = 0, 0.0
    for rank, docno in enumerate(ranking, 1):
        if docno in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def ndcg_at_10(ranking: list[int], relevant: set[int]) -> float:
    dcg = sum(1 / math.log2(rank + 1) for rank, docno in enumerate(ranking[:10], 1) if docno in relevant)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(10, len(relevant)) + 1))
    return dcg / ideal


def precision_at_10(ranking: list[int], relevant: set[int]) -> float:
    return sum(docno in relevant for docno in ranking[:10]) / 10


def evaluate(name: str, rank, queries: dict[str, str], relevant: dict[str, set[int]]) -> float:
    judged = [qid for qid in queries if relevant.get(qid)]
    scores = Counter()
    start = time.perf_counter()
    for qid in judged:
        ranking = rank(queries[qid])[:DEPTH]
        scores["map"] += average_precision(ranking, relevant[qid])
        scores["ndcg"] += ndcg_at_10(ranking, relevant[qid])
        scores["p10"] += precision_at_10(ranking, relevant[qid])
    n = len(judged)
    print(f"{name:<28} MAP {scores['map'] / n:.4f}   nDCG@10 {scores['ndcg'] / n:.4f}   P@10 {scores['p10'] / n:.4f}"
          f"   ({n} queries, {1000 * (time.perf_counter() - start) / n:.1f} ms/query)")
    return scores["map"] / n


class BM25:
    """Okapi BM25 with the usual idf, log(1 + (N - df + 0.5) / (df + 0.5))."""

    def __init__(self, documents: dict[int, list[str]], k1: float, b: float):
        self.k1, self.b = k1, b
        self.counts = {docno: Counter(tokens) for docno, tokens in documents.items()}
        self.lengths = {docno: len(tokens) for docno, tokens in documents.items()}
        self.average = sum(self.lengths.values()) / len(self.lengths)
        df = Counter(term for counts in self.counts.values() for term in counts)
        n = len(documents)
        self.idf = {term: math.log(1 + (n - f + 0.5) / (f + 0.5)) for term, f in df.items()}

    def rank(self, tokens: list[str]) -> list[int]:
        scores: Counter[int] = Counter()
        for term in set(tokens):
            if term not in self.idf:
                continue
            for docno, counts in self.counts.items():
                tf = counts.get(term)
                if tf:
                    norm = self.k1 * (1 - self.b + self.b * self.lengths[docno] / self.average)
                    scores[docno] += self.idf[term] * tf * (self.k1 + 1) / (tf + norm)
        return [docno for docno, _ in scores.most_common()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    docs, queries, relevant = load()
    analyzer = StemmingAnalyzer()

    def tokens(text: str) -> list[str]:
        return [token.text for token in analyzer(text)]

    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "time.jsonl"
        with corpus.open("w", encoding="utf-8") as out:
            for doc in docs:
                out.write(json.dumps({"text": doc["text"], "published": doc["date"], "source": "TIME"}) + "\n")
        settings = Settings(index_dir=Path(folder) / "index", workers=args.workers)
        start = time.perf_counter()
        report = index_paths([corpus], settings, rebuild=True)
        print(f"TIME: {report.indexed} articles indexed through the normal path in {time.perf_counter() - start:.1f} s; "
              f"{sum(1 for q in queries if relevant.get(q))} judged queries")
        index = SearchIndex(settings.index_dir)
        docno_of = {article_id(f"{corpus}#L{line}"): doc["docno"] for line, doc in enumerate(docs, 1)}

        def product(query: str) -> list[int]:
            ranking: list[int] = []
            for page in range(1, DEPTH // MAX_PER_PAGE + 1):
                result = index.search(SearchRequest(q=query.lower(), page=page, per_page=MAX_PER_PAGE))
                ranking.extend(docno_of[hit.id] for hit in result.hits)
                if page >= result.pages:
                    break
            return ranking

        anchors = {f"BM25 k1={k1} b={b}": BM25({d["docno"]: tokens(d["text"]) for d in docs}, k1, b)
                   for k1, b in ((0.9, 0.4), (1.2, 0.75))}
        best_anchor = max(evaluate(name, lambda q, m=model: m.rank(tokens(q.lower())), queries, relevant)
                          for name, model in anchors.items())
        ours = evaluate("this product", product, queries, relevant)
        print(f"this product's MAP is {100 * (ours / best_anchor - 1):+.1f}% against the better BM25 "
              f"(target: at least +5%)")


if __name__ == "__main__":
    main()
