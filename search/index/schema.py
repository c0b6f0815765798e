"""The index schema, and what an Article is indexed as (search.index.decoder reads it back)."""

from __future__ import annotations

from datetime import date

from whoosh import fields
from whoosh.analysis import RegexTokenizer, StemmingAnalyzer, StripFilter

from search.article import Article
from search.facets import FACETS
from search.index.copies import Fingerprint, copy_key

ENTITY_FIELDS = ("people", "orgs", "places", "authors")
FACET_FIELDS = {facet.name: facet.field for facet in FACETS}
"""Facet name (as in requests and results) → index field."""
SEPARATOR = "\n"
TITLE_BOOST = 2.5


def exact_value_field() -> fields.KEYWORD:
    """A multi-valued field of exact values (case kept, for display in facets): one token per line."""
    field = fields.KEYWORD(stored=True, scorable=False)
    field.analyzer = RegexTokenizer(r"[^\n]+") | StripFilter()
    return field


def build_schema() -> fields.Schema:
    text_analyzer = StemmingAnalyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        origin=fields.ID(stored=True),
        fingerprint=fields.STORED(),
        url=fields.STORED(),
        title=fields.TEXT(analyzer=text_analyzer, stored=True, field_boost=TITLE_BOOST),
        text=fields.TEXT(analyzer=text_analyzer, stored=True, spelling=True),
        published=fields.NUMERIC(int, bits=32, stored=True, sortable=True, signed=False),
        mentioned_dates=fields.NUMERIC(int, bits=32, stored=True, signed=False),
        language=fields.ID(stored=True),
        copies=fields.ID(sortable=True),
        copy_bands=fields.KEYWORD(scorable=False),
        copy_signature=fields.STORED(),
        source=exact_value_field(),
        authors=exact_value_field(),
        people=exact_value_field(),
        orgs=exact_value_field(),
        places=exact_value_field(),
    )


def day_number(day: date) -> int:
    """A date as the integer yyyymmdd (day resolution is all news needs, and fast to filter)."""
    return day.year * 10000 + day.month * 100 + day.day


def from_day_number(number: int | None) -> date | None:
    if not number:
        return None
    return date(number // 10000, number // 100 % 100, number % 100)


def to_document(article: Article, copies: str | None = None, fingerprint: Fingerprint | None = None) -> dict:
    """The fields to index for an article: ``copies`` is the key of the story it tells (by default
    its lead's), ``fingerprint`` what later copies of it are found by (see search.index.copies)."""
    document = {
        "id": article.id,
        "origin": article.origin,
        "fingerprint": article.fingerprint,
        "url": article.url,
        "title": article.title,
        "text": article.text,
        "language": article.language or "",
        "copies": copies or copy_key(article.text) or article.id,
        "source": article.source or "",
    }
    if _repeats_the_lead(article.title, article.text):
        # a title made from the text's first line (a record without one) adds no signal of its own:
        # stored for display, not indexed, so that the lead is not counted twice
        document["title"], document["_stored_title"] = "", article.title
    if fingerprint is not None:
        document["copy_bands"] = " ".join(fingerprint.tokens)
        document["copy_signature"] = fingerprint.encode()
    for name in ENTITY_FIELDS:
        document[name] = SEPARATOR.join(getattr(article, name))
    if article.published:
        document["published"] = day_number(article.published)
    if article.mentioned_dates:
        document["mentioned_dates"] = [day_number(day) for day in article.mentioned_dates]
    return document


def _repeats_the_lead(title: str, text: str) -> bool:
    squeezed = " ".join(title.split())
    return bool(squeezed) and " ".join(text[: len(title) + 40].split()).startswith(squeezed)


EARLIEST_DAY, LATEST_RANGE_DAY = 1000_01_01, 2999_12_31
"""Bounds that stand in for an open end of a day range: Whoosh's NumericRange on these 32-bit
unsigned fields matches every document when a bound is missing (or zero, or as large as 9999-12-31)."""


def day_range(fieldname: str, first: date | None, last: date | None):
    """Documents whose day in ``fieldname`` is from ``first`` to ``last`` (inclusive; either may be open)."""
    from whoosh import query as wq

    low = max(day_number(first), EARLIEST_DAY) if first else EARLIEST_DAY
    high = min(day_number(last), LATEST_RANGE_DAY) if last else LATEST_RANGE_DAY
    return wq.NumericRange(fieldname, low, high) if low <= high else wq.NullQuery
