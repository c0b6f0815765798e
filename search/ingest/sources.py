"""Finding and reading inputs: HTML files (plain or gzipped), JSONL files of records and WARC
web archives (``.warc``, ``.warc.gz``: the format of news crawls such as CC-NEWS)."""

from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from search.article import fingerprint

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
WARC_SUFFIXES = (".warc", ".warc.gz")


@dataclass
class RawDocument:
    """One input before extraction: a page's bytes, or a record that already holds its text."""

    origin: str
    fingerprint: str
    html: bytes | None = None
    url: str | None = None
    title: str | None = None
    text: str | None = None
    published: str | None = None
    source: str | None = None
    authors: tuple[str, ...] = ()


@dataclass
class IngestFailure:
    """An input that could not be read or extracted, and why."""

    origin: str
    reason: str


def _suffix_of(path: Path) -> str | None:
    name = path.name.lower()
    return next((s for s in HTML_SUFFIXES + JSONL_SUFFIXES + WARC_SUFFIXES if name.endswith(s)), None)


def find_inputs(paths: Iterable[Path]) -> list[Path]:
    """Every readable input under the given files and folders (recursively), in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and _suffix_of(p)))
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _read_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise OSError(f"not a valid gzip file ({error})") from None
    return raw


def _string(record: dict, *keys: str) -> str:
    """The first of ``keys`` holding a string, stripped ("" when none does)."""
    for key in keys:
        if isinstance(record.get(key), str):
            return record[key].strip()
    return ""


def _record(origin: str, line: bytes) -> RawDocument | IngestFailure:
    try:
        record = json.loads(line)
    except ValueError as error:
        return IngestFailure(origin, f"not valid JSON ({error})")
    if not isinstance(record, dict):
        return IngestFailure(origin, "not a JSON object")
    url = _string(record, "url") or None
    if isinstance(record.get("html"), str):
        return RawDocument(origin, fingerprint(line), html=record["html"].encode("utf-8"), url=url)
    text, title = _string(record, "text", "body"), _string(record, "title")
    if not text and not title:
        return IngestFailure(origin, "a record needs an 'html' value, or a 'text' or 'title'")
    authors = record.get("authors")
    return RawDocument(
        origin, fingerprint(line), url=url, text=text, title=title,
        published=_string(record, "published", "date") or None,
        source=_string(record, "source") or None,
        authors=tuple(a.strip() for a in authors if isinstance(a, str) and a.strip())
        if isinstance(authors, list) else (),
    )


def _is_html_page(record) -> bool:
    """Whether a WARC record holds a successfully fetched HTML page."""
    if record.rec_type not in ("response", "resource"):
        return False
    if record.http_headers is not None:
        status = record.http_headers.get_statuscode()
        content_type = record.http_headers.get_header("Content-Type") or ""
        return status == "200" and "html" in content_type.lower()
    return "html" in (record.rec_headers.get_header("Content-Type") or "").lower()


def _warc_pages(path: Path) -> Iterator[RawDocument | IngestFailure]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    origin = str(path)
    try:
        with path.open("rb") as stream:
            records = ArchiveIterator(stream)
            for number, record in enumerate(records, start=1):
                if not record.format.startswith("warc"):
                    raise ValueError("no WARC record header where one was expected")
                if not _is_html_page(record):
                    continue
                where = f"{origin}#record{number}"
                try:
                    payload = record.content_stream().read()
                except Exception as error:  # a truncated or badly encoded payload: this record only
                    yield IngestFailure(where, f"unreadable WARC record ({type(error).__name__}: {error})")
                    continue
                yield RawDocument(where, fingerprint(payload), html=payload,
                                  url=record.rec_headers.get_header("WARC-Target-URI"))
    except (ArchiveLoadFailed, OSError, EOFError, zlib.error, ValueError) as error:
        yield IngestFailure(origin, f"not a readable WARC file ({error})")


def count_documents(path: Path) -> int:
    """How many documents an input holds (its records, for JSONL; its pages, for WARC), for progress."""
    if _suffix_of(path) in WARC_SUFFIXES:
        return sum(1 for _ in _warc_pages(path)) or 1
    if _suffix_of(path) not in JSONL_SUFFIXES:
        return 1
    try:
        return sum(1 for line in _read_bytes(path).splitlines() if line.strip()) or 1
    except OSError:
        return 1


def read_documents(path: Path) -> Iterator[RawDocument | IngestFailure]:
    """The documents in one input file, or a failure for each part that cannot be read."""
    origin = str(path)
    kind = _suffix_of(path)
    if kind in WARC_SUFFIXES:
        yield from _warc_pages(path)
        return
    try:
        raw = _read_bytes(path)
    except OSError as error:
        yield IngestFailure(origin, error.strerror or str(error))
        return
    if kind in JSONL_SUFFIXES:
        for number, line in enumerate(raw.splitlines(), start=1):
            if line.strip():
                yield _record(f"{origin}#L{number}", line)
        return
    if kind is None:
        yield IngestFailure(origin, "not an input this tool reads (.html, .htm, .html.gz, .jsonl, .jsonl.gz, .warc, .warc.gz)")
        return
    yield RawDocument(origin, fingerprint(raw), html=raw)
