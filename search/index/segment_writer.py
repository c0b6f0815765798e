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

from array import array
from dataclasses import dataclass
from typing import Iterator

from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.system import pack_uint
from whoosh.util.text import utf8encode
from whoosh.writing import SegmentWriter

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
        return cls(value, list(field.index(value)), list(field.spellable_words(value)) if field.separate_spelling() else [])


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


class LeanSegmentWriter(SegmentWriter):
    """A Whoosh SegmentWriter (same arguments, same files written) with the compact pool and the
    per-document reader above, whose ``add_document`` takes Analysed values. ``limitmb`` no longer
    applies: a batch's size bounds its memory."""

    def __init__(self, index, **kwargs) -> None:
        super().__init__(index, **kwargs)
        self.pool = CompactPool({field.spelling_fieldname(name) for name, field in self.schema.items()
                                 if field.separate_spelling()})

    def per_document_reader(self) -> W3PerDocReader:
        if not self.perdocwriter.is_closed:
            raise RuntimeError("the per-document writer is still open")
        return _PerDocumentReader(self.storage, self.get_segment())

    def add_document(self, **fields) -> None:
        """Whoosh's ``add_document`` (for fields without term vectors), taking a field's analysis
        from its value when that is Analysed."""
        self._check_state()
        docnum, add_post = self.docnum, self.pool.add
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(self.schema, fieldnames)
        self.perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value, field = fields[fieldname], self.schema[fieldname]
                if value is None:
                    continue
                analysed = value if isinstance(value, Analysed) else None
                value = analysed.value if analysed else value
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, fieldname, docboost)
                    for text, frequency, weight, encoded in analysed.postings if analysed else field.index(value):
                        length += frequency if field.scorable else 0
                        add_post((fieldname, text, docnum, weight * boost, encoded))
                if field.separate_spelling():
                    spelling_field = field.spelling_fieldname(fieldname)
                    for word in analysed.spelling if analysed else field.spellable_words(value):
                        add_post((spelling_field, utf8encode(word)[0], 0, 1, None))
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
