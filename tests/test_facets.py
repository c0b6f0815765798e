"""Facet values counted over the matches: one value whatever its case."""

from datetime import date

from search.article import Article
from search.index import IndexStore, SearchIndex, update_index
from search.query import SearchRequest, parse_params


def article(n: int, orgs: list[str]) -> Article:
    return Article(id=f"id{n}", title=f"Oil output {n}", text="Oil producers met to discuss output.", origin=f"f{n}",
                   fingerprint=f"fp{n}", orgs=orgs, published=date(1987, 3, n))


def test_spellings_of_one_value_are_counted_together_under_the_commonest(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1, ["OPEC"]), article(2, ["OPEC", "Reuters"]), article(3, ["Opec"]),
                         article(4, ["Reuters"])])
    index = SearchIndex(store.root)
    orgs = {f.value: f.count for f in index.search(SearchRequest(q="oil")).facets["orgs"]}
    assert orgs == {"OPEC": 3, "Reuters": 2}
    chosen = index.search(parse_params({"q": ["oil"], "org": ["opec"]}))
    assert chosen.total == 3
    assert [(f.value, f.count, f.selected) for f in chosen.facets["orgs"] if f.selected] == [("OPEC", 3, True)]
    nothing = index.search(parse_params({"q": ["oil"], "org": ["Nobody"]}))
    assert nothing.total == 0 and ("Nobody", 0, True) in [(f.value, f.count, f.selected) for f in nothing.facets["orgs"]]


def test_values_with_the_same_count_are_listed_alphabetically(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1, ["Zeta Corp", "alpha group", "Mid Inc"]), article(2, ["Mid Inc"])])
    orgs = [(f.value, f.count) for f in SearchIndex(store.root).search(SearchRequest(q="oil")).facets["orgs"]]
    assert orgs == [("Mid Inc", 2), ("alpha group", 1), ("Zeta Corp", 1)]
