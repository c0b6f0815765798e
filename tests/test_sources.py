import gzip
import json

from search.ingest.sources import IngestFailure, RawDocument, find_inputs, read_documents


def test_find_inputs_walks_folders_for_known_suffixes(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/one.html", "a/b/two.htm", "a/b/three.html.gz", "four.jsonl", "notes.txt", "a/img.png"):
        (tmp_path / name).write_bytes(b"x")
    found = [p.relative_to(tmp_path).as_posix() for p in find_inputs([tmp_path]).files]
    assert sorted(found) == ["a/b/three.html.gz", "a/b/two.htm", "a/one.html", "four.jsonl"]


def test_a_gzipped_page_is_read_and_a_broken_one_reported(tmp_path):
    good, bad = tmp_path / "good.html.gz", tmp_path / "bad.html.gz"
    good.write_bytes(gzip.compress(b"<p>hello</p>"))
    bad.write_bytes(b"not gzip at all")
    [document] = read_documents(good)
    assert isinstance(document, RawDocument) and document.html == b"<p>hello</p>"
    [failure] = read_documents(bad)
    assert isinstance(failure, IngestFailure) and "not a valid gzip file" in failure.reason


def test_jsonl_records_of_both_shapes_and_bad_lines(tmp_path):
    path = tmp_path / "records.jsonl"
    lines = [
        json.dumps({"url": "https://example.org/a", "html": "<p>page</p>"}),
        json.dumps({"url": "https://example.org/b", "title": "B", "text": "Body", "published": "2020-08-14",
                    "source": "Wire", "authors": ["Ann Lee", 3]}),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"url": "https://example.org/c", "body": ""}),
    ]
    path.write_text("\n".join(lines) + "\n\n")
    items = list(read_documents(path))
    assert [i.origin for i in items] == [f"{path}#L{n}" for n in range(1, 6)]
    page, record, *failures = items
    assert page.html == b"<p>page</p>" and page.url == "https://example.org/a"
    assert (record.title, record.text, record.published) == ("B", "Body", "2020-08-14")
    assert (record.source, record.authors) == ("Wire", ("Ann Lee",))
    assert all(isinstance(f, IngestFailure) for f in failures)
    assert "not valid JSON" in failures[0].reason
    assert "not a JSON object" in failures[1].reason
    assert "a 'text' or 'title'" in failures[2].reason


def test_an_unreadable_file_is_a_failure_with_the_reason(tmp_path):
    missing = tmp_path / "gone.html"
    [failure] = read_documents(missing)
    assert failure.origin == str(missing) and "No such file" in failure.reason


def write_warc(path, pages):
    """A gzipped WARC file of HTTP responses: (url, status, content type, body) each."""
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for url, status, content_type, body in pages:
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body),
                                                          http_headers=headers))


def test_a_warc_file_yields_its_html_pages_with_their_urls(tmp_path):
    from search.ingest.sources import count_documents, read_documents

    page = b"<html><body><p>Harbour ferries run again after the strike ended on Tuesday.</p></body></html>"
    archive = tmp_path / "crawl.warc.gz"
    write_warc(archive, [
        ("https://news.example/ferries", "200 OK", "text/html; charset=utf-8", page),
        ("https://news.example/logo.png", "200 OK", "image/png", b"\x89PNG..."),
        ("https://news.example/gone", "404 Not Found", "text/html", b"<p>not found</p>"),
        ("https://news.example/second", "200 OK", "text/html", page.replace(b"Tuesday", b"Monday")),
    ])
    docs = list(read_documents(archive))
    assert [d.url for d in docs] == ["https://news.example/ferries", "https://news.example/second"]
    assert docs[0].html == page and docs[0].origin == f"{archive}#record1"
    assert docs[0].origin != docs[1].origin
    assert count_documents(archive) == 2


def test_a_broken_warc_file_is_reported(tmp_path):
    from search.ingest.sources import read_documents

    broken = tmp_path / "broken.warc"
    broken.write_bytes(b"this is not a web archive\r\n\r\n")
    [failure] = list(read_documents(broken))
    assert failure.origin == str(broken) and "not a readable WARC file" in failure.reason
