"""The news-search command, through click's runner (library behaviour is tested elsewhere)."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import main
from search.index import SearchIndex
from search.query import SearchRequest

from conftest import CORPUS, ROOT, child_processes, free_port, running

GOOD = CORPUS / "2020-08-14-belarus-frees-detained-protesters.html"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_index_exits_0_when_everything_went_in(tmp_path):
    shutil.copy(GOOD, tmp_path / "a.html")
    result = run("index", tmp_path, "--index", tmp_path / "ix")
    assert result.exit_code == 0
    assert "Indexed 1, unchanged 0, failed 0." in result.output
    again = run("index", tmp_path, "--index", tmp_path / "ix")
    assert "Indexed 0, unchanged 1, failed 0." in again.output


def test_index_exits_1_and_lists_failures_with_paths_and_reasons(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GOOD, folder / "a.html")
    (folder / "empty.html").write_bytes(b"")
    (folder / "bad.html").write_bytes(b"<p>\x81\x8d broken</p>")
    result = run("index", folder, "--index", tmp_path / "ix")
    assert result.exit_code == 1
    assert "Indexed 1, unchanged 0, failed 2." in result.output
    assert f"failed: {folder / 'empty.html'}: empty file" in result.output
    assert f"failed: {folder / 'bad.html'}: not valid UTF-8" in result.output


def test_bad_usage_exits_2(tmp_path):
    assert run("index", tmp_path / "does-not-exist").exit_code == 2
    assert run("search", "x", "--from", "not-a-date", "--index", tmp_path).exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_search_prints_results_and_json(tmp_path):
    run("index", GOOD, "--index", tmp_path / "ix")
    text = run("search", "torture", "--index", tmp_path / "ix")
    assert text.exit_code == 0 and "1 result(s)" in text.output and "Belarus begins freeing" in text.output
    assert "pointed to widespread torture" in text.output and "<mark" not in text.output
    data = json.loads(run("search", "torture", "--person", "Yuri Karayev", "--json", "--index", tmp_path / "ix").output)
    assert data["total"] == 1 and data["results"][0]["published"] == "2020-08-14"
    none = json.loads(run("search", "torture", "--from", "2020-09-01", "--json", "--index", tmp_path / "ix").output)
    assert none["total"] == 0
    partial = run("search", "torture zebra", "--index", tmp_path / "ix")
    assert "0 with all words · 1 result(s)" in partial.output and "  Missing: zebra" in partial.output


def test_search_reports_query_syntax_errors_as_usage_errors(tmp_path):
    result = run("search", "title:(", "--index", tmp_path)
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
    assert result.exit_code == 0 and "No .html, .htm, .html.gz or .jsonl files were found" in result.output


def test_search_offers_did_you_mean_and_sorts_fresh(tmp_path):
    run("index", GOOD, "--index", tmp_path / "ix")
    text = run("search", "tortur3", "--index", tmp_path / "ix")
    assert "0 result(s)" in text.output
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
    assert "Indexed 3, unchanged 0, failed 3." in result.output
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
    assert f"Indexed {pages}, unchanged 0, failed 0." in again.stdout
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
        assert line.endswith("rebuild it with 'news-search reindex'")
    served = subprocess.run([sys.executable, "-m", "search", "serve", "--port", str(free_port()), "--index",
                             str(index_dir)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert served.returncode == 4 and served.stdout == ""
    [line] = served.stderr.strip().splitlines()
    assert "is damaged" in line and "news-search reindex" in line
    assert run("reindex", GOOD, "--index", index_dir).exit_code == 0
    assert "1 result(s)" in run("search", "belarus", "--index", index_dir).output


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
    assert "Indexed 1, unchanged 0, failed 0." in result.output
    assert "1 duplicate(s) of an existing URL kept once (the longer text):" in result.output
    assert f"  kept {folder / 'a.html'}, left out {folder / 'b.html'} (https://" in result.output
    assert "Indexed 0, unchanged 1, failed 0." in run("index", folder, "--index", tmp_path / "ix").output
