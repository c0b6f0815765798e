import pytest
from lxml import html as lxml_html

from search.ingest import extract_article
from search.ingest.publishers import as_name, linked_domain, publication, registered_domain


@pytest.mark.parametrize("url, expected", [
    ("https://www.fr.de/politik/x.html", "fr.de"),
    ("http://news.bbc.co.uk/2/hi/x.stm", "bbc.co.uk"),
    ("https://web.archive.org/web/20200101000000/https://www.wsvn.com/news/x/", "wsvn.com"),
    ("https://web.archive.org/web/", None),
    ("http://intranet/a", None),
    ("https://mitundvoneinander.wordpress.com/2008/05/x/", "mitundvoneinander.wordpress.com"),  # a blog host
    ("https://wordpress.com/read", "wordpress.com"),
    (None, None),
])
def test_the_registered_domain_comes_from_the_bundled_suffix_list(url, expected):
    assert registered_domain(url) == expected


@pytest.mark.parametrize("candidate, expected", [
    ("Frankfurter Rundschau", "Frankfurter Rundschau"),
    ("https://www.fr.de", "fr.de"),                                     # a URL: its domain
    ("www.fr.de", "fr.de"),
    ("WSVN 7News | Miami News, Weather, Sports | Fort Lauderdale", "WSVN 7News"),  # the part naming the host
    ("Deals for a doctor's budget • WSVN", "WSVN"),
    ("Miami News, Weather, Sports | Fort Lauderdale", None),             # a page title naming no host
    ("Storm hits the coast", None),                                      # the headline
    ("Creative Commons", None), ("© 2020 WSVN. All rights reserved", None),
    ("web.archive.org", None), ("Wayback Machine", None),
    ("A publication whose name runs on far longer than any name does", None),
])
def test_a_source_is_a_publication_name_never_a_url_headline_page_title_or_licence(candidate, expected):
    assert as_name(candidate, "Storm hits the coast", "wsvn.com" if "WSVN" in candidate else "fr.de") == expected


def test_a_source_falls_back_to_the_domain_and_is_never_empty_when_a_url_is_known():
    assert publication(["Creative Commons", "https://www.fr.de"], None, "Headline", "https://www.fr.de/a") == "fr.de"
    assert publication([], "Headline | Miami News, Weather", "Headline", "https://www.wsvn.com/a") == "wsvn.com"
    assert publication([], None, "Headline", None) is None


def test_a_saved_page_without_its_url_is_named_by_the_site_its_links_point_to():
    links = "".join(f"<a href='https://www.harbourtimes.example/section/{i}'>s</a>" for i in range(8))
    links += "<a href='https://twitter.com/share'>t</a><a href='https://facebook.com/x'>f</a>"
    tree = lxml_html.fromstring(f"<html><body>{links}</body></html>")
    assert linked_domain(tree) == "harbourtimes.example"
    story = "<p>" + "The harbour ferries ran again on Tuesday after a strike over pay ended. " * 5 + "</p>"
    page = f"<html><head><title>Ferries run again</title></head><body>{links}<article>{story}</article></body></html>"
    assert extract_article(page).source == "harbourtimes.example"
    spread = "".join(f"<a href='https://site{i}.example/'>s</a>" for i in range(8))
    assert linked_domain(lxml_html.fromstring(f"<html><body>{spread}</body></html>")) is None


def test_a_page_naming_itself_by_its_url_gets_its_domain_as_source():
    story = "<p>" + "The harbour ferries ran again on Tuesday after a strike over pay ended. " * 5 + "</p>"
    page = ("<html><head><title>Ferries run again</title><meta property='og:site_name' content='https://www.fr.de'>"
            "<link rel='canonical' href='https://www.fr.de/ferries'></head>"
            f"<body><article>{story}</article></body></html>")
    assert extract_article(page).source == "fr.de"


def test_a_malformed_url_names_no_domain_and_breaks_nothing():
    assert registered_domain("http://[::1") is None
    story = "<p>" + "The harbour ferries ran again on Tuesday after a strike over pay ended. " * 5 + "</p>"
    assert extract_article(f'<html><body><article>{story}</article><a href="http://[::1/">x</a></body></html>').text
    assert as_name("www." + "a-" * 500 + ".com", None, None) is None
