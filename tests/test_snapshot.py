"""Snapshots: a search answers from the index as it was when it started, while others search and
the index changes."""

import threading
from datetime import date

from search.article import Article
from search.index import IndexStore, SearchIndex, update_index
from search.query import SearchRequest


def articles(first: int, count: int) -> list[Article]:
    return [Article(id=f"id{n}", title=f"Ferry {n}", text=f"The ferry number {n} crossed to the island.",
                    origin=f"f{n}", fingerprint=f"fp{n}", published=date(2020, 1, 1 + n % 28), people=["Ann Lee"])
            for n in range(first, first + count)]


def test_a_new_snapshot_keeps_the_columns_of_the_segments_it_shares(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, articles(0, 5))
    index = SearchIndex(store.root)
    before = index._current()
    update_index(store, articles(5, 3))
    after = index._current()
    assert after is not before and after.count == 8 and before.count == 5
    shared = set(before.columns) & set(after.columns)
    assert shared and all(after.columns[name] is before.columns[name] for name in shared)
    assert index._current() is after  # nothing new: the same snapshot


def test_searches_in_threads_answer_while_the_index_grows(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, articles(0, 20))
    index = SearchIndex(store.root)
    totals, failures, stop = [], [], threading.Event()

    def search() -> None:
        while not stop.is_set():
            try:
                result = index.search(SearchRequest(q="ferry island", per_page=5))
                assert result.total == result.facets["people"][0].count == sum(b.count for b in result.published)
                assert len(result.hits) == 5 and all("<mark" in hit.snippet for hit in result.hits)
                totals.append(result.total)
            except Exception as error:  # noqa: BLE001 - any failure in a thread fails the test
                failures.append(error)

    threads = [threading.Thread(target=search) for _ in range(4)]
    for thread in threads:
        thread.start()
    for first in range(20, 80, 20):
        update_index(store, articles(first, 20))
    stop.set()
    for thread in threads:
        thread.join(30)
    assert not failures and set(totals) <= {20, 40, 60, 80} and index.search(SearchRequest(q="ferry")).total == 80


def test_searches_of_words_phrases_and_descriptions_need_no_lock(varied_index):
    # a thread holding the lock that serialises Whoosh's positioned reads (building a matcher, finding
    # an article by its id) does not hold up a search of words, a phrase, a description or every
    # article: the index's files are memory maps, read at a position without moving a shared one
    index = SearchIndex(varied_index)
    snapshot = index._current()
    requests = [SearchRequest(q="harbour ferry"), SearchRequest(q='"harbour ferry"'), SearchRequest(q="*"),
                SearchRequest(q="what did the harbour crews say about ferries and storms"), SearchRequest(),
                SearchRequest(q="storm", places=("Oslo",), sort="newest")]
    answered = []
    with snapshot.whoosh_lock:
        thread = threading.Thread(target=lambda: answered.extend(index.search(request) for request in requests))
        thread.start()
        thread.join(20)
    thread.join()
    assert len(answered) == len(requests) and answered[0].total and answered[0].hits
