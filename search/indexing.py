"""Indexing runs: inputs → ingest → index, with a report of what went in and what failed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from search.article import Article
from search.index import EmptyRebuild, IndexStore, known_fingerprints, rebuild_index, update_index
from search.ingest import IngestFailure, RawDocument, extract_all, find_inputs, read_documents
from search.settings import Settings

__all__ = ["EmptyRebuild", "IndexReport", "index_paths"]

Progress = Callable[[int, int], None]
"""Called with (documents done, documents to do) as extraction goes."""


@dataclass
class IndexReport:
    indexed: int = 0
    unchanged: int = 0
    failures: list[IngestFailure] = field(default_factory=list)


def _collect(paths: Sequence[Path], known: dict[str, str], report: IndexReport) -> list[RawDocument]:
    docs: list[RawDocument] = []
    for path in find_inputs(paths):
        for item in read_documents(path):
            if isinstance(item, IngestFailure):
                report.failures.append(item)
            elif known.get(item.origin) == item.fingerprint:
                report.unchanged += 1
            else:
                docs.append(item)
    return docs


def _articles(docs: list[RawDocument], settings: Settings, report: IndexReport,
              progress: Progress | None) -> Iterator[Article]:
    for done, result in enumerate(extract_all(docs, settings), start=1):
        if progress:
            progress(done, len(docs))
        if isinstance(result, IngestFailure):
            report.failures.append(result)
        else:
            yield result


def index_paths(paths: Sequence[Path], settings: Settings, *, rebuild: bool = False,
                progress: Progress | None = None) -> IndexReport:
    """Index the articles under ``paths`` into ``settings.index_dir``.

    Without ``rebuild``, adds new and changed inputs to the current index and skips unchanged
    ones. With ``rebuild``, builds a fresh index from everything and switches to it at the end;
    raises EmptyRebuild (keeping the old index) when no article could be read.
    """
    store = IndexStore(settings.index_dir)
    report = IndexReport()
    docs = _collect(paths, {} if rebuild else known_fingerprints(store), report)
    articles = _articles(docs, settings, report, progress)
    if rebuild:
        report.indexed = rebuild_index(store, articles, allow_empty=False)
    else:
        report.indexed = update_index(store, articles)
    return report
