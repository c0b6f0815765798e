"""Writing articles into the index: update in place, or rebuild and swap."""

from __future__ import annotations

from typing import Iterable

from whoosh.reading import TermNotFound

from search.article import Article
from search.index.columns import save_columns
from search.index.copies import CopyFinder, Fingerprint, fingerprint
from search.index.interruptions import stops_kept, uninterrupted
from search.index.schema import to_document
from search.index.store import IndexStore

WRITER_MEMORY_MB = 256
BATCH_SIZE = 5000


def known_fingerprints(store: IndexStore) -> dict[str, str]:
    """Origin → fingerprint of every indexed document, to skip unchanged inputs."""
    current = store.current()
    if current is None:
        return {}
    with store.reading(current), store.open(current).searcher() as searcher:
        return {
            fields["origin"]: fields.get("fingerprint", "")
            for fields in searcher.all_stored_fields()
            if fields.get("origin")
        }


def _indexed_copies(reader):
    """Looks up the indexed articles sharing any of the given copy tokens: (id, key, Fingerprint)."""
    keys = reader.column_reader("copies")

    def lookup(tokens: list[str]) -> list[tuple[str, str, Fingerprint]]:
        found: set[int] = set()
        for token in tokens:
            try:
                found.update(d for d in reader.postings("copy_bands", token).all_ids() if not reader.is_deleted(d))
            except TermNotFound:
                continue
        candidates = []
        for docnum in sorted(found):
            fields, key = reader.stored_fields(docnum), keys[docnum]
            if fields.get("copy_signature"):
                key = key.decode() if isinstance(key, bytes) else key
                candidates.append((fields["id"], key, Fingerprint.decode(fields["copy_signature"])))
        return candidates
    return lookup


class _Batch:
    """One writer's worth of articles. Each article gets the copy key of the earlier article (in
    the index, or in this batch) whose copy it is; fields the index lacks (one built by an earlier
    version) are left out."""

    def __init__(self, index):
        self.names = set(index.schema.names())
        self.keyed = {"copies", "copy_bands"} <= self.names
        self.reader = index.reader() if self.keyed and not index.is_empty() else None
        self.finder = CopyFinder(_indexed_copies(self.reader) if self.reader is not None else None)
        self.writer = index.writer(limitmb=WRITER_MEMORY_MB, timeout=30)
        self.ids: set[str] = set()

    def add(self, article: Article) -> None:
        marks = fingerprint(article.text) if self.keyed else None
        document = to_document(article, self.finder.key(article.id, marks) if self.keyed else None, marks)
        self.writer.update_document(**{k: v for k, v in document.items() if k.removeprefix("_stored_") in self.names})
        self.ids.add(article.id)

    def end(self, commit: bool) -> None:
        """Commit or cancel the batch, uninterrupted; a batch already ended is left as it is."""
        with uninterrupted():
            if self.reader is not None:
                self.reader.close()
                self.reader = None
            if self.writer.is_closed:
                return
            if commit:
                self.writer.commit()
                return
            try:
                self.writer.cancel()
            except Exception:  # a commit that failed part-way (a full disk) can leave Whoosh unable to
                self.writer.writelock.release()  # cancel: let go of its lock; its files are leftovers


def _write(index, articles: Iterable[Article]) -> int:
    """Add or replace (by id) each article; returns how many distinct articles were written."""
    batch = _Batch(index)
    written: set[str] = set()
    try:
        with stops_kept() as stop_if_asked:
            for article in articles:
                stop_if_asked()
                if article.id in batch.ids or len(batch.ids) >= BATCH_SIZE:
                    # Whoosh replaces only committed documents (commit so that a later copy of an id
                    # replaces the earlier), and a batch's copy fingerprints are held in memory
                    batch.end(commit=True)
                    save_columns(index)
                    batch = _Batch(index)
                batch.add(article)
                written.add(article.id)
            stop_if_asked()
        batch.end(commit=True)
        save_columns(index)
    except BaseException:
        batch.end(commit=False)
        raise
    return len(written)


def update_index(store: IndexStore, articles: Iterable[Article]) -> int:
    """Add or replace articles (by id) in the current generation; returns how many were written."""
    with store.writing():
        current = store.ensure_current()
        with store.reading(current):
            index = store.open(current)
            index.reader().close()  # damaged segments are found now, not in the middle of the run
        return _write(index, articles)


class EmptyRebuild(Exception):
    """A rebuild that found no article; the previous index is kept."""


def rebuild_index(store: IndexStore, articles: Iterable[Article], allow_empty: bool = True) -> int:
    """Build a new generation from the articles and switch readers to it when it is complete.

    Until the switch the previous generation keeps serving; if anything fails or the run is
    interrupted, the half-built generation is removed and the previous one stays current.
    With ``allow_empty=False``, a build with no article raises EmptyRebuild instead of switching.
    """
    with store.writing():
        previous = store.current(dangling_ok=True)  # a damaged index is what a rebuild mends
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
