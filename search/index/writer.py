"""Writing articles into the index: update in place, or rebuild and swap."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from whoosh.reading import SegmentReader, TermNotFound

from search.article import Article
from search.index.columns import save_columns
from search.index.copies import CopyFinder, Fingerprint
from search.index.copy_bands import FIELD as BANDS_FIELD, SegmentBands
from search.interruptions import stops_kept, uninterrupted
from search.index.prepare import PreparedArticle, analysed_for, plain, prepare
from search.index.segment_writer import LeanSegmentWriter
from search.index.store import IndexStore

BATCH_SIZE = 5000
MERGE_FROM = 5
"""Segments smaller than a batch (left by short runs) are merged once there are this many."""


@dataclass(frozen=True)
class Duplicate:
    """Two inputs that are one article (the same URL, so the same id): the one kept (the longer text;
    of two as long, the newer file's) and the one left out."""

    url: str | None
    kept: str
    """The input (origin) whose article the index holds."""
    dropped: str


def _modified(origin: str) -> float:
    """When the file an input came from (a page, or the JSONL or WARC file of a record) was last
    modified; 0 when it is gone."""
    try:
        return os.stat(origin.split("#", 1)[0]).st_mtime
    except OSError:
        return 0.0


def known_fingerprints(store: IndexStore) -> dict[str, str]:
    """Origin → fingerprint of every indexed document, to skip unchanged inputs."""
    current = store.current()
    if current is None:
        return {}
    with store.reading(current), store.open(current, mapped=False).searcher() as searcher:
        return {
            fields["origin"]: fields.get("fingerprint", "")
            for fields in searcher.all_stored_fields()
            if fields.get("origin")
        }


class _IndexedCopies:
    """Looks up the indexed articles sharing any of the given copy tokens: (id, key, Fingerprint).
    With ``seen``, only the tokens it may have seen are looked up (a token looked up costs a look
    into every segment). A segment's tokens are read from its saved array (search.index.copy_bands),
    or from Whoosh's postings in a segment written by an earlier version."""

    def __init__(self, reader, folder: Path, seen: _Seen | None):
        self.reader, self.folder, self.seen = reader, folder, seen
        self.keys = reader.column_reader("copies")
        self.segments: list | None = None

    def _segments(self) -> list:
        """(segment reader, its first document number, its saved tokens or None, whether Whoosh
        holds tokens of it), opened at the first look-up: most batches make none."""
        if self.segments is None:
            self.segments = [(leaf, offset, SegmentBands.load(self.folder, leaf.segment().segment_id()),
                              BANDS_FIELD in leaf.indexed_field_names())
                             for leaf, offset in self.reader.leaf_readers()]
        return self.segments

    def _documents(self, token: str) -> Iterator[int]:
        for leaf, offset, bands, in_whoosh in self._segments():
            if bands is not None:
                yield from (offset + int(d) for d in bands.documents(token))
            if in_whoosh:
                try:
                    yield from (offset + d for d in leaf.postings(BANDS_FIELD, token).all_ids())
                except TermNotFound:
                    pass

    def __call__(self, tokens: list[str]) -> list[tuple[str, str, Fingerprint]]:
        found: set[int] = set()
        for token in tokens:
            if self.seen is not None and not self.seen.may_hold(token):
                continue
            found.update(d for d in self._documents(token) if not self.reader.is_deleted(d))
        candidates = []
        for docnum in sorted(found):
            fields, key = self.reader.stored_fields(docnum), self.keys[docnum]
            if fields.get("copy_signature"):
                key = key.decode() if isinstance(key, bytes) else key
                candidates.append((fields["id"], key, Fingerprint.decode(fields["copy_signature"])))
        return candidates

    def close(self) -> None:
        for _, _, bands, _ in self.segments or ():
            if bands is not None:
                bands.close()
        self.segments = None


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


class _Seen:
    """What a run has written, remembered in a few bytes an article: each id as a 64-bit hash (to
    count distinct articles and to tell an id new to the index), and each copy token in a Bloom
    filter of fixed size (a token it says was never written needs no look-up in the index). The
    filter's false positives only cost a look-up: 3 bits a token in 2^28 keep them at 0.5% a token
    after a million articles (17 tokens each), 5% after 2.5 million."""

    BITS = 1 << 28
    PROBES = 3

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.filter = bytearray(self.BITS // 8)

    def _bits(self, token: str) -> Iterator[int]:
        digest = hashlib.blake2b(token.encode("utf-8"), digest_size=4 * self.PROBES).digest()
        for probe in range(self.PROBES):
            yield int.from_bytes(digest[4 * probe:4 * probe + 4], "big") % self.BITS

    def add_tokens(self, tokens: list[str]) -> None:
        for token in tokens:
            for bit in self._bits(token):
                self.filter[bit >> 3] |= 1 << (bit & 7)

    def may_hold(self, token: str) -> bool:
        return all(self.filter[bit >> 3] & (1 << (bit & 7)) for bit in self._bits(token))


def _merge_small_segments(writer, segments: list) -> list:
    """The merge policy: merge the smallest segments, while together they hold less than a batch,
    once there are MERGE_FROM of them. Whoosh's own (MERGE_SMALL) merges ever larger segments as
    the index grows: at 110,000 articles all of them at once, every posting of them held in this
    process's memory (1.2 GB) and written again. A batch's segment is never merged: the memory of
    a commit stays that of a batch, whatever the index holds."""
    merging, held = [], 0
    for segment in sorted(segments, key=lambda segment: segment.doc_count_all()):
        if held + segment.doc_count_all() >= BATCH_SIZE:
            break
        merging.append(segment)
        held += segment.doc_count_all()
    if len(merging) < MERGE_FROM:
        return list(segments)
    for segment in merging:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment not in merging]


class _Batch:
    """One writer's worth of articles. Each article gets the copy key of the earlier article (in
    the index, or in this batch) whose copy it is; fields the index lacks (one built by an earlier
    version) are left out. ``fresh`` says that the index held nothing when the run began: then
    what ``seen`` does not hold is new to the index, and needs no look-up."""

    def __init__(self, index, seen: _Seen, fresh: bool, duplicates: list[Duplicate]):
        self.duplicates = duplicates
        self.names = set(index.schema.names())
        self.keyed = {"copies", "copy_bands"} <= self.names
        self.seen, self.fresh = seen, fresh
        self.analysed = analysed_for(index.schema)
        self.reader = index.reader() if self.keyed and not index.is_empty() else None
        self.lookup = (_IndexedCopies(self.reader, Path(index.storage.folder), seen if fresh else None)
                       if self.reader is not None else None)
        self.finder = CopyFinder(self.lookup)
        self.writer = LeanSegmentWriter(index, timeout=30)
        self.ids: set[str] = set()

    def add(self, item: Article | PreparedArticle) -> None:
        prepared = item if isinstance(item, PreparedArticle) else prepare(item)
        article, marks = prepared.article, prepared.marks if self.keyed else None
        hashed = _hash(article.id)
        if (not self.fresh or hashed in self.seen.ids) and not self._kept_over(article):
            return
        fields = {name: value if name in self.analysed else plain(value) for name, value in prepared.fields.items()
                  if name.removeprefix("_stored_") in self.names}
        if self.keyed:
            fields["copies"] = self.finder.key(article.id, marks)
        else:
            fields = {name: value for name, value in fields.items() if name not in ("copy_bands", "copy_signature")}
        if self.fresh and hashed not in self.seen.ids:
            self.writer.add_document(**fields)  # no earlier copy to replace: no look-up in every segment
        else:
            self.writer.update_document(**fields)
        self.ids.add(article.id)
        self.seen.ids.add(hashed)
        if marks is not None:
            self.seen.add_tokens(marks.tokens)

    def _kept_over(self, article: Article) -> bool:
        """Whether the article replaces the indexed one with its id: always when that one came from the
        same input (a changed file); when it came from another, only with a longer text, or another text
        as long from a file modified later (else the new one is left out), and either way the pair is
        reported as a Duplicate."""
        if self.reader is None:
            return True
        try:
            earlier = [d for d in self.reader.postings("id", article.id).all_ids() if not self.reader.is_deleted(d)]
        except TermNotFound:
            return True
        if not earlier:
            return True
        stored = self.reader.stored_fields(earlier[-1])
        origin = stored.get("origin", "")
        if not origin or origin == article.origin:
            return True
        text = stored.get("text", "")
        longer = len(article.text) > len(text) or (
            len(article.text) == len(text) and article.text != text and _modified(article.origin) > _modified(origin))
        self.duplicates.append(Duplicate(article.url, article.origin if longer else origin,
                                         origin if longer else article.origin))
        return longer

    def end(self, commit: bool) -> None:
        """Commit or cancel the batch, uninterrupted; a batch already ended is left as it is."""
        with uninterrupted():
            if self.lookup is not None:
                self.lookup.close()
                self.lookup = None
            if self.reader is not None:
                self.reader.close()
                self.reader = None
            if self.writer.is_closed:
                return
            if commit:
                self.writer.commit(mergetype=_merge_small_segments)
                return
            try:
                self.writer.cancel()
            except Exception:  # a commit that failed part-way (a full disk) can leave Whoosh unable to
                self.writer.writelock.release()  # cancel: let go of its lock; its files are leftovers


def _write(index, articles: Iterable[Article | PreparedArticle], duplicates: list[Duplicate] | None = None) -> int:
    """Add or replace (by id) each article; returns how many distinct articles were written.
    Articles that are another input's article again go in ``duplicates`` (see _Batch._kept_over)."""
    seen = _Seen()
    fresh = index.is_empty()
    duplicates = [] if duplicates is None else duplicates
    batch = _Batch(index, seen, fresh, duplicates)
    try:
        with stops_kept() as stop_if_asked:
            for item in articles:
                stop_if_asked()
                article = item.article if isinstance(item, PreparedArticle) else item
                if article.id in batch.ids or len(batch.ids) >= BATCH_SIZE:
                    # Whoosh replaces only committed documents (commit so that a later copy of an id
                    # replaces the earlier), and a batch's copy fingerprints are held in memory
                    batch.end(commit=True)
                    save_columns(index)
                    batch = _Batch(index, seen, fresh, duplicates)
                batch.add(item)
            stop_if_asked()
        batch.end(commit=True)
        save_columns(index)
    except BaseException:
        batch.end(commit=False)
        raise
    return len(seen.ids)


def update_index(store: IndexStore, articles: Iterable[Article | PreparedArticle],
                 duplicates: list[Duplicate] | None = None) -> int:
    """Add or replace articles (by id) in the current generation; returns how many were written.
    An article whose id another input's article has goes in ``duplicates`` (the longer text kept)."""
    with store.writing():
        current = store.ensure_current()
        with store.reading(current):
            index = store.open(current, mapped=False)
            index.reader().close()  # damaged segments are found now, not in the middle of the run
        return _write(index, articles, duplicates)


class EmptyRebuild(Exception):
    """A rebuild that found no article; the previous index is kept."""


def rebuild_index(store: IndexStore, articles: Iterable[Article | PreparedArticle], allow_empty: bool = True,
                  duplicates: list[Duplicate] | None = None) -> int:
    """Build a new generation from the articles and switch readers to it when it is complete.

    Until the switch the previous generation keeps serving; if anything fails or the run is
    interrupted, the half-built generation is removed and the previous one stays current.
    With ``allow_empty=False``, a build with no article raises EmptyRebuild instead of switching.
    """
    with store.writing():
        previous = store.current(dangling_ok=True)  # a damaged index is what a rebuild mends
        building = store.new_generation()
        try:
            count = _write(store.open(building, mapped=False), articles, duplicates)
            if count == 0 and not allow_empty:
                raise EmptyRebuild("no article could be read: the previous index is kept")
            store.publish(building)
        except BaseException:
            store.prune(keep_previous=previous)
            raise
        store.prune(keep_previous=previous)
        return count
