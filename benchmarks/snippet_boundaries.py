"""Where snippets cut the text: how often a snippet's passages start and end at a sentence or clause
boundary, at a word boundary inside a clause, or inside a word (or between a word and its
punctuation: "said on Tuesday" cut from "said on Tuesday."); their length and their cost.

    python benchmarks/snippet_boundaries.py [--articles 5000] [--rounds 3]

Ordinary one- and two-word queries over the bundled corpus and the first ``--articles`` Reuters-21578
texts (as the index stores them). The snippets are read as a reader sees them (marks and "…"
dropped), so the figures compare any version of the snippets.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import DATA, ROOT, machine, require

from search.index import SearchIndex
from search.index.schema import build_schema
from search.index.snippets import Snippets
from search.indexing import index_paths
from search.ingest.text import clean_text, unwrap_lines
from search.query import SearchRequest
from search.settings import Settings

CORPUS_QUERIES = ["belarus", "lukashenko", "protesters", "election", "climate", "fire", "vaccine", "launch",
                  "police", "sanctions", "climate agreement", "presidential election", "power outage",
                  "space station", "world cup", "interior minister"]
REUTERS_QUERIES = ["oil", "coffee", "bank", "dollar", "wheat", "gold", "strike", "japan", "profit", "tax",
                   "interest rates", "trade deficit", "crude oil", "stock market", "money supply", "oil prices",
                   "grain exports", "share offer", "central bank", "budget deficit"]
KINDS = ("sentence", "clause", "word", "inside a word")
_MARK = re.compile(r"</?mark[^>]*>")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")
_SENTENCE_BEFORE = re.compile(r"(?:[.!?][\"'”’)\]]*\s+|\n\s*)$")
_CLAUSE_AFTER = re.compile(r"[,;:](?:\s|$)|\s*[—–]|\s+-\s")
_CLAUSE_BEFORE = re.compile(r"(?:[,;:]|[—–]|\s-)\s*$")


def corpus_texts() -> list[str]:
    """The bundled corpus's texts, as its index stores them."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(index_dir=Path(folder) / "index")
        index_paths([ROOT / "corpus"], settings)
        search = SearchIndex(settings.index_dir)
        return [search.article(hit.id).text for hit in search.search(SearchRequest(per_page=100)).hits]


def reuters_texts(limit: int) -> list[str]:
    """The first ``limit`` Reuters-21578 texts, unwrapped and cleaned as ingest stores them."""
    texts = []
    with gzip.open(require(DATA / "reuters21578" / "reuters21578.jsonl.gz"), "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            text = clean_text(unwrap_lines(record.get("body") or ""), record.get("title"))
            if text:
                texts.append(text)
                if len(texts) == limit:
                    break
    return texts


def passages(snippet: str) -> list[str]:
    """A snippet's passages as plain text: its marks and the "…" around and between passages dropped."""
    plain = html.unescape(_MARK.sub("", snippet))
    plain = plain.removeprefix("… ").removesuffix(" …")
    return plain.split(" … ")


def start_kind(text: str, start: int) -> str:
    before = text[:start]
    if not before.strip() or _SENTENCE_BEFORE.search(before):
        return "sentence"
    if _CLAUSE_BEFORE.search(before):
        return "clause"
    return "word" if before[-1].isspace() else "inside a word"


def end_kind(text: str, end: int) -> str:
    before, after = text[:end], text[end:]
    if not after.strip() or after[0] == "\n" or (_SENTENCE_END.search(before) and after[0].isspace()):
        return "sentence"
    if before.endswith((",", ";", ":")) or _CLAUSE_AFTER.match(after):
        return "clause"
    return "word" if after[0].isspace() else "inside a word"


def measure(name: str, texts: list[str], queries: list[str], rounds: int) -> None:
    analyzer = build_schema()["text"].analyzer
    snippets = Snippets(analyzer)
    starts, ends, lengths, seconds = Counter(), Counter(), [], []
    lost = made = 0
    for query in queries:
        words = frozenset(token.text for token in analyzer(query))
        formatter = snippets.formatter()
        matching = [text for text in texts if snippets.snippet(text, words, formatter)]
        timings = []
        for _ in range(rounds):
            formatter = snippets.formatter()
            began = time.perf_counter()
            made_now = [snippets.snippet(text, words, formatter) for text in matching]
            timings.append(time.perf_counter() - began)
        seconds.append(min(timings))
        for text, snippet in zip(matching, made_now):
            made += 1
            pieces = passages(snippet)
            lengths.append(sum(len(piece) for piece in pieces))
            at = 0
            for piece in pieces:
                found = text.find(piece, at)
                if found < 0:
                    lost += 1
                    continue
                at = found + len(piece)
                starts[start_kind(text, found)] += 1
                ends[end_kind(text, at)] += 1
    total = sum(starts.values())
    print(f"{name}: {len(queries)} queries, {made} snippets, {total} passages"
          + (f" ({lost} not found in their text)" if lost else ""))
    for label, counts in (("starts", starts), ("ends", ends)):
        shares = "   ".join(f"{kind} {100 * counts[kind] / total:5.1f}%" for kind in KINDS)
        print(f"  {label:6} {shares}")
    print(f"  length of a snippet's passages: mean {statistics.mean(lengths):.0f}, median "
          f"{statistics.median(lengths):.0f}, max {max(lengths)} characters")
    print(f"  cost: {1e6 * sum(seconds) / made:.0f} µs a snippet (best of {rounds} rounds)")
    openings = [Snippets.opening(text) for text in texts]
    cut = [html.unescape(opening).removesuffix(" …").removesuffix("…") for opening in openings]
    shorter = [(text, len(piece)) for text, piece in zip(texts, cut) if len(piece) < len(text.rstrip())]
    kinds = Counter(end_kind(text, end) for text, end in shorter)
    print(f"  openings cut short: {len(shorter)} of {len(texts)}, ending at "
          + "   ".join(f"{kind} {100 * kinds[kind] / max(1, len(shorter)):5.1f}%" for kind in KINDS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000, help="Reuters-21578 texts to read")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (the best is kept)")
    args = parser.parse_args()
    print(machine())
    measure("Bundled corpus", corpus_texts(), CORPUS_QUERIES, args.rounds)
    measure(f"Reuters-21578, first {args.articles} texts", reuters_texts(args.articles), REUTERS_QUERIES,
            args.rounds)


if __name__ == "__main__":
    main()
