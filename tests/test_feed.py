"""The Atom feed of a search (/search.atom) over real HTTP, read back by a feed reader library."""

import json
import re
import urllib.error
import urllib.request
from datetime import datetime, timezone
from html import unescape
from urllib.parse import parse_qsl, urlencode
from xml.etree import ElementTree

import feedparser
import pytest

from search.index import SearchIndex
from search.indexing import index_paths
from search.query import Hit, SearchRequest, SearchResult

from conftest import LiveServer, settings_for

ATOM = "{http://www.w3.org/2005/Atom}"
SEARCHES = ["q=belarus", "q=belarus&per_page=2", "per_page=100", "place=Minsk", "q=election&sort=oldest&page=3",
            "q=protest&from=2020-08-01&to=2020-12-31&per_page=3", "collapse=false&per_page=50", "q=nothingmatchesthis"]


def fetch(server, path):
    """(status, headers, body) of one GET."""
    try:
        with urllib.request.urlopen(server.url + path, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def read_feed(server, query):
    """The feed as feedparser reads it, relative links resolved against the feed's own address."""
    status, headers, body = fetch(server, "/search.atom?" + query)
    assert status == 200, body
    assert headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    return feedparser.parse(body, response_headers={"content-location": f"{server.url}/search.atom?{query}",
                                                    "content-type": headers["Content-Type"]})


def newest_first(server, query):
    """What /api/search lists for the same parameters sorted newest first (page 1)."""
    params = [(name, value) for name, value in parse_qsl(query) if name not in ("sort", "page")]
    status, _, body = fetch(server, "/api/search?" + urlencode(params + [("sort", "newest")]))
    assert status == 200
    return json.loads(body)


@pytest.mark.parametrize("query", SEARCHES)
def test_a_feed_reader_reads_every_entry_of_the_newest_results(corpus_server, query):
    feed = read_feed(corpus_server, query)
    api = newest_first(corpus_server, query)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == min(api["total"] - api["folded"], api["per_page"]) == len(api["results"])
    for entry, hit in zip(feed.entries, api["results"]):
        assert entry.title == hit["title"]
        assert entry.link == f"{corpus_server.url}/articles/{hit['id']}"
        related = [link.href for link in entry.links if link.rel == "related"]
        assert related == ([hit["url"]] if hit["url"] else [])
        if hit["published"]:
            assert entry.published.startswith(hit["published"] + "T") and entry.updated == entry.published
        else:
            assert "published" not in entry
        assert [author.name for author in entry.get("authors", [])] == hit["authors"]
        assert [tag.term for tag in entry.get("tags", [])] == ([hit["source"]] if hit["source"] else [])
        assert entry.summary == unescape(re.sub(r"<[^>]*>", "", hit["snippet"]))
        assert "<" not in entry.summary and entry.summary_detail.type == "text/plain"
    dates = [entry.published_parsed for entry in feed.entries]
    assert dates == sorted(dates, reverse=True)  # newest first (every article of the corpus is dated)


def test_the_summary_is_the_snippet_as_plain_text(corpus_server):
    feed = read_feed(corpus_server, "q=torture")
    api = newest_first(corpus_server, "q=torture")
    assert '<mark class="match term0">torture</mark>' in api["results"][0]["snippet"]
    assert "torture" in feed.entries[0].summary and "mark" not in feed.entries[0].summary


def test_ids_stay_the_same_across_requests_and_name_the_search_not_its_page_or_order(corpus_server):
    first, again = read_feed(corpus_server, "q=belarus"), read_feed(corpus_server, "q=belarus")
    assert first.feed.id == again.feed.id and first.feed.id.startswith("urn:uuid:")
    assert [e.id for e in first.entries] == [e.id for e in again.entries]
    assert len({e.id for e in first.entries}) == len(first.entries) and first.entries
    assert first.feed.updated == again.feed.updated
    for same in ("q=belarus&page=2", "q=belarus&sort=oldest", "sort=relevance&q=belarus&page=7"):
        assert read_feed(corpus_server, same).feed.id == first.feed.id
    assert read_feed(corpus_server, "person=Yuri+Karayev&place=Minsk").feed.id == \
        read_feed(corpus_server, "place=Minsk&person=Yuri+Karayev").feed.id
    for other in ("q=lukashenko", "q=belarus&place=Minsk", "q=belarus&from=2020-09-01", ""):
        assert read_feed(corpus_server, other).feed.id != first.feed.id
    narrower = read_feed(corpus_server, "q=belarus&place=Minsk")
    shared = {e.link for e in narrower.entries} & {e.link for e in first.entries}
    assert shared and {e.id for e in narrower.entries if e.link in shared} == \
        {e.id for e in first.entries if e.link in shared}  # an article has one id whatever the search


def test_the_feed_has_its_title_links_author_and_date(corpus_server):
    feed = read_feed(corpus_server, "q=belarus&place=Minsk&per_page=2&page=3&sort=oldest")
    assert feed.feed.title == "News search: belarus · Places: Minsk"
    links = {(link.rel, link.type): link.href for link in feed.feed.links}
    assert links[("self", "application/atom+xml")] == f"{corpus_server.url}/search.atom?q=belarus&place=Minsk&per_page=2"
    assert links[("alternate", "text/html")] == f"{corpus_server.url}/?q=belarus&place=Minsk&sort=newest&per_page=2"
    assert feed.feed.author == "News search" and feed.feed.generator == "News search"
    assert feed.feed.updated == feed.entries[0].updated  # the newest entry's date
    assert read_feed(corpus_server, "").feed.title == "News search: every article"


def test_the_feed_meets_the_musts_of_rfc_4287(corpus_server):
    status, _, body = fetch(corpus_server, "/search.atom?per_page=100&collapse=false")
    feed = ElementTree.fromstring(body)
    assert feed.tag == f"{ATOM}feed"

    def one(element, tag):
        found = element.findall(f"{ATOM}{tag}")
        assert len(found) == 1, (tag, len(found))
        return found[0]

    def timestamp(element):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", element.text), element.text
        return element.text

    assert one(feed, "id").text.startswith("urn:uuid:") and one(feed, "title").text
    timestamp(one(feed, "updated"))
    assert [link.get("rel") for link in feed.findall(f"{ATOM}link")].count("self") == 1
    feed_author = one(feed, "author")
    assert one(feed_author, "name").text
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) > 20
    for entry in entries:
        assert one(entry, "id").text.startswith("urn:uuid:") and one(entry, "title").text
        timestamp(one(entry, "updated"))
        for published in entry.findall(f"{ATOM}published"):
            assert timestamp(published) <= one(entry, "updated").text
        assert [link.get("rel") for link in entry.findall(f"{ATOM}link")].count("alternate") == 1
        assert entry.findall(f"{ATOM}author") or feed_author is not None  # an author at one level or the other
        assert all(one(author, "name").text for author in entry.findall(f"{ATOM}author"))
        assert one(entry, "summary").get("type") == "text"
    assert len({one(entry, "id").text for entry in entries}) == len(entries)


@pytest.mark.parametrize("path, message", [
    ("/search.atom?q=title:(", "The '(' at position 7 is never closed"),
    ("/search.atom?per_page=0", "'per_page' must be between 1 and 100"),
    ("/search.atom?from=soon", "'from' must be a date as YYYY-MM-DD"),
    ("/search.atom?sort=sideways", "'sort' must be one of"),
])
def test_a_bad_query_or_parameter_is_a_400_saying_why(corpus_server, path, message):
    status, headers, body = fetch(corpus_server, path)
    assert status == 400 and headers["Content-Type"] == "text/plain; charset=utf-8"
    assert message in body.decode("utf-8")


def test_the_search_page_links_to_its_feed(corpus_server):
    status, _, body = fetch(corpus_server, "/?q=Lukashenko&sort=oldest&page=2&per_page=2")
    links = re.findall(r'<link rel="alternate" type="application/atom\+xml"[^>]* href="([^"]+)">', body.decode())
    assert links == ["/search.atom?q=Lukashenko&amp;per_page=2"]
    feed = read_feed(corpus_server, unescape(links[0]).split("?", 1)[1])
    assert feed.feed.title == "News search: Lukashenko" and len(feed.entries) == 2


HOSTILE = {"url": "https://news.example/ferries", "published": "2021-05-06",
           "title": "Tom & Jerry <b>sail</b> \x01on\x07 \ufffe time",
           "text": "Ferries & <ships> stopped \x02 at the harbour today. " * 5,
           "authors": ["Ann \x03Lee", "Bo & <Chan>"], "source": "Harbour \x04News & <Co>"}
UNDATED = {"url": "https://news.example/late", "title": "Ferries late again", "text": "Ferries are late at the harbour."}


@pytest.fixture(scope="module")
def hostile_feed_server(tmp_path_factory):
    """An index of a record with markup, ampersands and control characters everywhere, and an undated one."""
    folder = tmp_path_factory.mktemp("feed")
    (folder / "records.jsonl").write_text("\n".join(json.dumps(r) for r in (HOSTILE, UNDATED)), encoding="utf-8")
    assert index_paths([folder], settings_for(folder / "index")).indexed == 2
    server = LiveServer(folder / "index")
    yield server
    server.stop()


def test_markup_ampersands_and_control_characters_in_records_give_a_valid_feed(hostile_feed_server):
    status, _, body = fetch(hostile_feed_server, "/search.atom?q=ferries&from=2021-01-01")
    assert status == 200
    ElementTree.fromstring(body)  # well-formed XML
    feed = feedparser.parse(body)
    assert feed.bozo == 0, feed.get("bozo_exception")
    [entry] = feed.entries
    assert entry.title == "Tom & Jerry <b>sail</b> on  time"  # text, not markup; the controls left out
    assert [author.name for author in entry.authors] == ["Ann Lee", "Bo & <Chan>"]
    assert entry.tags[0].term == "Harbour News & <Co>"
    assert entry.summary.startswith("Ferries & <ships> stopped  at the harbour today.")


def test_an_undated_article_is_dated_when_the_index_last_changed(hostile_feed_server):
    index = SearchIndex(hostile_feed_server.server.app.config["INDEX_DIR"])
    changed = index.changed().strftime("%Y-%m-%dT%H:%M:%SZ")
    feed = read_feed(hostile_feed_server, "q=ferries")
    dated, undated = feed.entries  # newest first: undated articles last
    assert dated.published == "2021-05-06T00:00:00Z"
    assert undated.updated == changed and "published" not in undated
    assert feed.feed.updated == max(changed, dated.updated)
    assert read_feed(hostile_feed_server, "q=nothingmatchesthis").feed.updated == changed


def test_what_xml_cannot_carry_is_left_out_of_every_text_and_attribute(tmp_path):
    from web import create_app
    from web.feed import atom_feed

    hit = Hit(id="a\x01b", title="Lone \ud800 surrogate \x0c and \uffff", url="https://news.example/x\x1by",
              source="S\x00", published=None, authors=["\x02", "Kim \x1fRoss"],
              snippet="<mark>Ferry</mark> \x01 &amp; \U0001f600", people=[], orgs=[], places=[])
    result = SearchResult(SearchRequest(q="ferry \x07", sort="newest"), 1, hits=[hit])
    with create_app({"INDEX_DIR": str(tmp_path / "index")}).test_request_context("/search.atom"):
        body = atom_feed(result, datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    feed = feedparser.parse(body)
    assert feed.bozo == 0, feed.get("bozo_exception")
    [entry] = feed.entries
    assert (entry.title, entry.summary) == ("Lone  surrogate  and", "Ferry  & \U0001f600")
    assert [author.name for author in entry.authors] == ["Kim Ross"] and entry.tags[0].term == "S"
    assert [link.href for link in entry.links if link.rel == "related"] == ["https://news.example/xy"]
    assert entry.updated == "2024-01-02T03:04:05Z" and feed.feed.title == "News search: ferry"
