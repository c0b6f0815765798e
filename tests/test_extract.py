import re
from datetime import date

import pytest

from search.ingest import UnreadableDocument, extract_article
from search.ingest.publishers import site_from_title

from conftest import CORPUS

CORPUS_PAGES = sorted(CORPUS.glob("*.html"))
FURNITURE = re.compile(r"(?i)advertisement|cookies|newsletter|click here|read more|share this|most read|"
                       r"related stories|all rights reserved|premium edition|originally published")


def test_the_corpus_has_twenty_or_more_articles():
    assert len(CORPUS_PAGES) >= 20


@pytest.mark.parametrize("page", CORPUS_PAGES, ids=lambda p: p.stem)
def test_every_corpus_page_gives_its_date_title_source_and_clean_text(page):
    article = extract_article(page.read_bytes(), origin=str(page))
    assert article.published == date.fromisoformat(page.name[:10])
    assert article.title and "|" not in article.title and not article.title.endswith("Metro Wire")
    assert article.source and article.authors and article.language == "en"
    assert article.url and article.url.startswith("https://")
    assert len(article.text.split()) > 60
    assert not FURNITURE.search(article.text), FURNITURE.search(article.text)
    assert not article.text.startswith(article.title)
    assert article.authors[0] not in article.text.split("\n")[0]


def test_the_sample_page_keeps_only_the_story(seed_page):
    article = extract_article(seed_page.read_bytes())
    assert article.published == date(2020, 8, 14)
    assert article.source == "Business Insider"
    assert article.title.startswith("Belarus said it will release detained protesters")
    assert article.url == "https://www.businessinsider.com/belarus-release-detained-protesters-torture-police-brutality-2020-8"
    for furniture in ("Visit Business Insider's homepage", "Read Full Article", "Advertisement",
                      "Subscribe to our newsletter", "Related stories", "Copyright", "Trending"):
        assert furniture not in article.text
    assert "Yuri Karayev, the Belarusian interior minister" in article.text
    assert article.authors == []  # the publication is not a person


def test_the_id_comes_from_the_canonical_url_else_the_url_else_the_origin():
    page = "<html><head>{}</head><body><article><p>" + "Words of the story. " * 20 + "</p></article></body></html>"
    with_canonical = extract_article(page.format('<link rel="canonical" href="https://a.example/x">'), "https://b.example/y")
    with_url = extract_article(page.format(""), "https://b.example/y")
    with_origin = extract_article(page.format(""), origin="folder/page.html")
    assert with_canonical.url == "https://a.example/x"
    assert len({with_canonical.id, with_url.id, with_origin.id}) == 3
    assert with_origin.id == extract_article(page.format(""), origin="folder/page.html").id


@pytest.mark.parametrize("page, reason", [
    (b"", "empty file"),
    (b"<html><body><nav>Home</nav></body></html>", "no article text"),
    ("   ", "empty page"),
])
def test_pages_without_a_story_are_refused_with_a_reason(page, reason):
    with pytest.raises(UnreadableDocument, match=reason):
        extract_article(page)


def test_a_page_that_is_only_a_url_is_not_fetched():
    with pytest.raises(UnreadableDocument):
        extract_article("https://example.org/2020/01/01/story")


@pytest.mark.parametrize("html_title, url, expected", [
    ("Storm hits coast | Harbour Times", "https://harbourtimes.example/a", "Harbour Times"),
    ("Metro Wire - Storm hits coast", "https://www.metrowire.example/a", "Metro Wire"),
    ("Storm hits coast | Harbour Times", "https://other.example/a", None),
    ("Storm hits coast", "https://harbourtimes.example/a", None),
    ("Storm hits coast | Harbour Times", None, None),
])
def test_the_site_name_is_taken_from_the_title_only_when_it_matches_the_host(html_title, url, expected):
    assert site_from_title(html_title, url) == expected


STORY = ("<p>The harbour ferries ran again on Tuesday after a strike over pay ended, the port authority "
         "in Lisbon said, and crews returned to the morning crossings.</p>")


def hostile(body: str, head: str = "") -> bytes:
    return f"<html><head>{head}<title>Ferries</title></head><body>{body}</body></html>".encode()


@pytest.mark.parametrize("page, reason", [
    (hostile("<p>ab</p>" * 1_000_000), "too large (over 50,000 HTML elements; the limit is NEWS_SEARCH_MAX_ELEMENTS)"),
    (hostile("<div>" * 100_000 + STORY * 3 + "</div>" * 100_000), "too large (over 50,000 HTML elements"),
    (hostile("<p " + " ".join(f'a{n}="x"' for n in range(100_000)) + ">x</p>" + STORY * 3),
     "too large (an element with over 1,000 attributes)"),
    (hostile(STORY * 7000), "too large (over 1,000,000 characters of text; the limit is NEWS_SEARCH_MAX_TEXT_CHARS)"),
    (hostile("<p>" + "ferry " * 300_000 + "</p>"), "too large (over 1,000,000 characters of text"),
], ids=["a million <p>", "100,000-deep nesting", "100,000 attributes", "7,000 paragraphs", "one long paragraph"])
def test_pages_that_would_take_gigabytes_or_hours_are_refused_as_too_large(page, reason):
    with pytest.raises(UnreadableDocument) as refused:
        extract_article(page)
    assert str(refused.value).startswith(reason)


def test_scripts_do_not_count_as_elements():
    script = "<script>" + "if (a<b) { c = '<p>'; }\n" * 60_000 + "</script>"
    assert "harbour ferries" in extract_article(hostile(script + STORY * 3)).text


def test_a_page_with_megabytes_of_inline_data_keeps_its_story():
    # Pages embed their state as JSON in a script; libxml2 by default stops at a text of 10 MB and
    # the story after it was lost ("no article text found").
    data = '<script type="application/json">{"state": "' + "x" * 11_000_000 + '"}</script>'
    assert "harbour ferries ran again" in extract_article(hostile(data + STORY * 3)).text


def test_deep_nesting_within_the_limits_is_read():
    article = extract_article(hostile("<div>" * 10_000 + STORY * 3 + "</div>" * 10_000))
    assert "harbour ferries ran again" in article.text


def test_an_unterminated_comment_hides_the_rest_of_the_page_as_in_a_browser():
    article = extract_article(hostile(STORY.replace("Tuesday", "Monday") + "<!-- never closed " + STORY * 3))
    assert "on Monday" in article.text and "Tuesday" not in article.text
    with pytest.raises(UnreadableDocument, match="no article text"):
        extract_article(hostile("<!-- never closed " + STORY * 3))


def test_a_page_declaring_utf16_in_ascii_and_one_with_nul_bytes_are_read():
    lying = extract_article(hostile(STORY * 3, '<meta charset="utf-16">'))
    assert "harbour ferries ran again" in lying.text
    with_nuls = extract_article(hostile(STORY.replace("ferries", "fer\0ries") * 3))
    assert "harbour ferries ran again" in with_nuls.text and "\ufffd" not in with_nuls.text


CHINESE = ["国务院总理今天在北京主持召开常务会议，部署进一步做好短缺药品保供稳价工作，保障群众用药需求。",
           "会议指出，药品供应关系人民群众切身利益，要完善监测预警机制，加强生产、流通和使用各环节协同。",
           "会议要求，对临床必需、用量小、市场供应短缺的药品，要建立健全储备制度，确保及时供应。"]


def test_a_chinese_article_is_read_by_its_characters_not_its_spaces():
    """Chinese is written without spaces: counted by spaces, the article was "3 words", so a page's
    menus replaced it (their words have spaces), and a short article was refused as no text."""
    menu = "".join(f"<li><a href='/{i}'>Section {i} news and more</a></li>" for i in range(30))
    page = (f"<html lang='zh-CN'><head><title>保障临床用药需求</title></head><body>"
            f"<div class='links'><ul>{menu}</ul></div>"
            f"<article><h1>保障临床用药需求</h1>{''.join(f'<p>{p}</p>' for p in CHINESE)}</article></body></html>")
    article = extract_article(page)
    assert article.text == "\n".join(CHINESE)
    assert article.language == "zh"
    short = f"<html><body><article><p>{CHINESE[0]}</p></article></body></html>"
    assert extract_article(short).text == CHINESE[0]


GERMAN = ("Die Stadtverwaltung hat am Montag beschlossen, das Reparaturcafé in der Innenstadt auch im "
          "kommenden Jahr zu fördern. Jeder kann dort kaputte Geräte vorbeibringen und gemeinsam mit "
          "ehrenamtlichen Helfern reparieren. Die Nachfrage ist nach Angaben der Organisatoren groß.")


@pytest.mark.parametrize("declared", ["en", "de-AT", "de, at, ch", "lang=", ""])
def test_the_text_decides_the_language_over_the_declaration(declared):
    page = f"<html lang='{declared}'><body><article><p>{GERMAN}</p><p>{GERMAN}</p></article></body></html>"
    assert extract_article(page).language == "de"


@pytest.mark.parametrize("declared, expected", [("de-AT", "de"), ("en", "en"), ("lang=", None), ("und", None)])
def test_a_declared_language_stands_only_where_the_text_cannot_tell(declared, expected):
    page = f"<html lang='{declared}'><body><article><p>ok ok ok ok ok ok</p></article></body></html>"
    assert extract_article(page).language == expected
