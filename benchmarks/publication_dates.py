"""Publication dates: exact-day accuracy on 1,008 real pages with hand-labelled dates
(``../shared/data/dates``), for the product and, in the same run, for htmldate alone (the anchor).

    python benchmarks/publication_dates.py

The product's date is the one its extraction stores (``Article.published``); for a page it refuses
as an article (no text) the date it would have found is still counted, so both see every page.
"""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter
from datetime import date

from common import DATA, require
from htmldate import find_date

from search.ingest.dates import publication_date
from search.ingest.decode import decode_html
from search.ingest.errors import UnreadableDocument
from search.ingest.metadata import parse_tree

NEWS = "htmldate/eval_mediacloud_2020"


def pages() -> list[dict]:
    folder = require(DATA / "dates")
    found = []
    for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("expected_date"):
            record["page"] = gzip.decompress((folder / record["file"]).read_bytes())
            found.append(record)
    return found


def ours(page: bytes, url: str | None) -> date | None:
    try:
        return publication_date(parse_tree(decode_html(page)), url=url)
    except (UnreadableDocument, ValueError):
        return None


def htmldate_alone(page: bytes, url: str | None) -> date | None:
    found = find_date(page, url=url, original_date=True)
    return date.fromisoformat(found) if found else None


def evaluate(name: str, extract, data: list[dict]) -> None:
    right, total = Counter(), Counter()
    off_by_one = missing = 0
    start = time.perf_counter()
    for record in data:
        found = extract(record["page"], record.get("url"))
        expected = date.fromisoformat(record["expected_date"])
        for group in ("all", record["source"]):
            total[group] += 1
            right[group] += found == expected
        missing += found is None
        off_by_one += found is not None and abs((found - expected).days) == 1
    seconds = time.perf_counter() - start
    print(f"{name:<16} all {right['all'] / total['all']:.3f} ({total['all']})   news {right[NEWS] / total[NEWS]:.3f} "
          f"({total[NEWS]})   no date {missing}   one day off {off_by_one}   {1000 * seconds / len(data):.1f} ms/page")


def main() -> None:
    data = pages()
    print(f"Dated pages: {len(data)} ({sum(r['source'] == NEWS for r in data)} in the news subset {NEWS})")
    evaluate("htmldate alone", htmldate_alone, data)
    evaluate("this product", ours, data)


if __name__ == "__main__":
    main()
