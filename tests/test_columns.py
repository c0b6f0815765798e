"""Columns per segment: what every match contributes to a search's aggregates, saved beside the segment."""

from datetime import date

import numpy as np
import pytest

from search.article import Article
from search.index import IndexStore, SearchIndex, update_index
from search.index import columns as module
from search.index.columns import copy_hash, ordinals
from search.index.decoder import split_values
from search.index.schema import from_day_number
from search.query import SearchRequest


def article(n: int, **fields) -> Article:
    values = dict(id=f"id{n}", title=f"Ferry {n}", text=f"The ferry number {n} sailed.", origin=f"f{n}",
                  fingerprint=f"fp{n}", published=date(2020, 1, n), people=["Ann Lee"], source="Harbour News")
    values.update(fields)
    return Article(**values)


def column_files(store: IndexStore) -> set[str]:
    return {p.name for p in store.current().iterdir() if ".col_" in p.name}


def test_an_update_writes_the_columns_of_its_segments_before_anyone_searches(tmp_path, monkeypatch):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1), article(2)])
    update_index(store, [article(3)])
    segments = {segment.segment_id() for segment in store.open()._segments()}
    assert {name.split(".")[0] for name in column_files(store)} == segments
    monkeypatch.setattr(module, "build_columns", lambda reader: pytest.fail("columns were built by a search"))
    assert SearchIndex(store.root).search(SearchRequest(q="ferry")).total == 3


def test_an_update_opens_only_the_segments_whose_columns_are_missing(tmp_path, monkeypatch):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1), article(2)])
    first = {segment.segment_id() for segment in store.open()._segments()}
    built, looked_at = [], []
    real_build, real_load = module.build_columns, module._load
    monkeypatch.setattr(module, "build_columns", lambda reader: built.append(reader.segment().segment_id()) or real_build(reader))
    monkeypatch.setattr(module, "_load", lambda folder, prefix, *rest: looked_at.append(prefix) or real_load(folder, prefix, *rest))
    update_index(store, [article(3)])
    assert len(built) == 1 and built[0] not in first and looked_at == built
    assert {name.split(".")[0] for name in column_files(store)} == first | set(built)


def test_missing_columns_are_built_by_the_first_search_and_saved(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1), article(2, people=["Bo Chan"])])
    before = SearchIndex(store.root).search(SearchRequest(q="ferry")).to_dict()
    for name in column_files(store):
        (store.current() / name).unlink()
    assert SearchIndex(store.root).search(SearchRequest(q="ferry")).to_dict() == before
    assert column_files(store)


def test_columns_that_cannot_be_saved_serve_from_memory(tmp_path, monkeypatch):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1), article(2)])
    for name in column_files(store):
        (store.current() / name).unlink()

    def read_only(*args):
        raise PermissionError("read-only")

    monkeypatch.setattr(module, "_save", read_only)
    result = SearchIndex(store.root).search(SearchRequest(q="ferry"))
    assert result.total == 2 and result.facets["people"][0].value == "Ann Lee" and not column_files(store)


def test_the_columns_hold_what_the_stored_documents_say(varied_index):
    reader = IndexStore(varied_index).open().reader()
    for segment, _ in reader.leaf_readers():
        columns = module.build_columns(segment)
        for docnum in range(segment.doc_count_all()):
            stored = segment.stored_fields(docnum)
            published = from_day_number(stored.get("published"))
            assert columns.days[docnum] == (published.toordinal() if published else 0)
            for field in ("people", "orgs", "places", "authors", "source"):
                facet = columns.facets[field]
                values = facet.values[facet.offsets[docnum]:facet.offsets[docnum + 1]]
                assert sorted(facet.spellings[v] for v in values) == sorted(set(split_values(stored.get(field))))
        keys = [segment.column_reader("copies")[d] for d in range(segment.doc_count_all())]
        assert columns.copies.tolist() == [copy_hash(k) for k in keys]


def test_day_numbers_become_ordinals():
    days = [date(1000, 1, 1), date(1987, 2, 28), date(2000, 2, 29), date(2023, 12, 31), date(2999, 12, 31)]
    numbers = np.array([d.year * 10000 + d.month * 100 + d.day for d in days] + [0, 4294967295])
    assert ordinals(numbers).tolist() == [d.toordinal() for d in days] + [0, 0]
