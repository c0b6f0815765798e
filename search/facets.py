"""The facets: one list that requests, the index, the query language, the API and its OpenAPI
description, the command line and the page all read, so that a facet is added or renamed in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Facet:
    """One way of narrowing a search by a value an article has (a person it names, its source)."""

    name: str
    """The request's attribute and the result's key (``SearchRequest.people``, ``facets["people"]``)."""
    parameter: str
    """The filter's query-string parameter, command-line option (``--person``) and query-language
    prefix (``person:``)."""
    field: str
    """The index field holding the values."""
    label: str
    """How the page names it."""
    description: str
    """What a value of the filter keeps, for the command line's and the API's help."""
    mentioned: bool = False
    """Whether the values are named in the text (people, organisations, places: an article page lists them)."""


FACETS = (
    Facet("people", "person", "people", "People", "Mentions this person", mentioned=True),
    Facet("orgs", "org", "orgs", "Organisations", "Mentions this organisation", mentioned=True),
    Facet("places", "place", "places", "Places", "Mentions this place", mentioned=True),
    Facet("sources", "source", "source", "Sources", "From this source"),
    Facet("authors", "author", "authors", "Authors", "Written by this author"),
    Facet("languages", "language", "language", "Languages", "In this language, as a code such as en"),
)
BY_NAME = {facet.name: facet for facet in FACETS}
