"""The JSON API over real HTTP."""

import csv
import io
import json
import urllib.error
import urllib.request
from urllib.parse import quote, urlencode

import pytest

from search.indexing import index_paths

from conftest import LiveServer, settings_for


def get(server, path):
    try:
        with urllib.request.urlopen(server.url + path, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def seed_server(seed_page, tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("seed") / "index"
    assert index_paths([seed_page], settings_for(index_dir)).indexed == 1
    server = LiveServer(index_dir)
    yield server
    server.stop()


def test_the_sample_article_is_found_with_its_date_and_entities(seed_server):
    status, data = get(seed_server, "/api/search?" + urlencode({"q": "torture", "person": "Yuri Karayev"}))
    assert status == 200 and data["total"] == 1
    [hit] = data["results"]
    assert hit["published"] == "2020-08-14"
    assert {"Alexander Lukashenko", "Alexander Barsukov", "Yuri Karayev"} <= set(hit["people"])
    assert {"Minsk", "Belarus"} <= set(hit["places"])
    assert "Amnesty International" in hit["orgs"]
    status, article = get(seed_server, f"/api/articles/{hit['id']}")
    assert status == 200
    for furniture in ("Visit Business Insider's homepage", "Read Full Article", "Advertisement"):
        assert furniture not in article["text"]


def test_a_date_after_the_article_finds_nothing(seed_server):
    status, data = get(seed_server, "/api/search?" + urlencode(
        {"q": "torture", "person": "Yuri Karayev", "from": "2020-09-01"}))
    assert (status, data["total"], data["results"]) == (200, 0, [])


def test_days_the_article_mentions_are_resolved_and_filterable(seed_server):
    status, data = get(seed_server, "/api/search?q=torture")
    status, article = get(seed_server, f"/api/articles/{data['results'][0]['id']}")
    assert {"2020-08-09", "2020-08-10", "2020-08-12", "2020-08-13", "2020-08-14"} <= set(article["mentioned_dates"])
    status, data = get(seed_server, "/api/search?" + urlencode(
        {"q": "torture", "mentioned_from": "2020-08-09", "mentioned_to": "2020-08-09"}))
    assert (status, data["total"]) == (200, 1)
    status, data = get(seed_server, "/api/search?" + urlencode({"q": "torture", "mentioned_from": "2020-08-15"}))
    assert (status, data["total"]) == (200, 0)


def test_the_response_has_the_documented_shape(corpus_server):
    status, data = get(corpus_server, "/api/search?q=belarus&per_page=2&page=2")
    assert status == 200
    assert set(data) == {"query", "suggestion", "total", "total_all_words", "folded", "generation", "page",
                         "per_page", "results", "facets"}
    assert (data["query"], data["page"], data["per_page"]) == ("belarus", 2, 2)
    assert set(data["results"][0]) >= {"id", "title", "url", "source", "published", "authors", "snippet",
                                        "people", "orgs", "places"}
    assert set(data["facets"]) == {"people", "orgs", "places", "sources", "authors", "languages", "published"}
    assert set(data["facets"]["places"][0]) >= {"value", "count"}


def test_repeated_filters_all_apply(corpus_server):
    _, one = get(corpus_server, "/api/search?place=Minsk")
    _, two = get(corpus_server, "/api/search?place=Minsk&person=" + quote("Yuri Karayev"))
    _, three = get(corpus_server, "/api/search?place=Minsk&place=Lithuania&person=" + quote("Yuri Karayev"))
    assert one["total"] > two["total"] >= three["total"] >= 1


@pytest.mark.parametrize("query, parameter, text", [
    ("q=title:(", "q", "never closed"),
    ("q=%22unclosed", "q", "quotation mark"),
    ("from=2020-02-30", "from", "YYYY-MM-DD"),
    ("to=tomorrow", "to", "YYYY-MM-DD"),
    ("sort=random", "sort", "relevance, fresh, newest, oldest"),
    ("page=-1", "page", "between"),
    ("per_page=lots", "per_page", "whole number"),
])
def test_bad_parameters_give_400_with_a_message(corpus_server, query, parameter, text):
    status, data = get(corpus_server, "/api/search?" + query)
    assert status == 400
    assert data["error"]["parameter"] == parameter and text in data["error"]["message"]


def test_an_unknown_article_is_a_json_404(corpus_server):
    status, data = get(corpus_server, "/api/articles/does-not-exist")
    assert status == 404 and "does-not-exist" in data["error"]["message"]


def test_attention_over_time_counts_every_dated_match(corpus_server):
    _, data = get(corpus_server, "/api/search?q=belarus")
    periods = data["facets"]["published"]
    assert sum(p["count"] for p in periods) == data["total"]
    assert {p["interval"] for p in periods} == {"month"}
    assert periods[0]["value"] == "2020-08" and periods[0]["from"] == "2020-08-11"
    _, august = get(corpus_server, "/api/search?q=belarus&from=2020-08-01&to=2020-08-31")
    days = august["facets"]["published"]
    assert len(days) == 31 and {p["value"]: p["count"] for p in days if p["count"]} == {
        "2020-08-11": 1, "2020-08-14": 1}


def test_related_stories_of_an_article(corpus_server):
    _, found = get(corpus_server, "/api/search?q=Okrestina")
    article_id = found["results"][0]["id"]
    status, data = get(corpus_server, f"/api/articles/{article_id}/related")
    assert status == 200 and data["id"] == article_id
    assert len(data["related"]) == 2 and "Belarus" in data["related"][0]["places"]
    assert set(data["related"][0]) >= {"id", "title", "published", "source", "score"}
    status, missing = get(corpus_server, "/api/articles/nope/related")
    assert status == 404 and missing["error"]["parameter"] == "id"


def test_every_result_exports_as_csv_and_json_lines(corpus_server):
    import csv
    import io

    _, page = get(corpus_server, "/api/search?q=belarus&sort=newest&per_page=1")
    with urllib.request.urlopen(corpus_server.url + "/api/search.csv?q=belarus&sort=newest&per_page=1") as response:
        assert response.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in response.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(response.read().decode("utf-8"))))
    assert len(rows) == page["total"] > 1  # every result, not one page
    assert rows[0]["id"] == page["results"][0]["id"] and rows[0]["score"] == ""
    assert [r["published"] for r in rows] == sorted((r["published"] for r in rows), reverse=True)
    assert "Belarus" in rows[0]["places"].split("; ")
    with urllib.request.urlopen(corpus_server.url + "/api/search.jsonl?place=Minsk") as response:
        lines = [json.loads(line) for line in response.read().decode("utf-8").splitlines()]
    assert len(lines) == 3 and all("Minsk" in line["places"] and "snippet" not in line for line in lines)
    status, error = get(corpus_server, "/api/search.csv?q=title:(")
    assert status == 400 and "never closed" in error["error"]["message"]


SYNTAX = ['belarus', 'minsk', '"', '(', ')', '*', '?', '~', '~2', '^2', ':', '[', ']', '{', '}', '-', '+', 'AND', 'OR',
          'NOT', 'ANDNOT', 'ANDMAYBE', 'NOT NOT', 'title:', 'person:', 'org:', 'place:', 'source:', 'author:',
          'published:', 'mentioned:', 'language:', 'id:', 'Note:', '2020', '2020-08', '2020-08-14', 'to', 'TO', '>', '<=',
          '-7d', 'today', '\\', '/', "'", '.', '%', '&', '=', 'é', '日本', '\u200b', 'a*', '*e*', 'm?nsk', '""', '()',
          '[]', '*:*']


def test_random_query_syntax_never_fails_the_server(corpus_server):
    import random

    rng = random.Random(20261127)
    for n in range(300):
        q = "".join(rng.choice(SYNTAX) + rng.choice(["", " ", " "]) for _ in range(rng.randint(1, 8)))
        params = {"q": q, "sort": rng.choice(["relevance", "newest", "fresh"]), "page": rng.choice(["1", "2"])}
        status, data = get(corpus_server, "/api/search?" + urlencode(params))
        assert status == 200 or (status == 400 and data["error"]["message"] and data["error"]["parameter"] == "q"), q
        if n % 10 == 0:
            try:
                with urllib.request.urlopen(corpus_server.url + "/?" + urlencode(params), timeout=30) as page:
                    assert page.status == 200, q
            except urllib.error.HTTPError as error:
                assert error.code == 400, q


def test_a_filter_repeated_hundreds_of_times_is_refused_in_a_few_bytes(corpus_server):
    query = urlencode([("q", "belarus")] + [("person", f"Person {n}") for n in range(300)])
    status, data = get(corpus_server, "/api/search?" + query)
    assert status == 400
    assert data["error"] == {"message": "'person' may be given at most 20 times, not 300", "parameter": "person"}
    with pytest.raises(urllib.error.HTTPError) as page:
        urllib.request.urlopen(corpus_server.url + "/?" + query, timeout=30)
    html = page.value.read().decode("utf-8")
    assert page.value.code == 400 and "may be given at most 20 times" in html
    assert len(html) < 2 * len(query)  # it was 2.9 MB, ~900 times the request


def test_a_query_too_long_is_refused_with_a_message(corpus_server):
    status, data = get(corpus_server, "/api/search?" + urlencode({"q": "strike " * 1500}))
    assert status == 400 and data["error"]["parameter"] == "q"
    assert "at most 10,000 characters" in data["error"]["message"]


def test_a_damaged_index_is_a_503_that_names_the_fix_not_a_server_error(corpus_index_copy):
    toc = next((corpus_index_copy / "current").glob("_MAIN_*.toc"))
    toc.write_bytes(toc.read_bytes()[:40])  # a table of contents cut short
    server = LiveServer(corpus_index_copy)
    try:
        for path in ("/api/search?q=belarus", "/api/search.csv?q=belarus", "/api/articles/x", "/api/articles/x/related"):
            status, body = get(server, path)
            assert status == 503, path
            assert "damaged" in body["error"]["message"] and "news-search reindex" in body["error"]["message"]
            assert str(corpus_index_copy) not in body["error"]["message"]
        try:
            urllib.request.urlopen(server.url + "/?q=belarus", timeout=30)
        except urllib.error.HTTPError as error:
            page = error.read().decode()
            assert error.code == 503 and "news-search reindex" in page and "Traceback" not in page
        else:
            raise AssertionError("the page answered 200 from a damaged index")
    finally:
        server.stop()


@pytest.fixture(scope="module")
def words_server(tmp_path_factory):
    """Articles whose words never meet: corn and maize apart; accented and Cyrillic words beside close ones."""
    from search.article import Article
    from search.index import IndexStore, update_index

    texts = {"corn": ("Corn harvest", "The corn harvest in Iowa was large this year."),
             "maize": ("Maize prices", "Maize prices rose in Kenya after the drought."),
             "both": ("Wheat exports", "Wheat and barley were traded; wheat exports fell, wheat stocks rose."),
             "dry": ("Markets", "In a long report on many markets and much else, the drought hit the wheat belt, "
                                "and traders, farmers and officials spoke of prices, rain and the year ahead."),
             "square": ("Square reopens", "The square reopened and people came back."),
             "naive": ("Plans", "A naive plan; the name stayed. Crème brûlée was served."),
             "tam": ("Вечер", "Там было тихо.")}
    store = IndexStore(tmp_path_factory.mktemp("words") / "index")
    update_index(store, [Article(id=key, title=title, text=text, origin=key, fingerprint=key)
                         for key, (title, text) in texts.items()])
    server = LiveServer(store.root)
    yield server
    server.stop()


def test_words_that_never_meet_list_the_partial_matches_each_with_what_it_lacks(words_server):
    status, data = get(words_server, "/api/search?" + urlencode({"q": "corn maize"}))
    assert status == 200 and (data["total"], data["total_all_words"]) == (2, 0)
    assert {hit["id"]: hit["missing"] for hit in data["results"]} == {"corn": ["maize"], "maize": ["corn"]}


def test_articles_with_every_word_come_first_and_are_counted_apart(words_server):
    _, data = get(words_server, "/api/search?" + urlencode({"q": "wheat drought"}))
    assert (data["total"], data["total_all_words"]) == (3, 1)
    assert [(hit["id"], hit["missing"]) for hit in data["results"]][0] == ("dry", [])
    assert data["results"][0]["score"] < data["results"][1]["score"]  # first although a partial match scores more
    assert {hit["id"]: hit["missing"] for hit in data["results"][1:]} == {"both": ["drought"], "maize": ["wheat"]}


@pytest.mark.parametrize("q, listed", [
    ("+corn maize", {"corn": ["maize"]}),  # a required word: the others only rank
    ("corn AND maize", {}),
    ("+corn +maize", {}),
    ("corn -maize", {"corn": []}),
])
def test_plus_and_AND_keep_the_strict_reading(words_server, q, listed):
    _, data = get(words_server, "/api/search?" + urlencode({"q": q}))
    assert {hit["id"]: hit["missing"] for hit in data["results"]} == listed and data["total"] == len(listed)


@pytest.mark.parametrize("q, suggestion", [
    ("café", None),  # typed with an accent on purpose: not "came"
    ("naïve", "naive"),  # accents compared folded: not "name"
    ("creme", "crème"),
    ("Трамп", None),  # two edits from "Там" in a five-letter word, and never a Latin word
    ("nmae", "name"),  # an ordinary typo still gets its one edit
])
def test_suggestions_compare_words_as_unicode_does(words_server, q, suggestion):
    _, data = get(words_server, "/api/search?" + urlencode({"q": q}))
    assert data["total"] == 0 and data["suggestion"] == suggestion


def test_exports_list_what_the_search_lists_with_what_each_lacks(words_server):
    import csv
    import io

    _, data = get(words_server, "/api/search?" + urlencode({"q": "wheat drought"}))
    with urllib.request.urlopen(words_server.url + "/api/search.csv?" + urlencode({"q": "wheat drought"})) as response:
        rows = list(csv.DictReader(io.StringIO(response.read().decode("utf-8"))))
    assert [(row["id"], row["missing"]) for row in rows] == [(hit["id"], "; ".join(hit["missing"]))
                                                            for hit in data["results"]]
    assert len(rows) == data["total"] == 3
    with urllib.request.urlopen(words_server.url + "/api/search.jsonl?" + urlencode({"q": "wheat drought"})) as response:
        lines = [json.loads(line) for line in response.read().decode("utf-8").splitlines()]
    assert [line["missing"] for line in lines] == [hit["missing"] for hit in data["results"]]


def test_facets_and_the_chart_count_exactly_the_articles_listed(corpus_server):
    _, data = get(corpus_server, "/api/search?" + urlencode({"q": "belarus climate", "per_page": 100}))
    assert data["total_all_words"] == 0 < data["total"] == len(data["results"])
    assert sum(period["count"] for period in data["facets"]["published"]) == data["total"]
    assert sum(value["count"] for value in data["facets"]["languages"]) == data["total"]
    _, narrowed = get(corpus_server, "/api/search?" + urlencode({"q": "belarus climate", "place": "Minsk"}))
    listed = [hit for hit in data["results"] if "Minsk" in hit["places"]]
    assert narrowed["total"] == len(listed) > 0


def search_api(server, **params):
    status, data = get(server, "/api/search?" + urlencode(params, doseq=True))
    assert status == 200
    return data


def test_compared_series_are_the_search_apis_own_counts(corpus_server):
    span = {"from": "2020-01-01", "to": "2022-12-31"}
    status, data = get(corpus_server, "/api/compare?" + urlencode({"q": ["belarus", "election", "biden"], **span},
                                                                    doseq=True))
    assert status == 200 and data["queries"] == ["belarus", "election", "biden"] and data["interval"] == "month"
    every = search_api(corpus_server, **span)
    assert data["total"] == every["total"]
    assert [p["total"] for p in data["periods"]] == [b["count"] for b in every["facets"]["published"]]
    for series in data["series"]:
        search = search_api(corpus_server, q=series["query"], **span)
        assert series["total"] == search["total_all_words"] > 0
        assert series["counts"] == [b["count"] for b in search["facets"]["published"]]
        assert series["shares"] == [round(c / p["total"], 6) if p["total"] else None
                                    for c, p in zip(series["counts"], data["periods"])]
        people = {f["value"]: f["count"] for f in search["facets"]["people"]}
        assert all(people[f["value"]] == f["count"] for f in series["people"])


def test_the_compare_csv_holds_the_same_series(corpus_server):
    query = urlencode({"q": ["belarus", "protest"]}, doseq=True)
    _, data = get(corpus_server, "/api/compare?" + query)
    with urllib.request.urlopen(f"{corpus_server.url}/api/compare.csv?{query}", timeout=30) as response:
        assert response.headers.get_content_type() == "text/csv"
        rows = list(csv.reader(io.StringIO(response.read().decode("utf-8"))))
    assert rows[0] == ["period", "from", "to", "all_articles", "belarus (articles)", "belarus (share)",
                       "protest (articles)", "protest (share)"]
    assert [row[0] for row in rows[1:]] == [p["value"] for p in data["periods"]]
    assert [int(row[4]) for row in rows[1:]] == data["series"][0]["counts"]
    assert [float(row[7]) if row[7] else None for row in rows[1:]] == data["series"][1]["shares"]


@pytest.mark.parametrize("path, status, parameter", [
    ("/api/compare", 400, "q"), ("/api/compare?" + urlencode({"q": list("abcdef")}, doseq=True), 400, "q"),
    ("/api/compare?q=title:(", 400, "q"), ("/api/compare?q=x&from=soon", 400, "from"),
    ("/api/compare.csv?q=title:(", 400, "q"),
    ("/api/entities/people/Nobody%20At%20All", 404, "name"), ("/api/entities/people/" + "x" * 201, 400, "name"),
    ("/api/entities/sources/Reuters", 404, None), ("/api/entities/people/Joe%20Biden?to=never", 400, "to"),
])
def test_what_cannot_be_compared_or_found_gets_a_clear_error(corpus_server, path, status, parameter):
    got, data = get(corpus_server, path)
    assert got == status and data["error"]["parameter"] == parameter and data["error"]["message"]


def test_an_entity_profile_agrees_with_the_search_api(corpus_server):
    status, data = get(corpus_server, "/api/entities/people/" + quote("alexander LUKASHENKO"))
    assert status == 200 and data["kind"] == "people" and data["name"] == "Alexander Lukashenko"
    search = search_api(corpus_server, person="Alexander Lukashenko", sort="newest")
    assert data["total"] == search["total"] > 1
    assert data["published"] == search["facets"]["published"]
    assert [hit["id"] for hit in data["latest"]] == [hit["id"] for hit in search["results"]]
    assert "Alexander Lukashenko" not in [f["value"] for f in data["named_with"]["people"]]
    for kind, parameter in (("people", "person"), ("places", "place"), ("orgs", "org")):
        for named in data["named_with"][kind][:2]:
            wanted = {"person": ["Alexander Lukashenko"]}
            wanted.setdefault(parameter, []).append(named["value"])
            both = search_api(corpus_server, **wanted)
            assert both["total"] == named["count"]
    assert {f["value"]: f["count"] for f in data["sources"]} == {
        f["value"]: f["count"] for f in search["facets"]["sources"]}
    assert {hit["id"] for hit in data["relevant"]} == {hit["id"] for hit in data["latest"]}


def test_names_with_slashes_and_quotes_reach_their_entity(corpus_index_copy):
    from search.article import Article
    from search.index import IndexStore, update_index

    update_index(IndexStore(corpus_index_copy), [Article(
        id="odd", title="AC/DC play Minsk", text="The band AC/DC played.", orgs=["AC/DC", 'The "Quoted" Co'],
        origin="odd", fingerprint="odd")])
    server = LiveServer(corpus_index_copy)
    try:
        for name in ("AC/DC", 'The "Quoted" Co'):
            status, data = get(server, "/api/entities/orgs/" + quote(name, safe=""))
            assert status == 200 and data["name"] == name and data["total"] == 1
    finally:
        server.stop()


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_kept_as_text(corpus_server):
    query = urlencode({"q": ["=1+1", "-minsk belarus", "@SUM(A1)", "belarus"]}, doseq=True)
    with urllib.request.urlopen(f"{corpus_server.url}/api/compare.csv?{query}", timeout=30) as response:
        header = next(csv.reader(io.StringIO(response.read().decode("utf-8"))))
    assert header[4:] == ["'=1+1 (articles)", "'=1+1 (share)", "'-minsk belarus (articles)", "'-minsk belarus (share)",
                          "'@SUM(A1) (articles)", "'@SUM(A1) (share)", "belarus (articles)", "belarus (share)"]


def test_a_cell_that_would_start_a_formula_is_kept_as_text():
    from web.export import cell

    assert [cell(v) for v in ("=HYPERLINK(\"x\")", "+1", "-2", "@x", "\tx", "plain", 1.5, None)] == [
        "'=HYPERLINK(\"x\")", "'+1", "'-2", "'@x", "'\tx", "plain", 1.5, ""]


def test_a_generation_holds_later_pages_only(corpus_server):
    status, data = get(corpus_server, "/api/search?q=belarus&generation=gone-1")
    assert status == 200 and data["generation"] != "gone-1"  # page 1 starts anew
    status, data = get(corpus_server, "/api/search?q=belarus&page=2&per_page=2&generation=gone-1")
    assert status == 409 and data["error"]["parameter"] == "generation"
