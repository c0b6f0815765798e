"""The index exported for OpenSearch 2 or Elasticsearch 8: an index creation body and ``_bulk`` files.

The export is written into a scratch folder inside the output folder and moved into place only when
complete, so that an export that fails or is stopped half-way never leaves a mix of old and new
bulk files for a loading loop to send; what a killed export left there is removed by the next.
"""

from __future__ import annotations

import json
import re
import secrets
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable

from search.article import Article
from search.index import TITLE_BOOST, IndexStore, stored_articles

MAPPING_FILE = "mapping.json"
BULK_FILES = "bulk-*.ndjson"
SCRATCH_PREFIX = ".export-"
"""The folder an export is written into before it is moved into place."""
MAX_FILE_BYTES = 100_000_000
"""Largest bulk file: OpenSearch and Elasticsearch refuse a request body over 100 MiB
(``http.max_content_length``), and each file is sent as one request."""
DEFAULT_INDEX_NAME = "news"

_KEYWORD = {"type": "keyword"}
_TEXT = {"type": "text", "analyzer": "english"}
_DAY = {"type": "date", "format": "strict_date"}
PROPERTIES = {
    "title": _TEXT,
    "text": _TEXT,
    "url": {"type": "keyword", "index": False, "doc_values": False},
    "source": _KEYWORD,
    "authors": _KEYWORD,
    "published": _DAY,
    "language": _KEYWORD,
    "people": _KEYWORD,
    "orgs": _KEYWORD,
    "places": _KEYWORD,
    "mentioned_dates": _DAY,
    "origin": _KEYWORD,
}
"""How each exported field of an Article is indexed. A value an article lacks (no date, no source) is
left out of its document; a list with no names is ``[]``."""
NOT_EXPORTED = ("id", "fingerprint")
"""The id is each document's ``_id``; the fingerprint only tells this engine's indexing runs which
inputs are unchanged."""
BOOSTED_FIELDS = (f"title^{TITLE_BOOST:g}", "text")
"""The fields to query, a title weighed as this engine weighs it (the weight goes in queries:
Elasticsearch deprecates a boost in a mapping)."""

_INDEX_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,254}")
"""An index name OpenSearch and Elasticsearch accept (lower case, at most 255 bytes, not starting
with ``-``, ``_`` or ``.``) that needs no quoting in a shell command or a URL."""


class NothingToExport(Exception):
    """The folder holds no index, or an index without an article."""


class ArticleTooLarge(Exception):
    """An article's bulk lines alone are larger than a bulk file may be."""

    def __init__(self, article_id: str, size: int, limit: int):
        super().__init__(f"article {article_id} takes {size:,} bytes in a bulk file, "
                         f"more than the {limit:,} a file may hold")


@dataclass
class ExportReport:
    articles: int
    folder: Path
    mapping: Path
    bulk_files: list[Path]
    index_name: str

    def load_commands(self) -> list[str]:
        """The shell commands that create the index and load the bulk files into it, for a server
        whose URL is in ``$OPENSEARCH``; bulk responses are cut down to their errors."""
        folder = shlex.quote(str(self.folder))
        mapping = shlex.quote(f"@{self.folder / MAPPING_FILE}")
        return [
            f"curl -XPUT \"$OPENSEARCH/{self.index_name}\" -H 'Content-Type: application/json' "
            f"--data-binary {mapping}",
            f"for f in {folder}/{BULK_FILES}; do curl -XPOST \"$OPENSEARCH/_bulk?filter_path=errors,items.*.error\" "
            "-H 'Content-Type: application/x-ndjson' --data-binary @\"$f\"; done",
        ]


def index_body() -> dict:
    """The index creation body (``PUT /<index>``): settings and a strict mapping, so that a document
    not shaped as the mapping says is refused rather than indexed with guessed types."""
    return {
        "settings": {"index": {"number_of_shards": 1}},
        "mappings": {
            "dynamic": "strict",
            "_meta": {"boosted_fields": list(BOOSTED_FIELDS)},
            "properties": PROPERTIES,
        },
    }


def document(article: Article) -> dict:
    """An article's ``_source``: its exported fields, dates as yyyy-mm-dd, missing values left out."""
    values = article.to_dict()
    return {name: values[name] for name in PROPERTIES if values[name] is not None}


def check_index_name(name: str) -> None:
    """Raise ValueError unless ``name`` can name the index (see _INDEX_NAME)."""
    if not _INDEX_NAME.fullmatch(name):
        raise ValueError(f"{name!r} cannot name an index here: use at most 255 lower-case letters, digits, "
                         "'-', '_' and '.', beginning with a letter or a digit")


def export_opensearch(index_dir: Path, out: Path, *, index_name: str = DEFAULT_INDEX_NAME,
                      max_file_bytes: int = MAX_FILE_BYTES) -> ExportReport:
    """Write every article of the index in ``index_dir`` into the folder ``out`` as ``mapping.json``
    and ``bulk-00001.ndjson``, ``bulk-00002.ndjson``... (none over ``max_file_bytes``), replacing
    those of an earlier export and leaving other files alone.

    Raises NothingToExport, DamagedIndex, ArticleTooLarge, ValueError for a bad index name, and
    NotADirectoryError when ``out`` is a file.
    """
    check_index_name(index_name)
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} is a file, not a folder")
    store = IndexStore(index_dir)
    if store.current() is None:
        raise NothingToExport(f"there is no index in {index_dir}")
    if store.article_count() == 0:
        raise NothingToExport(f"the index in {index_dir} holds no article")
    out.mkdir(parents=True, exist_ok=True)
    for leftover in out.glob(f"{SCRATCH_PREFIX}*"):  # an export killed before it could remove its own
        shutil.rmtree(leftover, ignore_errors=True)
    scratch = out / f"{SCRATCH_PREFIX}{secrets.token_hex(4)}"
    scratch.mkdir()
    try:
        (scratch / MAPPING_FILE).write_text(json.dumps(index_body(), indent=2) + "\n", encoding="utf-8")
        count, written = _write_bulk_files(stored_articles(store), scratch, index_name, max_file_bytes)
        for stale in out.glob(BULK_FILES):
            stale.unlink()
        for path in [scratch / MAPPING_FILE, *written]:
            path.replace(out / path.name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return ExportReport(articles=count, folder=out, mapping=out / MAPPING_FILE,
                        bulk_files=[out / path.name for path in written], index_name=index_name)


def _write_bulk_files(articles: Iterable[Article], folder: Path, index_name: str,
                      max_file_bytes: int) -> tuple[int, list[Path]]:
    """Each article as an action line and a source line, a new file begun where the next pair would
    pass ``max_file_bytes``; how many articles, and the files."""
    written: list[Path] = []
    current: BinaryIO | None = None
    size = count = 0
    try:
        for article in articles:
            lines = _bulk_lines(article, index_name)
            if len(lines) > max_file_bytes:
                raise ArticleTooLarge(article.id, len(lines), max_file_bytes)
            if current is None or size + len(lines) > max_file_bytes:
                if current is not None:
                    current.close()
                written.append(folder / f"bulk-{len(written) + 1:05d}.ndjson")
                current, size = written[-1].open("wb"), 0
            current.write(lines)
            size += len(lines)
            count += 1
    finally:
        if current is not None:
            current.close()
    return count, written


def _bulk_lines(article: Article, index_name: str) -> bytes:
    action = {"index": {"_index": index_name, "_id": article.id}}
    return b"".join(json.dumps(part, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
                    for part in (action, document(article)))

