"""Queries computed straight from the query objects: no Whoosh matcher is built for words, AND, OR
and phrases, and the documents and scores are Whoosh's own (tests/test_matches.py compares them)."""

import time

import pytest
from whoosh import query as wq

from search.index import SearchIndex, direct
from search.index.executor import find
from search.index.plan import text_query
from search.index.postings import PostingsCache
from search.index.term_arrays import TermArrays


@pytest.fixture(scope="module")
def opened(varied_index):
    return SearchIndex(varied_index)._current()


@pytest.mark.parametrize("q", ["harbour", "storm ferry captain", '"harbour ferry"', "harbour OR wheat",
                               "harbour ANDMAYBE captain", "harbour ANDNOT storm", '"harbour ferry" storm', "*"])
def test_words_and_phrases_build_no_whoosh_matcher(opened, q, monkeypatch):
    query, _, _ = text_query(opened, q)
    expected, _, _ = find(opened, query, time.monotonic() + 10)
    assert len(expected)

    def refused(*args, **kwargs):
        raise AssertionError("a Whoosh matcher was built")

    for kind in (wq.Term, wq.Phrase, wq.And, wq.Or, wq.AndMaybe, wq.AndNot, wq.Every):
        monkeypatch.setattr(kind, "matcher", refused)
    found, _, _ = find(opened, query, time.monotonic() + 10)
    assert found.ids.tolist() == expected.ids.tolist() and found.scores.tolist() == expected.scores.tolist()


@pytest.mark.parametrize("q", ['"harbour ferry"', '"ferry storm port"', "harbour ferry storm", '"storm port" OR crew'])
def test_cached_postings_and_positions_give_whooshs_documents_and_scores(varied_index, q, monkeypatch):
    monkeypatch.setattr(TermArrays, "load", classmethod(lambda cls, folder, prefix: None))  # an earlier version's index
    monkeypatch.setattr(PostingsCache, "SHORTEST", 1)  # every term's postings and positions go through the cache
    monkeypatch.setattr(direct, "_POSITIONS_READ_WHOLE", 10**9)
    opened = SearchIndex(varied_index)._current()
    query, _, _ = text_query(opened, q)
    whooshs = {hit.docnum: hit.score for hit in opened.searcher.search(query, limit=None, terms=True)}
    for _ in range(2):  # read and kept, then from the cache
        found, _, _ = find(opened, query, time.monotonic() + 10)
        assert dict(zip(found.ids.tolist(), found.scores.tolist())) == whooshs
    assert opened.postings_cache.size > 0
    assert any(key[-1] == "positions" for key in opened.postings_cache._entries) == ('"' in q)
