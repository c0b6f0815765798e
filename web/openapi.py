"""The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json (tests check the real
responses against it)."""

from __future__ import annotations

from search.comparison import COMPARED_FACETS, MAX_COMPARED, NOT_SHARED
from search.facets import FACETS
from search.profiles import KINDS
from search.query import (MAX_FILTER_VALUES, MAX_PAGE, MAX_PER_PAGE, MAX_QUERY_LENGTH, MAX_VALUE_LENGTH,
                          MAX_VALUES, SORTS)

_STRINGS = {"type": "array", "items": {"type": "string"}}
_DATE = {"type": "string", "format": "date"}
_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def _query(name: str, description: str, schema: dict, repeat: bool = False) -> dict:
    parameter = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if repeat:
        parameter.update(schema={"type": "array", "items": schema, "maxItems": MAX_VALUES}, style="form", explode=True)
    return parameter


_VALUE = {"type": "string", "maxLength": MAX_VALUE_LENGTH}


SEARCH_PARAMETERS = [
    _query("q", "Words and the query language (see /help); empty lists every article.",
           {"type": "string", "maxLength": MAX_QUERY_LENGTH}),
    _query("from", "Published on or after this day.", _DATE),
    _query("to", "Published on or before this day.", _DATE),
    _query("mentioned_from", "The text mentions a day on or after this one.", _DATE),
    _query("mentioned_to", "The text mentions a day on or before this one.", _DATE),
    *[_query(facet.parameter, f"Only articles with this value in {facet.name} (any case); repeatable, every value "
                              f"must match (the six filters together take up to {MAX_FILTER_VALUES} values).", _VALUE,
             repeat=True) for facet in FACETS],
    _query("sort", "Order of the results.", {"type": "string", "enum": list(SORTS), "default": "relevance"}),
    _query("collapse", "Fold copies of one story into one result.", {"type": "boolean", "default": True}),
    _query("copies_of", "An article id: only that article and its copies.", _VALUE),
    _query("page", "Page number.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
    _query("per_page", "Results per page.", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 10}),
    _query("generation", "The `generation` of the results' earlier pages: if the index has changed since, the "
                         "answer is a 409 rather than a page of another state of the index.", _VALUE),
]

FILTER_PARAMETERS = [parameter for parameter in SEARCH_PARAMETERS if parameter["name"] not in NOT_SHARED]
"""The search's filters, which a comparison's queries share and an entity page applies."""
COMPARE_PARAMETERS = [
    {"name": "q", "in": "query", "required": True, "style": "form", "explode": True,
     "description": f"A query to compare (the query language of /help), repeated for each, up to {MAX_COMPARED}; "
                    "empty ones are left out.",
     "schema": {"type": "array", "minItems": 1, "maxItems": MAX_COMPARED,
                "items": {"type": "string", "maxLength": MAX_QUERY_LENGTH}}},
    *FILTER_PARAMETERS,
]
ENTITY_PARAMETERS = [
    {"name": "kind", "in": "path", "required": True, "schema": {"type": "string", "enum": list(KINDS)}},
    {"name": "name", "in": "path", "required": True, "description": "The name, in any case.",
     "schema": {"type": "string", "minLength": 1, "maxLength": MAX_VALUE_LENGTH}},
    _query("q", "Words the articles must also match; they rank the most relevant articles (default: the name's words).",
           {"type": "string", "maxLength": MAX_QUERY_LENGTH}),
    *FILTER_PARAMETERS,
]

_HIT_PROPERTIES = {
    "id": {"type": "string"},
    "title": {"type": "string"},
    "url": {"type": ["string", "null"]},
    "source": {"type": ["string", "null"]},
    "published": _NULLABLE_DATE,
    "authors": _STRINGS,
    "people": _STRINGS,
    "orgs": _STRINGS,
    "places": _STRINGS,
    "score": {"type": ["number", "null"], "description": "Relevance; null when sorted by date."},
    "copies": {"type": "integer", "minimum": 0, "description": "Other copies of this story folded into it."},
    "missing": {**_STRINGS, "description": "The query's words (or quoted phrases, bracketed groups) this "
                "article lacks, as typed; empty when it has them all."},
}

SCHEMAS = {
    "Hit": {
        "type": "object",
        "required": [*_HIT_PROPERTIES, "snippet"],
        "properties": {**_HIT_PROPERTIES, "snippet": {
            "type": "string", "description": "HTML: the text escaped, matched words in <mark>."}},
        "additionalProperties": False,
    },
    "ExportedHit": {
        "type": "object", "required": list(_HIT_PROPERTIES), "properties": _HIT_PROPERTIES,
        "additionalProperties": False,
    },
    "FacetValue": {
        "type": "object", "required": ["value", "count", "selected"],
        "properties": {"value": {"type": "string"}, "count": {"type": "integer", "minimum": 0},
                       "selected": {"type": "boolean"}},
        "additionalProperties": False,
    },
    "Period": {
        "type": "object", "required": ["value", "from", "to", "count", "interval"],
        "properties": {"value": {"type": "string", "description": "2020-08-14, 2020-W33, 2020-08 or 2020"},
                       "from": _DATE, "to": _DATE, "count": {"type": "integer", "minimum": 0},
                       "interval": {"type": "string", "enum": ["day", "week", "month", "year"]}},
        "additionalProperties": False,
    },
    "SearchResult": {
        "type": "object",
        "required": ["query", "suggestion", "total", "total_all_words", "folded", "page", "per_page", "results",
                     "facets"],
        "properties": {
            "query": {"type": "string"},
            "suggestion": {"type": ["string", "null"], "description": "Did you mean: a corrected query."},
            "total": {"type": "integer", "minimum": 0, "description": (
                "Articles listed: those with every word of the query, then those lacking some (copies "
                "included; facets and the attention chart count the same articles).")},
            "total_all_words": {"type": ["integer", "null"], "minimum": 0, "description": (
                "Of those, articles with every word (listed first). Null when the query is read as a "
                "description (more than three content words): any of its words may match.")},
            "folded": {"type": "integer", "minimum": 0},
            "generation": {"type": ["string", "null"], "description": (
                "Which state of the index answered: it changes with every `index` or `reindex`, and every "
                "server process answers from the newest within seconds. Give it back with the next pages "
                "(`generation=`) to be told when the index has changed between them. Null when there is no "
                "index yet.")},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
            "facets": {
                "type": "object",
                "required": [*(facet.name for facet in FACETS), "published"],
                "properties": {
                    **{facet.name: {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}
                       for facet in FACETS},
                    "published": {"type": "array", "items": {"$ref": "#/components/schemas/Period"}},
                },
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    },
    "CompareResult": {
        "type": "object", "required": ["queries", "total", "interval", "periods", "series"],
        "properties": {
            "queries": _STRINGS,
            "total": {"type": "integer", "minimum": 0, "description": "Every article the shared filters keep."},
            "interval": {"type": ["string", "null"], "enum": ["day", "week", "month", "year", None]},
            "periods": {"type": "array", "items": {
                "type": "object", "required": ["value", "from", "to", "total"],
                "properties": {"value": {"type": "string"}, "from": _DATE, "to": _DATE,
                               "total": {"type": "integer", "minimum": 0, "description": (
                                   "Every article the shared filters keep published in the period: the "
                                   "denominator of the shares.")}},
                "additionalProperties": False}},
            "series": {"type": "array", "items": {
                "type": "object", "required": ["query", "total", "counts", "shares", *COMPARED_FACETS],
                "properties": {
                    "query": {"type": "string"},
                    "total": {"type": "integer", "minimum": 0,
                              "description": "Articles with every word of the query (and the shared filters)."},
                    "counts": {"type": "array", "items": {"type": "integer", "minimum": 0},
                               "description": "Of those, how many each period holds (in the order of periods)."},
                    "shares": {"type": "array", "items": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                               "description": "counts[i] / periods[i].total; null where the period holds no article."},
                    **{name: {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}
                       for name in COMPARED_FACETS},
                },
                "additionalProperties": False}},
        },
        "additionalProperties": False,
    },
    "EntityProfile": {
        "type": "object",
        "required": ["kind", "name", "spellings", "total", "published", "named_with", "sources", "latest", "relevant"],
        "properties": {
            "kind": {"type": "string", "enum": list(KINDS)},
            "name": {"type": "string", "description": "As most articles write it."},
            "spellings": {**_STRINGS, "description": "Every way the articles write it (counted together)."},
            "total": {"type": "integer", "minimum": 0, "description": "Articles naming it (with the filters)."},
            "published": {"type": "array", "items": {"$ref": "#/components/schemas/Period"}},
            "named_with": {
                "type": "object", "required": list(COMPARED_FACETS),
                "properties": {name: {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}
                               for name in COMPARED_FACETS},
                "additionalProperties": False,
                "description": "The entities most often named in the same articles, with how many.",
            },
            "sources": {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}},
            "latest": {"type": "array", "items": {"$ref": "#/components/schemas/ExportedHit"}},
            "relevant": {"type": "array", "items": {"$ref": "#/components/schemas/ExportedHit"}},
        },
        "additionalProperties": False,
    },
    "Article": {
        "type": "object",
        "required": ["id", "url", "source", "title", "authors", "published", "language", "text", "people",
                     "orgs", "places", "mentioned_dates", "origin"],
        "properties": {
            "id": {"type": "string"}, "url": {"type": ["string", "null"]}, "source": {"type": ["string", "null"]},
            "title": {"type": "string"}, "authors": _STRINGS, "published": _NULLABLE_DATE,
            "language": {"type": ["string", "null"]}, "text": {"type": "string"}, "people": _STRINGS,
            "orgs": _STRINGS, "places": _STRINGS, "mentioned_dates": {"type": "array", "items": _DATE},
            "origin": {"type": "string", "description": "The file (and record) it was read from."},
        },
    },
    "Related": {
        "type": "object", "required": ["id", "related"],
        "properties": {"id": {"type": "string"},
                       "related": {"type": "array", "items": {"$ref": "#/components/schemas/ExportedHit"}}},
        "additionalProperties": False,
    },
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {
            "type": "object", "required": ["message", "parameter"],
            "properties": {"message": {"type": "string"}, "parameter": {"type": ["string", "null"]}},
            "additionalProperties": False}},
        "additionalProperties": False,
    },
}


def _json(ref: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


_BAD_REQUEST = _json("Error", "A parameter or the query cannot be used; the message says why.")
_CHANGED = _json("Error", "The index has changed since the `generation` given: search again from page 1.")
_NOT_FOUND = _json("Error", "No article has this id.")
_UNAVAILABLE = _json("Error", "The index cannot be read (it is damaged): searches work again once it is rebuilt.")
_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "News search API", "version": "1",
             "description": "Full-text search over an archive of news articles, with the same parameters "
                            "and results as the search page."},
    "paths": {
        "/api/search": {"get": {
            "summary": "One page of ranked, filtered results with facets and attention over time.",
            "parameters": SEARCH_PARAMETERS,
            "responses": {"200": _json("SearchResult", "The results."), "400": _BAD_REQUEST, "409": _CHANGED,
                          "503": _UNAVAILABLE},
        }},
        "/api/search.csv": {"get": {
            "summary": "Every result of the search (not one page) as CSV, streamed.",
            "parameters": SEARCH_PARAMETERS,
            "responses": {"200": {"description": "A header line, then one row per article; lists joined with '; '.",
                                  "content": {"text/csv": {"schema": {"type": "string"}}}},
                          "400": _BAD_REQUEST, "409": _CHANGED, "503": _UNAVAILABLE},
        }},
        "/api/search.jsonl": {"get": {
            "summary": "Every result of the search (not one page) as JSON Lines, streamed.",
            "parameters": SEARCH_PARAMETERS,
            "responses": {"200": {"description": "One ExportedHit object per line.",
                                  "content": {"application/x-ndjson": {
                                      "schema": {"$ref": "#/components/schemas/ExportedHit"}}}},
                          "400": _BAD_REQUEST, "409": _CHANGED, "503": _UNAVAILABLE},
        }},
        "/search.atom": {"get": {
            "summary": "An Atom feed (RFC 4287) of the search's newest results: the first page, sorted newest "
                       "first whatever 'sort' says; feed and entry ids are the same on every request.",
            "parameters": [p for p in SEARCH_PARAMETERS if p["name"] != "generation"],
            "responses": {"200": {"description": "The feed.",
                                  "content": {"application/atom+xml": {"schema": {"type": "string"}}}},
                          "400": {"description": "A parameter or the query cannot be used; the text says why.",
                                  "content": {"text/plain": {"schema": {"type": "string"}}}},
                          "503": {"description": "The index cannot be read (it is damaged): the error page.",
                                  "content": {"text/html": {"schema": {"type": "string"}}}}},
        }},
        "/api/articles/{id}": {"get": {
            "summary": "The whole article.", "parameters": [_ID],
            "responses": {"200": _json("Article", "The article."), "404": _NOT_FOUND, "503": _UNAVAILABLE},
        }},
        "/api/articles/{id}/related": {"get": {
            "summary": "Stories most like this article, best first.", "parameters": [_ID],
            "responses": {"200": _json("Related", "The related stories."), "404": _NOT_FOUND, "503": _UNAVAILABLE},
        }},
        "/api/compare": {"get": {
            "summary": "Queries compared over time: each one's articles per period, in numbers and as a share of "
                       "every article the shared filters keep, and the entities each one's articles name most.",
            "parameters": COMPARE_PARAMETERS,
            "responses": {"200": _json("CompareResult", "The series."), "400": _BAD_REQUEST, "503": _UNAVAILABLE},
        }},
        "/api/compare.csv": {"get": {
            "summary": "The comparison's series as CSV.",
            "parameters": COMPARE_PARAMETERS,
            "responses": {"200": {"description": "A header, then one row per period: its label, first and last day, "
                                                 "every article in it, then each query's articles and share.",
                                  "content": {"text/csv": {"schema": {"type": "string"}}}},
                          "400": _BAD_REQUEST, "503": _UNAVAILABLE},
        }},
        "/api/entities/{kind}/{name}": {"get": {
            "summary": "One person, organisation or place across the archive: its articles over time, the entities "
                       "named with it, its sources, its latest and most relevant articles.",
            "parameters": ENTITY_PARAMETERS,
            "responses": {"200": _json("EntityProfile", "The entity."), "400": _BAD_REQUEST,
                          "404": _json("Error", "No article names it."), "503": _UNAVAILABLE},
        }},
        "/api/openapi.json": {"get": {
            "summary": "This document.",
            "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
        }},
    },
    "components": {"schemas": SCHEMAS},
}
