"""A segment's postings saved as arrays by the writer: what Whoosh's blocks hold, read without them."""

from dataclasses import replace

import pytest

from search.index import IndexStore, SearchIndex, rebuild_index, update_index
from search.index.postings import POSTINGS_HEADER, read_positions, term_postings
from search.index.term_arrays import TermArrays
from search.query import SearchRequest

from conftest import varied_articles

QUERIES = ["harbour", "storm ferry captain", '"harbour ferry"', '"ferry storm port"', "harbour OR wheat",
           "harbour ANDNOT storm", "title:ferry", "harbourmaster", ""]


@pytest.fixture(scope="module")
def merged_index(tmp_path_factory):
    """Segments of one run, of later runs replacing some articles, and one merged from small runs."""
    store = IndexStore(tmp_path_factory.mktemp("arrays") / "index")
    first = varied_articles(400, seed=7)
    rebuild_index(store, first)
    for run in range(6):  # small runs: their segments are merged once there are enough of them
        update_index(store, varied_articles(25, seed=20 + run, start=400 + 25 * run)
                     + [replace(a, title=a.title + " again", fingerprint="again") for a in first[run * 10:run * 10 + 5]])
    return store


def test_every_terms_arrays_hold_what_its_blocks_hold(merged_index):
    folder = merged_index.current()
    reader = merged_index.open().reader()
    segments = [segment for segment, _ in reader.leaf_readers()]
    assert 2 <= len(segments) < 7 and any(segment.has_deletions() for segment in segments)  # 7 runs, some merged
    checked = positioned = 0
    for segment in segments:
        arrays = TermArrays.load(folder, segment.segment().segment_id())
        assert arrays is not None
        for fieldname in ("title", "text", "people", "source", "published", "copy_bands", "id"):
            for term in segment.lexicon(fieldname):
                info = segment._terms.term_info(fieldname, term)
                offset = info.extent()[0]
                expected, found = term_postings(segment, fieldname, term, info), arrays.postings(offset)
                assert found.ids.tolist() == expected.ids.tolist(), (fieldname, term)
                assert found.weights.tolist() == expected.weights.tolist(), (fieldname, term)
                checked += 1
                if fieldname in ("title", "text"):
                    some = expected.ids[::2]  # the words' positions in some of the term's documents
                    owners, where = arrays.word_positions(offset, some)
                    whose, whence = read_positions(segment._terms._postfile, offset + POSTINGS_HEADER, some)
                    assert owners.tolist() == whose.tolist() and where.tolist() == whence.tolist(), term
                    positioned += len(where)
    assert checked > 1000 and positioned > 1000


def test_searches_find_the_same_with_and_without_the_arrays(merged_index, monkeypatch):
    def results(index):
        found = []
        for q in QUERIES:
            result = index.search(SearchRequest(q=q))
            found.append((q, result.total, [(hit.id, hit.score) for hit in result.hits], result.facets))
        return found

    with_arrays = results(SearchIndex(merged_index.root))
    assert all(segment.arrays is not None for segment in SearchIndex(merged_index.root)._current().segments)
    monkeypatch.setattr(TermArrays, "load", classmethod(lambda cls, folder, prefix: None))
    without = SearchIndex(merged_index.root)
    assert all(segment.arrays is None for segment in without._current().segments)
    assert results(without) == with_arrays
    assert sum(total for _, total, _, _ in with_arrays) > 1000


def test_a_segment_whose_arrays_are_missing_or_damaged_is_read_from_its_blocks(merged_index, tmp_path):
    folder = merged_index.current()
    segment = next(segment for segment, _ in merged_index.open().reader().leaf_readers())
    prefix = segment.segment().segment_id()
    assert TermArrays.load(folder, prefix) is not None
    assert TermArrays.load(tmp_path, prefix) is None  # no files
    marker = (folder / f"{prefix}.arr_format.json").read_text()
    (tmp_path / f"{prefix}.arr_format.json").write_text(marker)
    assert TermArrays.load(tmp_path, prefix) is None  # the marker without the data
    (tmp_path / f"{prefix}.arr_data").write_bytes((folder / f"{prefix}.arr_data").read_bytes()[:-4])
    assert TermArrays.load(tmp_path, prefix) is None  # the data cut short
    (tmp_path / f"{prefix}.arr_data").write_bytes((folder / f"{prefix}.arr_data").read_bytes())
    assert TermArrays.load(tmp_path, prefix) is not None
    (tmp_path / f"{prefix}.arr_format.json").write_text(marker.replace('"format": 2', '"format": 1'))
    assert TermArrays.load(tmp_path, prefix) is None  # another format
    assert TermArrays.load(folder, "MAIN_nosuchsegment") is None


def test_a_segments_arrays_file_is_opened_once_not_for_every_term(merged_index, monkeypatch):
    from search.index import term_arrays

    opened = []
    real = term_arrays.os.open
    monkeypatch.setattr(term_arrays.os, "open", lambda path, *args: opened.append(path) or real(path, *args))
    index = SearchIndex(merged_index.root)
    for q in QUERIES:
        index.search(SearchRequest(q=q))
    segments = len(merged_index.open().reader().leaf_readers())
    assert opened and len(opened) <= segments
