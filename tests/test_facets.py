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


def test_counts_over_any_matches_are_those_of_the_stored_values(varied_index):
    import random
    from collections import Counter

    import numpy as np

    from search.index.decoder import split_values

    snapshot = SearchIndex(varied_index)._current()
    stored = {d: snapshot.searcher.stored_fields(d) for d in range(len(snapshot.deleted)) if not snapshot.deleted[d]}
    rng = random.Random(3)
    for size in (1, 5, 40, 300, len(stored)):  # a few documents, and most of them (counted another way)
        chosen = sorted(rng.sample(sorted(stored), size))
        for field in ("people", "orgs", "places", "source", "authors", "language"):
            index = snapshot.facets[field]
            counts = index.counts(np.array(chosen))
            expected = Counter(value.casefold() for d in chosen for value in set(split_values(stored[d].get(field))))
            assert {index.folded[n]: int(c) for n, c in enumerate(counts) if c} == dict(expected)


def test_the_shown_spelling_is_the_one_most_articles_use(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [article(1, ["PORT AUTHORITY"]), article(2, ["Port Authority"]), article(3, ["Port Authority"])])
    update_index(store, [article(4, ["PORT AUTHORITY"]), article(5, ["PORT AUTHORITY"]), article(6, ["port authority"])])
    orgs = SearchIndex(store.root).search(SearchRequest(q="oil")).facets["orgs"]
    assert [(f.value, f.count) for f in orgs] == [("PORT AUTHORITY", 6)]  # 3 to 2 to 1, over two segments


def test_a_value_is_found_whether_its_accents_are_typed_composed_or_not(tmp_path):
    from search.article import Article
    from search.index import IndexStore, SearchIndex, rebuild_index
    from search.query import SearchRequest

    store = IndexStore(tmp_path / "index")
    rebuild_index(store, [Article(id="s", title="Port news", text="News from São Paulo.", places=["São Paulo"],
                                  origin="s", fingerprint="s")])
    found = SearchIndex(store.root).search(SearchRequest(places=("Sa\u0303o Paulo",)))
    assert found.total == 1 and [(f.value, f.count, f.selected) for f in found.facets["places"]] == [
        ("São Paulo", 1, True)]
