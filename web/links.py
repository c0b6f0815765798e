"""URLs for a search state: the server builds every link, templates only render them."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from flask import url_for

from search.article import safe_link  # noqa: F401 (templates render an article's own URL only through it)
from search.facets import BY_NAME, FACETS
from search.comparison import CompareRequest, parse_compare_params
from search.profiles import KINDS, parse_entity_params
from search.query import SearchError, SearchRequest, SearchResult, parse_params


def _language_names() -> dict[str, str]:
    """Language code → English name: every ISO 639-1 code and every code the language identifier
    gives (data/languages.tsv)."""
    table = (Path(__file__).with_name("data") / "languages.tsv").read_text(encoding="utf-8")
    return dict(line.split("\t", 1) for line in table.splitlines() if line and not line.startswith("#"))


LANGUAGE_NAMES = _language_names()


def value_label(facet: str, value: str) -> str:
    """How a facet value is shown: a language by its name, anything else as it is."""
    if facet == "languages":
        code = value.casefold()
        name = LANGUAGE_NAMES.get(code) or LANGUAGE_NAMES.get(code.split("-")[0])  # "pt-br": Portuguese
        return f"{name} ({value})" if name else value
    return value


def search_url(search_request: SearchRequest, endpoint: str = "views.search_page") -> str:
    query = urlencode(search_request.to_params())
    return url_for(endpoint) + (f"?{query}" if query else "")


def toggle_url(search_request: SearchRequest, facet: str, value: str) -> str:
    """The page with ``value`` added to or removed from the facet's filter."""
    return search_url(search_request.toggled(facet, value))


def suggestion_url(result: SearchResult) -> str | None:
    """The same search with the suggested query, when there is one."""
    if not result.suggestion:
        return None
    return search_url(replace(result.request, q=result.suggestion, page=1))


def export_urls(search_request: SearchRequest) -> dict[str, str]:
    """Downloads of every result of this search (the page and size left out)."""
    whole = replace(search_request, page=1, per_page=10)
    return {"CSV": search_url(whole, "api.search_csv"), "JSON Lines": search_url(whole, "api.search_jsonl")}


def feed_url(search_request: SearchRequest) -> str:
    """The Atom feed of this search (its newest results: the page and order left out)."""
    return search_url(replace(search_request, page=1, sort="relevance"), "feed.search_feed")


def copies_url(search_request: SearchRequest, article_id: str) -> str:
    """This search narrowed to one story and its copies."""
    return search_url(replace(search_request, copies_of=article_id, page=1))


def unfolded_url(search_request: SearchRequest) -> str:
    """This search with every copy listed."""
    return search_url(replace(search_request, collapse=False, page=1))


def require_url(search_request: SearchRequest, word: str) -> str:
    """This search with a word it lists as missing from some hits made required (``+word``)."""
    q = re.sub(rf"(?<![^\s(]){re.escape(word)}", lambda _: f"+{word}", search_request.q, count=1)
    return search_url(replace(search_request, q=q, page=1))


def page_url(result: SearchResult, page: int) -> str:
    """Another page of a result, tied to the state of the index it came from (see SearchRequest.generation)."""
    return search_url(replace(result.request, page=page, generation=result.generation or ""))


def selected_filters(search_request: SearchRequest, url: Callable[[SearchRequest], str] = search_url,
                     words: bool = False) -> list[dict]:
    """Each active filter (and the query's words, with ``words``) with the link that removes it, to
    the page ``url`` makes of a request."""
    chips = [{"label": "Words", "value": search_request.q, "about_url": None,
              "remove_url": url(replace(search_request, q="", page=1))}] if words and search_request.q else []
    chips += [
        {"label": facet.label, "value": value_label(facet.name, value), "about_url": entity_url(facet.name, value),
         "remove_url": url(search_request.toggled(facet.name, value))}
        for facet in FACETS for value in getattr(search_request, facet.name)
    ]
    for name, label in (("date_from", "From"), ("date_to", "To"), ("mentioned_from", "Mentions a day from"),
                        ("mentioned_to", "Mentions a day to")):
        day = getattr(search_request, name)
        if day:
            chips.append({"label": label, "value": day.isoformat(),
                          "remove_url": url(replace(search_request, **{name: None}, page=1))})
    return chips


def facet_links(result: SearchResult) -> list[dict]:
    """Facets for the page: each value with its count and the link that toggles it."""
    return [
        {
            "name": facet.name,
            "label": facet.label,
            "values": [
                {"value": f.value, "label": value_label(facet.name, f.value), "count": f.count, "selected": f.selected,
                 "url": toggle_url(result.request, facet.name, f.value), "about_url": entity_url(facet.name, f.value)}
                for f in result.facets.get(facet.name, [])
            ],
        }
        for facet in FACETS
    ]


def back_url(referrer: str | None, host: str) -> str | None:
    """The search (or compare or entity page) an article was opened from, rebuilt from the page's
    referrer when it is a page of this site, with only the parameters a search takes; else None."""
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != host or parts.scheme not in ("http", "https"):
        return None
    params = parse_qs(parts.query)
    kind, _, name = parts.path.removeprefix("/").partition("/")
    try:
        if parts.path == "/":
            return search_url(parse_params(params))
        if parts.path == "/compare":
            measure = params.get("measure", [""])[-1]
            return compare_url(parse_compare_params(params), **({"measure": measure} if measure == "count" else {}))
        if kind in KINDS and name:
            entity = parse_entity_params(kind, unquote(name), params)
            return entity_url(entity.kind, entity.name, entity.filters)
    except SearchError:
        return None
    return None


def entity_url(facet: str, value: str, filters: SearchRequest | None = None) -> str | None:
    """The page about a person, organisation or place, seen through ``filters`` when given; None for
    a facet of another kind."""
    if not BY_NAME[facet].mentioned:
        return None
    query = urlencode(filters.to_params()) if filters else ""
    return url_for("views.entity_page", kind=facet, name=value) + (f"?{query}" if query else "")


def compare_url(compare_request: CompareRequest, endpoint: str = "views.compare_page", **extra: str) -> str:
    """A comparison's URL (page, API or CSV), with ``extra`` parameters (the page's ``measure``)."""
    query = urlencode(compare_request.to_params() + list(extra.items()))
    return url_for(endpoint) + (f"?{query}" if query else "")


def compare_from_search(search_request: SearchRequest) -> str:
    """The comparison page starting from a search: its query and its filters."""
    shared = replace(search_request, q="", page=1, per_page=10, sort="relevance", collapse=True, copies_of="")
    return compare_url(CompareRequest((search_request.q,) if search_request.q else (), shared))
