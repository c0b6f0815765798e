"""Searching the bundled corpus: ranking, filters, facets, order, pages and snippets."""

import time
from datetime import date

import pytest

from search.index import SearchIndex
from search.query import QuerySyntaxError, QueryTooSlow, SearchRequest


@pytest.fixture(scope="module")
def index(corpus_index):
    return SearchIndex(corpus_index)


def facet(result, name):
    return {f.value: f.count for f in result.facets[name]}


def test_words_find_the_belarus_stories_first(index):
    result = index.search(SearchRequest(q="Lukashenko"))
    assert result.total == 3
    assert all("Belarus" in hit.places or "Lithuania" in hit.places for hit in result.hits)
    assert facet(result, "people")["Alexander Lukashenko"] == 3


def test_title_matches_rank_above_text_matches(index):
    result = index.search(SearchRequest(q="volcano"))
    assert result.hits[0].title.startswith("Volcano erupts near Reykjavik")


def test_entity_filters_combine_and_facets_count_only_the_matches(index):
    everything = index.search(SearchRequest())
    minsk = index.search(SearchRequest(places=("Minsk",)))
    both = index.search(SearchRequest(places=("Minsk",), people=("Yuri Karayev",)))
    assert everything.total >= 20
    assert minsk.total == 3
    assert both.total == 2
    assert facet(both, "people")["Yuri Karayev"] == 2
    assert sum(facet(both, "sources").values()) == 2
    selected = [f for f in both.facets["people"] if f.selected]
    assert [f.value for f in selected] == ["Yuri Karayev"]


def test_filters_match_whatever_the_case(index):
    assert index.search(SearchRequest(people=("yuri karayev",))).total == 2
    assert index.search(SearchRequest(people=("Nobody Known",))).total == 0


def test_date_range_filters(index):
    august = index.search(SearchRequest(date_from=date(2020, 8, 1), date_to=date(2020, 8, 31)))
    assert {h.published for h in august.hits} == {date(2020, 8, 5), date(2020, 8, 11), date(2020, 8, 14)}
    after = index.search(SearchRequest(q="Lukashenko", date_from=date(2020, 9, 1)))
    assert [h.published for h in after.hits] == [date(2020, 10, 2)]


def test_sort_by_date_both_ways(index):
    newest = [h.published for h in index.search(SearchRequest(sort="newest", per_page=100)).hits]
    oldest = [h.published for h in index.search(SearchRequest(sort="oldest", per_page=100)).hits]
    assert newest == sorted(newest, reverse=True) and oldest == sorted(oldest)
    assert newest[0] == date(2023, 8, 23) and oldest[0] == date(2015, 12, 12)


def test_pages_do_not_overlap_and_cover_every_match(index):
    total = index.search(SearchRequest()).total
    seen = []
    for page in range(1, 5):
        seen += [h.id for h in index.search(SearchRequest(page=page, per_page=7)).hits]
    assert len(seen) == len(set(seen)) == total
    assert index.search(SearchRequest(page=50)).hits == []


def test_snippets_highlight_stemmed_matches_and_escape_html(index):
    [hit, *_] = index.search(SearchRequest(q="released protesters")).hits
    assert "<mark" in hit.snippet
    assert "<p>" not in hit.snippet and "<script" not in hit.snippet


def test_a_query_of_stop_words_finds_nothing_rather_than_failing(index):
    assert index.search(SearchRequest(q="the of")).total == 0


def test_bad_syntax_raises_query_syntax_error(index):
    with pytest.raises(QuerySyntaxError, match="never closed"):
        index.search(SearchRequest(q="title:("))


def test_the_article_comes_back_whole(index):
    [hit] = index.search(SearchRequest(q="Okrestina")).hits
    article = index.article(hit.id)
    assert article.text.startswith("Authorities in Belarus began releasing")
    assert article.published == date(2020, 8, 14) and article.authors == ["Marta Kowalczyk"]


def test_author_and_language_facets_count_and_filter(index):
    everything = index.search(SearchRequest())
    authors = facet(everything, "authors")
    assert authors["Jonas Berg"] == 2
    jonas = index.search(SearchRequest(authors=("jonas berg",)))
    assert jonas.total == 2 and all("Jonas Berg" in hit.authors for hit in jonas.hits)
    assert facet(everything, "languages") == {"en": everything.total}
    assert index.search(SearchRequest(languages=("en",), authors=("Jonas Berg",))).total == 2
    assert index.search(SearchRequest(languages=("de",))).total == 0


def test_dates_written_in_the_query_filter_like_the_parameters(index):
    august = index.search(SearchRequest(q="published:2020-08"))
    by_parameter = index.search(SearchRequest(date_from=date(2020, 8, 1), date_to=date(2020, 8, 31)))
    assert august.total == by_parameter.total == 3
    assert index.search(SearchRequest(q="Lukashenko published:[2020-09-01 to]")).total == 1
    assert index.search(SearchRequest(q="Lukashenko NOT published:2020-08")).total == 1
    assert index.search(SearchRequest(q="published:[2020-08-14 to 2020-08-11]")).total == 0


def test_a_search_past_its_time_limit_is_stopped_with_a_message(corpus_index):
    with pytest.raises(QueryTooSlow) as caught:
        SearchIndex(corpus_index, time_limit=0.0).search(SearchRequest(q="*a*"))
    assert "took too long" in caught.value.message and caught.value.parameter == "q"


def test_scoring_past_the_time_limit_is_stopped_too(corpus_index, monkeypatch):
    from search.index import executor as module

    matching = module.find

    def matched_just_in_time(*args, **kwargs):
        found = matching(*args, **kwargs)
        time.sleep(0.3)  # matching ended within the limit; the limit passes before ranking ends
        return found

    index = SearchIndex(corpus_index, time_limit=0.25)
    monkeypatch.setattr(module, "find", matched_just_in_time)
    for run in (index.search, index.export):
        with pytest.raises(QueryTooSlow):
            run(SearchRequest(q="belarus"))
    monkeypatch.undo()
    assert index.search(SearchRequest(q="belarus")).total == 4


def test_a_range_open_at_either_end(index):
    # Whoosh's numeric range matches everything when an end is missing: the product closes it
    before = index.search(SearchRequest(date_to=date(2015, 12, 31), per_page=100))
    assert [h.published for h in before.hits] == [date(2015, 12, 12)]
    after = index.search(SearchRequest(date_from=date(2023, 1, 1), per_page=100))
    assert [h.published for h in after.hits] == [date(2023, 8, 23)]
    assert index.search(SearchRequest(q="published:<2016")).total == 1


@pytest.mark.parametrize("q, total", [
    ('person:"Alexander Lukashenko"', 3),
    ('person:"alexander lukashenko"', 3),
    ("person:lukashenko", 3),
    ("place:minsk", 3),
    ('source:"the daily ledger"', 4),
    ('author:"jonas berg"', 2),
    ('org:"european union"', 3),
    ("belarus person:karayev", 2),
    ("person:lukash", 0),  # whole words only
])
def test_entity_fields_in_the_query_match_whatever_the_case_and_by_whole_words(index, q, total):
    assert index.search(SearchRequest(q=q)).total == total


@pytest.mark.parametrize("q, suggestion", [
    ("lukashnko", "lukashenko"),
    ("Lukashnko protestors", "Lukashenko protesters"),
    ("belaruss AND minsk", "belarus AND minsk"),
    ("person:lukashnko", None),  # a field value is left as typed
    ("belarus", None),  # enough hits: nothing to suggest
    ("xqzvy", None),  # nothing close
])
def test_did_you_mean(index, q, suggestion):
    result = index.search(SearchRequest(q=q))
    assert result.suggestion == suggestion
    if suggestion:
        assert index.search(SearchRequest(q=suggestion)).total > result.total


def test_related_stories_share_the_subject(index):
    okrestina = index.search(SearchRequest(q="Okrestina")).hits[0]
    related = index.related(okrestina.id)
    assert okrestina.id not in [h.id for h in related]
    assert len(related) == 2 and all("Belarus" in h.places for h in related)  # the other Belarus stories
    assert related[0].score >= related[-1].score
    volcano = index.search(SearchRequest(q="volcano")).hits[0]
    assert index.related(volcano.id) == []  # no other story on the subject: nothing forced in
    assert index.related("no-such-id") is None


@pytest.mark.parametrize("q, sort", [("", "newest"), ("said", "relevance"), ("election OR climate OR fire", "fresh")])
def test_pages_follow_one_another_without_gaps_or_repeats(index, q, sort):
    whole = index.search(SearchRequest(q=q, sort=sort, per_page=100))
    paged = [h.id for page in range(1, whole.pages * 20 + 1)
             for h in index.search(SearchRequest(q=q, sort=sort, per_page=5, page=page)).hits]
    assert paged == [h.id for h in whole.hits] and len(paged) == whole.listed > 5


def test_follow_opens_a_rebuilt_index_once(tmp_path):
    from search.article import Article
    from search.index import IndexStore, rebuild_index, update_index

    def articles(n):
        return [Article(id=f"id{i}", title=f"Story {i}", text=f"Story number {i} about ferries.", origin=f"f{i}",
                        fingerprint=f"fp{i}") for i in range(n)]

    store = IndexStore(tmp_path / "index")
    index = SearchIndex(store.root)
    assert index.follow() is None  # nothing indexed yet
    rebuild_index(store, articles(2))
    assert index.follow() == 2 and index.follow() is None
    assert index.search(SearchRequest(q="ferries")).total == 2
    rebuild_index(store, articles(3))
    assert index.follow() == 3 and index.search(SearchRequest(q="ferries")).total == 3
    rebuild_index(store, articles(4))
    assert index.search(SearchRequest(q="ferries")).total == 4  # a search opens it first
    assert index.follow() is None
    update_index(store, articles(6))  # new segments of the same index
    assert index.follow() is None and index._snapshot.up_to_date()  # opened, though not a switch
    assert index.search(SearchRequest(q="ferries")).total == 6


def test_changed_is_when_the_index_was_last_written_and_stays_put_until_the_next_commit(tmp_path):
    import os
    from datetime import datetime, timezone

    from search.article import Article
    from search.index import IndexStore, rebuild_index, update_index

    def articles(n):
        return [Article(id=f"id{i}", title=f"Story {i}", text=f"Story {i} about ferries.", origin=f"f{i}",
                        fingerprint=f"fp{i}") for i in range(n)]

    def written_at(when: datetime) -> datetime:  # the current table of contents dated ``when``
        for toc in store.current().glob("_MAIN_*.toc"):
            os.utime(toc, (when.timestamp(), when.timestamp()))
        return when

    store = IndexStore(tmp_path / "index")
    index = SearchIndex(store.root)
    assert index.changed() is None  # no index yet
    rebuild_index(store, articles(2))
    first = written_at(datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc))
    assert index.changed() == first and index.changed() == first
    update_index(store, articles(3))
    second = written_at(datetime(2022, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    assert index.changed() == second
    rebuild_index(store, articles(4))
    assert index.changed() > second  # a rebuilt index was written just now


@pytest.mark.parametrize("q", ["protest*", "bel*", "said OR volcano*"])
def test_an_export_lists_the_matches_in_the_order_and_with_the_scores_of_the_search(index, q):
    shown = index.search(SearchRequest(q=q, collapse=False, per_page=100))
    exported = index.export(SearchRequest(q=q, collapse=False))
    assert len(exported) == shown.total > 1
    assert [(h.id, h.score) for h in exported] == [(h.id, h.score) for h in shown.hits]
