"""The HTML pages: search, compare, entity and article pages. Each renders what the API returns for the same URL."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, render_template, request, url_for

from search.comparison import MAX_COMPARED, CompareRequest
from search.facets import BY_NAME, FACETS
from search.profiles import KIND_NAMES, KINDS, EntityNotFound
from search.query import SORTS, IndexChanged, InvalidParameter, SearchError, SearchRequest
from web import charts, links
from web.searching import (compare_from_args, entity_from_args, find_article, related_articles, request_from_args,
                           run_compare, run_entity, run_search, shared_from_args)

blueprint = Blueprint("views", __name__)
SORT_LABELS = {"relevance": "Relevance", "fresh": "Relevance, recent first", "newest": "Newest first",
               "oldest": "Oldest first"}


@blueprint.get("/")
def search_page():
    search_request, result, error, changed = SearchRequest(), None, None, False
    try:
        search_request = request_from_args()
        try:
            result = run_search(search_request)
        except IndexChanged:  # a later page after an index run: this page of the index as it is now, said so
            search_request, changed = replace(search_request, generation=""), True
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
        chart=charts.timeline_chart(result.published, search_request) if result else None,
        selected=links.selected_filters(search_request),
        links=links,
        filter_params=[(facet.name, facet.parameter) for facet in FACETS],
        api_url=links.search_url(search_request, "api.search"),
        compare_url=links.compare_from_search(search_request),
        changed=changed,
        kind_names=KIND_NAMES,
    ), (400 if error else 200)


@blueprint.get("/compare")
def compare_page():
    """Queries side by side over time; an empty form when none is given."""
    compare_request, result, error = CompareRequest(()), None, None
    measure = request.args.get("measure") or "share"
    try:
        if measure not in charts.MEASURES:
            raise InvalidParameter(f"'measure' must be one of {', '.join(charts.MEASURES)}, not {measure!r}", "measure")
        if any(value.strip() for value in request.args.getlist("q")):
            compare_request = compare_from_args()
            result = run_compare(compare_request)
        else:  # the form, with the filters of the search it came from
            compare_request = CompareRequest((), shared_from_args())
    except SearchError as problem:
        error = problem
    typed = compare_request.queries or tuple(q for q in request.args.getlist("q") if q.strip())
    return render_template(
        "compare.html",
        autofocus=result is None and error is None,
        compare_request=compare_request,
        result=result,
        error=error,
        measure=measure,
        measures=charts.MEASURES,
        slots=(list(typed) + [""] * MAX_COMPARED)[:MAX_COMPARED],
        chart=charts.compare_chart(result, measure) if result else None,
        selected=links.selected_filters(compare_request.shared, lambda shared: links.compare_url(
            replace(compare_request, shared=shared), measure=measure)),
        filter_params=[(facet.name, facet.parameter) for facet in FACETS],
        links=links,
        charts=charts,
        kinds=[(kind, BY_NAME[kind].label) for kind in KINDS],
    ), (400 if error else 200)


@blueprint.get(f"/<any({', '.join(KINDS)}):kind>/<path:name>")
def entity_page(kind: str, name: str):
    """One person, organisation or place across the archive."""
    try:
        profile = run_entity(entity_from_args(kind, name))
    except EntityNotFound as missing:
        abort(404, description=str(missing))
    except SearchError as problem:
        abort(400, description=problem.message)
    search_request = replace(profile.request, name=profile.name).search()  # as most articles write it
    return render_template(
        "entity.html",
        profile=profile,
        kind_label=KIND_NAMES[kind].capitalize(),
        search_request=search_request,
        chart=charts.timeline_chart(profile.published, search_request),
        selected=links.selected_filters(profile.request.filters, lambda filters: links.entity_url(
            kind, profile.name, filters), words=True),
        kinds=[(other, BY_NAME[other].label) for other in KINDS],
        links=links,
        api_url=url_for("api.entity", kind=kind, name=name) + (f"?{query}" if (query := request.query_string.decode()) else ""),
    )


@blueprint.get("/help")
def help_page():
    return render_template("help.html")


@blueprint.get("/articles/<article_id>")
def article_page(article_id: str):
    article = find_article(article_id)
    if article is None:
        abort(404, description=f"No article has the id {article_id!r}.")
    return render_template("article.html", article=article, related=related_articles(article_id) or [],
                           links=links, mentioned=[facet for facet in FACETS if facet.mentioned],
                           back=links.back_url(_opened_from(), request.host))


def _opened_from() -> str | None:
    """The page an article was opened from: the ``back`` a related story's link carries (a path of
    this site), else the referrer."""
    back = request.args.get("back", "")
    if back.startswith("/") and not back.startswith(("//", "/\\")):
        return f"{request.scheme}://{request.host}{back}"
    return request.referrer
