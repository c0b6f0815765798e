"""Scoring and the reading of plain-word queries, on a real index in a temporary folder."""

from datetime import date

import pytest

from search.article import Article
from search.index import IndexStore, SearchIndex, update_index
from search.index.ranking import MAX_DESCRIPTION_TERMS, description_query, is_plain
from search.index.plan import MAX_QUERY_TERMS
from search.index.schema import build_schema
from search.query import QueryTooLong, SearchRequest


def article(n: int, text: str, title: str = "") -> Article:
    return Article(id=f"id{n}", title=title or text.split(".")[0], text=text, origin=f"f{n}",
                   fingerprint=f"fp{n}", published=date(2021, 1, n))


@pytest.fixture()
def index(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [
        article(1, "The harbour board met on Monday. Ferry fares rise in spring.", title="Harbour board meets"),
        article(2, "Ferry crews strike at the harbour over pay. The ferry service stops.", title="Ferry strike"),
        article(3, "The council budget was passed. The harbour gets new cranes.", title="Council budget"),
        article(4, "Storm closes the harbour. Ferry crossings cancelled as winds rise."),
    ])
    return SearchIndex(store.root)


@pytest.mark.parametrize("q, plain", [
    ("ferry strike harbour pay", True),
    ("the Baath (Renaissance) party founded by Michel Aflak", True),
    ('"ferry strike" harbour', False),
    ("ferry AND strike", False),
    ("title:ferry crews", False),
    ("ferr* strike", False),
    ("ferry -strike", False),
    ("Ki-moon visit to Seoul", True),
    ("why are the ferry crews on strike?", True),
    ("f?rry strike", False),
    ("Brexit: what next for the ferry crews", True),
    ("strike (person:smith)", False),
])
def test_plain_queries_are_only_words(q, plain):
    assert is_plain(q) is plain


def test_a_description_keeps_its_content_words_and_a_short_query_is_left_to_the_parser():
    schema = build_schema()
    assert description_query("ferry strike", schema, {"text": 1.0}) is None
    long = description_query("What are the efforts of the ferry crews to stop the strike?", schema, {"text": 1.0})
    terms = [sub.subqueries[0].text for sub in long.subqueries]
    assert terms == ["effort", "ferri", "crew", "stop", "strike"]


def test_a_pasted_passage_is_searched_by_its_most_telling_words(index):
    filler = " ".join(f"word{n}" for n in range(60))  # sixty words found nowhere in the index
    passage = f"Ferry crews strike. The strike stops the ferry. {filler} harbour harbour"
    reader = index._current().searcher.reader()
    query = description_query(passage, build_schema(), {"text": 1.0}, reader)
    terms = [sub.subqueries[0].text for sub in query.subqueries]
    assert len(terms) == MAX_DESCRIPTION_TERMS
    assert {"ferri", "strike", "harbour", "crew"} <= set(terms)  # repeated or indexed words come first
    assert index.search(SearchRequest(q=passage)).hits[0].id == "id2"


def test_a_long_query_in_the_query_language_is_refused_with_advice(index):
    many = " OR ".join(f"ferry{n}" for n in range(MAX_QUERY_TERMS + 1))
    with pytest.raises(QueryTooLong) as caught:
        index.search(SearchRequest(q=many))
    assert f"up to {MAX_QUERY_TERMS}" in caught.value.message and caught.value.parameter == "q"
    assert index.search(SearchRequest(q=" OR ".join(["ferry"] * 100))).total == 3  # one word, however often


def test_articles_with_every_word_come_first_then_those_lacking_some(index):
    result = index.search(SearchRequest(q="ferry strike"))
    assert [(h.id, h.missing) for h in result.hits][:1] == [("id2", [])]
    assert {(h.id, tuple(h.missing)) for h in result.hits[1:]} == {("id1", ("strike",)), ("id4", ("strike",))}
    assert (result.total, result.total_all_words) == (3, 1)


@pytest.mark.parametrize("q", ["ferry AND strike", "+ferry +strike", "+strike ferry"])
def test_plus_and_AND_require_a_word(index, q):
    result = index.search(SearchRequest(q=q))
    assert [(h.id, h.missing) for h in result.hits] == [("id2", [])] and result.total_all_words == 1


def test_beside_a_required_word_the_others_only_rank(index):
    result = index.search(SearchRequest(q="strike +ferry"))
    assert [(h.id, h.missing) for h in result.hits][:1] == [("id2", [])]
    assert {(h.id, tuple(h.missing)) for h in result.hits[1:]} == {("id1", ("strike",)), ("id4", ("strike",))}
    assert (result.total, result.total_all_words) == (3, 1)


def test_date_sorts_also_list_the_articles_with_every_word_first(index):
    result = index.search(SearchRequest(q="ferry strike", sort="oldest"))
    assert [h.id for h in result.hits] == ["id2", "id1", "id4"]


def test_a_description_finds_articles_with_some_of_its_words_best_first(index):
    result = index.search(SearchRequest(q="why did the ferry crews strike over their pay at the harbour"))
    ids = [h.id for h in result.hits]
    assert ids[0] == "id2"  # every content word
    assert set(ids) == {"id1", "id2", "id3", "id4"}  # each shares at least "harbour"


def test_rare_words_weigh_more_than_words_every_article_has(index):
    # "harbour" is in every article: it must still score above zero, but "cranes" decides
    result = index.search(SearchRequest(q="harbour cranes"))
    assert result.hits[0].id == "id3" and result.hits[0].score > 0 and result.total_all_words == 1
    assert all(h.missing == ["cranes"] and h.score > 0 for h in result.hits[1:])
    everywhere = index.search(SearchRequest(q="harbour"))
    assert everywhere.total == 4 and all(h.score > 0 for h in everywhere.hits)


def test_a_title_made_from_the_lead_is_shown_but_not_counted_twice(index):
    # article 4 has no title of its own: its first sentence stands in for one
    assert index.article("id4").title == "Storm closes the harbour"
    assert index.search(SearchRequest(q="title:storm")).total == 0
    assert index.search(SearchRequest(q="title:council")).total == 1
    assert index.search(SearchRequest(q="storm")).total == 1


def test_relative_dates_count_back_from_today(tmp_path):
    from datetime import timedelta

    store = IndexStore(tmp_path / "index")
    today = date.today()
    update_index(store, [
        Article(id="new", title="Ferry news", text="Ferry timetable changes.", origin="a", fingerprint="a",
                published=today - timedelta(days=3)),
        Article(id="old", title="Ferry history", text="Ferry timetable of old.", origin="b", fingerprint="b",
                published=today - timedelta(days=40)),
    ])
    search = SearchIndex(store.root)
    assert [h.id for h in search.search(SearchRequest(q="ferry published:>-7d")).hits] == ["new"]
    assert [h.id for h in search.search(SearchRequest(q="ferry published:<-1m")).hits] == ["old"]


def test_fresh_weighs_relevance_by_age_before_the_newest_article(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [
        Article(id="old", title="Ferry strike", text="Ferry strike. The ferry strike goes on; ferry crews strike.",
                origin="a", fingerprint="a", published=date(2021, 1, 1)),
        Article(id="new", title="Port news", text="A ferry strike is possible, the port said.", origin="b",
                fingerprint="b", published=date(2021, 6, 1)),
        Article(id="undated", title="Ferry strike", text="Ferry strike. The ferry strike goes on; ferry crews strike.",
                origin="c", fingerprint="c"),
    ])
    search = SearchIndex(store.root)
    relevance = search.search(SearchRequest(q="ferry strike"))
    assert [h.id for h in relevance.hits][-1] == "new"
    fresh = search.search(SearchRequest(q="ferry strike", sort="fresh"))
    assert [h.id for h in fresh.hits][0] == "new"  # five months newer: 2^-5 of the old one's relevance
    by_id = {h.id: h.score for h in relevance.hits}
    fresh_by_id = {h.id: h.score for h in fresh.hits}
    assert fresh_by_id["new"] == pytest.approx(by_id["new"], rel=1e-3)  # the newest keeps its score
    assert fresh_by_id["old"] == pytest.approx(by_id["old"] / 2 ** (151 / 30), rel=1e-3)
    assert fresh_by_id["undated"] == pytest.approx(by_id["undated"] / 8, rel=1e-3)


def test_a_wildcard_standing_for_too_many_words_is_refused_with_advice(index, monkeypatch):
    from search.index import plan
    from search.query import QueryTooBroad

    assert index.search(SearchRequest(q="f*")).total == 3  # ferry, fares...: within the limit
    monkeypatch.setattr(plan, "MAX_EXPANSION", 1)  # f* stands for ferri and fare in the text
    with pytest.raises(QueryTooBroad) as caught:
        index.search(SearchRequest(q="harbour f*"))
    assert "'f*' stands for more than 1 different words" in caught.value.message
    assert caught.value.parameter == "q"
    with pytest.raises(QueryTooBroad) as caught:
        index.search(SearchRequest(q="harbour {a TO z}"))  # a range of words, too
    assert "'[a to z]' stands for more than 1 different words" in caught.value.message
    assert index.search(SearchRequest(q="ferr*")).total == 3  # ferry only: still fine
    assert index.search(SearchRequest(q="*")).total == 4  # a lone star lists everything


def test_the_web_app_does_not_load_spacy_for_its_stop_words():
    import subprocess
    import sys

    loaded = subprocess.run([sys.executable, "-c", "import sys, web; print('spacy' in sys.modules)"],
                            capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "False"
    from search.index.ranking import QUESTION_STOP_WORDS

    assert {"why", "whereas", "the", "over"} <= QUESTION_STOP_WORDS and "harbour" not in QUESTION_STOP_WORDS


@pytest.mark.parametrize("q", ["-strike", "NOT strike"])
def test_only_words_to_leave_out_list_every_other_article(index, q):
    assert {h.id for h in index.search(SearchRequest(q=q)).hits} == {"id1", "id3", "id4"}
