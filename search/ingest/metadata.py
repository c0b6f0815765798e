"""Metadata a page declares about itself: JSON-LD, OpenGraph and meta tags, canonical link, language."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import html as lxml_html

from search.article import safe_link
from search.ingest.bylines import split_names

_WRITTEN_BY = {"written by", "verfasst von", "geschrieben von", "écrit par", "escrito por", "scritto da"}
ARTICLE_TYPES = {"article", "newsarticle", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
                 "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "report", "webpage"}


_TAG = re.compile(r"\s*([A-Za-z]{2,3})(?![A-Za-z])")
_NO_LANGUAGE = {"und", "mul", "zxx", "mis", "xx"}
"""Codes that say "undetermined", "several", "no linguistic content", "uncoded": no language."""


def language_tag(declared: str | None) -> str | None:
    """The language code a declaration starts with, in lower case ("de-AT" → "de", "en_US" → "en",
    "de, at, ch" → "de"), or None for one that names no language ("lang=", "", "und")."""
    found = _TAG.match(declared or "")
    code = found.group(1).lower() if found else None
    return None if code in _NO_LANGUAGE else code


@dataclass
class PageMetadata:
    title: str | None = None
    """The headline from JSON-LD or OpenGraph (no site-name suffix), if declared."""
    html_title: str | None = None
    site_name: str | None = None
    """The first name the page gives its site (see ``site_names``)."""
    site_names: list[str] = field(default_factory=list)
    """Every name the page gives its site, in order of trust: og:site_name, the JSON-LD publisher,
    the application name (any may be a URL, a page title or a licence: see ``publishers``)."""
    canonical_url: str | None = None
    language: str | None = None
    """The language code the page declares (see ``language_tag``), the first that names one."""
    authors: list[str] = field(default_factory=list)
    """People named as authors (organisations named as authors are left out)."""
    organisation_authors: list[str] = field(default_factory=list)


_PARSER = lxml_html.HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True,
                               huge_tree=True)
"""Comments and processing instructions are never article text (the parser trafilatura uses).
``huge_tree`` lifts libxml2's limits of 10 MB per text and 256 levels of nesting, past which it drops
the rest of the page (a story after a page's inline data, or inside deep unclosed markup): the size
of what reaches it is bounded by NEWS_SEARCH_MAX_DOCUMENT_BYTES and NEWS_SEARCH_MAX_ELEMENTS."""
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def parse_tree(html: str) -> lxml_html.HtmlElement:
    """Parse HTML leniently; raises ValueError when there is nothing to parse.

    An XHTML page's ``<?xml ... encoding=...?>`` line is dropped: the text is already decoded.
    """
    return lxml_html.document_fromstring(_XML_DECLARATION.sub("", html, count=1), parser=_PARSER)


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _json_ld_objects(tree) -> list[dict]:
    found: list[dict] = []

    def collect(node):
        if isinstance(node, list):
            for item in node:
                collect(item)
        elif isinstance(node, dict):
            found.append(node)
            collect(node.get("@graph", []))

    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            collect(json.loads(script.text_content() or "null", strict=False))
        except ValueError:
            continue
    return found


def _types(obj: dict) -> set[str]:
    kind = obj.get("@type", [])
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower() for k in kinds if isinstance(k, str)}


def _names(value, nodes: dict[str, dict] | None = None) -> list[tuple[str, bool]]:
    """(name, is_person) pairs from a JSON-LD author/publisher value; a bare ``{"@id": ...}``
    reference is looked up among the page's other nodes (as SEO plugins write their ``@graph``)."""
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, dict) and not _clean(item.get("name")) and isinstance(item.get("@id"), str):
            item = (nodes or {}).get(item["@id"], item)
        elif isinstance(item, str) and item.startswith(("http://", "https://", "#", "/")):
            item = (nodes or {}).get(item, {})  # a reference to a node, never a name
        if isinstance(item, str) and _clean(item):
            names.append((_clean(item), True))
        elif isinstance(item, dict) and _clean(item.get("name")):
            names.append((_clean(item["name"]), "person" in _types(item) or not _types(item)))
    return names


def read_metadata(tree, url: str | None = None) -> PageMetadata:
    """What the page says about itself, preferring structured data over meta tags."""
    meta: dict[str, str] = {}
    for element in tree.xpath("//meta[@content]"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").lower()
        if key and key not in meta and _clean(element.get("content")):
            meta[key] = _clean(element.get("content"))

    data = PageMetadata()
    objects = _json_ld_objects(tree)
    nodes = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str)}
    articles = [o for o in objects if _types(o) & ARTICLE_TYPES]
    articles.sort(key=lambda o: "webpage" in _types(o))
    publishers: list[str] = []
    for obj in articles:
        data.title = data.title or _clean(obj.get("headline"))
        for name, is_person in _names(obj.get("author", []), nodes):
            (data.authors if is_person else data.organisation_authors).append(name)
        publisher = _names(obj.get("publisher", []), nodes)
        if publisher and not publishers:
            publishers.append(publisher[0][0])
        if data.authors or data.organisation_authors:
            break

    data.title = data.title or meta.get("og:title") or meta.get("twitter:title")
    titles = tree.xpath("//title")
    data.html_title = _clean(titles[0].text_content()) if titles else None
    data.site_names = [name for name in (meta.get("og:site_name"), *publishers, meta.get("application-name")) if name]
    data.site_name = data.site_names[0] if data.site_names else None
    if not data.authors and not data.organisation_authors:
        if (meta.get("twitter:label1") or "").casefold() in _WRITTEN_BY:  # "Written by" / "Verfasst von"
            meta.setdefault("twitter:author", meta.get("twitter:data1") or "")
        for key in ("author", "article:author", "byl", "dc.creator", "sailthru.author", "parsely-author",
                    "twitter:author"):
            value = meta.get(key)
            if value and not value.startswith("http"):
                data.authors = split_names(value)
                break

    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    candidate = (canonical[0].strip() if canonical else None) or meta.get("og:url")
    if candidate:
        data.canonical_url = urljoin(url or "", candidate) if url else candidate
    data.canonical_url = safe_link(data.canonical_url)

    declared = (tree.get("lang"), tree.get("xml:lang"), meta.get("og:locale"), meta.get("content-language"))
    data.language = next(filter(None, map(language_tag, declared)), None)
    return data
