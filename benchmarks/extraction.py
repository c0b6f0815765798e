"""Extraction on every dev set with labels, in one run, for the product and for trafilatura alone
(the anchor): an extraction rule is kept only if it lowers none of these figures.

    python benchmarks/extraction.py [--show N]

- AEB (181 pages, hand-written article bodies): the benchmark's shingle F1 (see body_text.py).
- newspaper4k (its regression pages with a saved body: English, Chinese, Japanese, Thai, Burmese,
  Arabic, Korean, Latvian, Spanish): the same shingle F1 against that body (a tool's output, not a
  hand label, so a check for pages in other scripts rather than a target).
- news-pages (990 hand-annotated pages, mostly German): title, author, source, body_with (snippets
  the body must contain) and body_without (boilerplate it must not), as titles_bylines.py counts them.
  Source: the share judged plausible by hand (a publication's name or its registered domain) on a
  seeded sample of 220 pages (``source_judgements.jsonl``, each judgement for the source then given:
  a changed source counts as not judged); the share that passes a rule check (never a URL, a
  headline, a page title with separators or a licence: ``plausible_source``) on every page; and the
  share equal to the 16 labelled site names.
- entities: precision on the English pages of news-pages (see entity_precision.py), the product
  against spaCy as is.
- refused: pages the product calls "no article" although trafilatura alone reads at least
  MIN_WORDS words from them, counted on every set and on the 1,008 pages of the dates set.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura
from body_text import f1_score, page_counts
from common import DATA, require
from entity_precision import english_articles
from entity_precision import measure as entity_precision
from titles_bylines import normalise, same_names

from search.ingest import extract_article
from search.ingest.errors import UnreadableDocument
from search.ingest.extract import MIN_WORDS
from search.ingest.text import word_count


@dataclass
class Page:
    set: str
    id: str
    page: bytes
    url: str | None
    body: str | None = None
    label: dict = field(default_factory=dict)


@dataclass
class Found:
    text: str = ""
    title: str = ""
    authors: str = ""
    source: str = ""
    refused: bool = False


def _gz(path) -> bytes:
    return gzip.decompress(path.read_bytes())


def dev_sets() -> list[Page]:
    pages = []
    aeb = require(DATA / "aeb")
    truth = json.loads((aeb / "ground-truth.json").read_text(encoding="utf-8"))
    for key, value in sorted(truth.items()):
        pages.append(Page("AEB", key, _gz(aeb / "html" / f"{key}.html.gz"), value.get("url"),
                          value.get("articleBody") or ""))
    news = require(DATA / "news-pages")
    for line in (news / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["source"].startswith("trafilatura/"):
            pages.append(Page("news-pages", record["file"], _gz(news / record["file"]), record.get("url"),
                              label=record))
        elif record.get("body_txt"):
            body = (news / record["body_txt"]).read_text(encoding="utf-8")
            pages.append(Page("newspaper4k", record["file"], _gz(news / record["file"]),
                              record.get("url") or record.get("canonical_link"), body))
    dates = require(DATA / "dates")
    for line in (dates / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        pages.append(Page("dates", record["file"], _gz(dates / record["file"]), record.get("url")))
    return pages


def ours(page: Page) -> Found:
    try:
        article = extract_article(page.page, page.url)
    except UnreadableDocument:
        return Found(refused=True)
    return Found(article.text, article.title, "; ".join(article.authors), article.source or "")


def trafilatura_alone(page: Page) -> Found:
    document = trafilatura.bare_extraction(page.page, url=page.url, favor_precision=True, with_metadata=True)
    found = document.as_dict() if document is not None else {}
    text = found.get("text") or ""
    return Found(text, found.get("title") or "", found.get("author") or "", found.get("sitename") or "",
                 refused=word_count(text) < MIN_WORDS)


_URLISH = re.compile(r"^(https?:|www\.)|/", re.I)
_SEPARATOR = re.compile(r"\s[|–—·:»]\s|\s-\s")
_LICENCE = re.compile(r"creative commons|\bcc[- ]by\b|licen[cs]e|all rights reserved|copyright|©", re.I)
_ARCHIVE = re.compile(r"(^|\.)(web\.archive\.org|archive\.(org|is|ph|today))$", re.I)


def plausible_source(source: str, title: str) -> bool:
    """Whether a source reads as a publication's name or domain: not empty, not a URL or an archive's
    host, not the headline, not a page title with separators, not a licence, not a sentence."""
    source = source.strip()
    return bool(source) and not (
        _URLISH.search(source) or _ARCHIVE.search(source) or _SEPARATOR.search(source)
        or _LICENCE.search(source) or normalise(source) == normalise(title) or len(source.split()) > 6
    )


def _source_judgements() -> dict[str, dict]:
    path = Path(__file__).with_name("source_judgements.jsonl")
    return {row["file"]: row for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def figures(pages: list[Page], found: list[Found], judged_sources: bool = True) -> dict[str, str]:
    counts = [page_counts(f.text, p.body) for p, f in zip(pages, found) if p.body is not None]
    line = {}
    if counts:
        precision, recall, f1 = f1_score(counts)
        line["F1"] = f"{f1:.3f} (P {precision:.3f} R {recall:.3f})"
    labelled = [(p.label, f) for p, f in zip(pages, found) if p.label]
    if labelled:
        def share(hits: list[bool]) -> str:
            return f"{sum(hits) / max(1, len(hits)):.3f} ({len(hits)})"
        line["title"] = share([normalise(f.title) == normalise(r["title"]) for r, f in labelled if r.get("title")])
        line["author"] = share([same_names(f.authors, r["author"]) for r, f in labelled if r.get("author")])
        line["body_with"] = share([s in f.text for r, f in labelled for s in r.get("body_with") or []])
        line["body_without"] = share([s not in f.text for r, f in labelled for s in r.get("body_without") or []])
        judged = _source_judgements() if judged_sources else {}
        verdicts = [judged[r["file"]]["plausible"] if judged.get(r["file"], {}).get("source") == (f.source or None)
                    else None for r, f in labelled if r["file"] in judged]
        if judged:
            line["source judged"] = (share([v for v in verdicts if v is not None])
                                     + f" not judged {sum(v is None for v in verdicts)}")
        line["source rule check"] = share([plausible_source(f.source, f.title) for r, f in labelled if not f.refused])
        line["site name"] = share([normalise(f.source) == normalise(r["sitename"]) for r, f in labelled
                                   if r.get("sitename") not in (None, "", "None")])
    return line


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=int, default=0, help="list this many pages per set where we refuse "
                        "what trafilatura reads, or score lower than it")
    args = parser.parse_args()
    pages = dev_sets()
    runs = {}
    for name, extract in (("trafilatura alone", trafilatura_alone), ("this product", ours)):
        start = time.perf_counter()
        runs[name] = [extract(page) for page in pages]
        print(f"{name}: {len(pages)} pages in {time.perf_counter() - start:.0f} s")
    anchor, product = runs["trafilatura alone"], runs["this product"]
    for set_name in dict.fromkeys(p.set for p in pages):
        chosen = [i for i, p in enumerate(pages) if p.set == set_name]
        print(f"\n{set_name}: {len(chosen)} pages")
        for name, found in runs.items():
            line = figures([pages[i] for i in chosen], [found[i] for i in chosen], judged_sources=found is product)
            refused = sum(found[i].refused for i in chosen)
            line["refused"] = str(refused)
            print(f"  {name:<18} " + "   ".join(f"{key} {value}" for key, value in line.items()))
        lost = [pages[i].id for i in chosen if product[i].refused and not anchor[i].refused]
        print(f"  refused by the product, read by trafilatura: {len(lost)}")
        for page_id in lost[:args.show]:
            print(f"    {page_id}")
        if args.show and pages[chosen[0]].body is not None:
            worse = sorted(((page_counts(anchor[i].text, pages[i].body)[0] - page_counts(product[i].text, pages[i].body)[0],
                             pages[i].id) for i in chosen), reverse=True)
            for gap, page_id in worse[:args.show]:
                if gap > 0.01:
                    print(f"    lower than trafilatura by {gap:.2f} (share of shingles right): {page_id}")
    print()
    entity_precision(english_articles(), show=args.show)


if __name__ == "__main__":
    main()
