"""URLs for a search state: the server builds every link, templates only render them."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from flask import url_for

from search.query import FACETS, SearchRequest, SearchResult

FACET_LABELS = {"people": "People", "orgs": "Organisations", "places": "Places", "sources": "Sources",
                "authors": "Authors", "languages": "Languages"}


LANGUAGE_NAMES = {
    "ar": "Arabic", "de": "German", "en": "English", "es": "Spanish", "fr": "French", "it": "Italian",
    "ja": "Japanese", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ru": "Russian", "sv": "Swedish",
    "tr": "Turkish", "uk": "Ukrainian", "zh": "Chinese",
}


def value_label(facet: str, value: str) -> str:
    """How a facet value is shown: a language by its name, anything else as it is."""
    if facet == "languages":
        name = LANGUAGE_NAMES.get(value.casefold())
        return f"{name} ({value})" if name else value
    return value


def search_url(search_request: SearchRequest, endpoint: str = "views.search_page") -> str:
    query = urlencode(search_request.to_params())
    return url_for(endpoint) + (f"?{query}" if query else "")


def toggle_url(search_request: SearchRequest, facet: str, value: str) -> str:
    """The page with ``value`` added to or removed from the facet's filter."""
    return search_url(search_request.toggled(facet, value))


def page_url(search_request: SearchRequest, page: int) -> str:
    return search_url(replace(search_request, page=page))


def selected_filters(search_request: SearchRequest) -> list[dict]:
    """Each active filter with the link that removes it."""
    chips = [
        {"label": FACET_LABELS[facet], "value": value_label(facet, value),
         "remove_url": toggle_url(search_request, facet, value)}
        for facet in FACETS for value in getattr(search_request, facet)
    ]
    for name, label in (("date_from", "From"), ("date_to", "To")):
        day = getattr(search_request, name)
        if day:
            chips.append({"label": label, "value": day.isoformat(),
                          "remove_url": search_url(replace(search_request, **{name: None}, page=1))})
    return chips


def facet_links(result: SearchResult) -> list[dict]:
    """Facets for the page: each value with its count and the link that toggles it."""
    return [
        {
            "name": facet,
            "label": FACET_LABELS[facet],
            "values": [
                {"value": f.value, "label": value_label(facet, f.value), "count": f.count, "selected": f.selected,
                 "url": toggle_url(result.request, facet, f.value)}
                for f in result.facets.get(facet, [])
            ],
        }
        for facet in FACETS
    ]


def entity_url(facet: str, value: str) -> str:
    """A search for every article with this entity (from an article page)."""
    return search_url(SearchRequest().toggled(facet, value))
