"""Publication dates: from the page (htmldate, original date) or from a record's date string."""

from __future__ import annotations

import re
from datetime import date, datetime

from htmldate import find_date

_LEADING_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


def publication_date(tree, url: str | None = None) -> date | None:
    """The date the page was first published, from JSON-LD, meta tags, ``<time>`` or the URL.

    Takes a parsed tree, never a string, so that nothing is ever fetched.
    """
    found = find_date(tree, url=url, original_date=True, outputformat="%Y-%m-%d",
                      max_date=date.today().isoformat())
    return date.fromisoformat(found) if found else None


def parse_date(value: str | None) -> date | None:
    """A calendar date from an ISO date or timestamp (the day as written, before any zone shift)
    or from one of the common textual forms; None when it is not a date."""
    if not value or not value.strip():
        return None
    match = _LEADING_DATE.match(value)
    if match:
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            return None
    for layout in ("%d-%b-%Y %H:%M:%S.%f", "%d %B %Y", "%B %d, %Y", "%b %d, %Y", "%d %b %Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(value.strip(), layout).date()
        except ValueError:
            continue
    return None
