"""Queries compared over time and entity profiles, over a real index whose every article is known."""

from datetime import date

import pytest

from search.article import Article
from search.comparison import CompareRequest
from search.index import IndexStore, SearchIndex, rebuild_index, update_index
from search.profiles import EntityNotFound, EntityRequest
from search.query import QuerySyntaxError, SearchRequest

STORIES = [
    # id, published, title, text, people, orgs, places, source
    ("a7", date(2020, 1, 2), "Cold start to January", "Frost covered the northern hills overnight.", [], [], [], "Weather Desk"),
    ("a1", date(2020, 1, 5), "Ferry strike halts crossings", "Ferry crews began a strike at the harbour.",
     ["Ana Costa"], ["OPEC"], ["Lisbon"], "Harbour Times"),
    ("a2", date(2020, 1, 20), "New ferry timetable", "The ferry company published winter sailings.",
     ["ana costa"], [], ["Porto"], "Lisbon Post"),
    ("a3", date(2020, 2, 10), "Dock strike spreads south", "Dock workers joined the strike over pay.",
     ["Ana Costa", "Rui Lopes"], ["Opec"], [], "Harbour Times"),
    ("a4", date(2020, 2, 11), "Budget talks resume", "Ministers met to discuss the budget again.",
     ["Rui Lopes"], [], [], "Harbour Times"),
    ("a5", date(2020, 4, 1), "Election campaign opens", "Candidates toured the coastal towns.",
     ["Rui Lopes"], ["OPEC"], [], "Lisbon Post"),
    ("a6", None, "A history of ferry strikes", "Every decade brought a ferry strike to the river.",
     ["Ana Costa"], [], [], "Archive"),
    ("a8", date(2021, 3, 15), "Ferry fleet renewed", "Three electric ferry boats entered service.",
     [], [], ["Lisbon"], "Harbour Times"),
    ("a9", date(2020, 6, 1), "Ana Costa named port chief", "Ana Costa will lead the port. Costa said Ana Costa's "
     "first task is the quay.", ["Ana Costa"], [], ["Lisbon"], "Lisbon Post"),
]
SPAN = {"date_from": date(2020, 1, 1), "date_to": date(2021, 3, 31)}


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> SearchIndex:
    store = IndexStore(tmp_path_factory.mktemp("overviews") / "index")
    rebuild_index(store, [Article(id=i, published=day, title=title, text=text, people=people, orgs=orgs, places=places,
                                  source=source, origin=i, fingerprint=i, language="en")
                          for i, day, title, text, people, orgs, places, source in STORIES])
    return SearchIndex(store.root)


def compared(index, *queries, **filters):
    return index.compare(CompareRequest(queries, SearchRequest(**filters)))


def test_each_series_counts_what_the_search_counts_in_every_period(index):
    result = compared(index, "ferry", "strike", **SPAN)
    assert result.interval == "month" and [p.label for p in result.periods][:3] == ["2020-01", "2020-02", "2020-03"]
    for series in result.series:
        search = index.search(SearchRequest(q=series.query, **SPAN))
        assert series.total == search.total_all_words == search.total
        assert series.counts == [bucket.count for bucket in search.published]
    every = index.search(SearchRequest(**SPAN))
    assert [p.count for p in result.periods] == [bucket.count for bucket in every.published]
    assert result.total == every.total == 8  # the undated article passes no date filter


def test_a_share_is_of_every_article_in_the_period_and_none_where_there_is_none(index):
    result = compared(index, "ferry", **SPAN)
    [ferry] = result.series
    assert ferry.counts[:4] == [2, 0, 0, 0] and [p.count for p in result.periods][:4] == [3, 2, 0, 1]
    assert ferry.shares[:4] == [pytest.approx(2 / 3), 0, None, 0]


def test_a_query_of_several_words_counts_the_articles_with_them_all(index):
    [both] = compared(index, "ferry strike").series
    search = index.search(SearchRequest(q="ferry strike"))
    assert both.total == search.total_all_words == 2 < search.total  # a1 and the undated a6
    assert sum(both.counts) == 1


def test_without_dates_the_periods_span_the_matches_in_whole_periods(index):
    result = compared(index, "ferry")
    assert result.periods[0].start == date(2020, 1, 1) and result.periods[-1].end == date(2021, 3, 31)
    assert result.periods[0].count == 3  # a7, published before the first ferry story, counts in its month
    assert result.series[0].shares[0] == pytest.approx(2 / 3)


def test_the_shared_filters_narrow_every_query_and_the_denominator(index):
    result = compared(index, "strike", "budget", people=("rui lopes",), **SPAN)
    assert result.total == 3 and [s.total for s in result.series] == [1, 1]
    assert sum(p.count for p in result.periods) == 3


def test_each_series_lists_the_entities_its_articles_name_case_counted_together(index):
    [ferry] = compared(index, "ferry").series
    assert [(v.value, v.count) for v in ferry.facets["people"]] == [("Ana Costa", 3)]
    assert [(v.value, v.count) for v in ferry.facets["places"]] == [("Lisbon", 2), ("Porto", 1)]


def test_a_query_of_more_than_three_words_counts_the_articles_with_them_all_too(index):
    [series] = compared(index, "ferry strike crews harbour").series
    assert index.search(SearchRequest(q="ferry strike crews harbour")).total_all_words is None  # a description there
    assert series.total == 1  # a1 alone has all four


def test_a_bad_query_is_the_requests_error_naming_which_query(index):
    with pytest.raises(QuerySyntaxError, match=r"^Query 2 \(title:\(\): The '\(' at position 7 is never closed"):
        compared(index, "ferry", "title:(")


def test_an_index_not_built_yet_compares_to_nothing(tmp_path):
    empty = SearchIndex(tmp_path / "none")
    result = compared(empty, "ferry")
    assert result.total == 0 and result.periods == [] and [s.total for s in result.series] == [0]
    with pytest.raises(EntityNotFound):
        empty.entity(EntityRequest("people", "Ana Costa"))


def test_an_entity_is_found_whatever_its_case_with_every_spelling_counted(index):
    profile = index.entity(EntityRequest("people", "ANA COSTA"))
    assert profile.name == "Ana Costa" and sorted(profile.spellings) == ["Ana Costa", "ana costa"]
    assert profile.total == index.search(SearchRequest(people=("Ana Costa",))).total == 5
    assert sum(bucket.count for bucket in profile.published) == 4  # the undated story is not on the chart


def test_an_entity_lists_what_is_named_with_it_and_its_sources(index):
    profile = index.entity(EntityRequest("people", "Ana Costa"))
    assert [(v.value, v.count) for v in profile.named_with["people"]] == [("Rui Lopes", 1)]
    assert [(v.value, v.count) for v in profile.named_with["orgs"]] == [("OPEC", 2)]
    assert [(v.value, v.count) for v in profile.named_with["places"]] == [("Lisbon", 2), ("Porto", 1)]
    assert [(v.value, v.count) for v in profile.sources][:2] == [("Harbour Times", 2), ("Lisbon Post", 2)]


def test_an_entity_lists_its_latest_articles_and_those_most_about_it(index):
    profile = index.entity(EntityRequest("people", "Ana Costa"))
    assert [hit.id for hit in profile.latest] == ["a9", "a3", "a2", "a1", "a6"]
    assert profile.relevant[0].id == "a9"  # named in the title and three times in the text
    assert {hit.id for hit in profile.relevant} == {"a1", "a2", "a3", "a6", "a9"}


def test_an_entity_seen_through_filters(index):
    profile = index.entity(EntityRequest("people", "Ana Costa", SearchRequest(date_from=date(2020, 2, 1))))
    assert profile.total == 2 and [hit.id for hit in profile.latest] == ["a9", "a3"]


def test_an_entity_no_article_names_is_not_found(index):
    with pytest.raises(EntityNotFound, match="person 'Nobody'"):
        index.entity(EntityRequest("people", "Nobody"))
    with pytest.raises(EntityNotFound):
        index.entity(EntityRequest("places", "Ana Costa"))  # a person, not a place


def test_an_entity_named_only_by_a_deleted_article_is_not_found(tmp_path):
    store = IndexStore(tmp_path / "index")
    rebuild_index(store, [Article(id="x", title="Old story", text="About Zed Alpha.", people=["Zed Alpha"], origin="x",
                                  fingerprint="x")])
    update_index(store, [Article(id="x", title="Old story, corrected", text="About no one.", origin="x",
                                 fingerprint="x2")])
    index = SearchIndex(store.root)
    assert index.search(SearchRequest(q="corrected")).total == 1
    with pytest.raises(EntityNotFound):
        index.entity(EntityRequest("people", "Zed Alpha"))


def test_an_entity_typed_with_its_accents_decomposed_is_found(tmp_path):
    store = IndexStore(tmp_path / "index")
    rebuild_index(store, [Article(id="s", title="Port news", text="News from São Paulo.", places=["São Paulo"],
                                  origin="s", fingerprint="s")])
    profile = SearchIndex(store.root).entity(EntityRequest("places", "Sa\u0303o Paulo"))
    assert profile.name == "São Paulo" and profile.total == 1
