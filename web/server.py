"""Serving the site with gunicorn, a production WSGI server."""

from __future__ import annotations

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


def serve(index_dir: Path, host: str = "127.0.0.1", port: int = 5000, workers: int = 2) -> None:
    """Run the site until interrupted."""
    app = create_app({"INDEX_DIR": str(index_dir)})
    # No control socket: nothing here uses it, and it would be written under the user's home folder.
    _Gunicorn(app, {"bind": f"{host}:{port}", "workers": workers, "accesslog": "-",
                    "timeout": 60, "graceful_timeout": 10, "control_socket_disable": True}).run()
