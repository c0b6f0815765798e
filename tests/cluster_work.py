"""Work for the cluster tests' workers: module-level, so that a worker process imports it by name
(the tests' folder is on the workers' path)."""

from __future__ import annotations

import os
import time

from search.ingest.entities import recognizer


def slowly(article):
    """An Article as it is, a quarter of a second later: the workers are busy when one is killed."""
    time.sleep(0.25)
    return article


def dying_on_poison(article):
    """As a crash in a C library would: the worker process ends at once, on one document only."""
    if article.origin == "poison":
        os._exit(1)
    return article


def models_loaded() -> int:
    """How many times this worker process has loaded the entity model."""
    return recognizer.cache_info().misses


def pid() -> int:
    return os.getpid()
