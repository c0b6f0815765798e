"""The ingest pipeline: raw documents → Articles with entities, in parallel worker processes.

A document that fails becomes an IngestFailure with its origin and reason; it never stops the run.
"""

from __future__ import annotations

import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Iterator, Sequence

from search.article import Article, article_id
from search.ingest.dates import parse_date
from search.ingest.entities import recognizer
from search.ingest.errors import UnreadableDocument
from search.ingest.extract import extract_article, source_name
from search.ingest.language import identify_language
from search.ingest.sources import IngestFailure, RawDocument
from search.ingest.text import clean_text
from search.settings import Settings

PARALLEL_FROM = 16
"""Fewer documents than this are extracted in this process: starting workers would cost more."""


def article_from_record(doc: RawDocument) -> Article:
    """An Article from a JSONL record that already holds its title, text and date (a title alone will do)."""
    text = clean_text(doc.text or "", doc.title)
    if not text and not doc.title:
        raise UnreadableDocument("the record has neither text nor title")
    return Article(
        id=article_id(doc.url or doc.origin),
        url=doc.url,
        source=source_name(doc.source, doc.url),
        authors=list(doc.authors),
        title=doc.title or text.split("\n", 1)[0][:120],
        published=parse_date(doc.published),
        language=identify_language(text or doc.title or ""),
        text=text,
        origin=doc.origin,
        fingerprint=doc.fingerprint,
    )


def add_entities(article: Article, settings: Settings) -> None:
    """Fill in the people, organisations and places, where a model reads the article's language."""
    if article.language not in (None, *settings.entity_languages):
        return
    found = recognizer(settings.spacy_model).entities(f"{article.title}\n{article.text}")
    article.people, article.orgs, article.places = found.people, found.orgs, found.places


def process(doc: RawDocument, settings: Settings) -> Article | IngestFailure:
    """One document → its Article, or the reason it could not be made."""
    try:
        if doc.html is not None:
            article = extract_article(doc.html, doc.url, origin=doc.origin)
        else:
            article = article_from_record(doc)
        article.fingerprint = doc.fingerprint
        add_entities(article, settings)
        return article
    except UnreadableDocument as error:
        return IngestFailure(doc.origin, str(error))
    except Exception as error:  # a bug or a library failure on one page must not stop the run
        return IngestFailure(doc.origin, f"extraction failed: {type(error).__name__}: {error}")


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def extract_all(docs: Sequence[RawDocument], settings: Settings) -> Iterator[Article | IngestFailure]:
    """Articles (or failures) for the documents, in their order, using ``settings.workers`` processes."""
    work = partial(process, settings=settings)
    if settings.workers < 2 or len(docs) < PARALLEL_FROM:
        yield from map(work, docs)
        return
    # Load the model before forking so the workers share it instead of loading it each.
    recognizer(settings.spacy_model)
    done = 0
    try:
        context = multiprocessing.get_context("fork")
        # Workers ignore Ctrl-C: the parent alone handles it, so an interrupted run stops cleanly.
        with ProcessPoolExecutor(settings.workers, mp_context=context, initializer=_ignore_interrupts) as pool:
            for result in pool.map(work, docs, chunksize=4):
                done += 1
                yield result
    except BrokenProcessPool:
        yield from map(work, docs[done:])
