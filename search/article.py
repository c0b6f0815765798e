"""The Article record: what ingest produces, the index stores, the web renders, the API returns."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from urllib.parse import urlsplit

_EDGES = "".join(map(chr, range(0x21)))
"""C0 controls and space: a browser strips them from both ends of a URL."""
_TABS_AND_NEWLINES = str.maketrans("", "", "\t\n\r")
"""A browser removes these anywhere in a URL: a tab inside "javascript:" disguises nothing."""
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def safe_link(url: str | None) -> str | None:
    """``url`` as a browser reads it, when that is an absolute http(s) URL with a host; else None.

    Only such URLs may become links: a ``javascript:``, ``vbscript:`` or ``data:`` URL in a link runs
    when it is followed, whatever its case, leading spaces and controls or inner tabs and newlines.
    """
    if not url:
        return None
    cleaned = url.strip(_EDGES).translate(_TABS_AND_NEWLINES)
    scheme = _SCHEME.match(cleaned)
    if not scheme or scheme.group(1).lower() not in ("http", "https"):
        return None
    try:  # browsers read a backslash in an http(s) URL as a slash
        host = urlsplit(cleaned.replace("\\", "/")).hostname
    except ValueError:  # a malformed host ("http://[::1")
        return None
    return cleaned if host else None


@dataclass
class Article:
    """One news article, with its text, metadata and the entities it mentions."""

    id: str
    url: str | None = None
    source: str | None = None
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: date | None = None
    language: str | None = None
    text: str = ""
    people: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    mentioned_dates: list[date] = field(default_factory=list)
    """Days the text mentions ("on Sunday", "Aug. 9"), resolved against the publication date."""
    origin: str = ""
    """Where the article was read from: a file path, or ``path#L<n>`` for a JSONL record."""
    fingerprint: str = ""
    """A digest of the raw input, so an unchanged file can be skipped on the next run."""

    def __post_init__(self) -> None:
        # The one place every article passes, from any input or from the index: a URL that is not
        # http(s) is never kept, so it can never become a link.
        self.url = safe_link(self.url)

    def to_dict(self) -> dict:
        """The article as JSON-ready values (dates as ISO strings)."""
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        data["mentioned_dates"] = [day.isoformat() for day in self.mentioned_dates]
        return data


def article_id(key: str) -> str:
    """A stable identifier for an article, from its canonical URL or its path."""
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def fingerprint(raw: bytes) -> str:
    """A digest of an input's raw bytes."""
    return hashlib.sha1(raw).hexdigest()
