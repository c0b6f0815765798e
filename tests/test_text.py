import pytest
from lxml import html as lxml_html

from search.ingest.metadata import parse_tree
from search.ingest.text import (clean_text, extract_body, fallback_text, is_boilerplate, unwrap_layout_tables,
                                unwrap_lines)


def test_boilerplate_lines_are_recognised():
    for line in ("Advertisement", "Source: Read Full Article", "Visit Business Insider's homepage for more stories.",
                 "Read more: World news", "Sign up for our morning newsletter: the day's news in five minutes.",
                 "We use cookies to improve your experience. By continuing to browse you agree to our use of cookies.",
                 "Click here to get Metro Wire headlines in your inbox every morning.", "Related posts",
                 "Ähnliche Beiträge", "Articles similaires :"):
        assert is_boilerplate(line), line
    for line in ("The advertisement industry grew by 4% last year, the report said.",
                 "Read the statement, officials said, before you judge."):
        assert not is_boilerplate(line), line


def test_clean_text_drops_a_leading_title_and_byline_and_boilerplate():
    text = "The Headline\nBy Jane Roe\nFirst paragraph.\nAdvertisement\n  Second   paragraph. \n\nRead Full Article"
    assert clean_text(text, "The  headline", ["Jane Roe"]) == "First paragraph.\nSecond paragraph."


def test_layout_tables_become_blocks_but_data_tables_stay():
    page = ("<html><body><table><tr><td><nav>Menu</nav></td><td><h1>T</h1><p>Para one.</p></td></tr></table>"
            "<table><tr><td>12</td><td>34</td></tr></table></body></html>")
    tree = parse_tree(page)
    unwrap_layout_tables(tree)
    out = lxml_html.tostring(tree, encoding="unicode")
    assert out.count("<table") == 1 and "<td>12</td>" in out
    paragraphs = parse_tree("<html><body><table class='wikitable'><tr><td><p>A cell's paragraph.</p></td></tr>"
                            "</table></body></html>")
    unwrap_layout_tables(paragraphs)  # no navigation, no headline: a table of content, left to trafilatura
    assert "<table" in lxml_html.tostring(paragraphs, encoding="unicode")


def test_fallback_text_skips_navigation_ads_and_related_links():
    page = """<html><body><nav>Home World</nav><div class="ad-slot">Buy now</div>
    <article><p>First real paragraph of the story.</p><aside class="related">Other story</aside>
    <p>Second real paragraph.</p></article><footer>Terms</footer></body></html>"""
    assert fallback_text(page) == "First real paragraph of the story.\nSecond real paragraph."


def test_extract_body_uses_the_structure_when_trafilatura_finds_too_little():
    page = "<html><body><div class='x'><p>" + "Short words here. " * 3 + "</p></div></body></html>"
    text, _ = extract_body(page)
    assert "Short words here." in text


def test_a_portal_page_is_not_read_as_one_article_by_the_fallback():
    """A page of teasers is no article: the structural fallback returned its menus and lists of
    links as the text (on unseen pages, lower than trafilatura alone)."""
    teasers = "".join(f"<article><h2><a href='/s{i}'>Story {i} headline</a></h2><p>Teaser {i}.</p></article>"
                      for i in range(12))
    menu = "".join(f"<li><a href='/{i}'>Section {i}</a></li>" for i in range(20))
    page = f"<html><body><ul>{menu}</ul>{teasers}</body></html>"
    assert fallback_text(page) == ""
    assert "Section 3" not in extract_body(page)[0]


WRAPPED = ("Showers continued throughout the week in\nthe Bahia cocoa zone, alleviating the drought since early\n"
           "January and improving prospects for the coming temporao,\nalthough normal humidity levels have not been "
           "restored,\nComissaria Smith said in its weekly review.\n    The dry period means the temporao will be "
           "late this year.\n    Arrivals for the week ended February 22 were 155,221 bags\nof 60 kilos.\n Reuter")


def test_text_wrapped_at_a_fixed_width_becomes_one_line_per_paragraph():
    assert unwrap_lines(WRAPPED).split("\n") == [
        "Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought since early "
        "January and improving prospects for the coming temporao, although normal humidity levels have not been "
        "restored, Comissaria Smith said in its weekly review.",
        "The dry period means the temporao will be late this year.",
        "Arrivals for the week ended February 22 were 155,221 bags of 60 kilos.",
        "Reuter",
    ]
    table = "Shr 34 cts vs 1.19 dlrs\n    Net 807,000 vs 2,858,000\n    Assets 510.2 mln\n    Loans 299.2 mln\n"
    assert unwrap_lines(table + "\n" + WRAPPED).split("\n")[:4] == ["Shr 34 cts vs 1.19 dlrs", "Net 807,000 vs 2,858,000",
                                                             "Assets 510.2 mln", "Loans 299.2 mln"]


@pytest.mark.parametrize("text", [
    "One paragraph that is long enough to be a paragraph of its own, as pages give them, and ends here.\n" * 5,
    "Short line.\nAnother short line.\nA third one.\nAnd a fourth.\nAnd the fifth.",  # lines ending sentences
    "Two lines\nonly",
])
def test_text_whose_lines_are_paragraphs_is_left_as_it_is(text):
    assert unwrap_lines(text) == text


def test_soft_hyphens_and_zero_width_spaces_leave_words_whole_and_letters_are_composed():
    decomposed = "Welterna\u0308hrungsprogramm"  # "ä" written as "a" and a combining diaeresis
    text = clean_text(f"Deutsch\u00adland und das {decomposed}\u200b hilft.\ufeff\nZero\u200dwidth joiner stays.")
    assert text == "Deutschland und das Welternährungsprogramm hilft.\nZero\u200dwidth joiner stays."
