"""The production server (gunicorn, started by ``news-search serve``) while the index is rebuilt."""

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from urllib.parse import urlencode

import pytest

from conftest import CORPUS, ROOT, free_port


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode()


def corpus_pages(folder, count: int):
    """A folder holding the first ``count`` pages of the bundled corpus."""
    folder.mkdir()
    for page in sorted(CORPUS.glob("*.html"))[:count]:
        shutil.copy(page, folder / page.name)
    return folder


def reindex(folder, index_dir) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search", "reindex", str(folder), "--index", str(index_dir)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def logged(log, text: str, times: int = 1, seconds: float = 30) -> bool:
    """Whether ``text`` appears ``times`` times in the server's log within ``seconds``."""
    deadline = time.monotonic() + seconds
    while log.read_text().count(text) < times and time.monotonic() < deadline:
        time.sleep(0.2)
    return log.read_text().count(text) == times


@pytest.fixture
def served(tmp_path):
    """``news-search serve`` on an empty index, from the project folder (so it indexes corpus/)."""
    port = free_port()
    index_dir = tmp_path / "index"
    log = open(tmp_path / "serve.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--port", str(port), "--index", str(index_dir)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            fetch(url + "/api/search")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("the server did not start:\n" + (tmp_path / "serve.log").read_text())
            time.sleep(0.3)
    yield url, index_dir
    process.terminate()
    process.wait(20)
    log.close()


def test_serve_indexes_the_corpus_when_empty_and_shows_the_belarus_story(served, tmp_path):
    url, _ = served
    assert logged(tmp_path / "serve.log", " ready: ", times=2)  # both workers
    assert re.search(r"Worker \d+ ready: \d+ articles indexed", (tmp_path / "serve.log").read_text())
    status, html = fetch(url + "/?q=Lukashenko")
    assert status == 200
    assert "Belarus begins freeing detained protesters" in html
    assert '<time datetime="2020-08-14">14 August 2020</time>' in html
    assert 'data-facet="people"' in html and "Alexander Lukashenko" in html


def test_reindex_during_searches_fails_no_request_and_serves_new_content_after_the_switch(served, tmp_path):
    url, index_dir = served
    folder = corpus_pages(tmp_path / "new", 12)
    original = CORPUS / "2021-03-20-iceland-fagradalsfjall-eruption.html"
    (folder / "extra.html").write_text(
        original.read_text().replace("Fagradalsfjall", "Sundhnukur").replace("/news/iceland", "/news/sundhnukur"))

    failures, answers, stop = [], [], threading.Event()

    def search_loop():
        query = url + "/api/search?" + urlencode({"q": "Sundhnukur OR volcano"})
        while not stop.is_set():
            try:
                status, body = fetch(query)
                answers.append(json.loads(body)["total"])
                if status != 200:
                    failures.append(status)
            except Exception as error:  # any failed request is what this test looks for
                failures.append(repr(error))

    threads = [threading.Thread(target=search_loop) for _ in range(2)]
    for thread in threads:
        thread.start()
    result = reindex(folder, index_dir)
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(30)

    assert result.returncode == 0, result.stderr
    assert failures == []
    assert len(answers) > 10
    assert answers[0] == 1 and answers[-1] == 2  # the old index until the switch, the new one after
    _, body = fetch(url + "/api/search?q=Sundhnukur")
    assert json.loads(body)["total"] == 1


def test_each_worker_opens_a_rebuilt_index_before_anyone_searches(served, tmp_path):
    url, index_dir = served
    result = reindex(corpus_pages(tmp_path / "new", 3), index_dir)
    assert result.returncode == 0, result.stderr
    # no search is made: both workers switch on their own
    assert logged(tmp_path / "serve.log", "switched to the rebuilt index: 3 articles", times=2)
    _, body = fetch(url + "/api/search")
    assert json.loads(body)["total"] == 3


def test_a_worker_says_once_that_the_index_under_it_is_damaged_and_opens_the_rebuilt_one(served, tmp_path):
    url, index_dir = served
    log = tmp_path / "serve.log"
    assert logged(log, " ready: ", times=2)
    shutil.rmtree(index_dir / os.readlink(index_dir / "current"))  # 'current' now points nowhere
    damaged = "is damaged ('current' points to"
    assert logged(log, damaged, times=2)  # each worker says so
    time.sleep(5)  # several turns of looking for a new index
    text = log.read_text()
    assert text.count(damaged) == 2 and "rebuild it with 'news-search reindex'" in text
    assert "Traceback" not in text
    result = reindex(corpus_pages(tmp_path / "new", 3), index_dir)
    assert result.returncode == 0, result.stderr
    assert logged(log, "switched to the rebuilt index: 3 articles", times=2)
    _, body = fetch(url + "/api/search")
    assert json.loads(body)["total"] == 3
    assert log.read_text().count("Booting worker") == 2  # neither worker was restarted
