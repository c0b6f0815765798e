from datetime import date

import pytest

from search.article import Article, article_id, safe_link

from conftest import HOSTILE_URLS


def test_article_id_is_stable_and_depends_only_on_the_key():
    assert article_id("https://example.org/a") == article_id("https://example.org/a")
    assert article_id("https://example.org/a") != article_id("https://example.org/b")
    assert len(article_id("x")) == 16


def test_to_dict_gives_iso_dates_and_lists():
    article = Article(id="1", title="T", published=date(2020, 8, 14), people=["Yuri Karayev"])
    data = article.to_dict()
    assert data["published"] == "2020-08-14"
    assert data["people"] == ["Yuri Karayev"]
    assert Article(id="2").to_dict()["published"] is None


@pytest.mark.parametrize("url", [
    *HOSTILE_URLS, "\x00 javascript:alert(1)", "JAVASCRIPT:alert(1)", "java\rscript:x",
    "javascript://example.org/%0aalert(1)", "mailto:desk@example.org", "file:///etc/passwd", "//example.org/a",
    "/articles/x", "example.org/a", "http://", "https:x", "http://[::1", "", None, "ｈttp://example.org/",
])
def test_only_absolute_http_urls_are_safe_links(url):
    assert safe_link(url) is None
    assert Article(id="1", url=url).url is None


@pytest.mark.parametrize("url, read", [
    ("https://example.org/a?b=c#d", "https://example.org/a?b=c#d"),
    ("HTTP://Example.org/a", "HTTP://Example.org/a"),
    ("  https://example.org/a\n", "https://example.org/a"),
    ("\x00https://exa\tmple.org/a", "https://example.org/a"),  # as a browser reads it, not as written
    ("https:\\\\example.org\\a", "https:\\\\example.org\\a"),
])
def test_an_http_url_is_kept_as_a_browser_reads_it(url, read):
    assert safe_link(url) == read
    assert Article(id="1", url=url).url == read
