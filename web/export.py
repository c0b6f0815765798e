"""Every result of a search, streamed as CSV or JSON Lines (same parameters as the search)."""

from __future__ import annotations

import csv
import io
import json
from typing import Iterable, Iterator

from search.query import Hit

COLUMNS = ("id", "title", "url", "source", "published", "authors", "people", "orgs", "places", "score", "missing")
LIST_SEPARATOR = "; "


def csv_lines(hits: Iterable[Hit]) -> Iterator[str]:
    """A header, then one row per article; lists (authors, people...) joined with "; "."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for hit in hits:
        data = hit.to_dict(snippet=False)
        writer.writerow([LIST_SEPARATOR.join(v) if isinstance(v, list) else ("" if v is None else v)
                         for v in (data[c] for c in COLUMNS)])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def json_lines(hits: Iterable[Hit]) -> Iterator[str]:
    """One JSON object per article and line, shaped like a search result without the snippet."""
    for hit in hits:
        yield json.dumps(hit.to_dict(snippet=False), ensure_ascii=False) + "\n"
