"""Bytes in, Articles out: read inputs, extract text and metadata, find entities."""

from search.ingest.errors import ClusterUnavailable, UnreadableDocument
from search.ingest.extract import extract_article
from search.ingest.pipeline import add_entities, extract_all
from search.ingest.sources import (
    IngestFailure, IngestWarning, RawDocument, count_documents, find_inputs, read_documents,
)

__all__ = [
    "ClusterUnavailable",
    "IngestFailure", "IngestWarning", "RawDocument", "UnreadableDocument", "add_entities", "count_documents",
    "extract_all", "extract_article", "find_inputs", "read_documents",
]
