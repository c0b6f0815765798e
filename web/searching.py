"""The one path from an HTTP request to a search result, shared by the page and the API."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, request

from search.article import Article
from search.index import SearchIndex
from search.comparison import CompareRequest, CompareResult, parse_compare_params, parse_shared
from search.profiles import EntityProfile, EntityRequest, parse_entity_params
from search.query import Hit, SearchRequest, SearchResult, parse_params


def search_index() -> SearchIndex:
    return current_app.extensions["search_index"]


def request_from_args() -> SearchRequest:
    """The SearchRequest the query string describes; raises InvalidParameter."""
    return parse_params(request.args.to_dict(flat=False))


def run_search(search_request: SearchRequest) -> SearchResult:
    """Run a request; raises SearchError subclasses for bad parameters or query syntax."""
    return search_index().search(search_request)


def compare_from_args() -> CompareRequest:
    """The CompareRequest the query string describes; raises InvalidParameter."""
    return parse_compare_params(request.args.to_dict(flat=False))


def shared_from_args() -> SearchRequest:
    """The filters of a comparison the query string describes; raises InvalidParameter."""
    return parse_shared(request.args.to_dict(flat=False))


def run_compare(compare_request: CompareRequest) -> CompareResult:
    """Compare queries over time; raises SearchError subclasses like run_search."""
    return search_index().compare(compare_request)


def entity_from_args(kind: str, name: str) -> EntityRequest:
    """The EntityRequest for an entity's URL and its query string; raises InvalidParameter."""
    return parse_entity_params(kind, name, request.args.to_dict(flat=False))


def run_entity(entity_request: EntityRequest) -> EntityProfile:
    """What the index holds about an entity; raises EntityNotFound, or SearchError subclasses."""
    return search_index().entity(entity_request)


def export_search(search_request: SearchRequest) -> list[Hit]:
    """Every result of a request, in its order; raises SearchError subclasses like run_search."""
    return search_index().export(search_request)


def find_article(article_id: str) -> Article | None:
    return search_index().article(article_id)


def related_articles(article_id: str) -> list[Hit] | None:
    """Stories like this article, best first; None when there is no such article."""
    return search_index().related(article_id)


def index_changed() -> datetime | None:
    """When the index last changed (UTC, to the second); None when there is no index yet."""
    return search_index().changed()
