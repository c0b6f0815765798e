import os
import signal
import threading
import time
import weakref

from search.article import Article, fingerprint
from search.ingest import IngestFailure, IngestWarning, RawDocument, extract_all, pipeline
from search.ingest.entities import recognizer
from search.ingest.pipeline import AHEAD_DOCUMENTS, PARALLEL_FROM, process

from conftest import CORPUS, settings_for


def _documents() -> list[RawDocument]:
    pages = sorted(CORPUS.glob("*.html"))
    return [RawDocument(str(p), fingerprint(p.read_bytes()), html=p.read_bytes()) for p in pages]


def test_a_failing_document_is_reported_and_the_rest_extracted(tmp_path):
    docs = _documents()[:3]
    docs.insert(1, RawDocument("bad.html", "f", html=b"\x00\x01binary"))
    docs.append(RawDocument("rec#L1", "g", text="Alexander Lukashenko spoke in Minsk about the protest movement today.",
                            title="Record", published="2020-08-14"))
    results = list(extract_all(docs, settings_for(tmp_path, workers=1)))
    assert [r.origin for r in results] == [d.origin for d in docs]
    failure = results[1]
    assert isinstance(failure, IngestFailure) and failure.reason == "binary data, not an HTML page"
    record = results[-1]
    assert record.title == "Record" and str(record.published) == "2020-08-14"
    assert "Alexander Lukashenko" in record.people and "Minsk" in record.places


def test_parallel_workers_give_the_same_articles_in_order(tmp_path):
    docs = _documents()
    assert len(docs) >= PARALLEL_FROM
    parallel = list(extract_all(docs, settings_for(tmp_path, workers=2)))
    assert [a.origin for a in parallel] == [d.origin for d in docs]
    serial = list(extract_all(docs[:2], settings_for(tmp_path, workers=1)))
    assert [(a.id, a.people, a.places) for a in parallel[:2]] == [(a.id, a.people, a.places) for a in serial]
    assert all(a.people or a.orgs or a.places for a in parallel)


def test_articles_in_other_languages_get_no_entities_but_are_kept(tmp_path):
    text = ("Die Bundesregierung in Berlin hat am Donnerstag ein neues Gesetz beschlossen, "
            "sagte Bundeskanzler Olaf Scholz vor Journalisten in der Hauptstadt.")
    [article] = extract_all([RawDocument("de#L1", "h", text=text, title="Gesetz")], settings_for(tmp_path, workers=1))
    assert article.language == "de"
    assert article.people == article.orgs == article.places == []


def test_entities_given_by_a_record_are_kept_as_given_and_the_model_is_not_run(tmp_path, monkeypatch):
    text = "Alexander Lukashenko spoke in Minsk about the protest movement today."
    given = RawDocument("rec#L1", "g", text=text, title="Given", people=("Sviatlana Tsikhanouskaya",), places=())
    read = RawDocument("rec#L2", "h", text=text, title="Read")

    calls = []
    real = pipeline.add_entities
    monkeypatch.setattr(pipeline, "add_entities", lambda article, settings: calls.append(article.title) or real(article, settings))
    first, second = extract_all([given, read], settings_for(tmp_path, workers=1))
    assert (first.people, first.orgs, first.places) == (["Sviatlana Tsikhanouskaya"], [], [])
    assert "Alexander Lukashenko" in second.people
    assert calls == ["Read"]


def dying_on_poison(doc, settings):
    if doc.origin == "poison":
        os._exit(1)  # as a crash in a C library would
    return process(doc, settings)


def test_a_document_that_kills_its_worker_is_a_failure_and_the_rest_go_on(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "process", dying_on_poison)
    docs = _documents()
    docs.insert(5, RawDocument("poison", "p", html=b"<p>whatever</p>"))
    results = list(extract_all(iter(docs), settings_for(tmp_path, workers=2)))
    assert [r.origin for r in results] == [d.origin for d in docs]
    assert isinstance(results[5], IngestFailure) and "died" in results[5].reason
    assert not any(isinstance(r, IngestFailure) for r in results[:5] + results[6:])


def test_after_a_worker_dies_only_the_documents_it_may_have_held_are_run_again(tmp_path, monkeypatch):
    log = tmp_path / "processed.log"

    def logged(doc, settings):
        if doc.origin == "poison":
            time.sleep(1.5)  # the other worker finishes every later batch meanwhile
            os._exit(1)
        with open(log, "a") as out:
            out.write(doc.origin + "\n")
        return process(doc, settings)

    monkeypatch.setattr(pipeline, "process", logged)
    docs = [RawDocument(f"r{n}", "f", title=f"Record {n}", people=(), text=f"Record {n} tells of the ferry crews.")
            for n in range(40)]
    docs[5] = RawDocument("poison", "p", html=b"<p>whatever</p>")
    results = list(extract_all(iter(docs), settings_for(tmp_path, workers=2)))
    assert [r.origin for r in results] == [d.origin for d in docs]  # in order all the same
    assert isinstance(results[5], IngestFailure) and "died" in results[5].reason
    runs = log.read_text().split()
    poisoned_batch = {d.origin for d in docs[4:8]}  # the batch of 4 the dead worker held
    assert all(runs.count(d.origin) == 1 for d in docs if d.origin not in poisoned_batch | {"poison"})
    assert all(runs.count(origin) >= 1 for origin in poisoned_batch - {"poison"})


def test_documents_are_read_as_needed_not_all_at_once(tmp_path):
    # records with their entities (no model to run): the workers may run AHEAD_DOCUMENTS ahead
    docs = [RawDocument(f"r#L{n}", "f", title=f"Ferry {n}", text="Ferries run to the islands again.", people=())
            for n in range(AHEAD_DOCUMENTS * 2)]
    read = []

    def lazily():
        for doc in docs:
            read.append(doc.origin)
            yield doc

    results = extract_all(lazily(), settings_for(tmp_path, workers=2))
    next(results)
    assert len(read) <= AHEAD_DOCUMENTS + PARALLEL_FROM < len(docs)
    results.close()


def test_large_documents_are_not_read_far_ahead_of_the_workers(tmp_path):
    # Each record is 6 MB of text (refused as too large, so quickly); the parent holds what it has
    # read and not yet had back, and the workers it forks keep a copy of what it held then.
    size = 6 << 20
    docs = [RawDocument(f"big#L{n}", "f", title="Ferries", text="a " * (size // 2)) for n in range(30)]
    read, ahead = 0, []

    def lazily():
        nonlocal read
        for doc in docs:
            read += 1
            yield doc

    for done, result in enumerate(extract_all(lazily(), settings_for(tmp_path, workers=2)), start=1):
        assert isinstance(result, IngestFailure) and "too large" in result.reason
        ahead.append(read - done)
    assert len(ahead) == len(docs)
    assert max(ahead) * size <= pipeline.IN_FLIGHT_BYTES + pipeline.BATCH_BYTES + size


def warnings_and_results(docs, settings):
    results = list(extract_all(docs, settings))
    warnings = [(r.origin, r.message) for r in results if isinstance(r, IngestWarning)]
    return warnings, [r for r in results if not isinstance(r, IngestWarning)]


def test_dates_that_are_not_dates_are_reported_and_the_articles_kept(tmp_path):
    text = "The harbour ferries ran again on Tuesday after the strike over pay ended."
    docs = [RawDocument(f"r#L{n}", "f", title="Ferries", text=text, published=value)
            for n, value in enumerate(["not a date", "99999", "2020-02-30", "2020-08-14"], start=1)]
    warnings, articles = warnings_and_results(docs, settings_for(tmp_path, workers=1))
    assert warnings == [
        ("r#L1", "published 'not a date' is not a date: indexed without a publication date"),
        ("r#L2", "published '99999' is not a date: indexed without a publication date"),
        ("r#L3", "published '2020-02-30' is not a date: indexed without a publication date"),
    ]
    assert [str(a.published) for a in articles] == ["None", "None", "None", "2020-08-14"]


def test_a_megabyte_title_is_cut_to_300_characters_and_said_so(tmp_path):
    from search.ingest.titles import MAX_TITLE_CHARS

    title = "Ferry crews strike over pay " * 40_000
    page = (f"<html><head><title>{title}</title></head><body><p>{'The harbour ferries ran again. ' * 20}"
            "</p></body></html>").encode()
    docs = [RawDocument("r#L1", "f", title=title, text="The harbour ferries ran again on Tuesday."),
            RawDocument("page.html", "g", html=page)]
    warnings, articles = warnings_and_results(docs, settings_for(tmp_path, workers=1))
    assert warnings == [("r#L1", f"title cut to {MAX_TITLE_CHARS} characters (it had 1,119,999)"),
                        ("page.html", f"title cut to {MAX_TITLE_CHARS} characters (it had 1,119,999)")]
    assert all(len(a.title) <= MAX_TITLE_CHARS and a.title.startswith("Ferry crews strike") for a in articles)


SLOW_PAGE = ("<html lang='en'><body>" + "<p>ab</p>" * 45_000 + "</body></html>").encode()
"""A page within every limit that takes seconds to extract (its text too unclear to identify, so the
declared English stands and the entity model reads it too)."""


def test_a_document_over_the_time_limit_fails_and_the_next_is_extracted(tmp_path):
    recognizer(settings_for(tmp_path).spacy_model)  # loaded before the clock starts
    docs = [RawDocument("slow.html", "s", html=SLOW_PAGE), _documents()[0]]
    started = time.monotonic()
    slow, article = extract_all(docs, settings_for(tmp_path, workers=1, document_time_limit=0.5))
    assert isinstance(slow, IngestFailure)
    assert slow.reason == "took longer than 0.5 s (the limit is NEWS_SEARCH_DOCUMENT_TIME_LIMIT)"
    assert isinstance(article, Article) and article.origin == docs[1].origin
    assert time.monotonic() - started < 10  # the slow page alone takes longer than that
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def _busy(seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pass


def test_a_time_limit_that_expires_inside_a_finalizer_still_stops_the_document(tmp_path, monkeypatch):
    real = pipeline.extract_article

    def slow_in_a_finalizer(html, url, **kwargs):
        class Held:
            pass
        held = Held()
        weakref.finalize(held, _busy, 1.0)  # the timer expires while this finalizer runs ...
        del held
        _busy(2.0)  # ... and the document would go on past its limit
        return real(html, url, **kwargs)

    monkeypatch.setattr(pipeline, "extract_article", slow_in_a_finalizer)
    docs = _documents()[:1]
    [slow] = extract_all(docs, settings_for(tmp_path, workers=1, document_time_limit=0.5))
    assert isinstance(slow, IngestFailure) and slow.reason.startswith("took longer than 0.5 s")
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_the_time_limit_holds_in_worker_processes_too(tmp_path):
    docs = _documents()
    docs.insert(3, RawDocument("slow.html", "s", html=SLOW_PAGE))
    results = list(extract_all(docs, settings_for(tmp_path, workers=2, document_time_limit=3)))
    assert [r.origin for r in results] == [d.origin for d in docs]
    assert isinstance(results[3], IngestFailure) and results[3].reason.startswith("took longer than 3 s")
    assert not any(isinstance(r, IngestFailure) for r in results[:3] + results[4:])


def stuck_in_c_on_poison(doc, settings):
    if doc.origin == "stuck":
        process(doc, settings)  # starts the document's timer and stops it ...
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # ... then, as C code would, never
        signal.setitimer(signal.ITIMER_REAL, settings.document_time_limit)  # lets its signal in
        time.sleep(3600)
    return process(doc, settings)


def test_a_worker_stuck_where_the_timer_cannot_reach_is_stopped_and_the_rest_go_on(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "process", stuck_in_c_on_poison)
    monkeypatch.setattr(pipeline, "STALL_GRACE", 2.0)
    docs = _documents()
    docs.insert(5, RawDocument("stuck", "s", html=b"<p>whatever</p>"))
    started = time.monotonic()
    results = list(extract_all(iter(docs), settings_for(tmp_path, workers=2, document_time_limit=1)))
    assert time.monotonic() - started < 120
    assert [r.origin for r in results] == [d.origin for d in docs]
    assert isinstance(results[5], IngestFailure)
    assert results[5].reason == "took longer than 1 s and was stopped (the limit is NEWS_SEARCH_DOCUMENT_TIME_LIMIT)"
    assert not any(isinstance(r, IngestFailure) for r in results[:5] + results[6:])


def test_a_timer_set_before_runs_on_after_each_document(tmp_path):
    def handler(signum, frame):
        raise AssertionError("the earlier timer fired")

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 60)
    try:
        [article] = extract_all([RawDocument("r#L1", "f", title="Ferries", text="The ferries ran again today.")],
                                settings_for(tmp_path, workers=1))
        assert isinstance(article, Article) and signal.getsignal(signal.SIGALRM) is handler
        assert 50 < signal.getitimer(signal.ITIMER_REAL)[0] <= 60
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def made_where(article: Article) -> tuple[int, str]:
    """A finish step: the process it ran in, and the article's origin; it fails on one record."""
    if article.title == "Unfinishable":
        raise ValueError("cannot prepare this one")
    return os.getpid(), article.origin


def test_the_finish_step_runs_in_the_workers_and_a_failing_one_is_reported(tmp_path):
    docs = [RawDocument(f"r#L{n}", "f", title="Unfinishable" if n == 5 else f"Record {n}", people=(),
                        text=f"Record number {n} tells of the harbour strike and the ferry crews.") for n in range(PARALLEL_FROM + 4)]
    results = list(extract_all(docs, settings_for(tmp_path, workers=2), finish=made_where))
    failure = results.pop(5)
    assert isinstance(failure, IngestFailure) and failure.origin == "r#L5"
    assert failure.reason == "extraction failed: ValueError: cannot prepare this one"
    assert [origin for _, origin in results] == [d.origin for d in docs if d.origin != "r#L5"]
    assert os.getpid() not in {pid for pid, _ in results}


THREADED_PROBE = """
import ctypes, os
import search, numpy  # the package first, as every entry point imports it
flag = ctypes.c_char.in_dll(ctypes.CDLL(None), "__libc_single_threaded")
print(flag.value == b"\\x01", len(os.listdir("/proc/self/task")))
"""


def _threaded_probe(**environment: str) -> str:
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"} | environment
    return subprocess.run([sys.executable, "-c", THREADED_PROBE], env=env, capture_output=True, text=True,
                          check=True).stdout.split()


def test_the_package_keeps_numpy_from_starting_threads():
    # A process that has had a second thread (OpenBLAS's pool, started as numpy loads) stays
    # "threaded" for glibc's allocator, and so do the extraction workers forked from it: every
    # malloc of the model then takes the locked path. The package asks for one BLAS thread first.
    import ctypes
    import pytest

    try:
        ctypes.c_char.in_dll(ctypes.CDLL(None), "__libc_single_threaded")
    except (OSError, ValueError):
        pytest.skip("not glibc 2.32 or later: no __libc_single_threaded to read")
    assert _threaded_probe() == ["True", "1"]
    # A setting of the user's own is kept (and then numpy does start its threads)
    assert _threaded_probe(OPENBLAS_NUM_THREADS="2") == ["False", "2"]


def test_a_records_title_is_normalised_so_its_words_are_found(tmp_path):
    from search.index import IndexStore, SearchIndex, update_index
    from search.ingest.pipeline import article_from_record
    from search.ingest.sources import RawDocument
    from search.query import SearchRequest

    doc = RawDocument("r#L1", "fp", url="https://example.org/w", title="Das Welterna\u0308hrungs\u00adprogramm hilft",
                      text="Deutsch\u00adland gibt mehr Geld.")
    article = article_from_record(doc)
    assert (article.title, article.text) == ("Das Welternährungsprogramm hilft", "Deutschland gibt mehr Geld.")
    store = IndexStore(tmp_path / "index")
    update_index(store, [article])
    index = SearchIndex(store.root)
    assert index.search(SearchRequest(q="title:Welternährungsprogramm")).total == 1
    assert index.search(SearchRequest(q="Deutschland")).total == 1


def test_entities_are_read_only_in_a_language_the_model_reads(tmp_path):
    """A German page declaring English: the English model found "people" such as "Jahr" and "Mit"."""
    german = ("Mit dem neuen Jahr beginnt für Anna Schmidt eine neue Arbeit in Berlin. Ich bin von Berlin "
              "nach Hamburg gezogen, sagt sie. Die Stadt gefällt ihr sehr, und sie möchte lange bleiben.")
    english = ("Anna Schmidt moved from Berlin to Hamburg this year for a new job at Siemens. She says the "
               "city suits her well and she would like to stay there for a long time.")
    settings = settings_for(tmp_path)
    [de] = process(RawDocument("de.html", "d", html=f"<html lang='en'><body><p>{german}</p></body></html>".encode()), settings)
    [en] = process(RawDocument("en.html", "e", html=f"<html lang='de'><body><p>{english}</p></body></html>".encode()), settings)
    assert (de.language, de.people, de.orgs, de.places) == ("de", [], [], [])
    assert en.language == "en" and "Anna Schmidt" in en.people and "Berlin" in en.places


def _in_a_thread(function):
    """What ``function`` returns (or raises) when run in a thread other than the main one, as a
    cluster worker runs its tasks."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    return outcome


def test_the_time_limit_holds_in_a_thread_that_cannot_take_signals(tmp_path):
    recognizer(settings_for(tmp_path).spacy_model)
    docs = [RawDocument("slow.html", "s", html=SLOW_PAGE), _documents()[0]]
    started = time.monotonic()
    outcome = _in_a_thread(lambda: list(extract_all(docs, settings_for(tmp_path, workers=1, document_time_limit=0.5))))
    slow, article = outcome["value"]
    assert isinstance(slow, IngestFailure) and slow.reason.startswith("took longer than 0.5 s")
    assert isinstance(article, Article) and article.origin == docs[1].origin
    assert time.monotonic() - started < 10


def test_a_thread_time_limit_never_fires_after_its_block(tmp_path):
    def many_short_blocks():
        stopped = 0
        for n in range(300):
            try:
                with pipeline.time_limit(0.005):
                    _busy(0.0002 * (n % 50))  # some end before the limit, some about when it does, some after
            except pipeline.DocumentTimeout:
                stopped += 1
        time.sleep(0.3)  # a late exception would land here, outside every block
        return stopped

    outcome = _in_a_thread(many_short_blocks)
    assert "error" not in outcome and outcome["value"] > 0
    time.sleep(0.1)
    assert not [t for t in threading.enumerate() if t.name == "document-time-limit"]  # no watchdog left behind


def test_a_thread_time_limit_stops_a_busy_loop(tmp_path):
    def forever():
        with pipeline.time_limit(0.2):
            _busy(30)
        return "not stopped"

    started = time.monotonic()
    outcome = _in_a_thread(forever)
    assert isinstance(outcome.get("error"), pipeline.DocumentTimeout)
    assert time.monotonic() - started < 5
