"""The export for OpenSearch and Elasticsearch: a strict mapping and _bulk files, checked against the
bulk format and the mapping itself (no server is run)."""

import json
import re
import shlex
import shutil
import subprocess
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.article import Article
from search.cli import main
from search.export import (
    BOOSTED_FIELDS, NOT_EXPORTED, PROPERTIES, ArticleTooLarge, NothingToExport, check_index_name, export_opensearch,
    index_body,
)
from search.facets import FACETS
from search.index import DamagedIndex, IndexStore, update_index

LEAD = "Harbour workers in Lisbon went on strike on Monday over pay, the union said."


def article(n: int, **values) -> Article:
    defaults = dict(id=f"id{n}", title=f"Story {n}", text=f"{LEAD} Story number {n}.", origin=f"f{n}.html",
                    fingerprint=f"fp{n}", published=date(2020, 1, n), url=f"https://news.example/{n}")
    return Article(**(defaults | values))


ARTICLES = [
    article(1, source="Harbour News", language="en", authors=["Kim Ross"], people=["Ann Lee", "Bo Chan"],
            orgs=["Ferry Union"], places=["Lisbon"], mentioned_dates=[date(2019, 12, 30), date(2020, 1, 2)]),
    article(2, title="Zürich: “quotes”, tabs\tand a line\u2028separator",
            text=f"{LEAD}\nSecond line.\u2028Third."),
    article(3, published=None, url=None, source=None, language=None, origin="records.jsonl#L3"),
    article(4, title="To be replaced"),
]


@pytest.fixture
def index_dir(tmp_path) -> Path:
    """A few articles, one of them replaced (so that the index holds a deleted document)."""
    store = IndexStore(tmp_path / "index")
    update_index(store, ARTICLES)
    update_index(store, [article(4, title="Story 4, corrected", fingerprint="again")])
    return store.root


def bulk_pairs(folder: Path) -> list[tuple[Path, dict, dict]]:
    """Every (file, action, source) in the folder's bulk files, checking the _bulk format as it reads:
    each line a JSON object ending in a newline, action and source lines alternating within each file."""
    pairs = []
    for path in sorted(folder.glob("bulk-*.ndjson")):
        content = path.read_bytes()
        assert content.endswith(b"\n"), path
        lines = content[:-1].split(b"\n")
        assert len(lines) % 2 == 0, f"{path}: an action without its source"
        for action, source in zip(lines[::2], lines[1::2]):
            action, source = json.loads(action), json.loads(source)
            assert list(action) == ["index"] and set(action["index"]) == {"_index", "_id"}, action
            assert isinstance(source, dict), source
            pairs.append((path, action, source))
    return pairs


def check_against_mapping(source: dict, properties: dict) -> None:
    for name, value in source.items():
        assert name in properties, f"{name} is not in the mapping"
        kind = properties[name]["type"]
        values = value if isinstance(value, list) else [value]
        if kind == "text":
            assert isinstance(value, str), (name, value)
        elif kind == "keyword":
            assert all(isinstance(v, str) for v in values), (name, value)
        else:
            assert kind == "date" and properties[name]["format"] == "strict_date"
            for day in values:
                assert isinstance(day, str) and len(day) == 10 and date.fromisoformat(day).isoformat() == day


def test_the_mapping_is_strict_and_maps_every_article_field_but_the_id_and_the_fingerprint():
    mappings = index_body()["mappings"]
    assert mappings["dynamic"] == "strict"
    assert set(mappings["properties"]) | set(NOT_EXPORTED) == {f.name for f in fields(Article)}
    assert not set(mappings["properties"]) & set(NOT_EXPORTED)
    for name in ("title", "text"):
        assert mappings["properties"][name] == {"type": "text", "analyzer": "english"}
    for name in ("published", "mentioned_dates"):
        assert mappings["properties"][name] == {"type": "date", "format": "strict_date"}
    for name in ("people", "orgs", "places", "authors", "source", "language", "origin", "url"):
        assert mappings["properties"][name]["type"] == "keyword"
    assert all(mappings["properties"][facet.field]["type"] == "keyword" for facet in FACETS)  # filters there too
    assert mappings["_meta"]["boosted_fields"] == ["title^2.5", "text"] == list(BOOSTED_FIELDS)


def test_every_live_article_is_exported_once_under_its_id_and_matches_the_mapping(varied_index, tmp_path):
    report = export_opensearch(varied_index, tmp_path / "out")
    mapping = json.loads((tmp_path / "out" / "mapping.json").read_text(encoding="utf-8"))
    assert mapping == index_body()
    pairs = bulk_pairs(tmp_path / "out")
    ids = [action["index"]["_id"] for _, action, _ in pairs]
    assert len(ids) == len(set(ids)) == report.articles == 1000
    assert set(ids) == {f"v{n:05d}" for n in range(1000)}  # the replaced articles' old documents are deleted
    assert {action["index"]["_index"] for _, action, _ in pairs} == {"news"}
    updated = {action["index"]["_id"] for _, action, source in pairs if source["title"].endswith(" updated")}
    assert updated == {f"v{n:05d}" for n in [*range(60), *range(90, 150)]}  # as the fixture replaced them
    for _, _, source in pairs:
        check_against_mapping(source, mapping["mappings"]["properties"])
    assert report.bulk_files == [tmp_path / "out" / "bulk-00001.ndjson"]


def test_an_article_is_exported_as_it_was_indexed_with_missing_values_left_out(index_dir, tmp_path):
    export_opensearch(index_dir, tmp_path / "out", index_name="archive-2020")
    sources = {action["index"]["_id"]: source for _, action, source in bulk_pairs(tmp_path / "out")}
    assert set(sources) == {"id1", "id2", "id3", "id4"}
    assert sources["id1"] == {
        "title": "Story 1", "text": f"{LEAD} Story number 1.", "url": "https://news.example/1",
        "source": "Harbour News", "authors": ["Kim Ross"], "published": "2020-01-01", "language": "en",
        "people": ["Ann Lee", "Bo Chan"], "orgs": ["Ferry Union"], "places": ["Lisbon"],
        "mentioned_dates": ["2019-12-30", "2020-01-02"], "origin": "f1.html"}
    assert sources["id2"]["title"] == ARTICLES[1].title and sources["id2"]["text"] == ARTICLES[1].text
    assert sources["id3"] == {"title": "Story 3", "text": f"{LEAD} Story number 3.", "authors": [], "people": [],
                              "orgs": [], "places": [], "mentioned_dates": [], "origin": "records.jsonl#L3"}
    assert sources["id4"]["title"] == "Story 4, corrected"
    for source in sources.values():
        check_against_mapping(source, PROPERTIES)


def test_files_are_split_before_they_pass_the_limit_and_never_split_an_article(varied_index, tmp_path):
    limit = 20_000
    report = export_opensearch(varied_index, tmp_path / "out", max_file_bytes=limit)
    files = sorted((tmp_path / "out").glob("bulk-*.ndjson"))
    assert files == report.bulk_files and len(files) > 10
    assert [path.name for path in files[:2]] == ["bulk-00001.ndjson", "bulk-00002.ndjson"]
    assert all(path.stat().st_size <= limit for path in files)
    pairs = bulk_pairs(tmp_path / "out")  # each file holds whole action and source pairs
    assert len({action["index"]["_id"] for _, action, _ in pairs}) == len(pairs) == 1000
    for path, following in zip(files, files[1:]):  # a file was closed only when the next article did not fit
        first_pair = b"".join(following.read_bytes().split(b"\n", 2)[:2]) + b"\n\n"
        assert path.stat().st_size + len(first_pair) > limit


def test_an_article_larger_than_a_file_may_be_is_refused_and_nothing_is_written(index_dir, tmp_path):
    with pytest.raises(ArticleTooLarge, match="article id1 takes .* bytes in a bulk file, more than the 200"):
        export_opensearch(index_dir, tmp_path / "out", max_file_bytes=200)
    assert list((tmp_path / "out").iterdir()) == []


def test_a_new_export_replaces_the_earlier_bulk_files_and_leaves_other_files_alone(varied_index, index_dir, tmp_path):
    out = tmp_path / "out"
    earlier = export_opensearch(varied_index, out, max_file_bytes=20_000)
    (out / "notes.txt").write_text("kept")
    report = export_opensearch(index_dir, out)
    assert len(earlier.bulk_files) > 1 and report.bulk_files == [out / "bulk-00001.ndjson"]
    assert sorted(path.name for path in out.iterdir()) == ["bulk-00001.ndjson", "mapping.json", "notes.txt"]
    assert {action["index"]["_id"] for _, action, _ in bulk_pairs(out)} == {"id1", "id2", "id3", "id4"}
    assert (out / "notes.txt").read_text() == "kept"


def test_a_failed_export_leaves_the_earlier_one_as_it_was(index_dir, tmp_path):
    out = tmp_path / "out"
    export_opensearch(index_dir, out)
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    segment = next(IndexStore(index_dir).current().glob("*.seg"))
    segment.write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(DamagedIndex):
        export_opensearch(index_dir, out, index_name="other")
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_an_export_interrupted_half_way_leaves_the_earlier_one_as_it_was(index_dir, tmp_path, monkeypatch):
    out = tmp_path / "out"
    export_opensearch(index_dir, out, max_file_bytes=600)
    before = {path.name: path.read_bytes() for path in out.iterdir()}

    def interrupted(store):
        yield from ARTICLES[:3]
        raise KeyboardInterrupt

    monkeypatch.setattr("search.export.stored_articles", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export_opensearch(index_dir, out, max_file_bytes=600)
    assert len(before) > 3 and {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_what_a_killed_export_left_is_removed_by_the_next(index_dir, tmp_path):
    killed = tmp_path / "out" / ".export-0badc0de"
    killed.mkdir(parents=True)
    (killed / "bulk-00001.ndjson").write_bytes(b'{"index":{"_index":"news","_id":"id1"}}\n')
    export_opensearch(index_dir, tmp_path / "out")
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["bulk-00001.ndjson", "mapping.json"]


def test_there_is_nothing_to_export_without_an_index_or_without_articles(tmp_path):
    with pytest.raises(NothingToExport, match="there is no index in"):
        export_opensearch(tmp_path / "nothing", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    IndexStore(tmp_path / "empty").ensure_current()
    with pytest.raises(NothingToExport, match="holds no article"):
        export_opensearch(tmp_path / "empty", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_output_that_is_a_file_is_refused(index_dir, tmp_path):
    (tmp_path / "out").write_text("a file")
    with pytest.raises(NotADirectoryError):
        export_opensearch(index_dir, tmp_path / "out")
    assert (tmp_path / "out").read_text() == "a file"


@pytest.mark.parametrize("name", ["News", "_news", "-news", ".news", "news 2020", "news,old", "a/b", "a:b", "a#b",
                                  "a$b", "a`b", "a'b", "a&b", "a%20b", "é", ".", "..", "", "a" * 256])
def test_an_index_name_that_a_server_refuses_or_a_shell_would_read_is_refused(name):
    with pytest.raises(ValueError, match="cannot name an index"):
        check_index_name(name)


@pytest.mark.parametrize("name", ["news", "news-2020", "news_archive.v2", "2020", "a" * 255])
def test_an_index_name_of_letters_digits_and_dashes_is_accepted(name):
    check_index_name(name)


def test_the_load_commands_send_the_mapping_and_every_bulk_file_of_a_folder_with_a_space(index_dir, tmp_path):
    out = tmp_path / "my export"
    report = export_opensearch(index_dir, out, max_file_bytes=1000)
    log = tmp_path / "curl.log"
    fake_curl = f'curl() {{ printf "%s|" "$@" >> {shlex.quote(str(log))}; echo >> {shlex.quote(str(log))}; }}'
    script = "\n".join([fake_curl, "OPENSEARCH=http://search.example:9200", *report.load_commands()])
    subprocess.run(["bash", "-c", script], check=True, cwd=tmp_path)
    calls = [line.rstrip("|").split("|") for line in log.read_text().splitlines()]
    assert calls[0] == ["-XPUT", "http://search.example:9200/news", "-H", "Content-Type: application/json",
                        "--data-binary", f"@{out / 'mapping.json'}"]
    assert len(calls) == 1 + len(report.bulk_files) > 2
    for call, path in zip(calls[1:], report.bulk_files):
        assert call == ["-XPOST", "http://search.example:9200/_bulk?filter_path=errors,items.*.error", "-H",
                        "Content-Type: application/x-ndjson", "--data-binary", f"@{path}"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_the_command_names_what_it_wrote_and_how_to_load_it(index_dir, tmp_path):
    out = tmp_path / "out"
    result = run("export", "--format", "opensearch", "--index", index_dir, "--index-name", "archive", out)
    assert result.exit_code == 0, result.output
    assert f"Exported 4 article(s) into {out}: mapping.json and 1 bulk file(s), bulk-00001.ndjson." in result.stdout
    assert (f"curl -XPUT \"$OPENSEARCH/archive\" -H 'Content-Type: application/json' "
            f"--data-binary @{out}/mapping.json") in result.stdout
    assert (f"for f in {out}/bulk-*.ndjson; do curl -XPOST \"$OPENSEARCH/_bulk?filter_path=errors,items.*.error\" "
            "-H 'Content-Type: application/x-ndjson' --data-binary @\"$f\"; done") in result.stdout
    assert "title^2.5" in result.stdout
    assert {action["index"]["_index"] for _, action, _ in bulk_pairs(out)} == {"archive"}


def test_the_command_names_the_first_and_last_of_several_bulk_files(varied_index, tmp_path):
    result = run("export", "--format", "opensearch", "--max-file-bytes", 20_000, "--index", varied_index,
                 tmp_path / "out")
    files = sorted((tmp_path / "out").glob("bulk-*.ndjson"))
    assert result.exit_code == 0 and len(files) > 10 and all(path.stat().st_size <= 20_000 for path in files)
    assert (f"Exported 1000 article(s) into {tmp_path / 'out'}: mapping.json and {len(files)} bulk file(s), "
            f"bulk-00001.ndjson to {files[-1].name}.") in result.stdout


def test_the_command_without_an_index_is_one_line_and_status_2(tmp_path):
    result = run("export", "--format", "opensearch", "--index", tmp_path / "nothing", tmp_path / "out")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [f"Error: there is no index in {tmp_path / 'nothing'}"]


def test_the_command_with_an_article_larger_than_a_file_may_be_is_one_line_and_status_1(index_dir, tmp_path):
    result = run("export", "--format", "opensearch", "--max-file-bytes", 200, "--index", index_dir, tmp_path / "out")
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert re.fullmatch(r"Error: article id1 takes \d+ bytes in a bulk file, more than the 200 a file may hold", line)


def test_the_command_on_a_damaged_index_is_one_line_naming_reindex_and_status_4(index_dir, tmp_path):
    shutil.rmtree(IndexStore(index_dir).current())
    result = run("export", "--format", "opensearch", "--index", index_dir, tmp_path / "out")
    assert result.exit_code == 4
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: the index in {index_dir} is damaged (")
    assert line.endswith(f"rebuild it with 'news-search reindex PATH --index {index_dir}'")


@pytest.mark.parametrize("arguments", [["--format", "csv"], [], ["--format", "opensearch", "--index-name", "News"],
                                       ["--format", "opensearch", "--max-file-bytes", "0"]])
def test_the_command_refuses_bad_usage_with_status_2(index_dir, tmp_path, arguments):
    result = run("export", *arguments, "--index", index_dir, tmp_path / "out")
    assert result.exit_code == 2 and not (tmp_path / "out").exists()


def test_the_command_refuses_an_output_that_is_a_file(index_dir, tmp_path):
    (tmp_path / "out").write_text("a file")
    result = run("export", "--format", "opensearch", "--index", index_dir, tmp_path / "out")
    assert result.exit_code == 2 and "is a file" in result.stderr
    assert (tmp_path / "out").read_text() == "a file"
