"""The JSON API: the same parameters and the same search function as the page."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, stream_with_context

from search.query import IndexChanged, SearchError
from web import export, openapi
from search.profiles import KINDS, EntityNotFound
from web.searching import (compare_from_args, entity_from_args, export_search, find_article, related_articles,
                           request_from_args, run_compare, run_entity, run_search)

blueprint = Blueprint("api", __name__)


def error_response(message: str, parameter: str | None, status: int):
    return jsonify({"error": {"message": message, "parameter": parameter}}), status


@blueprint.errorhandler(SearchError)
def bad_request(error: SearchError):
    """400, or 409 when the index has changed since the pages before this one."""
    return jsonify(error.to_dict()), 409 if isinstance(error, IndexChanged) else 400


@blueprint.get("/search")
def search():
    """``GET /api/search?q=&from=&to=&person=&org=&place=&source=&sort=&page=&per_page=``"""
    return jsonify(run_search(request_from_args()).to_dict())


@blueprint.errorhandler(EntityNotFound)
def entity_not_found(error: EntityNotFound):
    return error_response(str(error), "name", 404)


@blueprint.get("/compare")
def compare():
    """``GET /api/compare?q=&q=...&<search filters>``: each query's articles over time."""
    return jsonify(run_compare(compare_from_args()).to_dict())


@blueprint.get("/compare.csv")
def compare_csv():
    """The comparison's series as CSV, one row per period."""
    return Response(export.compare_csv(run_compare(compare_from_args())), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="compare.csv"'})


@blueprint.get(f"/entities/<any({', '.join(KINDS)}):kind>/<path:name>")
def entity(kind: str, name: str):
    """``GET /api/entities/people/<name>?<search filters>``: one entity across the archive."""
    return jsonify(run_entity(entity_from_args(kind, name)).to_dict())


@blueprint.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi.DOCUMENT)


@blueprint.get("/search.csv")
def search_csv():
    """Every result of the search (not one page) as CSV, streamed."""
    hits = export_search(request_from_args())
    return Response(stream_with_context(export.csv_lines(hits)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="search.csv"'})


@blueprint.get("/search.jsonl")
def search_jsonl():
    """Every result of the search (not one page) as JSON Lines, streamed."""
    hits = export_search(request_from_args())
    return Response(stream_with_context(export.json_lines(hits)), mimetype="application/x-ndjson",
                    headers={"Content-Disposition": 'attachment; filename="search.jsonl"'})


@blueprint.get("/articles/<article_id>")
def article(article_id: str):
    found = find_article(article_id)
    if found is None:
        return error_response(f"No article has the id {article_id!r}.", "id", 404)
    data = found.to_dict()
    del data["fingerprint"]
    return jsonify(data)


@blueprint.get("/articles/<article_id>/related")
def related(article_id: str):
    """Stories like this one (more-like-this), best first."""
    found = related_articles(article_id)
    if found is None:
        return error_response(f"No article has the id {article_id!r}.", "id", 404)
    return jsonify({"id": article_id, "related": [hit.to_dict(snippet=False) for hit in found]})
