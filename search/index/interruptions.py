"""Steps that an interruption must not cut in two.

Ctrl-C (SIGINT) and a service stop (SIGTERM) raise an exception wherever the main thread happens
to be. Cut short, a Whoosh commit cannot always be cancelled and keeps its writer lock, and a
switch can leave a renamed build that no link points to. Inside ``uninterrupted()`` the signals
are held back and take effect, as they would have, as soon as the step is over.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

HELD = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold back Ctrl-C and SIGTERM until the block ends (only the main thread receives them)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {signum: signal.signal(signum, lambda signum, frame: received.append(signum)) for signum in HELD}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)  # None: set outside Python
        if received:
            signal.raise_signal(received[0])  # now handled as it would have been
