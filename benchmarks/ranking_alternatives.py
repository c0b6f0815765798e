"""Ranking functions and query treatments that were measured on the TIME test collection and not
adopted, so that the figures in RESULTS.md can be checked.

    python benchmarks/ranking_alternatives.py

Everything here runs over the same tokens as the anchor in ``relevance.py`` (Whoosh's
standard analyzer: word tokens, lower case, Porter stems) and over the product's description
terms (the query's words less spaCy's and Whoosh's stop words). Parameters are the published
defaults of each method, or a small grid printed in full, so that a setting that happens to suit
these 78 queries is visible as such rather than picked. It also counts the judged articles that
share no content word with their query, which no word-matching ranker can find.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from relevance import average_precision, load  # also puts the project on the path
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemmingAnalyzer, StopFilter

from search.index.ranking import QUESTION_STOP_WORDS

Scores = Counter
STEMMED = StemmingAnalyzer()
UNSTEMMED = RegexTokenizer() | LowercaseFilter() | StopFilter()


class Collection:
    """Term statistics and postings of a set of token lists (articles or passages)."""

    def __init__(self, documents: dict, owner: Callable | None = None):
        self.owner = owner
        self.lengths = {key: len(tokens) for key, tokens in documents.items()}
        self.postings: dict[str, dict] = defaultdict(dict)
        for key, tokens in documents.items():
            for term, tf in Counter(tokens).items():
                self.postings[term][key] = tf
        self.n = len(documents)
        self.total = sum(self.lengths.values())
        self.average = self.total / self.n
        self.df = {term: len(posting) for term, posting in self.postings.items()}
        self.cf = {term: sum(posting.values()) for term, posting in self.postings.items()}

    def idf(self, term: str) -> float:
        return math.log(1 + (self.n - self.df[term] + 0.5) / (self.df[term] + 0.5))

    def score(self, weights: dict[str, float], term_score: Callable) -> Scores:
        """Σ weight × term_score over the query's terms, for every key holding one; keys that are
        passages are folded into their article by the best passage."""
        scores: Scores = Counter()
        for term, weight in weights.items():
            for key, tf in self.postings.get(term, {}).items():
                scores[key] += weight * term_score(self, term, tf, self.lengths[key])
        if self.owner is None:
            return scores
        best: Scores = Counter()
        for key, value in scores.items():
            article = self.owner(key)
            best[article] = max(best[article], value)
        return best


def bm25(k1: float = 1.2, b: float = 0.75) -> Callable:
    def term_score(c: Collection, term: str, tf: int, length: int) -> float:
        return c.idf(term) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / c.average))
    return term_score


def dph(c: Collection, term: str, tf: int, length: int) -> float:
    """DFR DPH (Amati 2006), free of parameters."""
    f = tf / length
    if f >= 1:
        return 0.0
    norm = (1 - f) ** 2 / (tf + 1)
    return norm * (tf * math.log2(tf * c.average / length * c.n / c.cf[term]) + 0.5 * math.log2(2 * math.pi * tf * (1 - f)))


def dlh13(c: Collection, term: str, tf: int, length: int) -> float:
    """DFR DLH13 (Macdonald and Ounis), free of parameters."""
    f = tf / length
    if f >= 1:
        return 0.0
    return (tf * math.log2(tf * c.average / length * c.n / c.cf[term]) + 0.5 * math.log2(2 * math.pi * tf * (1 - f))) / (tf + 0.5)


def f2exp(s: float = 0.5, k: float = 0.35) -> Callable:
    """Axiomatic F2EXP (Fang and Zhai 2005) at its published defaults."""
    def term_score(c: Collection, term: str, tf: int, length: int) -> float:
        return ((c.n + 1) / c.df[term]) ** k * tf / (tf + s + s * length / c.average)
    return term_score


def dirichlet(c: Collection, weights: dict[str, float], mu: float) -> Scores:
    """Query likelihood with Dirichlet smoothing (rank-equivalent form, every article that holds a
    query term)."""
    terms = [t for t in weights if t in c.df]
    candidates = {key for t in terms for key in c.postings[t]}
    return Counter({key: sum(math.log(1 + c.postings[t].get(key, 0) / (mu * c.cf[t] / c.total)) for t in terms)
                    + len(terms) * math.log(mu / (c.lengths[key] + mu)) for key in candidates})


def rm3(c: Collection, weights: dict[str, float], docs: int = 10, terms: int = 10, original: float = 0.5) -> dict[str, float]:
    """RM3 pseudo-relevance feedback (Anserini's defaults: 10 articles, 10 terms, original query 0.5)."""
    first = c.score(weights, bm25()).most_common(docs)
    if not first:
        return weights
    top = first[0][1]
    model: Scores = Counter()
    for key, value in first:
        for term, posting in ((t, p) for t, p in c.postings.items() if key in p):
            model[term] += math.exp(value - top) * posting[key] / c.lengths[key]
    for term in [t for t in model if t in QUESTION_STOP_WORDS or t.isdigit()]:
        del model[term]
    chosen = model.most_common(terms)
    mass = sum(v for _, v in chosen)
    expanded: dict[str, float] = {t: original / len(weights) for t in weights}
    for term, value in chosen:
        expanded[term] = expanded.get(term, 0) + (1 - original) * value / mass
    return expanded


def passages(documents: dict, width: int) -> dict:
    """Windows of ``width`` tokens, overlapping by half."""
    step = width // 2
    return {(key, start): tokens[start:start + width]
            for key, tokens in documents.items() for start in range(0, max(1, len(tokens) - step), step)}


def content_words(query: str) -> list[str]:
    return [w for w in re.findall(r"\w+(?:[.'’]\w+)*", query.lower()) if w not in QUESTION_STOP_WORDS]


def terms_of(words: Iterable[str], analyzer) -> dict[str, float]:
    return dict.fromkeys((token.text for word in words for token in analyzer(word)), 1.0)


def combine(*weighted: tuple[float, Scores]) -> Scores:
    total: Scores = Counter()
    for weight, scores in weighted:
        for key, value in scores.items():
            total[key] += weight * value
    return total


def main() -> None:
    docs, queries, relevant = load()
    judged = [q for q in queries if relevant.get(q)]
    stemmed = {d["docno"]: [t.text for t in STEMMED(d["text"])] for d in docs}
    articles = Collection(stemmed)
    unstemmed = Collection({d["docno"]: [t.text for t in UNSTEMMED(d["text"])] for d in docs})
    query_terms = {q: terms_of(content_words(queries[q]), STEMMED) for q in judged}
    anchor_terms = {q: dict.fromkeys((t.text for t in STEMMED(queries[q].lower())), 1.0) for q in judged}

    unreachable = [(q, d) for q in judged for d in relevant[q] if not any(d in articles.postings.get(t, {}) for t in query_terms[q])]
    print(f"TIME: {len(docs)} articles, {len(judged)} judged queries, {sum(len(relevant[q]) for q in judged)} judged articles; "
          f"{len(unreachable)} of them share no content word with their query "
          f"(queries {', '.join(sorted({q for q, _ in unreachable}, key=int))})")

    anchor = None

    def report(name: str, rank: Callable[[str], Scores]) -> None:
        nonlocal anchor
        value = sum(average_precision([d for d, _ in rank(q).most_common(1000)], relevant[q]) for q in judged) / len(judged)
        anchor = anchor or value
        print(f"{name:<58} MAP {value:.4f}  ({100 * (value / anchor - 1):+.1f}%)")

    report("anchor: BM25 k1=1.2 b=0.75, Whoosh stop words", lambda q: articles.score(anchor_terms[q], bm25()))
    report("description terms (the product's reading), BM25", lambda q: articles.score(query_terms[q], bm25()))
    report("DPH", lambda q: articles.score(query_terms[q], dph))
    report("DLH13", lambda q: articles.score(query_terms[q], dlh13))
    report("F2EXP s=0.5 k=0.35", lambda q: articles.score(query_terms[q], f2exp()))
    for mu in (300, 1000, 2000):
        report(f"query likelihood, Dirichlet mu={mu}", lambda q, mu=mu: dirichlet(articles, query_terms[q], mu))
    for weight in (0.2, 0.5, 1.0):
        report(f"BM25 stems + {weight} × BM25 unstemmed words", lambda q, w=weight: combine(
            (1, articles.score(query_terms[q], bm25())),
            (w, unstemmed.score(terms_of(content_words(queries[q]), UNSTEMMED), bm25()))))
    for docs_, terms, original in ((10, 10, 0.5), (10, 10, 0.7), (5, 10, 0.7), (10, 20, 0.8)):
        report(f"RM3 {docs_} articles, {terms} terms, original {original}",
               lambda q, a=(docs_, terms, original): articles.score(rm3(articles, query_terms[q], *a), bm25()))
    for width in (100, 150, 200, 300):
        windows = Collection(passages(stemmed, width), owner=lambda key: key[0])
        for weight in (0.25, 0.5, 1.0):
            report(f"BM25 + {weight} × best {width}-word passage", lambda q, w=weight, p=windows: combine(
                (1, articles.score(query_terms[q], bm25())), (w, p.score(query_terms[q], bm25()))))


if __name__ == "__main__":
    main()
