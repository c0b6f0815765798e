"""News search: ingest news pages, index them with Whoosh, and query the index."""

__version__ = "0.1.0"
