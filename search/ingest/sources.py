"""Finding and reading inputs: HTML files (plain or gzipped), JSONL files of records and WARC
web archives (``.warc``, ``.warc.gz``: the format of news crawls such as CC-NEWS).

Everything is read as a stream, and no page, record or line is read beyond
``Settings.max_document_bytes`` once decompressed: a gzip bomb or a runaway line costs that much
memory at most, and is reported as too large.
"""

from __future__ import annotations

import errno
import gzip
import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from search.article import fingerprint
from search.settings import Settings

HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
WARC_SUFFIXES = (".warc", ".warc.gz")
MAX_BYTES = Settings.max_document_bytes
_CHUNK = 1 << 20


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
    people: tuple[str, ...] | None = None
    orgs: tuple[str, ...] | None = None
    places: tuple[str, ...] | None = None
    """Entities given by the record (None when it gives none of the kind): a record that gives
    any is not read by the entity model."""

    @property
    def gives_entities(self) -> bool:
        return any(names is not None for names in (self.people, self.orgs, self.places))


@dataclass
class IngestFailure:
    """An input that could not be read or extracted, and why."""

    origin: str
    reason: str


@dataclass
class IngestWarning:
    """Something indexed but changed or doubtful (a title cut short, a date that is not one), or
    skipped on purpose (a link to a folder), and why."""

    origin: str
    message: str


@dataclass
class Inputs:
    """What ``find_inputs`` found: the files to read, and what could not be looked into."""

    files: list[Path] = field(default_factory=list)
    failures: list[IngestFailure] = field(default_factory=list)
    warnings: list[IngestWarning] = field(default_factory=list)


def _suffix_of(path: Path) -> str | None:
    name = path.name.lower()
    return next((s for s in HTML_SUFFIXES + JSONL_SUFFIXES + WARC_SUFFIXES if name.endswith(s)), None)


def _look_into(folder: Path, found: Inputs) -> list[Path]:
    """Adds the folder's input files to ``found`` and returns its subfolders. A link to a folder
    is not followed (it could lead back up, round and round): it is reported as skipped."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError as error:
        found.failures.append(IngestFailure(str(folder), f"folder not readable ({error.strerror or error})"))
        return []
    subfolders = []
    for entry in entries:
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(path)
            elif entry.is_symlink() and entry.is_dir():
                found.warnings.append(IngestWarning(str(path), "a link to a folder, not followed: "
                                                               "give the folder itself to read it"))
            elif _suffix_of(path) and entry.is_file():
                found.files.append(path)
            elif _suffix_of(path):
                entry.stat()  # a link to nowhere, or round in a loop: raises what is wrong with it
                found.failures.append(IngestFailure(str(path), "not a regular file"))
        except OSError as error:
            if _suffix_of(path):
                found.failures.append(IngestFailure(str(path), _link_trouble(error)))
    return subfolders


def _link_trouble(error: OSError) -> str:
    """What is wrong with an input that cannot even be looked at, in words."""
    if error.errno == errno.ELOOP:
        return "a symbolic link loop: it leads back to itself"
    if error.errno == errno.ENOENT:
        return "a symbolic link to a file that does not exist"
    return error.strerror or str(error)


def find_inputs(paths: Iterable[Path]) -> Inputs:
    """Every input file under the given files and folders (recursively), in a stable order, with
    the folders that could not be read and the links that were not followed."""
    found = Inputs()
    for path in paths:
        if not path.is_dir():
            found.files.append(path)
            continue
        folders, start = [path], len(found.files)
        while folders:
            folders.extend(_look_into(folders.pop(), found))
        found.files[start:] = sorted(found.files[start:])
    found.files = list(dict.fromkeys(found.files))
    found.failures.sort(key=lambda failure: failure.origin)
    found.warnings.sort(key=lambda warning: warning.origin)
    return found


class _TooLarge(Exception):
    """A page, line or record over the size limit (the message says which limit)."""


def _too_large(limit: int, compressed: bool) -> str:
    once = " once decompressed" if compressed else ""
    return f"too large (over {limit:,} bytes{once}; the limit is NEWS_SEARCH_MAX_DOCUMENT_BYTES)"


def _gzipped(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def _open(path: Path) -> BinaryIO:
    """The file's bytes as a stream, decompressed as they are read when it is gzipped."""
    return gzip.open(path, "rb") if _gzipped(path) else path.open("rb")


def _gzip_trouble(error: Exception) -> str:
    """Why a gzipped file could not be read to its end, in words."""
    if isinstance(error, EOFError):
        return "truncated: the gzip data ends before its end-of-stream marker"
    return f"not a valid gzip file ({error})"


def _read_page(path: Path, max_bytes: int) -> bytes:
    """A page's bytes (decompressed), reading at most ``max_bytes`` + 1 of them."""
    with _open(path) as stream:
        raw = stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise _TooLarge(_too_large(max_bytes, _gzipped(path)))
    return raw


def _lines(stream: BinaryIO, max_bytes: int) -> Iterator[bytes | None]:
    """The lines of a stream without their line ends, each read up to ``max_bytes``; None for a
    longer line, whose rest is skipped without being kept."""
    while line := stream.readline(max_bytes + 1):
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(_CHUNK)
            yield None
        else:
            yield line.removesuffix(b"\n").removesuffix(b"\r")


def _string(record: dict, *keys: str) -> str:
    """The first of ``keys`` holding a string, stripped ("" when none does)."""
    for key in keys:
        if isinstance(record.get(key), str):
            return record[key].strip()
    return ""


def _date_value(record: dict) -> str | None:
    """The record's publication date as written (a number or any other value as its JSON text,
    so that it can be reported as not a date), or None when it has none."""
    value = next((record[key] for key in ("published", "date") if record.get(key) not in (None, "")), None)
    if value is None or isinstance(value, str):
        return value.strip() if value else None
    return json.dumps(value)


ENTITY_KINDS = ("people", "orgs", "places")


class _BadNames(ValueError):
    """A record's entity list that is not a list of names."""


def _names(record: dict, kind: str) -> tuple[str, ...] | None:
    """The names a record gives for one kind of entity, stripped, without blanks or repeats (in
    their order); None when the record does not give the kind."""
    value = record.get(kind)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise _BadNames(f"'{kind}' must be a list of names (strings)")
    return tuple(dict.fromkeys(name.strip() for name in value if name.strip()))


NO_TEXT = "no article text: a record needs an 'html' or a 'text' value"


def _record(origin: str, line: bytes) -> RawDocument | IngestFailure:
    try:
        record = json.loads(line)
    except ValueError as error:
        return IngestFailure(origin, f"not valid JSON ({error})")
    if not isinstance(record, dict):
        return IngestFailure(origin, "not a JSON object")
    try:
        entities = {kind: _names(record, kind) for kind in ENTITY_KINDS}
    except _BadNames as error:
        return IngestFailure(origin, str(error))
    url = _string(record, "url") or None
    if isinstance(record.get("html"), str):
        return RawDocument(origin, fingerprint(line), html=record["html"].encode("utf-8"), url=url, **entities)
    text, title = _string(record, "text", "body"), _string(record, "title")
    if not text:
        return IngestFailure(origin, NO_TEXT + (" (this one has only a title)" if title else ""))
    authors = record.get("authors")
    return RawDocument(
        origin, fingerprint(line), url=url, text=text, title=title,
        published=_date_value(record),
        source=_string(record, "source") or None,
        authors=tuple(a.strip() for a in authors if isinstance(a, str) and a.strip())
        if isinstance(authors, list) else (),
        **entities,
    )


def _jsonl_records(path: Path, max_bytes: int) -> Iterator[RawDocument | IngestFailure | IngestWarning]:
    """The records of a JSONL file, read line by line (the file may be any size). A file none of
    whose records has a text (a manifest listing pages, say) holds no articles: it is skipped with
    one warning rather than a failure per line."""
    origin, number = str(path), 0
    untexted: list[IngestFailure] | None = []
    """Records without a text, held back until a record with one shows the file holds articles."""
    try:
        with _open(path) as stream:
            for number, line in enumerate(_lines(stream, max_bytes), start=1):
                if line is None:
                    yield IngestFailure(f"{origin}#L{number}", _too_large(max_bytes, _gzipped(path)))
                elif line.strip():
                    item = _record(f"{origin}#L{number}", line)
                    if untexted is not None and isinstance(item, IngestFailure) and item.reason.startswith(NO_TEXT):
                        untexted.append(item)
                        continue
                    if untexted and isinstance(item, RawDocument):
                        yield from untexted
                    if isinstance(item, RawDocument):
                        untexted = None
                    yield item
            if untexted:
                yield IngestWarning(origin, f"skipped: none of its {len(untexted)} records has an 'html' or "
                                            "'text' value, so it holds no articles (a list of pages, such as a "
                                            "manifest, is not read as articles)")
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        yield IngestFailure(f"{origin}#L{number + 1}" if number else origin, _gzip_trouble(error))
    except OSError as error:
        yield IngestFailure(origin, error.strerror or str(error))


def _is_html_page(record) -> bool:
    """Whether a WARC record holds a successfully fetched HTML page."""
    if record.rec_type not in ("response", "resource"):
        return False
    if record.http_headers is not None:
        status = record.http_headers.get_statuscode()
        content_type = record.http_headers.get_header("Content-Type") or ""
        return status == "200" and "html" in content_type.lower()
    return "html" in (record.rec_headers.get_header("Content-Type") or "").lower()


def _warc_page(record, where: str, max_bytes: int) -> RawDocument | IngestFailure:
    """The page a WARC record holds, reading at most ``max_bytes`` + 1 bytes of it."""
    try:
        payload = record.content_stream().read(max_bytes + 1)
    except _CutShort:
        raise
    except Exception as error:  # a badly encoded payload: this record only
        return IngestFailure(where, f"unreadable WARC record ({type(error).__name__}: {error})")
    if len(payload) > max_bytes:
        return IngestFailure(where, _too_large(max_bytes, compressed=False))
    return RawDocument(where, fingerprint(payload), html=payload, url=record.rec_headers.get_header("WARC-Target-URI"))


def _missing_bytes(record) -> int:
    """Reads what is left of a record's block and returns how many bytes of its declared length
    (Content-Length) the file does not hold: more than 0 when the archive is cut short."""
    block = record.raw_stream
    while block.read(_CHUNK):
        pass
    return getattr(block, "limit", 0)


class _CutShort(Exception):
    """A gzipped archive that ends inside a gzip member."""


class _Members:
    """A gzipped archive's bytes, decompressed as they are read (at most ``size`` at a time),
    member after member, counting the members that ended. Data that ends inside a member raises
    _CutShort, which warcio cannot take for the end of the archive (as it takes an EOFError) and
    so drop the records after the cut without a word."""

    def __init__(self, raw: BinaryIO):
        self.raw, self.ended = raw, 0
        self._member, self._begun, self._next = zlib.decompressobj(wbits=31), False, b""

    def read(self, size: int = -1) -> bytes:
        while True:
            data, self._next = self._member.unconsumed_tail or self._next or self.raw.read(_CHUNK), b""
            if not data:
                if self._begun:
                    raise _CutShort("truncated: the archive ends inside this record's gzip member")
                return b""
            self._begun = True
            out = self._member.decompress(data, size if size > 0 else _CHUNK)
            if self._member.eof:
                self.ended += 1
                self._next = self._member.unused_data
                self._member, self._begun = zlib.decompressobj(wbits=31), False
            if out:
                return out


def _warc_pages(path: Path, max_bytes: int) -> Iterator[RawDocument | IngestFailure]:
    """The HTML pages of a WARC file. A record cut short (a truncated file, a gzip member without
    its end) is a failure, never a shorter page: it must not replace the complete article. So a
    page is held back until the next record begins or the archive ends whole."""
    from warcio.archiveiterator import ArchiveIterator

    origin, done, held = str(path), 0, None
    try:
        with path.open("rb") as raw:
            members = _Members(raw) if _gzipped(path) else None
            for record in ArchiveIterator(members or raw):
                if held:
                    yield held
                    held = None
                if not record.format.startswith("warc"):
                    raise ValueError("no WARC record header where one was expected")
                where = f"{origin}#record{done + 1}"
                page = _warc_page(record, where, max_bytes) if _is_html_page(record) else None
                missing = _missing_bytes(record)
                if missing:
                    yield IngestFailure(where, f"truncated: the record ends {missing:,} bytes short of "
                                               "its declared length")
                elif isinstance(page, RawDocument):
                    held = page
                elif page:
                    yield page
                done += 1
        if held:
            yield held
    except _CutShort as error:
        # A gzipped WARC holds one record per member (as the standard advises): the member that
        # was cut is the held page's own when it is the member after the last one that ended.
        if held and members.ended + 1 == done:
            yield IngestFailure(held.origin, str(error))
        else:
            yield from [held] if held else []
            yield IngestFailure(f"{origin}#record{done + 1}", str(error))
    except Exception as error:  # warcio trips over a damaged archive in many ways: this file only
        yield from [held] if held else []
        where = f"{origin}#record{done + 1}" if done else origin
        yield IngestFailure(where, f"not a readable WARC {'record' if done else 'file'} ({error})")


def count_documents(path: Path, max_bytes: int = MAX_BYTES) -> int:
    """How many documents an input holds (its records, for JSONL; its pages, for WARC), for progress."""
    kind = _suffix_of(path)
    if kind in WARC_SUFFIXES:
        return sum(1 for _ in _warc_pages(path, max_bytes)) or 1
    if kind not in JSONL_SUFFIXES:
        return 1
    return sum(1 for _ in _jsonl_records(path, max_bytes)) or 1


def read_documents(path: Path, max_bytes: int = MAX_BYTES) -> Iterator[RawDocument | IngestFailure | IngestWarning]:
    """The documents in one input file, or a failure for each part that cannot be read (and a
    warning for a JSONL file that holds no articles). No page, line or record is read beyond
    ``max_bytes`` (once decompressed)."""
    origin = str(path)
    kind = _suffix_of(path)
    if kind in WARC_SUFFIXES:
        yield from _warc_pages(path, max_bytes)
    elif kind in JSONL_SUFFIXES:
        yield from _jsonl_records(path, max_bytes)
    elif kind is None:
        yield IngestFailure(origin, "not an input this tool reads (.html, .htm, .html.gz, .jsonl, .jsonl.gz, .warc, .warc.gz)")
    else:
        try:
            raw = _read_page(path, max_bytes)
        except _TooLarge as error:
            yield IngestFailure(origin, str(error))
        except (EOFError, zlib.error, gzip.BadGzipFile) as error:
            yield IngestFailure(origin, _gzip_trouble(error))
        except OSError as error:
            yield IngestFailure(origin, error.strerror or str(error))
        else:
            yield RawDocument(origin, fingerprint(raw), html=raw)
