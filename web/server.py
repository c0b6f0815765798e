"""Serving the site with gunicorn, a production WSGI server."""

from __future__ import annotations

import threading
from pathlib import Path

from gunicorn.app.base import BaseApplication

from web import create_app


class _Gunicorn(BaseApplication):
    def __init__(self, app, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def _warm_up(app):
    """A worker opens the index as it starts, in the background, so that the first search does not
    wait for the per-searcher tables (seconds on a large archive); a search that comes sooner waits
    for it."""

    def post_worker_init(worker) -> None:
        def open_index() -> None:
            count = app.extensions["search_index"].count()
            worker.log.info("Worker %s ready: %d articles indexed", worker.pid, count)

        threading.Thread(target=open_index, daemon=True).start()

    return post_worker_init


def serve(index_dir: Path, host: str = "127.0.0.1", port: int = 5000, workers: int = 2) -> None:
    """Run the site until interrupted."""
    app = create_app({"INDEX_DIR": str(index_dir)})
    # No control socket: nothing here uses it, and it would be written under the user's home folder.
    _Gunicorn(app, {"bind": f"{host}:{port}", "workers": workers, "accesslog": "-", "timeout": 60,
                    "graceful_timeout": 10, "control_socket_disable": True,
                    "post_worker_init": _warm_up(app)}).run()
