"""The ingest pipeline: raw documents → Articles with entities, in parallel worker processes.

A document that fails becomes an IngestFailure with its origin and reason; it never stops the run.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial
from itertools import chain, groupby
from typing import Callable, Iterable, Iterator

from search.article import Article, article_id, safe_link
from search.interruptions import uninterrupted
from search.ingest.bounds import check_text_length
from search.ingest.dates import parse_date
from search.ingest.entities import recognizer
from search.ingest.errors import UnreadableDocument
from search.ingest.extract import DEFAULTS, extract_article
from search.ingest.language import identify_language
from search.ingest.memory import release_memory, return_large_blocks
from search.ingest.mentions import mentioned_dates
from search.ingest.publishers import publication
from search.ingest.sources import IngestFailure, IngestWarning, RawDocument
from search.ingest.text import clean_text, unwrap_lines
from search.ingest.titles import MAX_TITLE_CHARS, clean_title, shorten_title
from search.settings import Settings

Result = Article | IngestFailure | IngestWarning
PARALLEL_FROM = 16
"""Fewer documents than this are extracted in this process: starting workers would cost more."""
BATCH_SIZE = 4
"""Documents sent to a worker at a time: fewer round trips, still a short wait for the first."""
BATCH_BYTES = 4 << 20
"""A batch closes early once its documents hold this many bytes: a large page travels alone."""
AHEAD_DOCUMENTS = 4096
"""Documents the workers may be given before their results are taken. The index writer takes none
for seconds while it commits a batch (5,000 articles' postings written): the workers carry on
meanwhile, instead of waiting with it. Their results wait as pickled bytes (some 17 kB an article
prepared for the index: 70 MB at most). 20,000 articles indexed in 64.5 s (median of 4 runs) with
1,024, in 56.2–63.2 s with 4,096 (the writing process 50 MB larger), 62.3 s with 8,192."""
IN_FLIGHT_BYTES = 24 << 20
"""Bytes of documents read and not yet extracted that the parent holds (beyond one batch). The
workers are forked while it holds some, and keep a copy of what it held: a few large pages read
ahead would count three times."""


def article_from_record(doc: RawDocument, limits: Settings = DEFAULTS) -> Article:
    """An Article from a JSONL record that already holds its title, text and date (a title alone will do)."""
    check_text_length(len(doc.text or ""), limits.max_text_chars)
    title = clean_title(doc.title)
    text = clean_text(unwrap_lines(doc.text or ""), title)
    if not text and not title:
        raise UnreadableDocument("the record has neither text nor title")
    published = parse_date(doc.published)
    url = safe_link(doc.url)
    return Article(
        mentioned_dates=mentioned_dates(text, published),
        id=article_id(url or doc.origin),
        url=url,
        source=publication([doc.source], None, title, url),
        authors=list(doc.authors),
        title=title or text.split("\n", 1)[0][:120],
        published=published,
        language=identify_language(text or title or ""),
        text=text,
        origin=doc.origin,
        fingerprint=doc.fingerprint,
    )


def add_entities(article: Article, settings: Settings) -> None:
    """Fill in the people, organisations and places, where a model reads the article's language."""
    if article.language not in settings.entity_languages:
        return
    found = recognizer(settings.spacy_model).entities(article.text, headline=article.title)
    article.people, article.orgs, article.places = found.people, found.orgs, found.places


RETRY_SECONDS = 0.05
"""How soon a document's expired timer fires again, in case its exception was dropped."""


class DocumentTimeout(BaseException):
    """Raised inside a document's extraction when it has run out of time. A BaseException, so
    that no library's ``except Exception`` can swallow it and carry on."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raises DocumentTimeout in the block after ``seconds``. In the main thread (a worker process,
    or this process when it runs extraction itself) by SIGALRM; in another thread (a cluster
    worker's task) by a watchdog thread that raises it in this one. Either way it lands between
    two bytecodes, never inside C code. With ``seconds`` <= 0 the block runs without a limit. A
    timer set before (by a caller that uses SIGALRM too) is set again afterwards, less the time
    the block took."""
    if seconds <= 0:
        yield
    elif threading.current_thread() is threading.main_thread():
        with _alarm(seconds):
            yield
    else:
        with _watchdog(seconds):
            yield


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def expire(signum, frame):
        # The signal may land in a finalizer run by the garbage collector, where Python prints the
        # exception and drops it: the timer fires again shortly until one is raised where it counts
        # (leaving the block stops it).
        signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
        raise DocumentTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    started, (left, interval) = time.monotonic(), signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if left:
            signal.setitimer(signal.ITIMER_REAL, max(left - (time.monotonic() - started), 0.001), interval)


def _raise_in(thread: int, exception: type[BaseException] | None) -> None:
    """Python's own way to raise an exception in another thread (None takes back one not yet raised)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread),
                                               None if exception is None else ctypes.py_object(exception))


@contextmanager
def _watchdog(seconds: float) -> Iterator[None]:
    """The SIGALRM timer's twin for a thread that cannot take signals: DocumentTimeout raised in
    it after ``seconds``, and again every RETRY_SECONDS in case one was dropped by a finalizer,
    until the block has ended.

    The watchdog raises only while holding ``lock`` and only while ``ended`` is false; the block,
    as it ends, sets ``ended`` under the lock and takes back an exception set but not yet raised.
    One raised at that very moment is caught there: nothing is raised after the block."""
    target, lock, ended, stop = threading.get_ident(), threading.Lock(), [False], threading.Event()

    def watch() -> None:
        wait = seconds
        while not stop.wait(wait):
            with lock:
                if ended[0]:
                    return
                _raise_in(target, DocumentTimeout)
            wait = RETRY_SECONDS

    watcher = threading.Thread(target=watch, name="document-time-limit", daemon=True)
    try:
        watcher.start()  # in the try: with a limit this short, the first may land while it starts
        yield
    finally:
        while True:
            try:
                with lock:
                    ended[0] = True
                    _raise_in(target, None)
                break
            except DocumentTimeout:  # set before the lock was taken, raised just now: the block is over
                continue
        stop.set()  # only now: no exception can land in the Event's own locking


def _article(doc: RawDocument, settings: Settings) -> tuple[Article, list[IngestWarning]]:
    """The document's Article with its entities, and what was changed or doubtful in it."""
    if doc.html is not None:
        article = extract_article(doc.html, doc.url, origin=doc.origin, limits=settings)
    else:
        article = article_from_record(doc, settings)
    article.fingerprint = doc.fingerprint
    warnings = []
    if len(article.title) > MAX_TITLE_CHARS:
        warnings.append(IngestWarning(doc.origin, f"title cut to {MAX_TITLE_CHARS} characters "
                                                  f"(it had {len(article.title):,})"))
        article.title = shorten_title(article.title)
    if doc.published and article.published is None:
        warnings.append(IngestWarning(doc.origin, f"published {doc.published[:40]!r} is not a date: "
                                                  "indexed without a publication date"))
    if doc.gives_entities:
        article.people, article.orgs, article.places = list(doc.people or ()), list(doc.orgs or ()), list(doc.places or ())
    else:
        add_entities(article, settings)
    return article, warnings


Finish = Callable[[Article], object]
"""What becomes of each Article where it is made (in the worker): ``search.indexing`` prepares it
for the index there, so that the process writing the index has less to do."""


def process(doc: RawDocument, settings: Settings) -> list[Result]:
    """One document → its warnings, then its Article; or the reason it could not be made (also
    when it takes longer than ``settings.document_time_limit``)."""
    try:
        with time_limit(settings.document_time_limit):
            article, warnings = _article(doc, settings)
    except DocumentTimeout:
        return [IngestFailure(doc.origin, f"took longer than {settings.document_time_limit:g} s "
                                          "(the limit is NEWS_SEARCH_DOCUMENT_TIME_LIMIT)")]
    except UnreadableDocument as error:
        return [IngestFailure(doc.origin, str(error))]
    except Exception as error:  # a bug or a library failure on one page must not stop the run
        return [IngestFailure(doc.origin, f"extraction failed: {type(error).__name__}: {error}")]
    finally:
        release_memory()
    return [*warnings, article]


PR_SET_PDEATHSIG = 1
"""Linux's prctl option: a signal the kernel sends this process when its parent ends."""


def _start_worker(parent: int) -> None:
    """Run in each worker as it starts. Ctrl-C and a service stop (SIGTERM) reach every process of
    the run: the parent alone handles them, so the run stops cleanly. And the worker dies with its
    parent: a killed run (an out-of-memory kill) must leave no worker behind."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the kernel was told
        os._exit(1)


def _finished(doc: RawDocument, settings: Settings, finish: Finish | None) -> list[Result]:
    """``process``, then ``finish`` on the Article made."""
    results = process(doc, settings)
    if finish is None or not isinstance(results[-1], Article):
        return results
    try:
        return [*results[:-1], finish(results[-1])]
    except Exception as error:  # as in process: a bug on one document must not stop the run
        return [IngestFailure(doc.origin, f"extraction failed: {type(error).__name__}: {error}")]


def process_batch(batch: list[RawDocument], settings: Settings, finish: Finish | None) -> bytes:
    """The batch's results, pickled here: the parent holds them as bytes until it takes them (an
    article prepared for the index is 17 kB pickled, about 86 kB once unpickled), so that the
    workers may run further ahead of it for the same memory."""
    return pickle.dumps([result for doc in batch for result in _finished(doc, settings, finish)],
                        protocol=pickle.HIGHEST_PROTOCOL)


def document_size(doc: RawDocument) -> int:
    """Roughly the bytes a document holds."""
    return len(doc.html or b"") + len(doc.text or "")


def in_batches(docs: Iterator[RawDocument], size: int) -> Iterator[list[RawDocument]]:
    """Batches of up to ``size`` documents, closed early when they reach BATCH_BYTES."""
    batch, held = [], 0
    for doc in docs:
        batch.append(doc)
        held += document_size(doc)
        if len(batch) >= size or held >= BATCH_BYTES:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def _head(docs: Iterator[RawDocument]) -> list[RawDocument]:
    """The first PARALLEL_FROM documents, or fewer if they already hold IN_FLIGHT_BYTES (then they
    are enough to start the workers for)."""
    head, held = [], 0
    while len(head) < PARALLEL_FROM and held < IN_FLIGHT_BYTES and (doc := next(docs, None)) is not None:
        head.append(doc)
        held += document_size(doc)
    return head


DIED = "the extraction process died on this document"
STALL_GRACE = 30.0
"""Seconds beyond its documents' time limits that the parent waits for a batch. The limit is a timer
signal in the worker, which Python takes only between bytecodes: a worker stuck inside C code (a
parser on a pathological page) would never see it, and the parent stops that worker instead."""


class _Stalled(Exception):
    """A batch went past its time limits and its worker was stopped."""


def _stall_seconds(batch: list[RawDocument], limit: float) -> float | None:
    return limit * len(batch) + STALL_GRACE if limit > 0 else None


def _pooled(work: Callable[[list[RawDocument]], bytes], batches: Iterator[list[RawDocument]],
            workers: int, window: int, limit: float) -> Iterator[tuple[list[RawDocument], bytes | str]]:
    """(batch, results) in input order, at most ``window`` batches (and, beyond the first,
    IN_FLIGHT_BYTES) in flight. If a worker dies, or is stopped because its batch went past the
    documents' time limit ``limit`` (see STALL_GRACE), yields (batch, the reason) for every batch in
    flight and stops; the rest of ``batches`` is left."""
    pending: deque[list] = deque()
    context = multiprocessing.get_context("fork")
    # The kernel's parent-death signal goes when the thread that forked ends: the pool is made and
    # its workers forked (on the first submit) in this thread, the one that reads the results.
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)) as pool:

        def oldest() -> tuple[list[RawDocument], bytes]:
            batch, future = pending[0]
            try:
                return batch, future.result(timeout=_stall_seconds(batch, limit))
            except FutureTimeout:
                for worker in list(pool._processes.values()):  # the executor has no public way (before 3.14)
                    worker.kill()
                raise _Stalled from None

        try:
            held = 0
            for batch in batches:
                pending.append([batch, None])  # in pending first: a submit to a broken pool re-runs it too
                with uninterrupted():  # a submit may start the pool's thread and processes: a
                    pending[-1][1] = pool.submit(work, batch)  # signal then breaks the pool's shutdown
                held += sum(map(document_size, batch))
                while len(pending) >= window or (len(pending) > 1 and held >= IN_FLIGHT_BYTES):
                    held -= sum(map(document_size, pending[0][0]))
                    yield oldest()
                    pending.popleft()
            while pending:
                yield oldest()
                pending.popleft()
        except BrokenProcessPool:
            yield from _salvaged(pending, [DIED] * len(pending))
        except _Stalled:
            stopped = f"took longer than {limit:g} s and was stopped (the limit is NEWS_SEARCH_DOCUMENT_TIME_LIMIT)"
            yield from _salvaged(pending, [stopped] + [DIED] * (len(pending) - 1))


def _salvaged(pending: deque[list], reasons: list[str]) -> Iterator[tuple[list[RawDocument], bytes | str]]:
    """The batches in flight when a worker was lost: (batch, results) for those a worker had
    finished, (batch, its reason) for the others, whose documents are to be run again."""
    for (batch, future), reason in zip(pending, reasons):
        finished = future is not None and future.done() and not future.cancelled() and future.exception() is None
        yield batch, future.result() if finished else reason


def extract_all(docs: Iterable[RawDocument], settings: Settings, finish: Finish | None = None) -> Iterator[Result]:
    """Articles (or failures) for the documents, in their order, each after its warnings, using
    ``settings.workers`` processes, or the workers of the Dask scheduler at ``settings.scheduler``
    (see search.ingest.cluster); with ``finish``, what it makes of each Article instead.

    Documents are read as they are needed, so an archive of any size streams through. A document
    that kills its worker process is reported as a failure and the run goes on.
    """
    docs = iter(docs)
    if settings.scheduler:
        from search.ingest.cluster import extract_on_cluster  # Dask only when asked for

        yield from extract_on_cluster(docs, settings, finish)
        return
    return_large_blocks()
    head = _head(docs)
    if settings.workers < 2 or (len(head) < PARALLEL_FROM and sum(map(document_size, head)) < IN_FLIGHT_BYTES):
        for doc in chain(head, docs):
            yield from _finished(doc, settings, finish)
        return
    # Load the model before forking so the workers share it instead of loading it each.
    recognizer(settings.spacy_model)
    work = partial(process_batch, settings=settings, finish=finish)
    batches = in_batches(chain(head, docs), BATCH_SIZE)
    limit = settings.document_time_limit
    window = max(2 * settings.workers, AHEAD_DOCUMENTS // BATCH_SIZE)
    while True:
        lost: list[tuple[list[RawDocument], bytes | str]] = []
        for batch, results in _pooled(work, batches, settings.workers, window, limit):
            if lost or isinstance(results, str):  # what follows a lost batch waits for it, to keep the order
                lost.append((batch, results))
            else:
                yield from pickle.loads(results)
        if not lost:
            return
        for again, group in groupby(lost, key=lambda item: isinstance(item[1], str)):
            if again:
                yield from _one_at_a_time(work, [doc for batch, _ in group for doc in batch], limit)
            else:
                for _, results in group:
                    yield from pickle.loads(results)


def _one_at_a_time(work: Callable[[list[RawDocument]], bytes], docs: list[RawDocument],
                   limit: float) -> Iterator[Result]:
    """After a worker died or was stopped: the documents it may have been given, run one at a time
    in one process, to tell the culprit from the rest (a new process after each death)."""
    left = deque(docs)

    def singles() -> Iterator[list[RawDocument]]:
        while left:
            yield [left.popleft()]

    while left:
        for [doc], results in _pooled(work, singles(), 1, 1, limit):
            yield from [IngestFailure(doc.origin, results)] if isinstance(results, str) else pickle.loads(results)
