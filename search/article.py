"""The Article record: what ingest produces, the index stores, the web renders, the API returns."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date


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
