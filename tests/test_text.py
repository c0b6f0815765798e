from lxml import html as lxml_html

from search.ingest.metadata import parse_tree
from search.ingest.text import clean_text, extract_body, fallback_text, is_boilerplate, unwrap_layout_tables


def test_boilerplate_lines_are_recognised():
    for line in ("Advertisement", "Source: Read Full Article", "Visit Business Insider's homepage for more stories.",
                 "Read more: World news", "Sign up for our morning newsletter: the day's news in five minutes.",
                 "We use cookies to improve your experience. By continuing to browse you agree to our use of cookies.",
                 "Click here to get Metro Wire headlines in your inbox every morning."):
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


def test_fallback_text_skips_navigation_ads_and_related_links():
    page = """<html><body><nav>Home World</nav><div class="ad-slot">Buy now</div>
    <article><p>First real paragraph of the story.</p><aside class="related">Other story</aside>
    <p>Second real paragraph.</p></article><footer>Terms</footer></body></html>"""
    assert fallback_text(page) == "First real paragraph of the story.\nSecond real paragraph."


def test_extract_body_uses_the_structure_when_trafilatura_finds_too_little():
    page = "<html><body><div class='x'><p>" + "Short words here. " * 3 + "</p></div></body></html>"
    text, _ = extract_body(page)
    assert "Short words here." in text
