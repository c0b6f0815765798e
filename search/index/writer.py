"""Writing articles into the index: update in place, or rebuild and swap."""

from __future__ import annotations

from typing import Iterable

from search.article import Article
from search.index.schema import to_document
from search.index.store import IndexStore

WRITER_MEMORY_MB = 256


def known_fingerprints(store: IndexStore) -> dict[str, str]:
    """Origin → fingerprint of every indexed document, to skip unchanged inputs."""
    if store.current() is None:
        return {}
    with store.open().searcher() as searcher:
        return {
            fields["origin"]: fields.get("fingerprint", "")
            for fields in searcher.all_stored_fields()
            if fields.get("origin")
        }


def _write(index, articles: Iterable[Article]) -> int:
    """Add or replace (by id) each article; returns how many distinct articles were written."""
    writer = index.writer(limitmb=WRITER_MEMORY_MB, timeout=30)
    pending: set[str] = set()
    written: set[str] = set()
    try:
        for article in articles:
            if article.id in pending:
                # Whoosh replaces only committed documents: commit so the later copy replaces the earlier.
                writer.commit()
                writer = index.writer(limitmb=WRITER_MEMORY_MB, timeout=30)
                pending.clear()
            writer.update_document(**to_document(article))
            pending.add(article.id)
            written.add(article.id)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return len(written)


def update_index(store: IndexStore, articles: Iterable[Article]) -> int:
    """Add or replace articles (by id) in the current generation; returns how many were written."""
    with store.writing():
        return _write(store.open(store.ensure_current()), articles)


class EmptyRebuild(Exception):
    """A rebuild that found no article; the previous index is kept."""


def rebuild_index(store: IndexStore, articles: Iterable[Article], allow_empty: bool = True) -> int:
    """Build a new generation from the articles and switch readers to it when it is complete.

    Until the switch the previous generation keeps serving; if anything fails or the run is
    interrupted, the half-built generation is removed and the previous one stays current.
    With ``allow_empty=False``, a build with no article raises EmptyRebuild instead of switching.
    """
    with store.writing():
        previous = store.current()
        building = store.new_generation()
        try:
            count = _write(store.open(building), articles)
            if count == 0 and not allow_empty:
                raise EmptyRebuild("no article could be read: the previous index is kept")
            store.publish(building)
        except BaseException:
            store.prune(keep_previous=previous)
            raise
        store.prune(keep_previous=previous)
        return count
