import pytest

from search.ingest.decode import decode_html, declared_charset
from search.ingest.errors import UnreadableDocument


@pytest.mark.parametrize("raw, reason", [
    (b"", "empty file"),
    (b"  \n\t ", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
    (b"<html><body><p>caf\xe9 cr\xe8me</p></body></html>", "not valid UTF-8 (byte 0xe9 at offset 18)"),
])
def test_unreadable_pages_say_why(raw, reason):
    with pytest.raises(UnreadableDocument, match=reason.replace("(", r"\(").replace(")", r"\)")):
        decode_html(raw)


def test_a_declared_charset_is_honoured():
    raw = '<html><head><meta charset="iso-8859-1"></head><body>café</body></html>'.encode("latin-1")
    assert declared_charset(raw) == "iso8859-1"
    assert "café" in decode_html(raw)


def test_utf8_and_byte_order_marks_decode():
    assert decode_html("<p>Zürich</p>".encode()) == "<p>Zürich</p>"
    assert decode_html(b"\xef\xbb\xbf<p>x</p>") == "<p>x</p>"
    assert decode_html("<p>ü</p>".encode("utf-16")) == "<p>ü</p>"
