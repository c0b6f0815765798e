"""Rankings of short keyword queries measured on Reuters-21578's topics (benchmarks/topics.py) and
not adopted, so that the figures in RESULTS.md can be checked.

    python benchmarks/topics_alternatives.py [--workers 2]

Every variant ranks the same matches of the product's own index (any of the query's words) and is
scored like topics.py, beside SQLite FTS5 in the same run. Parameters are published defaults or a
small grid printed whole, so that a setting that suits these queries shows as one cell among its
neighbours. Two oracles (which know the judgments) bound what reordering alone could reach.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np
from topics import DEPTH, fts5, indexed, load, measured, topics
from whoosh import query as wq

from search.index.executor import find
from search.index.plan import plan
from search.index.ranking import RobertsonBM25F
from search.query import SearchRequest


class Matched:
    """A query's matches in the product's index: scores and how many of its words each has."""

    def __init__(self, snapshot, q: str):
        with snapshot.reading():
            planned = plan(snapshot, SearchRequest(q=q))
        counted = tuple(clause.query for clause in planned.counted)
        found, _, present = find(snapshot, planned.query, time.monotonic() + 60, counted=counted)
        self.ids, self.scores, self.words = found.ids, found.scores, max(len(present), 1)
        self.counts = sum((np.isin(self.ids, ids) for ids in present), np.zeros(len(self.ids), dtype=int)) \
            if present else np.ones(len(self.ids), dtype=int)
        self.stems = sorted({leaf.text for clause in counted or (planned.query,) for leaf in clause.leaves()
                             if hasattr(leaf, "text") and leaf.field() == "text"})

    def ranked(self, key: np.ndarray, tiers: bool) -> np.ndarray:
        """Documents in order of ``key`` (ascending), those with more of the words first when ``tiers``."""
        keys = (self.ids, key, -self.counts) if tiers else (self.ids, key)
        return self.ids[np.lexsort(keys)]


def feedback(snapshot, matched: Matched, base: np.ndarray, tiers: bool, documents: int, terms: int,
             weight: float) -> np.ndarray:
    """Pseudo-relevance feedback: the key words (Bo1) of the first ``documents`` matches added as a
    weighted query; its scores added to the matches' (no new matches)."""
    top = matched.ranked(base, tiers)[:documents]
    with snapshot.reading():
        found = snapshot.searcher.key_terms(top.tolist(), "text", numterms=terms + len(matched.stems))
    found = [(term, w) for term, w in found if term not in matched.stems][:terms]
    if not found:
        return base
    total = sum(w for _, w in found)
    expansion = wq.Or([wq.Or([wq.Term(field, term, boost=weight * w / total * matched.words)
                              for field in ("title", "text")]) for term, w in found])
    extra, _, _ = find(snapshot, expansion, time.monotonic() + 60)
    added = np.zeros(len(matched.ids))
    _, at, where = np.intersect1d(matched.ids, extra.ids, return_indices=True)
    added[at] = extra.scores[where]
    return base - added


def proximity(snapshot, matched: Matched, q: str, slop: int, weight: float) -> np.ndarray:
    """The score plus ``weight`` × the score of each adjacent pair of words found within ``slop``."""
    stems = [leaf.text for leaf in snapshot.parser.clauses(q).query().leaves() if leaf.field() == "text"]
    pairs = [wq.Phrase(field, [a, b], slop=slop) for a, b in zip(stems, stems[1:]) for field in ("title", "text")]
    if not pairs:
        return -matched.scores
    extra, _, _ = find(snapshot, wq.Or(pairs), time.monotonic() + 60)
    added = np.zeros(len(matched.ids))
    _, at, where = np.intersect1d(matched.ids, extra.ids, return_indices=True)
    added[at] = extra.scores[where]
    return -(matched.scores + weight * added)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    stories = load()
    queries, by_topic = topics(stories)
    with tempfile.TemporaryDirectory() as folder:
        index = indexed(stories, Path(folder), args.workers)
        snapshot = index._current()
        newids = np.zeros(len(snapshot.deleted), dtype=np.int64)
        with snapshot.reading():
            for docnum in np.flatnonzero(~snapshot.deleted).tolist():
                newids[docnum] = int(snapshot.searcher.stored_fields(docnum)["url"].rsplit("/", 1)[1])
        relevant = {q: by_topic[t] for t, q in queries}

        def system(key, tiers: bool):
            def rank(q: str) -> list[int]:
                matched = Matched(snapshot, q)
                return newids[matched.ranked(key(matched, q), tiers)[:DEPTH]].tolist()
            return rank

        def oracle(matched: Matched, q: str) -> np.ndarray:
            return -matched.scores - 1e6 * np.isin(newids[matched.ids], list(relevant[q]))

        def soft(matched: Matched, q: str) -> np.ndarray:
            return -matched.scores * matched.counts / matched.words

        bm25 = lambda matched, q: -matched.scores  # noqa: E731
        measured("SQLite FTS5 (porter, bm25, title ×2, words ORed)", fts5(stories), queries, by_topic)
        measured("all words first, then most, by BM25F (the product)", system(bm25, True), queries, by_topic)
        measured("any word, BM25F alone", system(bm25, False), queries, by_topic)
        measured("BM25F × share of the words matched", system(soft, False), queries, by_topic)
        own_idf = RobertsonBM25F.robertson_idf

        def title_idf(self, parent, fieldname, text):
            known = self._idfs.setdefault(parent, {})
            if (fieldname, text) not in known:
                documents, frequency = parent.doc_count_all(), parent.doc_frequency(fieldname, text)
                known[(fieldname, text)] = math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
            return known[(fieldname, text)]

        RobertsonBM25F.robertson_idf = title_idf
        snapshot.searcher.weighting._idfs.clear()
        measured("all words first, the title's own idf (before)", system(bm25, True), queries, by_topic)
        measured("any word, the title's own idf", system(bm25, False), queries, by_topic)
        RobertsonBM25F.robertson_idf = own_idf
        snapshot.searcher.weighting._idfs.clear()
        for documents, terms, weight in ((5, 10, 1.0), (10, 10, 0.5), (10, 10, 1.0), (10, 30, 1.0), (20, 10, 1.0),
                                         (20, 30, 2.0)):
            for tiers, label in ((True, "all words first"), (False, "share of the words")):
                base = bm25 if tiers else soft
                key = (lambda base, tiers: lambda m, q: feedback(snapshot, m, base(m, q), tiers, documents, terms,
                                                                 weight))(base, tiers)
                measured(f"{label} + feedback ({documents} articles, {terms} words, weight {weight})",
                         system(key, tiers), queries, by_topic)
        for slop, weight in ((1, 0.3), (1, 1.0), (4, 0.3), (10, 0.3)):
            key = (lambda slop, weight: lambda m, q: proximity(snapshot, m, q, slop, weight))(slop, weight)
            measured(f"all words first + adjacent words within {slop} (weight {weight})", system(key, True),
                     queries, by_topic)
        measured("oracle: all words first, the relevant first within each group", system(oracle, True),
                 queries, by_topic)
        measured("oracle: the relevant matches first", system(oracle, False), queries, by_topic)


if __name__ == "__main__":
    main()
