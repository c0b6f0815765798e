"""Indexing runs: inputs → ingest → index, with a report of what went in and what failed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from search.index import (
    Duplicate, EmptyRebuild, Generation, IndexStore, PreparedArticle, known_fingerprints, prepare, rebuild_index,
    update_index,
)
from search.ingest import (
    ClusterUnavailable, IngestFailure, IngestWarning, RawDocument, count_documents, extract_all, find_inputs, read_documents,
)
from search.settings import Settings

__all__ = ["ClusterUnavailable", "EmptyRebuild", "IndexReport", "index_paths"]

Progress = Callable[[int, int], None]
"""Called with (documents done, documents found) as the run goes."""


@dataclass
class IndexReport:
    inputs: int = 0
    """Input files found (pages and JSONL files)."""
    indexed: int = 0
    unchanged: int = 0
    failures: list[IngestFailure] = field(default_factory=list)
    warnings: list[IngestWarning] = field(default_factory=list)
    """Documents indexed but changed or doubtful (a title cut short, a date that is not one), and
    links not followed; they do not count as failures."""
    removed: list[str] = field(default_factory=list)
    """What a killed run had left in the index folder and this run removed."""
    duplicates: list[Duplicate] = field(default_factory=list)
    """Inputs that are another input's article again (the same URL): each kept once, the longer text."""
    seconds: float = 0.0
    """How long the run took."""
    replaced: Generation | None = None
    """What a rebuild switched from: the generation current as it began; None when there was no index."""
    built: Generation | None = None
    """What a rebuild switched to; None after a run that added to the current generation."""


class _Tally:
    """Documents done (indexed, unchanged or failed) out of those found, for the progress callback."""

    def __init__(self, inputs: list[Path], progress: Progress | None, max_bytes: int):
        self.progress = progress
        self.total = sum(count_documents(path, max_bytes) for path in inputs) if progress else 0
        self.done = 0

    def tick(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, max(self.total, self.done))


def _documents(inputs: list[Path], known: dict[str, str], report: IndexReport,
               tally: _Tally, max_bytes: int) -> Iterator[RawDocument]:
    """The documents to extract, read lazily; failures and unchanged inputs go in the report."""
    for path in inputs:
        for item in read_documents(path, max_bytes):
            if isinstance(item, IngestFailure):
                report.failures.append(item)
                tally.tick()
            elif isinstance(item, IngestWarning):  # a file read whole and skipped
                report.warnings.append(item)
                tally.tick()
            elif known.get(item.origin) == item.fingerprint:
                report.unchanged += 1
                tally.tick()
            else:
                yield item


def _articles(docs: Iterator[RawDocument], settings: Settings, report: IndexReport,
              tally: _Tally) -> Iterator[PreparedArticle]:
    """The articles, each prepared for the index where it was extracted."""
    for result in extract_all(docs, settings, finish=prepare):
        if isinstance(result, IngestWarning):
            report.warnings.append(result)
            continue
        tally.tick()
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
    started = time.monotonic()
    store = IndexStore(settings.index_dir)
    report = IndexReport()
    found = find_inputs(paths)
    report.inputs = len(found.files)
    report.failures.extend(found.failures)
    report.warnings.extend(found.warnings)
    tally = _Tally(found.files, progress, settings.max_document_bytes)
    known = {} if rebuild else known_fingerprints(store)
    docs = _documents(found.files, known, report, tally, settings.max_document_bytes)
    articles = _articles(docs, settings, report, tally)
    if rebuild:
        report.replaced = store.generation()
        report.indexed = rebuild_index(store, articles, allow_empty=False, duplicates=report.duplicates)
        report.built = store.generation()
    else:
        report.indexed = update_index(store, articles, duplicates=report.duplicates)
    report.removed = store.removed
    report.seconds = time.monotonic() - started
    return report
