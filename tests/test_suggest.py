"""Did you mean: edit distance and the choice among close words."""

import pytest

from search.article import Article
from search.index import IndexStore, SearchIndex, update_index
from search.index.suggest import edit_distance
from search.query import SearchRequest


@pytest.mark.parametrize("a, b, distance", [
    ("coffee", "coffee", 0), ("cofee", "coffee", 1), ("teh", "the", 1), ("cofee", "come", 2),
    ("kitten", "sitting", 3), ("", "ab", 2),
])
def test_edit_distance_counts_inserts_deletes_changes_and_swaps(a, b, distance):
    assert edit_distance(a, b) == distance


def test_the_closest_word_wins_over_a_commoner_one(tmp_path):
    store = IndexStore(tmp_path / "index")
    common = [Article(id=f"c{n}", title=f"Note {n}", text="They come and go as they come.", origin=f"c{n}",
                      fingerprint=f"c{n}") for n in range(5)]
    update_index(store, [*common, Article(id="k", title="Market", text="Coffee prices rose.", origin="k",
                                          fingerprint="k")])
    result = SearchIndex(store.root).search(SearchRequest(q="cofee prices"))
    assert result.suggestion == "coffee prices"
    # the first letter is taken as typed (as Lucene's spell checker does): only words starting with it are compared
    assert SearchIndex(store.root).search(SearchRequest(q="kofee prices")).suggestion is None
