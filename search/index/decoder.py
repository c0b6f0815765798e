"""Stored index documents read back: as the Article they were made from, or as a search result."""

from __future__ import annotations

from typing import Iterator

from search.article import Article
from search.index.schema import SEPARATOR, from_day_number
from search.index.store import IndexStore
from search.query import Hit


def split_values(stored: str | None) -> list[str]:
    """A stored list of names (one per line) as a list."""
    return [v for v in (stored or "").split(SEPARATOR) if v]


def to_article(stored: dict) -> Article:
    """The Article an index document was made from."""
    return Article(
        id=stored["id"],
        url=stored.get("url"),
        source=stored.get("source") or None,
        title=stored.get("title", ""),
        authors=split_values(stored.get("authors")),
        published=from_day_number(stored.get("published")),
        language=stored.get("language") or None,
        text=stored.get("text", ""),
        people=split_values(stored.get("people")),
        orgs=split_values(stored.get("orgs")),
        places=split_values(stored.get("places")),
        mentioned_dates=[from_day_number(n) for n in stored.get("mentioned_dates") or []],
        origin=stored.get("origin", ""),
        fingerprint=stored.get("fingerprint", ""),
    )


def stored_articles(store: IndexStore) -> Iterator[Article]:
    """Every article of the current generation (none when there is no index), read one at a time;
    deleted documents are left out. Raises DamagedIndex when the index cannot be read.

    The files are read plainly, not through memory maps: every page of the stored fields a map
    touches would count in the process's memory until the reader is closed."""
    current = store.current()
    if current is None:
        return
    with store.reading(current), store.open(current, mapped=False).searcher() as searcher:
        for stored in searcher.all_stored_fields():
            yield to_article(stored)


def to_hit(stored: dict, score: float | None, snippet: str = "", copies: int = 0,
           missing: list[str] | None = None) -> Hit:
    """A search result; ``score`` is shown to four significant digits (None: not shown); ``missing``:
    the parts of the query it lacks."""
    return Hit(
        id=stored["id"],
        title=stored.get("title", ""),
        url=stored.get("url"),
        source=stored.get("source") or None,
        published=from_day_number(stored.get("published")),
        authors=split_values(stored.get("authors")),
        snippet=snippet,
        people=split_values(stored.get("people")),
        orgs=split_values(stored.get("orgs")),
        places=split_values(stored.get("places")),
        score=float(f"{score:.4g}") if score is not None else None,
        copies=copies,
        missing=missing or [],
    )
