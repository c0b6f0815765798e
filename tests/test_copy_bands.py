"""A segment's copy tokens, saved as a sorted array beside it, found again by later runs."""

import random

import numpy as np
import pytest

from search.index import IndexStore, SearchIndex, update_index
from search.index import copy_bands, segment_writer
from search.index.copy_bands import BandsWriter, SegmentBands, band_file
from search.index.writer import MERGE_FROM
from search.query import SearchRequest

from test_copies import CORRECTED, LONG, OTHER, article


def test_a_look_up_finds_exactly_the_documents_of_a_token(tmp_path, monkeypatch):
    monkeypatch.setattr(copy_bands, "STRIDE", 4)  # a token's documents run over several stretches
    rng = random.Random(5)
    tokens = [f"t{n}" for n in range(60)]
    held = {token: sorted(rng.sample(range(500), rng.choice([1, 2, 9, 30]))) for token in tokens}
    writer = BandsWriter()
    for docnum in rng.sample(range(500), 500):
        writer.add(docnum, [token for token in tokens if docnum in held[token]])
    writer.save(tmp_path, "SEG")
    bands = SegmentBands.load(tmp_path, "SEG")
    for token in tokens:
        assert bands.documents(token).tolist() == held[token], token
    assert bands.documents("never written").tolist() == []
    hashes, docs = bands.pairs()
    assert np.all(np.diff(hashes) >= 0) and len(docs) == sum(map(len, held.values()))
    bands.close()
    assert SegmentBands.load(tmp_path, "OTHER") is None


def _segments(store):
    return [segment for segment, _ in store.open().reader().leaf_readers()]


def _key(store, article_id):
    with store.open().searcher() as searcher:
        return searcher.document(id=article_id) and searcher.reader().column_reader("copies")[
            searcher.document_number(id=article_id)]


def test_a_copy_of_an_article_in_a_merged_segment_is_found_by_its_tokens(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(99, "Budget", OTHER, 1), article(1, "Ferries to resume", LONG, 2)])
    [first] = [segment.segment().segment_id() for segment in _segments(store)]
    update_index(store, [article(99, "Budget (updated)", OTHER + " Updated.", 1)])  # document 0 of the first deleted
    for n in range(2, 2 + MERGE_FROM):  # small runs, until their segments are merged into one
        update_index(store, [article(n * 10, f"Budget {n}", OTHER.replace("six", str(n)) + f" Item {n}.", 3)])
    segments = _segments(store)
    assert first not in {segment.segment().segment_id() for segment in segments}  # merged, id1 renumbered
    for segment in segments:
        assert "copy_bands" not in segment.indexed_field_names()  # not Whoosh terms
        assert (store.current() / band_file(segment.segment().segment_id())).exists()
    update_index(store, [article(2, "Ferries to resume (corrected)", CORRECTED, 2)])
    assert _key(store, "id2") == _key(store, "id1")
    result = SearchIndex(store.root).search(SearchRequest(q="ferries"))
    assert result.total == 2 and result.listed == 1


def test_tokens_an_earlier_version_kept_as_whoosh_terms_are_still_found(tmp_path, monkeypatch):
    store = IndexStore(tmp_path / "index")
    with monkeypatch.context() as earlier:  # a writer that pools the tokens as any other field's
        earlier.setattr(segment_writer, "BANDS_FIELD", "no such field")
        update_index(store, [article(1, "Ferries to resume", LONG, 2)])
    [segment] = _segments(store)
    assert "copy_bands" in segment.indexed_field_names()
    assert not (store.current() / band_file(segment.segment().segment_id())).exists()
    update_index(store, [article(2, "Ferries to resume (corrected)", CORRECTED, 2)])
    assert _key(store, "id2") == _key(store, "id1")


def test_without_the_tokens_a_near_copy_keeps_its_own_key(tmp_path):
    # what the two tests above check is not given: the corrected copy's lead differs from the first's
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1, "Ferries to resume", LONG, 2)])
    for path in store.current().glob("*.copy_tokens.npy"):
        path.unlink()
    update_index(store, [article(2, "Ferries to resume (corrected)", CORRECTED, 2)])
    assert _key(store, "id2") != _key(store, "id1")
