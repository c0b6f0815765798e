"""The HTML pages, through Flask's test client: they work without JavaScript."""

import re
from urllib.parse import quote
from html import unescape
from html.parser import HTMLParser

import pytest

from web import create_app

@pytest.fixture(scope="module")
def client(corpus_index):
    return create_app({"INDEX_DIR": str(corpus_index)}).test_client()

def test_the_page_shows_results_with_date_snippet_chips_and_facets(client):
    html = client.get("/?q=Lukashenko").get_data(as_text=True)
    assert "3 articles for <strong>Lukashenko</strong>" in html
    assert "Belarus begins freeing detained protesters" in html
    assert '<time datetime="2020-08-14">14 August 2020</time>' in html
    assert '<a class="source" href="/?q=Lukashenko&amp;source=The+Daily+Ledger">The Daily Ledger</a>' in html
    assert "<mark" in html
    assert 'data-facet="people"' in html and 'href="/?q=Lukashenko&amp;person=Alexander+Lukashenko"' in html
    assert '<link rel="alternate" type="application/json" href="/api/search?q=Lukashenko">' in html

def test_a_selected_facet_is_shown_with_a_link_that_removes_it(client):
    html = client.get("/?q=Lukashenko&person=Yuri+Karayev").get_data(as_text=True)
    assert "2 articles" in html
    assert 'aria-label="Remove filter People Yuri Karayev"' in html
    assert 'href="/?q=Lukashenko"' in html  # the removal link, and the selected facet value's toggle
    assert '<input type="hidden" name="person" value="Yuri Karayev">' in html

def test_pagination_links_keep_the_state(client):
    html = client.get("/?sort=oldest&per_page=5").get_data(as_text=True)
    state = client.get("/api/search").get_json()["generation"]
    assert f'rel="next" href="/?sort=oldest&amp;page=2&amp;per_page=5&amp;generation={state}"' in html
    assert "page 1 of 5" in html
    past = client.get("/?sort=oldest&per_page=5&page=9").get_data(as_text=True)
    assert f'past the last one: <a href="/?sort=oldest&amp;page=5&amp;per_page=5&amp;generation={state}">' in past

def test_a_bad_query_shows_its_message_not_a_server_error(client):
    response = client.get("/?q=title:(")
    assert response.status_code == 400
    assert "The &#39;(&#39; at position 7 is never closed" in response.get_data(as_text=True)
    bad_date = client.get("/?from=soon")
    assert bad_date.status_code == 400 and "YYYY-MM-DD" in bad_date.get_data(as_text=True)

def test_the_article_page_shows_text_and_entity_links(client):
    api = client.get("/api/search?q=Okrestina").get_json()
    article_id = api["results"][0]["id"]
    html = client.get(f"/articles/{article_id}").get_data(as_text=True)
    assert "<h1>Belarus begins freeing detained protesters" in html
    assert "<p>Authorities in Belarus began releasing" in html
    assert 'href="/people/Yuri%20Karayev"' in html  # the entity's own page
    assert client.get("/articles/nope").status_code == 404

def test_page_and_api_show_the_same_results(client):
    api = client.get("/api/search?q=election&sort=newest").get_json()
    html = client.get("/?q=election&sort=newest").get_data(as_text=True)
    titles = re.findall(r'<h2><a href="/articles/[^"]+">([^<]+)</a></h2>', html)
    assert [unescape(t) for t in titles] == [r["title"] for r in api["results"]]


def test_unknown_pages_are_pages_and_unknown_api_routes_are_json(client):
    page = client.get("/articles/nope")
    assert page.status_code == 404 and "No article has the id &#39;nope&#39;" in page.get_data(as_text=True)
    api = client.get("/api/nothing-here")
    assert api.status_code == 404 and api.get_json()["error"]["message"]
    assert client.post("/api/search").status_code == 405


def test_author_and_language_facets_on_the_page(client):
    html = client.get("/?author=Jonas+Berg").get_data(as_text=True)
    assert "2 articles" in html
    assert 'data-facet="authors"' in html and 'aria-label="Remove filter Authors Jonas Berg"' in html
    assert '<input type="hidden" name="author" value="Jonas Berg">' in html
    assert 'data-facet="languages"' in html and ">English (en)</a>" in html
    assert 'href="/?author=Jonas+Berg&amp;language=en"' in html


def test_the_date_chart_is_drawn_on_the_server_with_a_link_per_period(client):
    html = client.get("/?q=belarus").get_data(as_text=True)
    assert '<svg viewBox="0 0 640 96"' in html and "Matching articles per month, 2020-08 to 2022-02" in html
    assert '<a href="/?q=belarus&amp;from=2020-08-11&amp;to=2020-08-31" aria-label="2020-08: 2 articles">' in html
    assert 'aria-label="2020-09: 0 articles"' not in html  # an empty period is drawn, not a link
    one_article = client.get("/?q=Okrestina").get_data(as_text=True)
    assert "<svg viewBox" not in one_article  # a single period is no chart


def test_the_help_page_explains_the_query_language(client):
    page = client.get("/")
    assert 'href="/help">Search tips</a>' in page.get_data(as_text=True)
    html = client.get("/help").get_data(as_text=True)
    for example in ("published:[2020-08-01 to 2020-08-31]", "published:&gt;-7d", 'person:"alexander lukashenko"',
                    "mentioned:2020-08-09", "belarus -minsk", "+belarus protest"):
        assert example in html


def test_partial_matches_are_counted_apart_and_marked_without_javascript(client):
    html = client.get("/?q=Okrestina+cathedral").get_data(as_text=True)
    summary = unescape(re.sub(r"<[^>]+>", "", re.search(r'<p class="summary".*?</p>', html, re.S).group()))
    assert re.match(r"0 with all words · \d+ in all for Okrestina cathedral", summary)
    assert "Missing: <s>cathedral</s>" in html and "Missing: <s>Okrestina</s>" in html
    assert 'href="/?q=Okrestina+%2Bcathedral">must include</a>' in html


def test_did_you_mean_links_to_the_corrected_search(client):
    html = client.get("/?q=lukashnko&sort=newest").get_data(as_text=True)
    assert 'Did you mean <a href="/?q=lukashenko&amp;sort=newest"><strong>lukashenko</strong></a>?' in html


def test_the_article_page_lists_related_stories(client):
    html = client.get("/?q=Okrestina").get_data(as_text=True)
    article_url = re.search(r'<h2><a href="(/articles/\w+)">', html).group(1)
    page = client.get(article_url).get_data(as_text=True)
    related = page[page.index("Related stories"):]
    assert "EU imposes sanctions on 40 Belarusian officials" in related
    assert related.count('<a href="/articles/') == 2


def test_every_page_names_its_icon_which_is_served_from_the_app(client):
    for path in ("/", "/help", "/?q=belarus"):
        icon = re.search(r'<link rel="icon" href="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)
        response = client.get(icon)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        response.close()


HREF = re.compile(r'\s(?:href|src|action)="([^"]*)"')
SAFE_ORIGINAL = "https://news.example/lisbon-strike"


@pytest.fixture(scope="module")
def hostile_client(hostile_index):
    return create_app({"INDEX_DIR": str(hostile_index)}).test_client()


def links_in(html: str) -> list[str]:
    return [unescape(href) for href in HREF.findall(html)]


class _Elements(HTMLParser):
    """Every element of a page with its attributes, as a browser's parser reads them."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def scripting(html: str) -> list[str]:
    """The script elements and event-handler attributes of a page (none when every payload was escaped)."""
    return [tag if tag == "script" else f"{tag} {name}" for tag, attrs in _Elements(html).found
            for name in ([None] if tag == "script" else [n for n, _ in attrs if n.startswith("on")])]


def test_the_script_check_finds_an_unescaped_payload():
    assert scripting('<p title="x onerror=1 &lt;script&gt;">ok</p>') == []
    assert scripting('<p>"><img src=x onerror="a()"></p>') == ["img onerror"]
    assert scripting("<b>x</b><script>a()</script>") == ["script"]


def is_local(href: str) -> bool:
    return href.startswith("/") and not href.startswith(("//", "/\\"))


def test_hostile_records_never_give_a_link_that_is_not_http_or_this_site(hostile_client):
    listed = hostile_client.get("/api/search?per_page=100&collapse=false").get_json()
    assert listed["total"] == 15
    assert sorted(hit["url"] or "" for hit in listed["results"]) == [""] * 14 + [SAFE_ORIGINAL]
    pages = [hostile_client.get(f"/articles/{hit['id']}") for hit in listed["results"]]
    pages += [hostile_client.get("/?q=strike"), hostile_client.get("/?per_page=100&collapse=false"),
              hostile_client.get("/compare?q=strike&q=harbour")]
    named = {(kind, name) for hit in listed["results"] for kind in ("people", "orgs", "places") for name in hit[kind]}
    assert named
    pages += [hostile_client.get(f"/{kind}/{quote(name, safe='')}") for kind, name in sorted(named)]
    originals = []
    for page in pages:
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert not scripting(html)  # every payload escaped
        originals += [href for href in links_in(html) if not is_local(href)]
    assert originals == [SAFE_ORIGINAL]
    for hit in listed["results"]:
        assert hostile_client.get(f"/api/articles/{hit['id']}").get_json()["url"] in (None, SAFE_ORIGINAL)


def test_the_article_page_renders_only_an_http_url_as_a_link(hostile_client):
    from flask import render_template

    from search.article import Article
    from web import links

    article = Article(id="x", title="T", text="Body", url="https://example.org/story")
    with hostile_client.application.test_request_context("/articles/x"):
        safe = render_template("article.html", article=article, related=[], links=links)
        article.url = "java\tscript:alert(document.domain)"  # set after the record's own check
        hostile = render_template("article.html", article=article, related=[], links=links)
    assert 'href="https://example.org/story"' in safe
    assert "script:" not in hostile and "Original page" not in hostile


def raw_get(server, path: str, host: str | None = None, method: str = "GET"):
    """One request as sent, Host header included, redirects not followed: (status, headers)."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.server.server_port, timeout=30)
    connection.putrequest(method, path, skip_host=host is not None)
    if host:
        connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, response.headers


def every_kind_of_response(server) -> list[tuple[str, str, int]]:
    """(method, path, status) for each kind of response the site gives."""
    import json
    import urllib.request

    with urllib.request.urlopen(server.url + "/api/search?q=Okrestina", timeout=30) as response:
        article = json.loads(response.read())["results"][0]["id"]
    return [("GET", "/", 200), ("GET", "/?q=belarus&person=Yuri+Karayev", 200), ("GET", "/?q=title:(", 400),
            ("GET", "/help", 200), ("GET", f"/articles/{article}", 200), ("GET", "/articles/nope", 404),
            ("GET", "/static/style.css", 200), ("GET", "/static/icon.svg", 200), ("GET", "/nothing-here", 404),
            ("GET", "/api/search?q=belarus", 200), ("GET", "/api/search?sort=sideways", 400),
            ("GET", "/api/search.csv?q=belarus", 200), ("GET", "/api/search.jsonl?q=belarus", 200),
            ("GET", f"/api/articles/{article}", 200), ("GET", f"/api/articles/{article}/related", 200),
            ("GET", "/api/articles/nope", 404), ("GET", "/api/openapi.json", 200), ("POST", "/api/search", 405),
            ("GET", "/search.atom?q=belarus", 200), ("GET", "/search.atom?q=title:(", 400),
            ("HEAD", "/", 200)]


def test_every_response_carries_the_security_headers(corpus_server):
    for method, path, status in every_kind_of_response(corpus_server):
        got, headers = raw_get(corpus_server, path, method=method)
        assert got == status, path
        policy = headers["Content-Security-Policy"] or ""
        directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in policy.split(";"))
        assert directives.get("default-src") == "'self'" and directives.get("frame-ancestors") == "'none'", path
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"), path


def test_a_server_error_carries_the_security_headers_too(corpus_index):
    app = create_app({"INDEX_DIR": str(corpus_index)})
    for path in ("/fails", "/api/fails"):  # an error page, and an error as JSON
        app.add_url_rule(path, path, lambda: 1 / 0)
    for path in ("/fails", "/api/fails"):
        response = app.test_client().get(path)
        assert response.status_code == 500
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/static//style.css", "/static//x", "/api//search", "//help", "/help/",
                                  "/api/search/", "/articles/x/", "/static/", "/static/../README.md"])
def test_no_response_redirects_to_a_host_taken_from_the_request(corpus_server, path):
    status, headers = raw_get(corpus_server, path, host="evil.example")
    assert not 300 <= status < 400 and headers["Location"] is None, (status, headers["Location"])


def cells(html: str) -> list[list[str]]:
    """The rows of the page's table of the chart, each cell's text."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_the_compare_page_shows_the_apis_series_in_its_table_and_legend(client):
    query = "q=belarus&q=election&from=2020-01-01&to=2021-12-31"
    api = client.get("/api/compare?" + query).get_json()
    html = client.get("/compare?" + query).get_data(as_text=True)
    rows = cells(html)
    assert [row[0] for row in rows] == [p["value"] for p in api["periods"]]
    assert [int(row[1]) for row in rows] == [p["total"] for p in api["periods"]]
    assert [int(row[2]) for row in rows] == api["series"][0]["counts"]
    assert [int(row[4]) for row in rows] == api["series"][1]["counts"]
    assert '<polyline' in html and html.count('class="point"') == sum(
        1 for series in api["series"] for share in series["shares"] if share is not None)
    for series in api["series"]:
        assert f"{series['total']} article" in html
    assert 'href="/api/compare.csv?' + query.replace("&", "&amp;") in html
    assert 'value="belarus"' in html and 'value="election"' in html


def test_the_compare_chart_shows_counts_or_shares(client):
    shares = client.get("/compare?q=belarus").get_data(as_text=True)
    counts = client.get("/compare?q=belarus&measure=count").get_data(as_text=True)
    assert "Share of all articles per month" in shares and "%</text>" in shares
    assert "Number of articles per month" in counts and "%</text>" not in counts
    bad = client.get("/compare?q=belarus&measure=loudness")
    assert bad.status_code == 400 and "&#39;measure&#39; must be one of share, count" in bad.get_data(as_text=True)


def test_the_compare_page_without_queries_is_an_empty_form_and_a_bad_one_says_why(client):
    empty = client.get("/compare")
    assert empty.status_code == 200 and 'class="error"' not in empty.get_data(as_text=True)
    assert empty.get_data(as_text=True).count('name="q"') == 5
    bad = client.get("/compare?q=belarus&q=title:(")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "never closed" in html and 'value="title:("' in html


def test_filters_shared_by_compared_queries_can_be_removed(client):
    html = client.get("/compare?q=belarus&place=Minsk").get_data(as_text=True)
    assert 'href="/compare?q=belarus&amp;measure=share"' in html  # the chip's ×: the same comparison, unfiltered
    assert 'href="/places/Minsk"' in html


def test_the_search_page_links_to_entity_pages_and_to_compare(client):
    html = client.get("/?q=belarus&person=Alexander+Lukashenko").get_data(as_text=True)
    assert 'class="about" href="/people/Alexander%20Lukashenko"' in html  # the active filter's chip
    assert re.search(r'<a class="about" href="/places/Minsk" aria-label="About Minsk"', html)  # a facet value
    assert 'href="/compare?q=belarus&amp;person=Alexander+Lukashenko"' in html


def test_the_entity_page_shows_what_the_api_returns(client):
    api = client.get("/api/entities/people/Alexander%20Lukashenko").get_json()
    html = client.get("/people/alexander%20lukashenko").get_data(as_text=True)
    assert "<h1>Alexander Lukashenko</h1>" in html and "Person" in html
    assert f"Named in <a href=\"/?person=Alexander+Lukashenko\">{api['total']} articles</a>" in html
    for hit in api["latest"]:
        assert f'href="/articles/{hit["id"]}"' in html
    for named in api["named_with"]["places"]:
        assert f'href="/places/{quote(named["value"])}"' in html
    assert '<link rel="alternate" type="application/json" href="/api/entities/people/alexander%20lukashenko">' in html
    assert 'class="selected-filters"' not in html


def test_an_entity_page_seen_through_filters_shows_them_and_keeps_them_in_its_links(client):
    html = client.get("/people/Alexander%20Lukashenko?q=protest&from=2020-08-01").get_data(as_text=True)
    chips = html.split('class="selected-filters"', 1)[1].split("</ul>", 1)[0]
    assert "Words:</span> protest" in chips and "From:</span> 2020-08-01" in chips
    assert 'href="/people/Alexander%20Lukashenko?from=2020-08-01"' in chips  # removing the words keeps the date
    named = re.findall(r'href="(/places/[^"]+)"', html)
    assert named and all(link.endswith("?q=protest&amp;from=2020-08-01") for link in named)


def test_an_entity_no_article_names_is_a_404_page(client):
    response = client.get("/orgs/No%20Such%20Body")
    assert response.status_code == 404 and "No article names the organisation" in response.get_data(as_text=True)


def test_compare_from_a_search_without_words_keeps_its_filters_in_the_form(client):
    search = client.get("/?person=Joe+Biden&from=2021-01-01").get_data(as_text=True)
    link = unescape(re.search(r'<a class="compare-link" href="([^"]+)"', search).group(1))
    form = client.get(link)
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and 'class="error"' not in html
    assert '<input type="hidden" name="person" value="Joe Biden">' in html
    assert 'name="from" value="2021-01-01"' in html and "Joe Biden" in html.split('class="selected-filters"')[1]
    assert " autofocus" in html  # no result yet: the first query takes the focus


def test_every_filter_a_comparison_applies_is_shown_and_kept_by_its_form(client):
    html = client.get("/compare?q=belarus&mentioned_from=2020-08-09&language=en&collapse=false&copies_of=x"
                      ).get_data(as_text=True)
    chips = html.split('class="selected-filters"', 1)[1].split("</ul>", 1)[0]
    assert "Mentions a day from:</span> 2020-08-09" in chips and "Languages:</span> English (en)" in chips
    assert 'name="mentioned_from" value="2020-08-09"' in html
    assert "copies_of" not in html and "collapse" not in html  # a comparison counts every copy: not its filters
    assert " autofocus" not in html  # results shown: the focus is left to the reader
    named = re.findall(r'href="(/(?:people|orgs|places)/[^"]+)"', html.split('class="side-by-side"', 1)[1])
    assert named and all("mentioned_from=2020-08-09&amp;language=en" in link for link in named)


def test_a_query_too_long_to_compare_is_refused_with_the_reason(client):
    response = client.get("/compare?q=" + "belarus+" * 80)
    assert response.status_code == 400 and "at most 500 characters" in response.get_data(as_text=True)


def test_the_article_page_leads_back_to_the_search_it_was_opened_from(client):
    article_id = client.get("/api/search?q=belarus").get_json()["results"][0]["id"]

    def back(referrer):
        html = client.get(f"/articles/{article_id}", headers={"Referer": referrer} if referrer else {}).get_data(
            as_text=True)
        return unescape(re.search(r'<a class="back" href="([^"]*)"', html).group(1))

    assert back("http://localhost/?q=belarus&person=Yuri+Karayev&sort=newest&page=2&per_page=2") == \
        "/?q=belarus&person=Yuri+Karayev&sort=newest&page=2&per_page=2"
    assert back("http://localhost/people/Alexander%20Lukashenko?from=2020-01-01") == \
        "/people/Alexander%20Lukashenko?from=2020-01-01"
    assert back("http://localhost/compare?q=belarus&q=election") == "/compare?q=belarus&q=election"
    for foreign in (None, "http://elsewhere.example/?q=belarus", "http://localhost/?sort=sideways",
                    "javascript:alert(1)", "http://localhost/help"):
        assert back(foreign) == "/"


def test_the_names_under_each_result_say_their_kind_and_filter_by_it(client):
    html = client.get("/?q=Okrestina").get_data(as_text=True)
    assert 'class="chip-legend"' in html and "person</span>" in html and "organisation</span>" in html
    chip = re.search(r'<li class="chip people"><a href="([^"]+)" title="Person: [^"]+">'
                     r'<span class="visually-hidden">Person: </span>([^<]+)</a>', html)
    assert chip and unescape(chip.group(1)) == "/?q=Okrestina&person=" + chip.group(2).replace(" ", "+")
    assert '<span class="visually-hidden">Place: </span>Minsk</a>' in html


def test_a_name_already_filtered_by_is_shown_so_and_its_chip_removes_the_filter(client):
    html = client.get("/?q=belarus&person=alexander+lukashenko").get_data(as_text=True)
    chip = re.search(r'<li class="chip people selected"><a href="([^"]+)" title="Person: a filter of these results: '
                     r'choose to remove it" aria-current="true"><span class="visually-hidden">Person: </span>'
                     r'Alexander Lukashenko</a>', html)
    assert chip and unescape(chip.group(1)) == "/?q=belarus"  # the filter typed in another case, removed


def test_the_way_back_survives_a_hop_through_related_stories(client):
    article_id = client.get("/api/search?q=Okrestina").get_json()["results"][0]["id"]
    html = client.get(f"/articles/{article_id}", headers={"Referer": "http://localhost/?q=belarus&page=2&per_page=1"}
                      ).get_data(as_text=True)
    related = [unescape(link) for link in re.findall(r'<li><a href="(/articles/[^"]+)">', html)]
    assert related and all("back=" in link for link in related)
    hop = client.get(related[0], headers={"Referer": "http://localhost" + related[0]}).get_data(as_text=True)
    assert unescape(re.search(r'<a class="back" href="([^"]*)"', hop).group(1)) == "/?q=belarus&page=2&per_page=1"
    for hostile in ("//elsewhere.example/?q=x", "/\\\\elsewhere.example", "javascript:alert(1)", "/help"):
        page = client.get(f"/articles/{article_id}", query_string={"back": hostile}).get_data(as_text=True)
        assert re.search(r'<a class="back" href="/">', page)
