"""One saved page → one Article: text, title, byline, source, canonical URL, language and date."""

from __future__ import annotations

from search.article import Article, article_id, fingerprint, safe_link
from search.ingest.bounds import check_markup, check_page_text, check_text_length
from search.ingest.bylines import choose_authors
from search.ingest.dates import publication_date
from search.ingest.decode import decode_html
from search.ingest.errors import UnreadableDocument
from search.ingest.language import article_language
from search.ingest.mentions import mentioned_dates
from search.ingest.metadata import parse_tree, read_metadata
from search.ingest.publishers import publication
from search.ingest.text import clean_text, extract_body, word_count
from search.ingest.titles import choose_title
from search.settings import Settings

MIN_WORDS = 5
"""Fewer words than this are not an article (a menu, a bare link, an empty template)."""
DEFAULTS = Settings()


def extract_article(html: str | bytes, url: str | None = None, *, origin: str | None = None,
                    limits: Settings = DEFAULTS) -> Article:
    """Extract an article's text, metadata and publication date from a page (entities are added later).

    ``url`` is where the page was found, ``origin`` where it was read from (a path); the article's
    id comes from its canonical URL, else ``url`` (either only when http(s)), else ``origin``. Raises
    UnreadableDocument when the page cannot be read, holds more elements or text than ``limits``
    allow, or holds no article text.
    """
    if isinstance(html, bytes):
        raw, html = html, decode_html(html)
    else:
        raw = html.encode("utf-8", errors="replace")
        if not html.strip():
            raise UnreadableDocument("empty page")
    check_markup(html, limits.max_elements)
    try:
        tree = parse_tree(html)
    except ValueError as error:
        raise UnreadableDocument(f"not an HTML page ({error})") from None
    check_page_text(html, tree, limits.max_text_chars)
    meta = read_metadata(tree, url)
    canonical = meta.canonical_url or safe_link(url)
    published = publication_date(tree, url=canonical)
    site = publication(meta.site_names, meta.html_title, meta.title, canonical, tree)
    title = choose_title(tree, [meta.title, meta.html_title], site, canonical)
    authors = choose_authors(meta.authors, meta.organisation_authors, tree, None, site, [title])
    text, _ = extract_body(html, url=canonical, tree=tree)  # the last reader of the tree: it changes it
    check_text_length(len(text), limits.max_text_chars)  # the fallback may find text the tree lacked
    text = clean_text(text, title, authors)
    if word_count(text) < MIN_WORDS:
        raise UnreadableDocument("no article text found in the page")
    return Article(
        mentioned_dates=mentioned_dates(text, published),
        id=article_id(canonical or origin or fingerprint(raw)),
        url=canonical,
        source=site,
        title=title or text.split("\n", 1)[0][:120],
        authors=authors,
        published=published,
        language=article_language(text, meta.language),
        text=text,
        origin=origin or "",
        fingerprint=fingerprint(raw),
    )
