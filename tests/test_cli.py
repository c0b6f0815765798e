"""The news-search command, through click's runner (library behaviour is tested elsewhere)."""

import json
import os
import pty
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from search.cli import main
from search.index import IndexStore, SearchIndex, update_index
from search.indexing import IndexReport
from search.query import MAX_PAGE, MAX_PER_PAGE, SearchRequest

from conftest import CORPUS, ROOT, child_processes, free_port, running

GOOD = CORPUS / "2020-08-14-belarus-frees-detained-protesters.html"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_index_exits_0_when_everything_went_in(tmp_path):
    shutil.copy(GOOD, tmp_path / "a.html")
    result = run("index", tmp_path, "--index", tmp_path / "ix")
    assert result.exit_code == 0
    assert "Indexed 1, unchanged 0, failed 0 in " in result.output
    again = run("index", tmp_path, "--index", tmp_path / "ix")
    assert "Indexed 0, unchanged 1, failed 0 in " in again.output


def test_index_exits_1_and_lists_failures_with_paths_and_reasons(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GOOD, folder / "a.html")
    (folder / "empty.html").write_bytes(b"")
    (folder / "bad.html").write_bytes(b"<p>\x81\x8d broken</p>")
    result = run("index", folder, "--index", tmp_path / "ix")
    assert result.exit_code == 1
    assert "Indexed 1, unchanged 0, failed 2 in " in result.output
    assert f"failed: {folder / 'empty.html'}: empty file" in result.output
    assert f"failed: {folder / 'bad.html'}: not valid UTF-8" in result.output


def test_bad_usage_exits_2(tmp_path):
    assert run("index", tmp_path / "does-not-exist").exit_code == 2
    assert run("search", "x", "--from", "not-a-date", "--index", tmp_path).exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_search_prints_results_and_json(tmp_path):
    run("index", GOOD, "--index", tmp_path / "ix")
    text = run("search", "torture", "--index", tmp_path / "ix")
    assert text.exit_code == 0 and "1 result · page 1 of 1" in text.output and "Belarus begins freeing" in text.output
    assert "pointed to widespread torture" in text.output and "<mark" not in text.output
    data = json.loads(run("search", "torture", "--person", "Yuri Karayev", "--json", "--index", tmp_path / "ix").output)
    assert data["total"] == 1 and data["results"][0]["published"] == "2020-08-14"
    none = json.loads(run("search", "torture", "--from", "2020-09-01", "--json", "--index", tmp_path / "ix").output)
    assert none["total"] == 0
    partial = run("search", "torture zebra", "--index", tmp_path / "ix")
    assert "0 with all words · 1 result · page 1 of 1" in partial.output and "   Missing: zebra" in partial.output


def test_search_reports_query_syntax_errors_as_usage_errors(corpus_index):
    result = run("search", "title:(", "--index", corpus_index)
    assert result.exit_code == 2 and "never closed" in result.output


def test_reindex_rebuilds_from_the_given_paths(tmp_path):
    run("index", CORPUS, "--index", tmp_path / "ix")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GOOD, folder / "a.html")
    result = run("reindex", folder, "--index", tmp_path / "ix")
    assert result.exit_code == 0 and "Indexed 1" in result.output
    assert '"total": 1' in run("search", "--json", "--index", tmp_path / "ix").output


def test_reindex_with_nothing_readable_keeps_the_old_index(tmp_path):
    run("index", GOOD, "--index", tmp_path / "ix")
    (tmp_path / "empty.html").write_bytes(b"")
    result = run("reindex", tmp_path / "empty.html", "--index", tmp_path / "ix")
    assert result.exit_code == 1 and "previous index is kept" in result.output
    assert '"total": 1' in run("search", "--json", "--index", tmp_path / "ix").output


def test_a_folder_without_inputs_says_so(tmp_path):
    (tmp_path / "notes.txt").write_text("not an article")
    result = run("index", tmp_path, "--index", tmp_path / "ix")
    assert result.exit_code == 0 and "No .html, .htm, .html.gz, .htm.gz, .jsonl, .jsonl.gz, .warc or .warc.gz files were found" in result.output


def test_search_offers_did_you_mean_and_sorts_fresh(tmp_path):
    run("index", GOOD, "--index", tmp_path / "ix")
    text = run("search", "tortur3", "--index", tmp_path / "ix")
    assert "0 results" in text.output
    misspelt = run("search", "torure", "--index", tmp_path / "ix")
    assert "Did you mean: torture" in misspelt.output
    fresh = json.loads(run("search", "torture", "--sort", "fresh", "--all-copies", "--json", "--index", tmp_path / "ix").output)
    assert fresh["total"] == 1 and fresh["results"][0]["score"] > 0


def test_index_reports_hostile_files_with_paths_and_reasons_and_indexes_the_rest(tmp_path):
    import gzip

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GOOD, folder / "a.html")
    (folder / "bomb.html.gz").write_bytes(gzip.compress(b" " * (1 << 20), compresslevel=9) * 24)
    (folder / "wire.jsonl").write_text("\n".join([
        "{not json",
        json.dumps({"title": "Ferry crews strike " * 60_000, "text": "The ferries ran again on Tuesday."}),
        json.dumps({"title": "Ferries", "text": "The ferries ran again on Tuesday.", "published": 99999}),
    ]))
    (folder / "loop.html").symlink_to("loop.html")
    result = run("index", folder, "--index", tmp_path / "ix")
    assert result.exit_code == 1
    assert "Indexed 3, unchanged 0, failed 3 in " in result.output
    for line in [
        f"failed: {folder / 'bomb.html.gz'}: too large (over 20,000,000 bytes once decompressed; "
        "the limit is NEWS_SEARCH_MAX_DOCUMENT_BYTES)",
        f"failed: {folder / 'wire.jsonl'}#L1: not valid JSON",
        f"failed: {folder / 'loop.html'}: a symbolic link loop: it leads back to itself",
        f"warning: {folder / 'wire.jsonl'}#L2: title cut to 300 characters (it had 1,139,999)",
        f"warning: {folder / 'wire.jsonl'}#L3: published '99999' is not a date: indexed without a publication date",
    ]:
        assert line in result.output


def start(log, *args) -> subprocess.Popen:
    """``news-search ARGS`` in a process of its own, its output in the file ``log``."""
    return subprocess.Popen([sys.executable, "-m", "search", *map(str, args)], cwd=ROOT,
                            stdout=log.open("w"), stderr=subprocess.STDOUT)


@pytest.fixture
def workers():
    """Worker processes a test watches; any still running at the end are killed."""
    pids: set[int] = set()
    yield pids
    for pid in pids:
        if running(pid):
            os.kill(pid, signal.SIGKILL)


def pool_of(process: subprocess.Popen, seconds: float = 120) -> set[int]:
    """The run's two extraction workers, once they are up."""
    deadline = time.monotonic() + seconds
    while len(found := child_processes(process.pid)) < 2:
        assert process.poll() is None and time.monotonic() < deadline, "the worker pool never started"
        time.sleep(0.01)
    return found


def still_running(pids: set[int], seconds: float = 5) -> set[int]:
    deadline = time.monotonic() + seconds
    while any(running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return {pid for pid in pids if running(pid)}


def articles_in(index_dir) -> list[str]:
    return [hit.id for hit in SearchIndex(index_dir).export(SearchRequest(collapse=False))]


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_or_stopped_index_run_leaves_no_worker_and_the_next_run_completes(tmp_path, workers, stop):
    log = tmp_path / "run.log"
    indexing = start(log, "index", CORPUS, "--index", tmp_path / "ix")
    workers |= pool_of(indexing)
    indexing.send_signal(stop)  # an out-of-memory kill, or a service stop
    indexing.wait(60)
    assert still_running(workers) == set()
    if stop == signal.SIGTERM:
        assert indexing.returncode == 143
        assert log.read_text().strip() == ("Stopped (SIGTERM): the index is as it was at its last commit; "
                                           "run it again to finish.")
    again = subprocess.run([sys.executable, "-m", "search", "index", str(CORPUS), "--index", str(tmp_path / "ix")],
                           cwd=ROOT, capture_output=True, text=True, timeout=300)
    pages = len(list(CORPUS.glob("*.html")))
    assert again.returncode == 0, again.stderr
    assert f"Indexed {pages}, unchanged 0, failed 0 in " in again.stdout
    ids = articles_in(tmp_path / "ix")
    assert len(ids) == len(set(ids)) == pages


def test_a_killed_reindex_leaves_a_build_that_the_next_run_removes_and_reports(tmp_path, workers):
    run("index", GOOD, "--index", tmp_path / "ix")
    rebuild = start(tmp_path / "run.log", "reindex", CORPUS, "--index", tmp_path / "ix")
    workers |= pool_of(rebuild)
    rebuild.kill()
    rebuild.wait(60)
    [build] = (tmp_path / "ix").glob("building-*")
    result = run("index", GOOD, "--index", tmp_path / "ix")
    assert result.exit_code == 0
    assert f"Removed what an interrupted run had left: {build.name}." in result.output
    assert not build.exists()
    assert len(articles_in(tmp_path / "ix")) == 1  # the index as it was before the rebuild


HOLDER = """
import sys
from search.index import IndexStore
with IndexStore(sys.argv[1]).writing():
    print("writing", flush=True)
    sys.stdin.read()
"""


def test_index_exits_3_while_another_run_is_writing_and_runs_when_it_has_finished(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / "ix")], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "writing\n"
        for command in ("index", "reindex"):
            busy = run(command, GOOD, "--index", tmp_path / "ix")
            assert busy.exit_code == 3
            assert f"another indexing run is writing to {tmp_path / 'ix'}" in busy.output
    finally:
        holder.stdin.close()
        holder.wait(30)
    assert run("index", GOOD, "--index", tmp_path / "ix").exit_code == 0


def test_a_damaged_index_is_one_line_naming_reindex_for_search_index_and_serve(tmp_path):
    index_dir = tmp_path / "ix"
    run("index", GOOD, "--index", index_dir)
    toc = next((index_dir / "current").glob("_MAIN_*.toc"))
    toc.write_bytes(toc.read_bytes()[:40])  # a table of contents cut short
    for command in (["search", "belarus"], ["index", GOOD]):
        result = run(*command, "--index", index_dir)
        assert result.exit_code == 4
        [line] = result.output.strip().splitlines()
        assert line.startswith(f"Error: the index in {index_dir} is damaged (")
        assert line.endswith(f"rebuild it with 'news-search reindex PATH --index {index_dir}'")
    served = subprocess.run([sys.executable, "-m", "search", "serve", "--port", str(free_port()), "--index",
                             str(index_dir)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert served.returncode == 4 and served.stdout == ""
    [line] = served.stderr.strip().splitlines()
    assert "is damaged" in line and "news-search reindex" in line
    assert run("reindex", GOOD, "--index", index_dir).exit_code == 0
    assert "1 result · page 1 of 1" in run("search", "belarus", "--index", index_dir).output


def test_serve_checks_that_the_index_holds_articles_without_opening_it(tmp_path, monkeypatch):
    from whoosh.reading import SegmentReader

    import web.server

    index_dir = tmp_path / "ix"
    run("index", GOOD, "--index", index_dir)
    opened, served = [], []
    real_init = SegmentReader.__init__
    monkeypatch.setattr(SegmentReader, "__init__", lambda self, *a, **k: opened.append(a) or real_init(self, *a, **k))
    monkeypatch.setattr(web.server, "serve", lambda **options: served.append(options))
    result = run("serve", "--index", index_dir)
    assert result.exit_code == 0 and "empty" not in result.output
    assert served and Path(served[0]["index_dir"]) == index_dir and opened == []  # the workers open it, not the master


def test_index_says_which_copy_of_one_url_it_kept(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GOOD, folder / "a.html")
    shutil.copy(GOOD, folder / "b.html")  # the same page saved twice: one canonical URL
    result = run("index", folder, "--index", tmp_path / "ix")
    assert "Indexed 1, unchanged 0, failed 0 in " in result.output
    assert "1 duplicate(s) of an existing URL kept once (the longer text):" in result.output
    assert f"  kept {folder / 'a.html'}, left out {folder / 'b.html'} (https://" in result.output
    assert "Indexed 0, unchanged 1, failed 0 in " in run("index", folder, "--index", tmp_path / "ix").output


@pytest.fixture
def servers(monkeypatch):
    """The options of each server ``serve`` would start; none is started."""
    import web.server

    started: list[dict] = []
    monkeypatch.setattr(web.server, "serve", lambda **options: started.append(options))
    return started


def without_index(tmp_path, kind: str) -> Path:
    """A folder that holds no index: one that does not exist, an empty one, or some other folder."""
    folder = tmp_path / kind
    if kind == "empty":
        folder.mkdir()
    elif kind == "other":
        shutil.copytree(CORPUS, folder)
    return folder


@pytest.mark.parametrize("kind", ["missing", "empty", "other"])
def test_search_on_a_folder_without_an_index_exits_2_naming_the_index_command(tmp_path, kind):
    index_dir = without_index(tmp_path, kind)
    before = sorted(tmp_path.rglob("*"))
    for output in ([], ["--json"]):
        result = run("search", "belarus", *output, "--index", index_dir)
        assert result.exit_code == 2
        assert result.output == (f"Error: there is no index in {index_dir}: build one with "
                                 f"'news-search index PATH --index {shlex.quote(str(index_dir))}'\n")
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("kind", ["missing", "empty", "other"])
def test_serve_on_a_folder_without_an_index_exits_2_and_makes_none(tmp_path, kind, servers):
    index_dir = without_index(tmp_path, kind)
    before = sorted(tmp_path.rglob("*"))
    result = run("serve", "--index", index_dir)
    assert result.exit_code == 2 and servers == []
    [line] = result.output.splitlines()
    assert line.startswith(f"Error: there is no index in {index_dir}: ")
    assert f"'news-search index PATH --index {index_dir}'" in line and "--index-corpus" in line
    assert sorted(tmp_path.rglob("*")) == before


def test_serve_indexes_the_corpus_into_the_default_folder_or_when_asked(tmp_path, monkeypatch, servers):
    corpus = tmp_path / "pages"
    corpus.mkdir()
    shutil.copy(GOOD, corpus / "a.html")
    monkeypatch.setenv("NEWS_SEARCH_CORPUS_DIR", str(corpus))
    monkeypatch.delenv("NEWS_SEARCH_INDEX_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    default, elsewhere = (tmp_path / "index").resolve(), (tmp_path / "elsewhere").resolve()
    for options, folder in (([], default), (["--index", "./index/"], default),
                            (["--index", "elsewhere", "--index-corpus"], elsewhere)):
        shutil.rmtree(default, ignore_errors=True)
        result = run("serve", *options)
        assert result.exit_code == 0
        assert "Indexed 1, unchanged 0, failed 0 in " in result.output and f" into {folder}." in result.output
        assert Path(servers[-1]["index_dir"]).resolve() == folder
    assert "Indexed" not in run("serve", "--index", "elsewhere", "--index-corpus").output  # it holds articles now
    assert len(servers) == 4


def test_serve_on_an_empty_index_elsewhere_serves_it_and_says_how_to_fill_it(tmp_path, servers):
    update_index(IndexStore(tmp_path / "ix"), [])
    result = run("serve", "--index", tmp_path / "ix")
    assert result.exit_code == 0 and len(servers) == 1 and "Indexed" not in result.output
    assert f"holds no articles yet: add some with 'news-search index PATH --index {tmp_path / 'ix'}'" in result.output


def test_a_result_shows_only_the_details_it_has(tmp_path):
    records = [
        {"title": "Harbour cranes idle", "published": "2019-05-08",
         "text": "The harbour cranes stood idle on Wednesday as dockers walked out over pay."},
        {"title": "Harbour cranes move again", "source": "Harbour Times", "authors": ["Ann Lee"],
         "text": "The harbour cranes moved again on Friday after the dockers accepted an offer."},
    ]
    (tmp_path / "wire.jsonl").write_text("".join(json.dumps(record) + "\n" for record in records))
    run("index", tmp_path / "wire.jsonl", "--index", tmp_path / "ix")
    output = run("search", "cranes", "--index", tmp_path / "ix").output
    assert "\n   2019-05-08\n" in output and "· 2019-05-08" not in output
    assert "\n   Harbour Times · Ann Lee\n" in output and "undated" not in output


def test_page_and_per_page_are_whole_numbers_within_the_apis_bounds(corpus_index):
    help_text = run("search", "--help").output
    assert re.search(r"--page INTEGER RANGE .*1<=x<=1000", help_text)
    assert re.search(r"--per-page INTEGER RANGE .*1<=x<=100\]", help_text)
    for option, value in (("--page", 0), ("--page", MAX_PAGE + 1), ("--per-page", 0),
                          ("--per-page", MAX_PER_PAGE + 1), ("--page", "two")):
        result = run("search", "belarus", option, value, "--index", corpus_index)
        assert result.exit_code == 2 and f"Invalid value for '{option}'" in result.output
    assert json.loads(run("search", "--per-page", MAX_PER_PAGE, "--json", "--index", corpus_index).output)["per_page"] == 100


def test_search_stops_at_the_search_time_limit_setting_and_says_so(corpus_index, monkeypatch):
    from search.index import executor

    matching = executor.find

    def slow_matching(*args, **kwargs):
        found = matching(*args, **kwargs)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(executor, "find", slow_matching)
    assert run("search", "belarus", "--index", corpus_index).exit_code == 0  # within the default 10 s
    monkeypatch.setenv("NEWS_SEARCH_SEARCH_TIME_LIMIT", "0.25")
    result = run("search", "belarus", "--index", corpus_index)
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert line.startswith("Error: This query took too long and was stopped")
    assert line.endswith("The limit is 0.25 s (NEWS_SEARCH_SEARCH_TIME_LIMIT).")


def test_search_output_is_plain_off_a_terminal_and_styled_when_asked(corpus_index, monkeypatch):
    args = ["search", "Lukashenko", "--index", str(corpus_index)]
    plain = CliRunner().invoke(main, args)
    assert plain.exit_code == 0 and "\x1b[" not in plain.output
    assert "<mark" not in plain.output and "&#" not in plain.output and "&amp;" not in plain.output
    assert "who challenged Alexander Lukashenko in Sunday's presidential election" in plain.output
    assert max(map(len, plain.output.splitlines())) > 100  # not wrapped: the output is not a terminal
    styled = CliRunner().invoke(main, args, color=True)
    assert click.style("Lukashenko", bold=True) in styled.output  # the matched word
    assert click.unstyle(styled.output) == plain.output
    monkeypatch.setenv("NO_COLOR", "1")
    assert CliRunner().invoke(main, args, color=True).output == plain.output


def test_results_are_numbered_with_their_details_aligned_under_the_title(corpus_index):
    output = run("search", "--index", corpus_index).output
    header, blank, *lines = output.splitlines()
    assert re.fullmatch(r"\d+ results · page 1 of \d+", header) and blank == ""
    results = "\n".join(lines).split("\n\n")
    assert [result[:4] for result in results] == [f"{rank:>2}. " for rank in range(1, 11)]
    for result in results:
        title, *details = result.splitlines()
        assert details and all(line.startswith("    ") and line[4] != " " for line in details)
    last = run("search", "--page", 3, "--index", corpus_index).output
    assert re.search(r"^21\. ", last, re.MULTILINE)


def test_on_a_terminal_results_are_styled_and_wrapped_to_its_width(corpus_index):
    leader, follower = pty.openpty()
    environment = {**os.environ, "COLUMNS": "60"}
    environment.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "search", "search", "Lukashenko", "--index", str(corpus_index)],
                               cwd=ROOT, stdout=follower, stderr=subprocess.PIPE, env=environment)
    os.close(follower)
    received = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        received += chunk
    os.close(leader)
    assert process.wait(60) == 0, process.stderr.read()
    text = received.decode()
    assert "\x1b[1mLukashenko\x1b[0m" in text
    lines = [click.unstyle(line) for line in text.splitlines()]
    assert max(len(line) for line in lines if "://" not in line) <= 60
    assert "who challenged Alexander Lukashenko in Sunday's presidential" in " ".join(line.strip() for line in lines)


def test_json_output_is_the_apis_json(corpus_index):
    output = run("search", "belarus", "--per-page", 3, "--json", "--index", corpus_index).output
    expected = SearchIndex(corpus_index).search(SearchRequest(q="belarus", per_page=3)).to_dict()
    assert output == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"


def test_index_says_how_long_it_took_how_fast_and_where_the_index_is(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("index", GOOD, "--index", "ix")
    where = re.escape(str((tmp_path / "ix").resolve()))
    assert re.fullmatch(rf"Indexed 1, unchanged 0, failed 0 in \d+\.\d s \(\d+\.\d articles/s\) into {where}\.\n",
                        result.output)
    again = run("index", GOOD, "--index", "ix")
    assert re.fullmatch(rf"Indexed 0, unchanged 1, failed 0 in \d+\.\d s into {where}\.\n", again.output)


def test_a_long_run_is_summed_up_in_minutes_with_thousands_separated(tmp_path, monkeypatch):
    import search.cli

    monkeypatch.setattr(search.cli, "index_paths",
                        lambda *args, **kwargs: IndexReport(inputs=1017, indexed=1017, seconds=72.2))
    result = run("index", tmp_path, "--index", tmp_path / "ix")
    assert result.output == (f"Indexed 1,017, unchanged 0, failed 0 in 1 min 12 s (14.1 articles/s) "
                             f"into {(tmp_path / 'ix').resolve()}.\n")


def test_reindex_says_what_it_switched_from_and_to(tmp_path):
    index_dir = tmp_path / "ix"
    first = run("reindex", GOOD, "--index", index_dir)
    built = os.readlink(index_dir / "current")
    assert f"\nSwitched from no index to {built} (1 article).\n" in first.output
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GOOD, folder / "a.html")
    shutil.copy(CORPUS / "2021-03-20-iceland-fagradalsfjall-eruption.html", folder / "b.html")
    second = run("reindex", folder, "--index", index_dir)
    assert second.output.startswith("Indexed 2, unchanged 0, failed 0 in ")
    assert f"\nSwitched from {built} (1 article) to {os.readlink(index_dir / 'current')} (2 articles).\n" in second.output
    assert "Switched" not in run("index", GOOD, "--index", index_dir).output


def test_serve_takes_the_folder_set_by_the_environment_as_the_default(tmp_path, monkeypatch, servers):
    corpus = tmp_path / "pages"
    corpus.mkdir()
    shutil.copy(GOOD, corpus / "a.html")
    monkeypatch.setenv("NEWS_SEARCH_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("NEWS_SEARCH_INDEX_DIR", str(tmp_path / "configured"))
    result = run("serve")
    assert result.exit_code == 0 and f" into {(tmp_path / 'configured').resolve()}." in result.output


@pytest.mark.parametrize("value, message", [("abc", "must be a number, not 'abc'"), ("0", "must be more than 0"),
                                            ("-1", "must be more than 0")])
def test_a_setting_the_environment_gives_badly_is_one_line_and_status_2(tmp_path, monkeypatch, value, message):
    monkeypatch.setenv("NEWS_SEARCH_SEARCH_TIME_LIMIT", value)
    result = run("search", "belarus", "--index", tmp_path / "ix")
    assert result.exit_code == 2
    assert result.output == f"Error: NEWS_SEARCH_SEARCH_TIME_LIMIT {message}" + (
        "" if message.endswith("'") else f", not {value!r}") + "\n"


def test_an_index_that_holds_no_article_is_searched_not_called_damaged(tmp_path):
    (tmp_path / "nothing").mkdir()
    indexed = run("index", tmp_path / "nothing", "--index", tmp_path / "ix")
    assert ".jsonl.gz, .warc or .warc.gz files were found there" in indexed.output
    result = run("search", "belarus", "--index", tmp_path / "ix")
    assert result.exit_code == 0 and result.output == "0 results\n"


def test_a_page_past_the_last_says_where_the_results_end(tmp_path):
    run("index", GOOD, "--index", tmp_path / "ix")
    result = run("search", "belarus", "--page", 3, "--index", tmp_path / "ix")
    assert result.exit_code == 0 and "past the last one: the results end on page 1 (--page 1)" in result.output


def test_a_bad_value_is_named_as_the_command_line_names_it(corpus_index):
    bad_date = run("search", "x", "--from", "soon", "--index", corpus_index)
    assert bad_date.exit_code == 2 and "Invalid value for --from: 'from' must be a date" in bad_date.output
    bad_query = run("search", "title:(", "--index", corpus_index)
    assert bad_query.exit_code == 2 and "Invalid value for QUERY: The '(' at position 7" in bad_query.output
