"""Extraction on a Dask cluster (``distributed``): the same work as the local worker processes,
sent to a cluster's workers in batches, while the one index writer stays in the calling process.

The calling process reads every input (it must, to tell unchanged inputs by their fingerprint) and
ships each document's bytes with its batch: the workers need no view of the inputs' file system.
Results are taken in input order, as the local path gives them, with a bounded number of documents
in flight, so that memory does not grow with the archive.

Imported only when a scheduler is given: without one, Dask is never imported.
"""

from __future__ import annotations

import pickle
from collections import deque
from concurrent.futures import CancelledError
from importlib.metadata import PackageNotFoundError, version
from typing import Iterator

from distributed import Client, KilledWorker, WorkerPlugin

from search.ingest.entities import recognizer
from search.ingest.errors import ClusterUnavailable
from search.ingest.memory import return_large_blocks
from search.ingest.pipeline import Finish, Result, document_size, in_batches, process_batch
from search.ingest.sources import IngestFailure, RawDocument
from search.settings import Settings

BATCH_SIZE = 16
"""Documents in one task: the scheduler's cost per task (about a millisecond) is shared by them."""
AHEAD_DOCUMENTS = 4096
"""Documents given to the cluster before their results are taken (as for local workers: the writer
takes none while it commits, and the workers carry on meanwhile). Finished results wait on the
workers, not here."""
AHEAD_BYTES = 64 << 20
"""Bytes of documents shipped and not yet extracted (they wait on the scheduler until a worker is
free)."""
CONNECT_SECONDS = 10.0
WORKERS_SECONDS = 60.0
"""How long a run waits for the first worker to join the scheduler before giving up."""
DIED = "the cluster's workers died on this document (each try that ended a worker counts; see allowed-failures)"


def _package_version() -> str:
    try:
        return version("news-search")
    except PackageNotFoundError:
        return "unknown"


class EntityModel(WorkerPlugin):
    """Loads the entity model once in each worker process as it joins (and in those that join
    later), rather than in its first task; and sets the memory policy local workers have."""

    name = "news-search-entity-model"

    def __init__(self, model: str):
        self.model = model

    def setup(self, worker) -> None:
        return_large_blocks()  # the memory policy of a local worker process
        recognizer(self.model)


def _checked(client: Client, settings: Settings) -> None:
    """Waits for a worker, and refuses workers that run another version of news-search (or none)."""
    address = settings.scheduler
    try:
        client.wait_for_workers(1, timeout=WORKERS_SECONDS)
    except TimeoutError:
        raise ClusterUnavailable(f"no workers joined the scheduler at {address} within "
                                 f"{WORKERS_SECONDS:g} s: start some with 'dask worker {address} "
                                 "--nthreads 1'") from None
    try:
        versions = client.run(_package_version)
    except Exception as error:  # noqa: BLE001 - a worker that cannot unpickle our function lacks the package
        raise ClusterUnavailable(f"the workers of {address} cannot run news-search ({type(error).__name__}: "
                                 f"{error}): install it on each worker") from None
    ours = _package_version()
    others = sorted({f"{worker} has {found}" for worker, found in versions.items() if found != ours})
    if others:
        raise ClusterUnavailable(f"the workers must run news-search {ours}, as this machine does: "
                                 + "; ".join(others))
    client.register_plugin(EntityModel(settings.spacy_model))


def extract_on_cluster(docs: Iterator[RawDocument], settings: Settings, finish: Finish | None) -> Iterator[Result]:
    """``pipeline.extract_all``'s results, in the same order, the work done by the workers of the
    scheduler at ``settings.scheduler``.

    A worker that dies takes its tasks with it: the scheduler runs them again elsewhere, until they
    have been on ``distributed.scheduler.allowed-failures`` + 1 workers that died. A batch that
    fails so is run again one document per task, and a document that fails so alone is reported
    as a failure. Interrupted (Ctrl-C), the cluster's work for this run is cancelled.
    """
    address = settings.scheduler
    try:
        client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise ClusterUnavailable(f"cannot reach the scheduler at {address}: {error}") from None
    pending: deque[tuple[list[RawDocument], object]] = deque()
    try:
        _checked(client, settings)

        def submit(batch: list[RawDocument]):
            return client.submit(process_batch, batch, settings, finish, pure=False)

        held = 0
        for batch in in_batches(docs, BATCH_SIZE):
            pending.append((batch, submit(batch)))
            held += sum(map(document_size, batch))
            while pending and (len(pending) * BATCH_SIZE >= AHEAD_DOCUMENTS or held >= AHEAD_BYTES):
                batch, future = pending.popleft()
                held -= sum(map(document_size, batch))
                yield from _taken(client, batch, future, submit)
        while pending:
            yield from _taken(client, *pending.popleft(), submit)
    finally:
        if pending:
            client.cancel([future for _, future in pending])
        client.close()


def _taken(client: Client, batch: list[RawDocument], future, submit, alone: bool = False) -> Iterator[Result]:
    """The batch's results. If workers kept dying on it, its documents are run again one at a time,
    each the only task of this run's retries: a worker ended by one document takes the tasks it had
    been given with it, so a document is reported only when it has failed so on its own."""
    try:
        results = future.result()
    except KilledWorker:
        if alone:
            yield IngestFailure(batch[0].origin, DIED)
            return
        for doc in batch:
            yield from _taken(client, [doc], submit([doc]), submit, alone=True)
        return
    except Exception as error:  # noqa: BLE001 - the scheduler lost, or a task the workers could not run
        if client.status != "running" or isinstance(error, CancelledError):
            raise ClusterUnavailable(f"lost the scheduler at {client.scheduler.address}: "
                                     f"{type(error).__name__}: {error}") from None
        for doc in batch:
            yield IngestFailure(doc.origin, f"the cluster could not run it: {type(error).__name__}: {error}")
        return
    yield from pickle.loads(results)
