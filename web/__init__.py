"""The web site: a search page, article pages and a JSON API over the same search function."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from search.index import SearchIndex
from search.settings import Settings


def create_app(config: dict | None = None) -> Flask:
    """The Flask application. ``config`` may set ``INDEX_DIR`` (default: the ``index_dir`` setting)."""
    app = Flask(__name__)
    app.config["INDEX_DIR"] = str(Settings.from_env().index_dir)
    app.config.update(config or {})
    app.extensions["search_index"] = SearchIndex(Path(app.config["INDEX_DIR"]))

    from web import api, views

    app.register_blueprint(views.blueprint)
    app.register_blueprint(api.blueprint, url_prefix="/api")
    app.register_error_handler(HTTPException, _http_error)
    return app


def _http_error(error: HTTPException):
    """Errors as JSON under /api/, as a page elsewhere."""
    from web.api import error_response

    if request.path.startswith("/api/"):
        return error_response(error.description, None, error.code)
    return render_template("error.html", error=error), error.code
