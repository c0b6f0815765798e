"""An Atom feed (RFC 4287) of every search: its newest results, so a feed reader tells of new ones.

``/search.atom`` takes the parameters of the search page and runs the same search, newest first.
Links are relative to the site (resolved against the feed's own address, as RFC 4287 allows): an
absolute one would be built from the request's Host header, which whoever sends the request chooses.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import datetime, time, timezone
from html import unescape
from urllib.parse import urlencode
from xml.etree import ElementTree

from flask import Blueprint, Response, url_for

from search.facets import FACETS
from search.query import Hit, SearchError, SearchRequest, SearchResult
from web import links
from web.searching import index_changed, request_from_args, run_search

blueprint = Blueprint("feed", __name__)

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
SITE = "News search"
IDS = uuid.UUID("29f8e510-294f-4045-8009-1d90662dc02c")
"""The namespace of this site's feed and entry ids (UUID version 5): a search, or an article, has
the same id on every request."""
NO_INDEX = datetime(1970, 1, 1, tzinfo=timezone.utc)
"""``updated`` of a feed with no index behind it yet (Atom requires one; it must not change)."""
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry, even escaped (C0 controls, lone surrogates, U+FFFE/U+FFFF):
records can hold them, and one would make the whole feed unreadable."""
TAG = re.compile(r"<[^>]*>")


@blueprint.errorhandler(SearchError)
def bad_request(error: SearchError) -> Response:
    """A bad parameter or query: a 400 whose body is the message, as plain text."""
    return Response(f"{error.message}\n", 400, content_type="text/plain; charset=utf-8")


@blueprint.get("/search.atom")
def search_feed() -> Response:
    """``GET /search.atom?`` with the search's parameters: its first page, newest first."""
    result = run_search(replace(request_from_args(), sort="newest", page=1, generation=""))
    return Response(atom_feed(result, index_changed()), content_type=CONTENT_TYPE)


def atom_feed(result: SearchResult, changed: datetime | None) -> bytes:
    """The feed of a result's hits, as UTF-8 XML. ``changed`` (when the index last changed) dates
    the undated articles, and the feed when it lists none."""
    search_request = result.request
    changed = changed or NO_INDEX
    updated = [datetime.combine(hit.published, time(), timezone.utc) if hit.published else changed
               for hit in result.hits]
    feed = ElementTree.Element("feed", xmlns=ATOM)  # the default namespace, not a global prefix registration
    _add(feed, "id", feed_id(search_request))
    _add(feed, "title", feed_title(search_request))
    _add(feed, "updated", _timestamp(max(updated, default=changed)))
    _add(feed, "link", rel="self", type="application/atom+xml", href=links.feed_url(search_request))
    _add(feed, "link", rel="alternate", type="text/html", href=links.search_url(search_request))
    _add(_add(feed, "author"), "name", SITE)  # so that an entry without a byline still has an author
    _add(feed, "generator", SITE)
    for hit, hit_updated in zip(result.hits, updated):
        _entry(feed, hit, hit_updated)
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def feed_id(search_request: SearchRequest) -> str:
    """The same for every request of the same search, whatever its page, order or parameters' order."""
    canonical = urlencode(sorted(replace(search_request, page=1, sort="relevance").to_params()))
    return uuid.uuid5(IDS, f"search?{canonical}").urn


def entry_id(article_id: str) -> str:
    return uuid.uuid5(IDS, f"article:{article_id}").urn


def feed_title(search_request: SearchRequest) -> str:
    """"News search: " and what is searched for: the query, then each filter."""
    parts = [search_request.q] if search_request.q else []
    parts += [f"{facet.label}: {links.value_label(facet.name, value)}"
              for facet in FACETS for value in getattr(search_request, facet.name)]
    days = (("Published from", search_request.date_from), ("Published to", search_request.date_to),
            ("Mentions a day from", search_request.mentioned_from), ("Mentions a day to", search_request.mentioned_to))
    parts += [f"{label} {day.isoformat()}" for label, day in days if day]
    if search_request.copies_of:
        parts.append(f"Copies of {search_request.copies_of}")
    return f"{SITE}: {' · '.join(parts) or 'every article'}"


def plain_text(snippet: str) -> str:
    """A snippet (HTML: escaped text, matched words in ``<mark>``) as the text it shows."""
    return unescape(TAG.sub("", snippet))


def _entry(feed: ElementTree.Element, hit: Hit, updated: datetime) -> None:
    entry = _add(feed, "entry")
    _add(entry, "id", entry_id(hit.id))
    _add(entry, "title", hit.title)
    _add(entry, "link", rel="alternate", type="text/html", href=url_for("views.article_page", article_id=hit.id))
    if hit.url:  # only an absolute http(s) URL (Hit keeps no other)
        _add(entry, "link", rel="related", href=hit.url)
    if hit.published:
        _add(entry, "published", _timestamp(updated))
    _add(entry, "updated", _timestamp(updated))
    for name in filter(None, map(_clean, hit.authors)):
        _add(_add(entry, "author"), "name", name)
    source = _clean(hit.source or "")
    if source:
        _add(entry, "category", term=source, label=f"Source: {source}")
    _add(entry, "summary", plain_text(hit.snippet), type="text")


def _add(parent: ElementTree.Element, tag: str, text: str | None = None, **attributes: str) -> ElementTree.Element:
    """A child element with its text and attributes cleaned of what XML cannot carry."""
    child = ElementTree.SubElement(parent, tag, {name: _clean(value) for name, value in attributes.items()})
    if text is not None:
        child.text = _clean(text)
    return child


def _clean(text: str) -> str:
    return NOT_XML.sub("", text)


def _timestamp(moment: datetime) -> str:
    """RFC 3339, in UTC, to the second: 2020-08-14T00:00:00Z."""
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
