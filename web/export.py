"""Every result of a search, streamed as CSV or JSON Lines (same parameters as the search)."""

from __future__ import annotations

import csv
import io
import json
from typing import Iterable, Iterator

from search.comparison import CompareResult
from search.query import Hit

COLUMNS = ("id", "title", "url", "source", "published", "authors", "people", "orgs", "places", "score", "missing")
LIST_SEPARATOR = "; "


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What makes a spreadsheet read a cell as a formula (OWASP's list for CSV injection)."""


def cell(value: object) -> object:
    """A value as a CSV cell a spreadsheet shows as text: one that would start a formula gets a
    leading apostrophe, which spreadsheets hide."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(hits: Iterable[Hit]) -> Iterator[str]:
    """A header, then one row per article; lists (authors, people...) joined with "; "."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for hit in hits:
        data = hit.to_dict(snippet=False)
        writer.writerow([cell(LIST_SEPARATOR.join(v) if isinstance(v, list) else v) for v in (data[c] for c in COLUMNS)])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def json_lines(hits: Iterable[Hit]) -> Iterator[str]:
    """One JSON object per article and line, shaped like a search result without the snippet."""
    for hit in hits:
        yield json.dumps(hit.to_dict(snippet=False), ensure_ascii=False) + "\n"


def compare_csv(result: CompareResult) -> str:
    """A comparison's series: one row per period, with every article in it and each query's number
    of articles and share of them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["period", "from", "to", "all_articles",
                     *(cell(f"{series.query} ({column})") for series in result.series for column in ("articles", "share"))])
    for i, period in enumerate(result.periods):
        row = [period.label, period.start.isoformat(), period.end.isoformat(), period.count]
        for series in result.series:
            share = series.shares[i]
            row += [series.counts[i], "" if share is None else share]
        writer.writerow(row)
    return buffer.getvalue()
