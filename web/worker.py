"""gunicorn's threaded worker, made so that a slow or silent client holds up no one else's search.

gunicorn's own threaded worker hands a connection to a thread as soon as a byte of it arrives, and
the thread then waits for the rest of the request with no time limit: a client that sends half a
request line keeps a thread for as long as it likes, and enough of them stop the worker. Here a
thread only reads what has arrived, without waiting, and gives the connection back to the worker's
event loop until more comes; the request is answered once its line and headers are complete, and
dropped if they take longer than ``HEAD_SECONDS`` (a connection silent for the keep-alive time is
closed by gunicorn). A response that its client stops reading is dropped after ``SEND_SECONDS``, and
a worker whose threads are all busy stops accepting connections, so that the other workers take
them instead of queueing them behind it. This leans on the internals of gunicorn's ThreadWorker
(``_DEFER``, ``enqueue_req``, ``finish_request``): gunicorn is pinned, check them when it is upgraded.
"""

from __future__ import annotations

import socket
import time

from gunicorn import util
from gunicorn.workers.gthread import _DEFER, ThreadWorker

HEAD_SECONDS = 10.0
"""How long a client may take to send a request's line and headers."""
HEAD_BYTES = 64 * 1024
"""A request line and headers larger than this close the connection (browsers send a few kilobytes)."""
SEND_SECONDS = 30.0
"""How long one write of a response (a whole page, or a few rows of an export) may wait for the client
to take it before the connection is dropped."""


class GuardedThreadWorker(ThreadWorker):
    """A thread per request being answered, never per request being received."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.busy = 0
        """Connections handed to threads and not yet given back (counted on the event loop)."""

    def enqueue_req(self, conn) -> None:
        self.busy += 1
        if self.busy >= self.cfg.threads:
            super().set_accept_enabled(False)
        super().enqueue_req(conn)

    def finish_request(self, conn, fs) -> None:
        self.busy -= 1
        super().finish_request(conn, fs)

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled and self.busy < self.cfg.threads)

    def handle(self, conn):
        """Runs in a thread: reads what has arrived of the request without waiting; answers it once
        its headers are complete, else gives the connection back to the event loop until more comes."""
        if getattr(conn, "head", None) is None:  # a request starts, on a new or a kept-alive connection
            buffered = conn.parser.unreader.take_buffered() if conn.parser else b""
            conn.head, conn.head_deadline = buffered, time.monotonic() + HEAD_SECONDS
        complete = self._read_head(conn)
        if complete is None:  # the client closed the connection, or sent more than a request's headers
            util.close(conn.sock)
            return False
        if not complete:
            if time.monotonic() < conn.head_deadline:
                return _DEFER
            self.log.info("Dropped a connection from %s: no complete request within %g s",
                          _peer(conn), HEAD_SECONDS)
            util.close(conn.sock)
            return False
        conn.data_ready = True
        conn.init()
        conn.parser.unreader.unread(conn.head)
        conn.head = None
        keep_alive = super().handle(conn)
        if not keep_alive:
            # Here, not on the event loop where gunicorn would: closing lingers up to 2 s for a
            # client that does not close its end, which would hold up every other connection.
            conn.close(graceful=True)
        return keep_alive

    @staticmethod
    def _read_head(conn) -> bool | None:
        """Reads what has arrived; whether the request's headers are complete (or malformed enough for
        the parser to refuse at once), None when the client has closed or sent too much."""
        while True:
            head = conn.head
            if b"\r\n\r\n" in head or head.count(b"\n") != head.count(b"\r\n"):  # a bare LF: the parser refuses it
                return True
            if len(head) > HEAD_BYTES:
                return None
            try:
                data = conn.sock.recv(16384, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return False
            except OSError:
                return None
            if not data:
                return None
            conn.head = head + data

    def handle_request(self, req, conn):
        conn.sock.settimeout(SEND_SECONDS)
        try:
            return super().handle_request(req, conn)
        except TimeoutError:
            self.log.info("Dropped a connection from %s: it stopped reading its response for %g s",
                          _peer(conn), SEND_SECONDS)
            return False


def _peer(conn) -> str:
    client = conn.client
    return f"{client[0]}:{client[1]}" if isinstance(client, tuple) else str(client)
