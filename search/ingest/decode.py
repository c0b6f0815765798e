"""Bytes of a saved page → text, refusing what is not an HTML page rather than guessing."""

from __future__ import annotations

import codecs
import re

from search.ingest.errors import UnreadableDocument

_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = bytes(byte for byte in range(32) if byte not in b"\t\n\r\f\x1b")
"""Bytes that text next to never holds; binary data is full of them (one byte in ten)."""


def looks_binary(head: bytes) -> bool:
    """Whether the start of a file is binary data: more than one byte in fifty a control byte.
    A NUL here and there is junk in a page, not a sign that it is no page."""
    return len(head) - len(head.translate(None, _CONTROL)) > len(head) // 50


def declared_charset(raw: bytes) -> str | None:
    """The character set a page declares in its first 4 KB (meta tag or XML declaration), if known.

    A page that got this far has no UTF-16 byte-order mark, so a declared UTF-16 cannot be true
    (its markup is readable as ASCII): as the HTML standard says, browsers read it as UTF-8.
    """
    match = _DECLARED_CHARSET.search(raw[:4096])
    if not match:
        return None
    name = (match.group(1) or match.group(2)).decode("ascii").lower()
    try:
        charset = codecs.lookup(name).name
    except LookupError:
        return None
    return "utf-8" if charset.startswith("utf-16") else charset


def decode_html(raw: bytes) -> str:
    """Decode a page: by its byte-order mark, else its declared charset, else as UTF-8, else as
    Windows-1252 (what browsers assume for an undeclared Western page; it also reads Latin-1).

    NUL characters are dropped, as browsers drop them from a page's text.
    Raises UnreadableDocument for an empty file, binary data, or undeclared bytes that are
    neither UTF-8 nor Windows-1252.
    """
    if not raw.strip():
        raise UnreadableDocument("empty file")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw.decode(encoding, errors="replace").replace("\x00", "")
    if looks_binary(raw[:8192]):
        raise UnreadableDocument("binary data, not an HTML page")
    return _decode(raw).replace("\x00", "")


def _decode(raw: bytes) -> str:
    """The page as text by its declared charset, else UTF-8, else Windows-1252."""
    charset = declared_charset(raw)
    if charset:
        return raw.decode(charset, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = raw[error.start : error.start + 1].hex()
        position = error.start
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise UnreadableDocument(
            f"not valid UTF-8 (byte 0x{bad} at offset {position}) nor Windows-1252, "
            "and no other charset is declared"
        ) from None
