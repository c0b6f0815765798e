"""What every matching document contributes to a search's aggregates, as numpy arrays per segment.

A Whoosh segment never changes once written, so its columns are read once: the publication day,
the copy key (as a 64-bit hash) and, for each facet field, each document's values as a CSR pair
(offsets, value ids) with the segment's dictionary of values. They are saved beside the segment
(``<segment>.col_*``, so that Whoosh deletes them with it) when the segment is written, or by the
first search that finds them missing, and read back as memory maps. Deleted documents are not in
the columns' concern: they change without a new segment, and are masked by the snapshot.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.index import TOC
from whoosh.reading import SegmentReader

from search.index.postings import term_postings
from search.index.schema import FACET_FIELDS
from search.index.segment_files import save_beside

FORMAT = 1
"""Bumped when the files change shape: columns of another format are rebuilt."""
LATEST_DAY = 9999_12_31
"""A publication column's value above this stands for no date."""
_EPOCH = 719_163
"""``date(1970, 1, 1).toordinal()``: numpy counts days from 1970, Python's ordinals from year 1."""


@dataclass(frozen=True)
class FacetColumn:
    """One facet field of one segment: document d's values are ``values[offsets[d]:offsets[d + 1]]``,
    numbers into ``spellings`` (the field's values in the segment, as written, in index order)."""

    offsets: np.ndarray
    values: np.ndarray
    spellings: tuple[str, ...]


@dataclass(frozen=True)
class SegmentColumns:
    """The columns of one segment, by document number within it."""

    days: np.ndarray
    """Publication day as an ordinal (``date.toordinal()``), 0 when undated."""
    copies: np.ndarray | None
    """The copy key's 64-bit hash (equal for copies of one story); None in an index without copy keys."""
    facets: dict[str, FacetColumn]


def segment_columns(reader, folder: Path) -> SegmentColumns:
    """The columns of a segment (a Whoosh segment reader of the generation in ``folder``): read from
    its files, or built from the segment and saved (kept in memory only if they cannot be saved)."""
    if reader.segment() is None:  # an index without a segment yet: nothing to read
        empty = FacetColumn(np.zeros(1, dtype=np.int32), np.zeros(0, dtype=np.int32), ())
        return SegmentColumns(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64) if "copies" in reader.schema
                              else None, dict.fromkeys(FACET_FIELDS.values(), empty))
    prefix = reader.segment().segment_id()
    loaded = _load(folder, prefix, "copies" in reader.schema)
    if loaded is not None:
        return loaded
    built = build_columns(reader)
    try:
        _save(folder, prefix, built)
    except OSError:  # a folder this process may not write to: the columns serve from memory
        pass
    return built


def save_columns(index) -> None:
    """Write the columns of every segment of a Whoosh index's latest state that has none yet (after
    a commit, so that searches find them ready). Only those segments are opened: at a million
    articles, opening all 200 and loading their columns after every batch took 0.3 s."""
    folder = Path(index.storage.folder)
    for segment in TOC.read(index.storage, index.indexname).segments:
        if not _saved(folder, segment.segment_id()):
            reader = SegmentReader(index.storage, index.schema, segment)
            try:
                segment_columns(reader, folder)
            finally:
                reader.close()


def build_columns(reader) -> SegmentColumns:
    """Read a segment's columns from its stored columns and postings."""
    count = reader.doc_count_all()
    return SegmentColumns(days=_days(reader, count), copies=_copies(reader, count) if "copies" in reader.schema else None,
                          facets={field: _facet(reader, field, count) for field in FACET_FIELDS.values()})


def ordinals(day_numbers: np.ndarray) -> np.ndarray:
    """yyyymmdd numbers as day ordinals (``date.toordinal()``); 0 (or above LATEST_DAY) stays 0."""
    dated = (day_numbers > 0) & (day_numbers <= LATEST_DAY)
    numbers = np.where(dated, day_numbers, 1970_01_01).astype(np.int64)
    months = (numbers // 10000 - 1970) * 12 + numbers // 100 % 100 - 1
    days = months.astype("datetime64[M]").astype("datetime64[D]") + (numbers % 100 - 1)
    return np.where(dated, days.astype(np.int64) + _EPOCH, 0).astype(np.int32)


def _days(reader, count: int) -> np.ndarray:
    if not reader.has_column("published"):
        return np.zeros(count, dtype=np.int32)
    column = reader.column_reader("published", translate=False)  # fixed-width big-endian numbers
    stored = np.frombuffer(column._dbfile.get(column._basepos, column._count * column._fixedlen),
                           dtype=">" + column._typecode)
    numbers = np.full(count, column._default, dtype=np.int64)  # documents past the last stored value
    numbers[: len(stored)] = stored[:count]
    return ordinals(numbers)


def copy_hash(key: str | bytes) -> int:
    """A copy key as a signed 64-bit number (equal keys, equal numbers)."""
    data = key.encode("utf-8") if isinstance(key, str) else key
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


def _copies(reader, count: int) -> np.ndarray:
    column = reader.column_reader("copies")  # an index without the column reads every key as ""
    return np.fromiter((copy_hash(column[docnum]) for docnum in range(count)), dtype=np.int64, count=count)


def _facet(reader, field: str, count: int) -> FacetColumn:
    spellings, documents = [], []
    if field in reader.schema:
        for term in reader.lexicon(field):
            spellings.append(term.decode("utf-8"))
            documents.append(term_postings(reader, field, term).ids)
    lengths = np.array([len(d) for d in documents], dtype=np.int64)
    owners = np.concatenate(documents) if documents else np.zeros(0, dtype=np.int32)
    values = np.repeat(np.arange(len(spellings), dtype=np.int32), lengths)
    order = np.argsort(owners, kind="stable")
    offsets = np.zeros(count + 1, dtype=np.int32)
    np.cumsum(np.bincount(owners, minlength=count), out=offsets[1:])
    return FacetColumn(offsets, values[order], tuple(spellings))


def _names(prefix: str, with_copies: bool) -> dict[str, str]:
    """The column files of a segment, by what they hold."""
    names = {"days": f"{prefix}.col_days.npy"}
    if with_copies:
        names["copies"] = f"{prefix}.col_copies.npy"
    for field in FACET_FIELDS.values():
        names[f"{field}.offsets"] = f"{prefix}.col_{field}_offsets.npy"
        names[f"{field}.values"] = f"{prefix}.col_{field}_values.npy"
    return names


def _dictionary_name(prefix: str) -> str:
    """The file listing the facet values; written last, so that its presence says the rest is whole."""
    return f"{prefix}.col_spellings.json"


def _saved(folder: Path, prefix: str) -> bool:
    """Whether a segment's columns are saved in this format (its dictionary, written last, says so)."""
    try:
        return json.loads((folder / _dictionary_name(prefix)).read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, ValueError):
        return False


def _load(folder: Path, prefix: str, with_copies: bool) -> SegmentColumns | None:
    try:
        dictionary = json.loads((folder / _dictionary_name(prefix)).read_text(encoding="utf-8"))
        if dictionary.get("format") != FORMAT:
            return None
        arrays = {what: np.load(folder / name, mmap_mode="r") for what, name in _names(prefix, with_copies).items()}
    except (OSError, ValueError):  # missing, from an interrupted run, or unreadable: build them again
        return None
    facets = {field: FacetColumn(arrays[f"{field}.offsets"], arrays[f"{field}.values"], tuple(spellings))
              for field, spellings in dictionary["spellings"].items()}
    return SegmentColumns(arrays["days"], arrays.get("copies"), facets)


def _save(folder: Path, prefix: str, columns: SegmentColumns) -> None:
    arrays = {"days": columns.days, "copies": columns.copies}
    for field, facet in columns.facets.items():
        arrays[f"{field}.offsets"], arrays[f"{field}.values"] = facet.offsets, facet.values
    for what, name in _names(prefix, columns.copies is not None).items():
        save_beside(folder, prefix, name, lambda out, array=arrays[what]: np.save(out, np.asarray(array)))
    dictionary = {"format": FORMAT, "spellings": {field: list(f.spellings) for field, f in columns.facets.items()}}
    save_beside(folder, prefix, _dictionary_name(prefix),
                lambda out: out.write(json.dumps(dictionary, ensure_ascii=False).encode("utf-8")))
