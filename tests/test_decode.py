import pytest

from search.ingest.decode import decode_html, declared_charset
from search.ingest.errors import UnreadableDocument


@pytest.mark.parametrize("raw, reason", [
    (b"", "empty file"),
    (b"  \n\t ", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
    (b"<html><body><p>caf\x81 cr\x8dme</p></body></html>", "not valid UTF-8 (byte 0x81 at offset 18) nor Windows-1252"),
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


def test_an_undeclared_western_page_reads_as_windows_1252():
    raw = "<p>Café “crème” in Zürich</p>".encode("cp1252")
    assert decode_html(raw) == "<p>Café “crème” in Zürich</p>"


def test_a_page_declaring_utf16_that_is_ascii_reads_as_utf8_as_browsers_read_it():
    raw = '<html><head><meta charset="utf-16"></head><body><p>Café in Zürich</p></body></html>'.encode()
    assert declared_charset(raw) == "utf-8"
    assert "<p>Café in Zürich</p>" in decode_html(raw)
    assert declared_charset(b'<?xml version="1.0" encoding="UTF-16LE"?><html>') == "utf-8"


def test_nul_bytes_in_a_page_are_dropped_and_binary_data_still_refused():
    paragraph = b"<p>The harbour ferries ran again on Tuesday after the strike over pay ended.</p>"
    page = b"<html><body>" + (paragraph + b"\x00") * 200 + b"</body></html>"
    assert decode_html(page).count(paragraph.decode()) == 200
    assert "\x00" not in decode_html(page)
    with pytest.raises(UnreadableDocument, match="binary data"):
        decode_html(bytes(range(256)) * 40)
