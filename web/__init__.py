"""The web site: a search page, article pages and a JSON API over the same search function."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from search.index import DamagedIndex, SearchIndex
from search.settings import Settings


def create_app(config: dict | None = None) -> Flask:
    """The Flask application. ``config`` may set ``INDEX_DIR`` and ``SEARCH_TIME_LIMIT`` (seconds;
    defaults: the ``index_dir`` and ``search_time_limit`` settings)."""
    app = Flask(__name__)
    # werkzeug answers "/static//x" with a redirect to an absolute URL built from the Host header;
    # a path with doubled slashes is simply not found instead.
    app.url_map.merge_slashes = False
    settings = Settings.from_env()
    app.config["INDEX_DIR"] = str(settings.index_dir)
    app.config["SEARCH_TIME_LIMIT"] = settings.search_time_limit
    app.config.update(config or {})
    app.extensions["search_index"] = SearchIndex(Path(app.config["INDEX_DIR"]),
                                                 time_limit=float(app.config["SEARCH_TIME_LIMIT"]))

    from web import api, feed, views

    app.register_blueprint(views.blueprint)
    app.register_blueprint(feed.blueprint)
    app.register_blueprint(api.blueprint, url_prefix="/api")
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DamagedIndex, _damaged_index)
    app.after_request(_security_headers)
    return app


SECURITY_HEADERS = {
    # The pages need no script (the chart is drawn on the server) and load nothing from elsewhere,
    # so a record's text that slipped through escaping could neither run inline nor phone home.
    "Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # what someone searched for stays on this site
}


def _security_headers(response: Response) -> Response:
    """The same security headers on every response: pages, API, files, errors."""
    response.headers.update(SECURITY_HEADERS)
    return response


def _http_error(error: HTTPException):
    """Errors as JSON under /api/, as a page elsewhere."""
    from web.api import error_response

    if request.path.startswith("/api/"):
        return error_response(error.description, None, error.code)
    return render_template("error.html", error=error), error.code


def _damaged_index(error: DamagedIndex):
    """A damaged index is the server's problem, not the request's: 503, saying what mends it (the
    index's location stays in the server's log, not in the answer)."""
    current_app.logger.error("%s", error)
    return _http_error(ServiceUnavailable(
        "The search index cannot be read: it is damaged. Searches work again once it is rebuilt "
        "(news-search reindex)."))
