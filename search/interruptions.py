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
from typing import Callable, Iterator

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


@contextmanager
def stops_kept() -> Iterator[Callable[[], None]]:
    """Ctrl-C and SIGTERM in the block are remembered as well as handled, and the check it gives
    handles them again. Python drops an exception raised inside a finalizer or a garbage
    collector's callback, where a signal can land: the run would go on as if never stopped. A
    loop calls the check at each step, where stopping is safe."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: None
        return
    received: list[int] = []
    previous = {signum: signal.getsignal(signum) for signum in HELD}

    def keeping(signum, frame):
        received.append(signum)
        handler = previous[signum]
        if callable(handler):
            handler(signum, frame)
        elif handler == signal.SIG_DFL:  # the process ends, as it would have
            signal.signal(signum, signal.SIG_DFL)
            signal.raise_signal(signum)

    def check() -> None:
        if received:
            signum = received.pop()
            keeping(signum, None)

    for signum, handler in previous.items():
        if handler not in (signal.SIG_IGN, None):
            signal.signal(signum, keeping)
    try:
        yield check
    finally:
        for signum, handler in previous.items():
            if handler is not None:
                signal.signal(signum, handler)
