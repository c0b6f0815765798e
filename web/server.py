"""Serving the site with gunicorn, a production WSGI server."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from gunicorn.app.base import BaseApplication

from search.index import DamagedIndex
from web import create_app
from web.worker import HEAD_BYTES, GuardedThreadWorker


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


FOLLOW_SECONDS = 2.0
"""How often a worker looks for what ``index`` or ``reindex`` has written."""


def _warm_up(app):
    """A worker opens the index as it starts, in the background, so that the first search does not
    wait for the per-searcher tables (seconds on a large archive); a search that comes sooner waits
    for it. It then opens what ``index`` and ``reindex`` write as they finish, before a search has to."""

    def post_worker_init(worker) -> None:
        index = app.extensions["search_index"]

        def open_index() -> None:
            damage = None
            try:
                worker.log.info("Worker %s ready: %d articles indexed", worker.pid, index.count())
            except DamagedIndex as error:  # the worker stays up, says so once, and opens the rebuilt index
                worker.log.error("Worker %s: %s", worker.pid, damage := str(error))
            while True:
                time.sleep(FOLLOW_SECONDS)
                try:
                    switched = index.follow()
                except DamagedIndex as error:
                    if str(error) != damage:
                        worker.log.error("Worker %s: %s", worker.pid, damage := str(error))
                    continue
                except Exception:  # a bad moment on disk: the next search reports it, the next turn retries
                    worker.log.exception("Worker %s could not open the index", worker.pid)
                    continue
                damage = None
                if switched is not None:
                    worker.log.info("Worker %s switched to the rebuilt index: %d articles", worker.pid, switched)

        threading.Thread(target=open_index, daemon=True).start()

    return post_worker_init


KEEP_ALIVE_SECONDS = 5
"""How long an idle connection is kept open for its next request (it holds no thread meanwhile)."""


def serve(index_dir: Path, host: str = "127.0.0.1", port: int = 5000, workers: int = 2, threads: int = 8) -> None:
    """Run the site until interrupted: ``workers`` processes of ``threads`` threads each (see web/worker.py)."""
    app = create_app({"INDEX_DIR": str(index_dir)})
    # No control socket: nothing here uses it, and it would be written under the user's home folder.
    _Gunicorn(app, {"bind": f"{host}:{port}", "workers": workers, "worker_class": GuardedThreadWorker,
                    "threads": threads, "keepalive": KEEP_ALIVE_SECONDS, "accesslog": "-", "timeout": 60,
                    "graceful_timeout": 10, "control_socket_disable": True,
                    # gunicorn's own limits on a request line (4,094 bytes) and a header (8,190) would refuse a
                    # query the search takes (10,000 characters, encoded) or a long referrer with its own bare
                    # page; the worker bounds the whole head instead (HEAD_BYTES, web/worker.py); 0 is no limit
                    # for the line, but the default for a header
                    "limit_request_line": 0, "limit_request_field_size": HEAD_BYTES,
                    "post_worker_init": _warm_up(app)}).run()
