import gzip
import json

from search.ingest.sources import IngestFailure, RawDocument, find_inputs, read_documents


def test_find_inputs_walks_folders_for_known_suffixes(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/one.html", "a/b/two.htm", "a/b/three.html.gz", "four.jsonl", "notes.txt", "a/img.png"):
        (tmp_path / name).write_bytes(b"x")
    found = [p.relative_to(tmp_path).as_posix() for p in find_inputs([tmp_path])]
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
