"""Whoosh's segment writer, made lean for long runs: the same segment files, less memory and time.

Whoosh's writer holds each posting as a tuple in one list (some 200 bytes a posting: about 500 MB
for a batch of 5,000 400-word articles), sorts the whole list, and beyond its ``limitmb`` pickles
sorted runs to disk and merges them back. Then, writing the postings, it asks for the length of
each posting's field in its document, and for a field that keeps no lengths (the spelling words,
keywords) it checks on disk whether the lengths file exists: a system call for every such posting.
Here the postings are grouped by term as they arrive, in typed arrays (some 30 bytes a posting),
only the terms are sorted, and a missing lengths file is looked for once. Nothing goes to disk
before the commit: what a writer holds is bounded by what it is given (search.index.writer gives
it a batch, and merges only segments smaller than one). A spelling word's
postings are only counted, and written as one occurrence in document 0 each (what is read of them
is their number, the word's document frequency). Whoosh writes them as document 0 too, but with
whatever value the document's last posting had, which its own merge may fail to read back (it
did on the test documents of tests/test_segment_writer.py).
"""

from __future__ import annotations

import zlib
from array import array
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from pickle import dumps
from typing import Iterator

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3PerDocReader, _lenfield
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from search.index.analysis import analyse
from search.index.copy_bands import FIELD as BANDS_FIELD, BandsWriter, SegmentBands
from search.index.term_arrays import TermArraysWriter

Posting = tuple[str, bytes, int, float, bytes | None]
"""What Whoosh's writer pools: (field name, term, document number, weight, encoded value)."""
ONCE = pack_uint(1)
"""A spelling field's value for a word that occurs once (its format counts occurrences)."""


@dataclass
class Analysed:
    """A field's value with its analysis done beforehand (in another process): what Whoosh's
    ``field.index(value)`` and ``field.spellable_words(value)`` return for it."""

    value: str
    postings: list[tuple[bytes, int, float, bytes | None]]
    spelling: list[str]

    @classmethod
    def of(cls, field, value: str) -> Analysed:
        spelling = field.separate_spelling()
        done = analyse(field, value, spelling) if isinstance(value, str) else None
        if done is not None:
            return cls(value, *done)
        return cls(value, list(field.index(value)), list(field.spellable_words(value)) if spelling else [])


class _TermPostings:
    """One term's postings, in the order they came."""

    __slots__ = ("docnums", "weights", "values", "ends", "in_order")

    def __init__(self) -> None:
        self.docnums = array("q")
        self.weights = array("d")
        self.values = bytearray()
        self.ends = array("q")
        self.in_order = True

    def add(self, docnum: int, weight: float, value: bytes | None) -> None:
        if self.docnums and docnum <= self.docnums[-1]:
            self.in_order = False  # sorted before they are written, as Whoosh's own pool would
        self.docnums.append(docnum)
        self.weights.append(weight)
        if value:
            self.values += value
        self.ends.append(len(self.values))

    def postings(self) -> list[tuple[int, float, bytes]]:
        """(document number, weight, value) in the order Whoosh's sorting pool gives them."""
        starts = [0, *self.ends[:-1]]
        found = [(docnum, weight, bytes(self.values[start:end]))
                 for docnum, weight, start, end in zip(self.docnums, self.weights, starts, self.ends)]
        return found if self.in_order else sorted(found)

    def columns(self) -> tuple[list[int], list[float], list[bytes]]:
        """The postings as (document numbers, weights, values), in that order."""
        if not self.in_order:
            docnums, weights, values = zip(*self.postings())
            return list(docnums), list(weights), list(values)
        values = self.values
        starts = [0, *self.ends[:-1]]
        return self.docnums.tolist(), self.weights.tolist(), [bytes(values[start:end]) for start, end in zip(starts, self.ends)]


class CompactPool:
    """Stands in for Whoosh's PostingPool: takes postings in any order, gives them back sorted by
    field, term, document."""

    def __init__(self, spelling_fields: set[str]) -> None:
        self.terms: dict[tuple[str, bytes], _TermPostings | tuple[int, float, bytes | None]] = {}
        self.spelled: dict[tuple[str, bytes], int] = {}
        """How many documents have each word of a spelling field."""
        self.spelling_fields = spelling_fields
        self.fieldnames: set[str] = set()

    def add(self, item: Posting) -> None:
        fieldname, text, docnum, weight, value = item
        key = (fieldname, text)
        if fieldname in self.spelling_fields:
            self.spelled[key] = self.spelled.get(key, 0) + 1
            self.fieldnames.add(fieldname)
            return
        postings = self.terms.get(key)
        if postings is None:  # most terms of a batch have one posting (ids, copy tokens): a tuple will do
            self.terms[key] = (docnum, weight, value)
            self.fieldnames.add(fieldname)
        elif type(postings) is tuple:
            self.terms[key] = _TermPostings()
            self.terms[key].add(*postings)
            self.terms[key].add(docnum, weight, value)
        else:
            postings.add(docnum, weight, value)

    def add_field(self, fieldname: str, docnum: int, postings, boost: float) -> int:
        """``add`` for each of a document's postings in a field (text, frequency, weight, value),
        with their weights multiplied by ``boost``; returns the sum of their frequencies."""
        terms, length = self.terms, 0
        self.fieldnames.add(fieldname)
        for text, frequency, weight, value in postings:
            length += frequency
            key = (fieldname, text)
            found = terms.get(key)
            if found is None:
                terms[key] = (docnum, weight * boost, value)
            elif type(found) is tuple:
                terms[key] = grown = _TermPostings()
                grown.add(*found)
                grown.add(docnum, weight * boost, value)
            else:
                found.add(docnum, weight * boost, value)
        return length

    def add_spelling(self, fieldname: str, words) -> None:
        """``add`` for the spelling words of a document."""
        spelled = self.spelled
        self.fieldnames.add(fieldname)
        for word in words:
            key = (fieldname, word.encode("utf-8"))
            spelled[key] = spelled.get(key, 0) + 1

    def iter_terms(self) -> Iterator[tuple[str, bytes, list[int], list[float], list[bytes | None]]]:
        """Each term's postings, by field and term: (field name, term, document numbers, weights,
        values), what ``iter_postings`` gives one posting at a time."""
        for fieldname, text in sorted([*self.terms, *self.spelled]):
            if fieldname in self.spelling_fields:
                count = self.spelled[fieldname, text]
                yield fieldname, text, [0] * count, [1.0] * count, [ONCE] * count
                continue
            postings = self.terms[fieldname, text]
            if type(postings) is tuple:
                docnum, weight, value = postings
                yield fieldname, text, [docnum], [weight], [value]
            else:
                yield fieldname, text, *postings.columns()

    def iter_postings(self) -> Iterator[Posting]:
        for fieldname, text in sorted([*self.terms, *self.spelled]):
            if fieldname in self.spelling_fields:
                for _ in range(self.spelled[fieldname, text]):
                    yield fieldname, text, 0, 1.0, ONCE
                continue
            postings = self.terms[fieldname, text]
            for docnum, weight, value in [postings] if type(postings) is tuple else postings.postings():
                yield fieldname, text, docnum, weight, value

    def cleanup(self) -> None:
        self.terms, self.spelled = {}, {}


class _PerDocumentReader(W3PerDocReader):
    """Remembers that a field keeps no lengths, instead of asking the disk again for each posting."""

    def _cached_reader(self, fieldname, column):
        if fieldname not in self._readers:
            self._readers[fieldname] = super()._cached_reader(fieldname, column)
        return self._readers[fieldname]


_LENGTHS = [byte_to_length(code) if code else 0 for code in range(256)]
"""A field length as Whoosh reads it back from the byte it stores."""


def _field_lengths(lengths: W3PerDocReader | None, fieldname: str, doccount: int) -> list[int] | None:
    """Each document's length of the field, as Whoosh's ``doc_field_length`` reads it (None: the
    field keeps none, all are 0)."""
    column = lengths._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if lengths is not None else None
    if column is None:
        return None
    return [_LENGTHS[column[docnum] or 0] for docnum in range(doccount)]


def _add_term_postings(postwriter, docnums: list[int], weights: list[float], values: list[bytes | None],
                       lengths: list[int] | None) -> None:
    """Puts a term's postings in Whoosh's postings writer block by block, as calling its
    ``add_posting`` for each would: the same blocks, statistics and bytes, without a Python call
    and its checks for each posting. The last block is left for ``finish_postings`` to write."""
    size, count = postwriter._blocklimit, len(docnums)
    for start in range(0, count, size):
        end = min(start + size, count)
        ids, block_weights = docnums[start:end], weights[start:end]
        postwriter._ids = array("I", ids)
        postwriter._weights = array("f", block_weights)
        postwriter._values = [value for value in values[start:end] if value]
        postwriter._maxweight = max(0, max(block_weights))
        found = [length for length in map(lengths.__getitem__, ids) if length] if lengths is not None else []
        postwriter._minlength = min(found) if found else None
        postwriter._maxlength = max(found) if found else 0
        if end < count:
            postwriter._write_block()


COMPRESS_FROM = 128
"""A block of postings is compressed when its pickle holds at least this many bytes. Whoosh means
not to compress one under 20 bytes but compresses every one (its check is overwritten on the next
line): most of a segment's blocks hold one posting (an id, a copy token, a rare word), some 30
bytes that zlib makes no smaller, and compressing them was the writer's largest single cost. The
level a block was compressed with is written in it: readers decompress only those compressed."""


def _write_block(postwriter, last: bool = False) -> None:
    """W3PostingsWriter._write_block, compressing only blocks of COMPRESS_FROM bytes or more."""
    if not postwriter._blockcount:
        postwriter._postfile.write(WHOOSH3_HEADER_MAGIC)
    postwriter._terminfo.add_block(postwriter)
    databytes = dumps((postwriter._mini_ids(), postwriter._mini_weights(), postwriter._mini_values()), 2)
    compression = postwriter._compression if len(databytes) >= COMPRESS_FROM else 0
    if compression:
        databytes = zlib.compress(databytes, compression)
    ids = postwriter._ids
    infobytes = dumps((len(ids), ids[-1], postwriter._maxweight, compression,
                       length_to_byte(postwriter._minlength), length_to_byte(postwriter._maxlength)), 2)
    length = len(infobytes) + len(databytes)
    postwriter._postfile.write_int(-length if last else length)  # the last block's length is negative
    postwriter._postfile.write(infobytes)
    postwriter._postfile.write(databytes)
    postwriter._blockcount += 1
    postwriter._new_block()


class LeanSegmentWriter(SegmentWriter):
    """A Whoosh SegmentWriter (same arguments, same files written) with the compact pool and the
    per-document reader above, whose ``add_document`` takes Analysed values. ``limitmb`` no longer
    applies: a batch's size bounds its memory."""

    def __init__(self, index, **kwargs) -> None:
        super().__init__(index, **kwargs)
        start_field = self.fieldwriter.start_field

        def starting_field(fieldname, fieldobj) -> None:
            start_field(fieldname, fieldobj)
            postwriter = self.fieldwriter._postwriter
            postwriter._write_block = partial(_write_block, postwriter)

        self.fieldwriter.start_field = starting_field
        self.arrays: TermArraysWriter | None = None
        """The terms of the segment being written, for search.index.term_arrays."""
        self.bands = BandsWriter()
        """The copy tokens of the segment's documents, for search.index.copy_bands (not pooled)."""
        self.pool = CompactPool({field.spelling_fieldname(name) for name, field in self.schema.items()
                                 if field.separate_spelling()})

    def per_document_reader(self) -> W3PerDocReader:
        if not self.perdocwriter.is_closed:
            raise RuntimeError("the per-document writer is still open")
        return _PerDocumentReader(self.storage, self.get_segment())

    def _flush_segment(self) -> None:
        """Whoosh's ``_flush_segment``, its postings given to the postings writer a block at a time."""
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        fieldwriter, current = self.fieldwriter, None
        self.arrays = arrays = TermArraysWriter()
        for fieldname, text, docnums, weights, values in self.pool.iter_terms():
            if fieldname != current:
                if current is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, self.schema[fieldname])
                current, field_lengths = fieldname, _field_lengths(lengths, fieldname, self.docnum)
                kept = fieldname not in self.pool.spelling_fields  # a spelling word's postings are never read
                positional = self.schema[fieldname].format.supports("positions")
            fieldwriter.start_term(text)
            if kept:
                arrays.add(fieldwriter._postwriter._startoffset, docnums, weights, values if positional else None)
            _add_term_postings(fieldwriter._postwriter, docnums, weights, values, field_lengths)
            fieldwriter.finish_term()
        if current is not None:
            fieldwriter.finish_field()
        fieldwriter.close()
        if lengths is not None:
            lengths.close()

    def _assemble_segment(self) -> None:
        """Whoosh's, then the segment's term arrays saved beside it (before the commit lists it)."""
        super()._assemble_segment()
        folder = getattr(self.storage, "folder", None)
        if self.arrays is not None and folder is not None:
            self.arrays.save(Path(folder), self.get_segment().segment_id())
        if len(self.bands) and folder is not None:
            self.bands.save(Path(folder), self.get_segment().segment_id())
        self.arrays, self.bands = None, BandsWriter()

    def add_reader(self, reader) -> None:
        """Whoosh's (a segment merged into this one), its saved copy tokens carried over too."""
        first = self.docnum
        super().add_reader(reader)
        folder = getattr(self.storage, "folder", None)
        bands = SegmentBands.load(Path(folder), reader.segment().segment_id()) if folder is not None else None
        if bands is None:
            return
        try:
            hashes, docs = bands.pairs()
        finally:
            bands.close()
        alive = np.ones(reader.doc_count_all(), dtype=bool)
        if reader.has_deletions():  # a merged segment is smaller than a batch: a loop will do
            alive[[docnum for docnum in range(len(alive)) if reader.is_deleted(docnum)]] = False
        kept = alive[docs]
        numbers = first + np.cumsum(alive) - 1  # Whoosh copies the documents left, in order
        self.bands.add_pairs(hashes[kept], numbers[docs[kept]])

    def add_document(self, **fields) -> None:
        """Whoosh's ``add_document`` (for fields without term vectors), taking a field's analysis
        from its value when that is Analysed."""
        self._check_state()
        docnum, pool = self.docnum, self.pool
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(self.schema, fieldnames)
        self.perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value, field = fields[fieldname], self.schema[fieldname]
                if value is None:
                    continue
                if fieldname == BANDS_FIELD:
                    self.bands.add(docnum, value.split())
                    continue
                analysed = value if isinstance(value, Analysed) else None
                value = analysed.value if analysed else value
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, fieldname, docboost)
                    postings = analysed.postings if analysed else field.index(value)
                    frequencies = pool.add_field(fieldname, docnum, postings, boost)
                    length = frequencies if field.scorable else 0
                if field.separate_spelling():
                    words = analysed.spelling if analysed else field.spellable_words(value)
                    pool.add_spelling(field.spelling_fieldname(fieldname), words)
                stored = fields.get(f"_stored_{fieldname}", value)
                self.perdocwriter.add_field(fieldname, field, stored if field.stored else None, length)
                if field.column_type and stored is not None:
                    self.perdocwriter.add_column_value(fieldname, field.column_type, field.to_column_value(stored))
        except Exception:
            self.perdocwriter.cancel_doc()
            raise
        self.perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
