"""The HTML pages: search and article. Each renders what the API returns for the same URL."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from search.facets import FACETS
from search.query import SORTS, SearchError, SearchRequest
from web import links
from web.searching import find_article, related_articles, request_from_args, run_search

blueprint = Blueprint("views", __name__)
SORT_LABELS = {"relevance": "Relevance", "fresh": "Relevance, recent first", "newest": "Newest first",
               "oldest": "Oldest first"}


@blueprint.get("/")
def search_page():
    search_request, result, error = SearchRequest(), None, None
    try:
        search_request = request_from_args()
        result = run_search(search_request)
    except SearchError as problem:
        error = problem
    return render_template(
        "search.html",
        search_request=search_request,
        result=result,
        error=error,
        sorts=[(sort, SORT_LABELS[sort]) for sort in SORTS],
        facets=links.facet_links(result) if result else [],
        chart=links.timeline_chart(result) if result else None,
        selected=links.selected_filters(search_request),
        links=links,
        filter_params=[(facet.name, facet.parameter) for facet in FACETS],
        api_url=links.search_url(search_request, "api.search"),
    ), (400 if error else 200)


@blueprint.get("/help")
def help_page():
    return render_template("help.html")


@blueprint.get("/articles/<article_id>")
def article_page(article_id: str):
    article = find_article(article_id)
    if article is None:
        abort(404, description=f"No article has the id {article_id!r}.")
    return render_template("article.html", article=article, related=related_articles(article_id) or [],
                           links=links, mentioned=[facet for facet in FACETS if facet.mentioned])
