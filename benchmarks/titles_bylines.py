"""Title, byline and boilerplate on hand-annotated real pages (``../shared/data/news-pages``, mostly
German web pages from trafilatura's evaluation set), for the product and, in the same run, for
trafilatura alone (the anchor).

    python benchmarks/titles_bylines.py

- title: exact match after whitespace and case normalisation, over records with a title;
- author: the set of names equal after the same normalisation, over records with an author (a byline
  is split into names at ";", "," between full names, "and", "und", "&"; "By"/"Von" prefixes dropped);
- body_with: share of the snippets the body must contain that it contains;
- body_without: share of the boilerplate snippets that the body does not contain.
"""

from __future__ import annotations

import gzip
import json
import time

import trafilatura
from common import DATA, require

from search.ingest import extract_article
from search.ingest.bylines import split_names
from search.ingest.errors import UnreadableDocument


def normalise(value: str | list | None) -> str:
    if isinstance(value, list):
        value = "; ".join(value)
    return " ".join((value or "").split()).casefold()


def names(value: str | list | None) -> set[str]:
    values = value if isinstance(value, list) else [value or ""]
    return {normalise(n) for v in values for part in v.split(";") for n in split_names(part)}


def same_names(found: str, expected: str | list) -> bool:
    return names(found) == names(expected) if names(expected) else normalise(found) == normalise(expected)


def records() -> list[dict]:
    folder = require(DATA / "news-pages")
    found = []
    for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["source"].startswith("trafilatura/"):
            record["page"] = gzip.decompress((folder / record["file"]).read_bytes())
            found.append(record)
    return found


def ours(page: bytes, url: str | None) -> tuple[str, str, str]:
    try:
        article = extract_article(page, url)
    except UnreadableDocument:
        return "", "", ""
    return article.title, "; ".join(article.authors), article.text


def trafilatura_alone(page: bytes, url: str | None) -> tuple[str, str, str]:
    document = trafilatura.bare_extraction(page, url=url, favor_precision=True, with_metadata=True)
    found = document.as_dict() if document is not None else {}
    return found.get("title") or "", found.get("author") or "", found.get("text") or ""


def evaluate(name: str, extract, data: list[dict], show: int = 0) -> None:
    titles = authors = found = absent = 0
    n_titles = n_authors = n_with = n_without = 0
    misses = []
    start = time.perf_counter()
    for record in data:
        title, author, body = extract(record["page"], record.get("url"))
        if record.get("title"):
            n_titles += 1
            hit = normalise(title) == normalise(record["title"])
            titles += hit
            if not hit:
                misses.append(f"title  {record['title']!r} ← {title!r}")
        if record.get("author"):
            n_authors += 1
            hit = same_names(author, record["author"])
            authors += hit
            if not hit:
                misses.append(f"author {record['author']!r} ← {author!r}")
        for snippet in record.get("body_with") or []:
            n_with += 1
            found += snippet in body
        for snippet in record.get("body_without") or []:
            n_without += 1
            absent += snippet not in body
    seconds = time.perf_counter() - start
    print(f"{name:<18} title {titles / n_titles:.3f} ({n_titles})   author {authors / n_authors:.3f} ({n_authors})   "
          f"body_with {found / n_with:.3f} ({n_with})   body_without {absent / n_without:.3f} ({n_without})   "
          f"{1000 * seconds / len(data):.1f} ms/page")
    for line in misses[:show]:
        print("   ", line)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=int, default=0, help="print this many of the product's misses")
    args = parser.parse_args()
    data = records()
    print(f"news-pages: {len(data)} annotated pages")
    evaluate("trafilatura alone", trafilatura_alone, data)
    evaluate("this product", ours, data, show=args.show)


if __name__ == "__main__":
    main()
