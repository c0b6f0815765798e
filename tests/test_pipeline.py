import os

from search.article import fingerprint
from search.ingest import IngestFailure, RawDocument, extract_all, pipeline
from search.ingest.pipeline import PARALLEL_FROM, process

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


def test_documents_are_read_as_needed_not_all_at_once(tmp_path):
    docs = _documents()
    read = []

    def lazily():
        for doc in docs:
            read.append(doc.origin)
            yield doc

    results = extract_all(lazily(), settings_for(tmp_path, workers=2))
    next(results)
    assert len(read) < len(docs)
    results.close()
