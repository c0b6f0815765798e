"""Short keyword queries on Reuters-21578, judged by its topic tags, beside SQLite FTS5.

    python benchmarks/topics.py [--workers 2]

Every Reuters-21578 story with a text is indexed through the normal path (with its people,
organisations and places tags given as its entities, so that no model runs). Each query below is
one to four words, as a reader would type them for a topic; the articles relevant to it are those
carrying the topic's tag. MAP@100 and P@10 of ``SearchIndex.search`` (copies not folded, so that
each article counts once) are printed beside SQLite FTS5 on the same articles in the same run
(porter stemming, bm25 with the title weighted ×2, the query's words ORed).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sqlite3
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from common import DATA, require

from search.index import SearchIndex
from search.indexing import index_paths
from search.query import MAX_PER_PAGE, SearchRequest
from search.settings import Settings

DEPTH = 100
TARGET_RATIO, TARGET_MAP = 1.05, 0.90
JUDGED = Path(__file__).with_name("topics_judged.jsonl")
"""Stories in the product's first 20 for a query (at commit ecfa8ee) that lack the topic's tag, each
read and judged by hand: on_topic, partly (a clear secondary subject) or off_topic."""
MIN_ARTICLES = 10
QUERIES = [
    ("earn", "quarterly net profit"), ("earn", "earnings per share"), ("earn", "net income"),
    ("acq", "takeover bid"), ("acq", "merger agreement"), ("acq", "company acquisition"),
    ("money-fx", "currency exchange rates"), ("money-fx", "central bank intervention"),
    ("crude", "crude oil prices"), ("crude", "opec output"),
    ("grain", "grain exports"), ("grain", "grain harvest"),
    ("trade", "trade deficit"), ("trade", "trade sanctions tariffs"),
    ("interest", "interest rate cut"), ("interest", "prime rate"),
    ("ship", "shipping port strike"), ("ship", "tanker shipping"),
    ("wheat", "wheat"), ("wheat", "wheat subsidies"),
    ("corn", "corn maize"), ("corn", "corn crop"),
    ("sugar", "sugar prices"), ("coffee", "coffee quotas"), ("gold", "gold mine"),
    ("money-supply", "money supply growth"), ("gnp", "gross national product"),
    ("cpi", "consumer prices inflation"), ("cocoa", "cocoa buffer stock"), ("nat-gas", "natural gas"),
    ("veg-oil", "vegetable oil"), ("soybean", "soybean crop"), ("oilseed", "oilseeds rapeseed"),
    ("bop", "current account deficit"), ("livestock", "cattle hogs"), ("copper", "copper price"),
    ("jobs", "unemployment rate"), ("reserves", "foreign exchange reserves"), ("rubber", "natural rubber"),
    ("iron-steel", "steel output"), ("ipi", "industrial production"), ("alum", "aluminium smelter"),
    ("cotton", "cotton crop"), ("housing", "housing starts"), ("retail", "retail sales"),
    ("dlr", "dollar yen"),
]


def _name(code: str) -> str:
    return code.upper() if len(code) <= 3 else code.replace("-", " ").title()


def load() -> list[dict]:
    """The stories with a text: newid, title, text, date, topics and entity tags."""
    source = require(DATA / "reuters21578" / "reuters21578.jsonl.gz")
    stories = []
    with gzip.open(source, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text = (record.get("body") or "").replace("&#3;", "").strip()
            if text:
                stories.append({"newid": int(record["newid"]), "title": (record.get("title") or "").title(),
                                "text": re.sub(r"\s+Reuter$", "", text), "date": record.get("date"),
                                "topics": record.get("topics") or [],
                                **{kind: [_name(c) for c in record.get(kind) or []] for kind in ("people", "orgs", "places")}})
    return stories


def average_precision(ranking: list[int], relevant: set[int]) -> float:
    found, total = 0, 0.0
    for rank, newid in enumerate(ranking[:DEPTH], 1):
        if newid in relevant:
            found += 1
            total += found / rank
    return total / min(len(relevant), DEPTH) if relevant else 0.0


def precision_at_10(ranking: list[int], relevant: set[int]) -> float:
    return sum(1 for newid in ranking[:10] if newid in relevant) / 10


def fts5(stories: list[dict]):
    """An FTS5 twin of the stories; returns a function from a query to its ranking of newids."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE stories USING fts5(title, body, tokenize='porter')")
    db.executemany("INSERT INTO stories(rowid, title, body) VALUES (?, ?, ?)",
                   [(s["newid"], s["title"], s["text"]) for s in stories])

    def rank(query: str) -> list[int]:
        words = " OR ".join(f'"{w}"' for w in re.findall(r"\w+", query))
        return [row[0] for row in db.execute("SELECT rowid FROM stories WHERE stories MATCH ? "
                                              "ORDER BY bm25(stories, 2.0, 1.0) LIMIT ?", (words, DEPTH))]
    return rank


def topics(stories: list[dict]) -> tuple[list[tuple[str, str]], dict[str, set[int]]]:
    """The queries over topics with at least MIN_ARTICLES stories, and each topic's stories."""
    by_topic: dict[str, set[int]] = defaultdict(set)
    for story in stories:
        for topic in story["topics"]:
            by_topic[topic].add(story["newid"])
    return [(topic, q) for topic, q in QUERIES if len(by_topic[topic]) >= MIN_ARTICLES], by_topic


def indexed(stories: list[dict], folder: Path, workers: int) -> SearchIndex:
    """The stories indexed through the normal path (a JSONL file, entity tags given) in ``folder``."""
    corpus = folder / "reuters.jsonl"
    with corpus.open("w", encoding="utf-8") as out:
        for s in stories:
            out.write(json.dumps({"url": f"https://reuters.example/{s['newid']}", "title": s["title"],
                                  "text": s["text"], "published": s["date"], "source": "Reuters",
                                  "people": s["people"], "orgs": s["orgs"], "places": s["places"]}) + "\n")
    settings = Settings(index_dir=folder / "index", workers=workers)
    start = time.perf_counter()
    report = index_paths([corpus], settings, rebuild=True)
    print(f"Reuters-21578: {report.indexed} articles indexed through the normal path in "
          f"{time.perf_counter() - start:.0f} s")
    return SearchIndex(settings.index_dir)


def newid(hit) -> int:
    return int(hit.url.rsplit("/", 1)[1])


def measured(name: str, rank, queries: list[tuple[str, str]], by_topic: dict[str, set[int]]) -> tuple[float, float, list[float]]:
    """MAP@100, P@10 and each query's average precision of a ranking function, printed."""
    rankings = {q: rank(q) for _, q in queries}
    ap = [average_precision(rankings[q], by_topic[t]) for t, q in queries]
    p10 = [precision_at_10(rankings[q], by_topic[t]) for t, q in queries]
    empty = sum(1 for q in rankings if not rankings[q])
    print(f"{name}: MAP@100 {sum(ap) / len(ap):.4f}, P@10 {sum(p10) / len(p10):.4f}, "
          f"queries with no result {empty} of {len(queries)}")
    return sum(ap) / len(ap), sum(p10) / len(p10), ap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-query", action="store_true", help="also print each query's average precision")
    args = parser.parse_args()
    stories = load()
    queries, by_topic = topics(stories)
    with tempfile.TemporaryDirectory() as folder:
        index = indexed(stories, Path(folder), args.workers)
        print(f"{len(queries)} queries over {len({t for t, _ in queries})} topics with ≥ {MIN_ARTICLES} articles")

        def ours(query: str) -> list[int]:
            result = index.search(SearchRequest(q=query, collapse=False, per_page=MAX_PER_PAGE))
            return [newid(hit) for hit in result.hits if hit.url][:DEPTH]

        ours_map, ours_p10, ours_ap = measured("this product", ours, queries, by_topic)
        anchor_map, anchor_p10, anchor_ap = measured("SQLite FTS5 (porter, bm25, title ×2, words ORed)",
                                                     fts5(stories), queries, by_topic)
        print(f"MAP@100 ratio ×{ours_map / anchor_map:.3f} (target ≥ ×{TARGET_RATIO} and ≥ {TARGET_MAP}): "
              f"{'met' if ours_map >= TARGET_RATIO * anchor_map and ours_map >= TARGET_MAP else 'not met'}; "
              f"P@10 {ours_p10:.4f} against {anchor_p10:.4f}: {'met' if ours_p10 >= anchor_p10 else 'not met'}")
        judged = [json.loads(line) for line in JUDGED.read_text(encoding="utf-8").splitlines()]
        on_topic = {(j["query"], j["newid"]) for j in judged if j["label"] == "on_topic"}
        known = {(j["query"], j["newid"]) for j in judged}
        first = {q: ours(q)[:10] for _, q in queries}
        untagged = [(q, n) for t, q in queries for n in first[q] if n not in by_topic[t]]
        print(f"Tag noise: of the {len(untagged)} untagged stories in the product's first 10s, "
              f"{sum(1 for u in untagged if u in known)} were judged by hand, "
              f"{sum(1 for u in untagged if u in on_topic)} of them about the topic; P@10 counting those as relevant: "
              f"{1 - (len(untagged) - sum(1 for u in untagged if u in on_topic)) / (10 * len(queries)):.4f}")
        if args.per_query:
            for (topic, q), a, b in zip(queries, ours_ap, anchor_ap):
                print(f"  {topic:12} {q:28} AP {a:.3f}  FTS5 {b:.3f}  ({len(by_topic[topic])} relevant)")


if __name__ == "__main__":
    main()
