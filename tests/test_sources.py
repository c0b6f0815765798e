import gzip
import json

from search.ingest.sources import IngestFailure, IngestWarning, RawDocument, find_inputs, read_documents


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
    assert "no article text: a record needs an 'html' or a 'text' value" in failures[2].reason


def test_jsonl_records_may_give_their_entities_and_a_bad_list_is_reported(tmp_path):
    path = tmp_path / "tagged.jsonl"
    lines = [
        json.dumps({"title": "A", "text": "Body", "people": [" Ann Lee ", "", "Ann Lee", "Bo Chen"], "places": []}),
        json.dumps({"title": "B", "text": "Body"}),
        json.dumps({"title": "C", "text": "Body", "orgs": "Acme"}),
        json.dumps({"title": "D", "text": "Body", "places": ["Oslo", 7]}),
    ]
    path.write_text("\n".join(lines) + "\n")
    given, plain, *bad = read_documents(path)
    assert (given.people, given.orgs, given.places) == (("Ann Lee", "Bo Chen"), None, ())
    assert given.gives_entities and not plain.gives_entities
    assert [(f.origin, f.reason) for f in bad] == [
        (f"{path}#L3", "'orgs' must be a list of names (strings)"),
        (f"{path}#L4", "'places' must be a list of names (strings)"),
    ]


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


def gzip_bomb(inflated_mb: int) -> bytes:
    """A gzip file inflating to ``inflated_mb`` MiB of spaces, tiny on disk: one member of a MiB,
    repeated (readers join gzip members)."""
    return gzip.compress(b" " * (1 << 20), compresslevel=9) * inflated_mb


def peak_allocation(work) -> int:
    """The most memory Python held at once while ``work()`` ran, in bytes (tracemalloc)."""
    import tracemalloc

    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_gzip_bomb_is_too_large_and_inflated_no_further_than_the_cap(tmp_path):
    bomb = tmp_path / "bomb.html.gz"
    bomb.write_bytes(gzip_bomb(64))
    items = []
    peak = peak_allocation(lambda: items.extend(read_documents(bomb, max_bytes=4_000_000)))
    [failure] = items
    assert failure.origin == str(bomb)
    assert failure.reason.startswith("too large (over 4,000,000 bytes once decompressed")
    assert peak < 12_000_000  # the cap and a copy of it, not the 64 MiB it inflates to


def test_a_page_over_the_size_cap_is_too_large_and_one_under_it_is_read(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(b"<p>" + b"x" * 1000 + b"</p>")
    [document] = read_documents(page, max_bytes=1007)
    assert isinstance(document, RawDocument) and len(document.html) == 1007
    [failure] = read_documents(page, max_bytes=1006)
    assert failure.reason.startswith("too large (over 1,006 bytes;")


def test_jsonl_is_read_line_by_line_and_a_line_over_the_cap_is_skipped(tmp_path):
    path = tmp_path / "big.jsonl"
    record = json.dumps({"title": "Ferries", "text": "The ferries ran again. " * 40}) + "\n"
    with path.open("w") as out:
        out.write(json.dumps({"title": "Huge", "text": "x" * 300_000}) + "\n")
        out.write(record * 20_000)  # 19 MB in all
    seen = {}

    def read_through():
        for n, item in enumerate(read_documents(path, max_bytes=100_000)):
            seen.setdefault("first", item)
            seen["second"] = seen.get("second") or (item if n == 1 else None)
            seen["last"], seen["count"] = item, n + 1

    peak = peak_allocation(read_through)
    assert seen["count"] == 20_001
    assert seen["first"].origin == f"{path}#L1"
    assert seen["first"].reason.startswith("too large (over 100,000 bytes")
    assert seen["second"].title == "Ferries" and seen["last"].origin == f"{path}#L20001"
    assert peak < 2_000_000  # a line at a time, not the 19 MB file


def test_a_jsonl_gzip_bomb_of_one_endless_line_is_too_large(tmp_path):
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip_bomb(40) + gzip.compress(b'\n{"title": "After", "text": "The rest is read."}\n'))
    items = []
    peak = peak_allocation(lambda: items.extend(read_documents(bomb, max_bytes=1_000_000)))
    failure, record = items
    assert failure.origin == f"{bomb}#L1" and failure.reason.startswith("too large (over 1,000,000 bytes once")
    assert record.origin == f"{bomb}#L2" and record.title == "After"
    assert peak < 4_000_000


def test_a_truncated_gzipped_page_or_jsonl_file_is_reported_where_it_breaks(tmp_path):
    page = gzip.compress(b"<html><body>" + b"<p>The ferries ran again.</p>" * 500 + b"</body></html>")
    cut_page = tmp_path / "cut.html.gz"
    cut_page.write_bytes(page[: len(page) // 2])
    [failure] = read_documents(cut_page)
    assert failure.origin == str(cut_page) and failure.reason.startswith("truncated")
    lines = gzip.compress("".join(json.dumps({"title": f"T{n}", "text": "x " * 300}) + "\n" for n in range(50)).encode())
    cut_lines = tmp_path / "cut.jsonl.gz"
    cut_lines.write_bytes(lines[: len(lines) - 40])
    *records, failure = read_documents(cut_lines)
    assert all(isinstance(r, RawDocument) for r in records) and len(records) < 50
    assert failure.origin == f"{cut_lines}#L{len(records) + 1}" and failure.reason.startswith("truncated")


def test_a_date_that_is_not_a_string_is_kept_as_written_to_be_reported(tmp_path):
    path = tmp_path / "dates.jsonl"
    path.write_text(json.dumps({"title": "A", "text": "a", "published": 99999}) + "\n"
                    + json.dumps({"title": "B", "text": "b", "date": None}))
    first, second = read_documents(path)
    assert first.published == "99999" and second.published is None


def warc_bytes(tmp_path, pages, gzipped=True) -> bytes:
    path = tmp_path / "whole.warc.gz"
    write_warc(path, [(url, "200 OK", "text/html", body) for url, body in pages])
    return path.read_bytes() if gzipped else gzip.decompress(path.read_bytes())


def member_ends(data: bytes) -> set[int]:
    """The offsets at which the gzip members of a file end."""
    import zlib

    ends, position = set(), 0
    while position < len(data):
        member = zlib.decompressobj(wbits=31)
        member.decompress(data[position:])
        position = len(data) - len(member.unused_data)
        ends.add(position)
    return ends


STORIES = [(f"https://news.example/{n}", f"<html><body><p>Story {n}: {'the ferries ran again ' * 40}</p></body></html>".encode())
           for n in range(3)]


def test_a_warc_file_cut_anywhere_gives_whole_pages_and_names_the_record_where_it_broke(tmp_path):
    whole = warc_bytes(tmp_path, STORIES)
    ends, pages = member_ends(whole), dict(STORIES)
    cut = tmp_path / "cut.warc.gz"
    for length in range(1, len(whole), 3):
        cut.write_bytes(whole[:length])
        items = list(read_documents(cut))
        documents = [i for i in items if isinstance(i, RawDocument)]
        failures = [i for i in items if isinstance(i, IngestFailure)]
        assert all(d.html == pages[d.url] for d in documents), length  # never a shorter page
        if length in ends:
            assert not failures, length
        else:
            [failure] = failures
            assert failure.origin == f"{cut}#record{len(documents) + 1}", length
            assert failure.reason.startswith("truncated"), failure.reason


def test_a_plain_warc_record_shorter_than_its_declared_length_is_a_failure(tmp_path):
    whole = warc_bytes(tmp_path, STORIES, gzipped=False)
    cut = tmp_path / "cut.warc"
    cut.write_bytes(whole[: whole.index(b"Story 1") + 200])
    first, failure = read_documents(cut)
    assert first.html == STORIES[0][1]
    assert failure.origin == f"{cut}#record2"
    assert failure.reason.startswith("truncated: the record ends") and "short of its declared length" in failure.reason


def test_a_warc_record_over_the_size_cap_is_too_large_and_the_next_is_read(tmp_path):
    archive = tmp_path / "big.warc.gz"
    write_warc(archive, [("https://news.example/big", "200 OK", "text/html", b"<p>" + b"x" * 50_000 + b"</p>"),
                         ("https://news.example/small", "200 OK", "text/html", STORIES[0][1])])
    failure, page = read_documents(archive, max_bytes=10_000)
    assert failure.origin == f"{archive}#record1" and failure.reason.startswith("too large (over 10,000 bytes")
    assert page.url == "https://news.example/small" and page.html == STORIES[0][1]


def test_symbolic_link_loops_and_links_to_folders_are_reported_not_followed(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "story.html").write_text("<p>story</p>")
    (tmp_path / "a" / "up").symlink_to("..")  # followed, it would lead round for ever
    (tmp_path / "loop-a.html").symlink_to("loop-b.html")
    (tmp_path / "loop-b.html").symlink_to("loop-a.html")
    (tmp_path / "gone.html").symlink_to("nowhere.html")
    (tmp_path / "notes").symlink_to("notes")  # not an input: no word about it
    found = find_inputs([tmp_path])
    assert found.files == [tmp_path / "a" / "story.html"]
    assert {(f.origin, f.reason) for f in found.failures} == {
        (str(tmp_path / "loop-a.html"), "a symbolic link loop: it leads back to itself"),
        (str(tmp_path / "loop-b.html"), "a symbolic link loop: it leads back to itself"),
        (str(tmp_path / "gone.html"), "a symbolic link to a file that does not exist"),
    }
    [warning] = found.warnings
    assert warning.origin == str(tmp_path / "a" / "up") and "not followed" in warning.message


def run_unprivileged(code: str, cwd) -> str:
    """Runs Python code in a subprocess and returns its output; as an unprivileged user (nobody)
    when the tests run as root, for whom a file's mode forbids nothing."""
    import os
    import subprocess
    import sys

    command = [sys.executable, "-c", code]
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_unreadable_folders_and_files_are_reported_with_the_reason(tmp_path):
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "story.html").write_text("<p>story</p>")
    (folder / "secret.html").write_text("<p>secret</p>")
    (folder / "open.html").write_text("<p>open</p>")
    (folder / "locked").chmod(0)
    (folder / "secret.html").chmod(0)
    tmp_path.chmod(0o755)
    try:
        output = run_unprivileged(
            "import json; from pathlib import Path; from search.ingest.sources import find_inputs, read_documents\n"
            "found = find_inputs([Path('in')])\n"
            "read = [item for path in found.files for item in read_documents(path)]\n"
            "print(json.dumps([[i.origin, getattr(i, 'reason', 'read')] for i in found.failures + read]))",
            cwd=tmp_path)
    finally:
        (folder / "locked").chmod(0o755)
    assert sorted(json.loads(output)) == [
        ["in/locked", "folder not readable (Permission denied)"],
        ["in/open.html", "read"],
        ["in/secret.html", "Permission denied"],
    ]


def test_a_record_with_only_a_title_is_no_article_and_says_its_line(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps({"title": "Only a title", "url": "https://example.org/t"}) + "\n"
                    + json.dumps({"title": "Story", "text": "The harbour reopened."}) + "\n")
    failure, record = read_documents(path)
    assert isinstance(failure, IngestFailure) and failure.origin == f"{path}#L1"
    assert "no article text" in failure.reason and "only a title" in failure.reason
    assert isinstance(record, RawDocument) and record.text == "The harbour reopened."


def test_a_jsonl_file_without_any_text_is_a_list_of_pages_skipped_whole(tmp_path):
    path = tmp_path / "manifest.jsonl"
    path.write_text("".join(json.dumps({"file": f"html/{n}.html.gz", "url": f"https://example.org/{n}",
                                        "title": f"Page {n}"}) + "\n" for n in range(3)))
    [warning] = read_documents(path)
    assert isinstance(warning, IngestWarning) and warning.origin == str(path)
    assert "none of its 3 records" in warning.message and "manifest" in warning.message
