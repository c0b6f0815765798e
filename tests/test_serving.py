"""The production server (gunicorn, started by ``news-search serve``): while the index is rebuilt, and beside
clients that are slow or silent."""

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Iterator
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


def start_server(index_dir, log_path, *options: str):
    """``news-search serve`` on ``index_dir`` (from the project folder, so an empty index gets corpus/),
    logging to ``log_path``, once it answers: (process, url)."""
    port = free_port()
    log = open(log_path, "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--port", str(port), "--index", str(index_dir), *options],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            fetch(url + "/api/search")
            return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("the server did not start:\n" + log_path.read_text())
            time.sleep(0.3)


def stop_server(process) -> None:
    process.terminate()
    process.wait(20)


@pytest.fixture
def served(tmp_path):
    """``news-search serve --index-corpus`` on a folder without an index, so it indexes corpus/ first."""
    index_dir = tmp_path / "index"
    process, url = start_server(index_dir, tmp_path / "serve.log", "--index-corpus")
    yield url, index_dir
    stop_server(process)


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


@pytest.fixture
def serving(corpus_index_copy, tmp_path):
    """``news-search serve`` on a copy of the corpus index, both workers ready: (url, log)."""
    log = tmp_path / "serve.log"
    process, url = start_server(corpus_index_copy, log)
    assert logged(log, " ready: ", times=2)
    yield url, log
    stop_server(process)


SLOW_CLIENTS = 10
PROMPT = 5.0
"""Seconds a search may take while slow clients are connected (the sync workers used before held it for 60)."""


def connect(url: str, sent: bytes = b"", receive_buffer: int | None = None) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect((host, int(port)))
    if sent:
        sock.sendall(sent)
    return sock


def prompt_search(url: str, query: str = "Lukashenko") -> int:
    """The number of articles a search finds, failing if it takes more than PROMPT seconds."""
    with urllib.request.urlopen(url + "/api/search?" + urlencode({"q": query}), timeout=PROMPT) as response:
        return json.loads(response.read())["total"]


@contextmanager
def held_connections(url: str, sent: bytes, **options) -> Iterator[list[socket.socket]]:
    """SLOW_CLIENTS connections that sent ``sent`` and then nothing more, closed at the end."""
    held = [connect(url, sent, **options) for _ in range(SLOW_CLIENTS)]
    time.sleep(0.5)  # the server has taken them all
    try:
        yield held
    finally:
        for sock in held:
            sock.close()


@pytest.mark.parametrize("sent", [b"GET /api/sea", b""], ids=["half a request line", "nothing"])
def test_searches_answer_promptly_while_ten_connections_are_held_half_open(serving, sent):
    url, _ = serving
    queries = ("Lukashenko", "Fagradalsfjall", "")
    before = [prompt_search(url, query) for query in queries]
    with held_connections(url, sent):
        assert [prompt_search(url, query) for query in queries] == before


def test_clients_reading_an_export_slowly_hold_up_no_search(serving):
    url, _ = serving
    before = prompt_search(url)
    request = b"GET /api/search.csv HTTP/1.1\r\nHost: localhost\r\n\r\n"
    with held_connections(url, request, receive_buffer=4096) as readers:
        assert prompt_search(url) == before
        readers[0].settimeout(PROMPT)
        assert readers[0].recv(64).startswith(b"HTTP/1.1 200")  # answered, only read slowly


def test_half_open_connections_are_dropped_and_the_server_then_answers_as_usual(serving):
    url, log = serving
    before = prompt_search(url)
    with held_connections(url, b"GET /api/sea") as held:
        for sock in held[:5]:  # these clients give up
            sock.close()
        for sock in held[5:]:  # these wait: the server drops them within seconds
            sock.settimeout(15)
            assert sock.recv(1) == b""
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(prompt_search, [url] * 16)) == [before] * 16
    assert "Traceback" not in log.read_text()
    assert log.read_text().count("Booting worker") == 2  # no worker was killed and restarted


def test_a_request_sent_in_pieces_and_requests_sent_together_are_answered_on_one_connection(serving):
    url, _ = serving
    sock = connect(url)
    sock.settimeout(PROMPT)
    for piece in (b"GET /api/se", b"arch?q=Lukashenko HTTP/1.1\r\nHost: localhost\r\n", b"\r\n"):
        sock.sendall(piece)
        time.sleep(0.3)
    first = http.client.HTTPResponse(sock)
    first.begin()
    assert first.status == 200 and json.loads(first.read())["total"] >= 1
    sock.sendall(b"GET /api/search HTTP/1.1\r\nHost: localhost\r\n\r\n"
                 b"GET /help HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    rest = b""
    while chunk := sock.recv(65536):
        rest += chunk
    sock.close()
    assert rest.count(b"HTTP/1.1 200 OK\r\n") == 2


def test_a_worker_says_once_that_the_index_under_it_is_damaged_and_opens_the_rebuilt_one(served, tmp_path):
    url, index_dir = served
    log = tmp_path / "serve.log"
    assert logged(log, " ready: ", times=2)
    shutil.rmtree(index_dir / os.readlink(index_dir / "current"))  # 'current' now points nowhere
    damaged = "is damaged ('current' points to"
    assert logged(log, damaged, times=2)  # each worker says so
    time.sleep(5)  # several turns of looking for a new index
    text = log.read_text()
    assert text.count(damaged) == 2 and "rebuild it with 'news-search reindex PATH --index " in text
    assert "Traceback" not in text
    result = reindex(corpus_pages(tmp_path / "new", 3), index_dir)
    assert result.returncode == 0, result.stderr
    assert logged(log, "switched to the rebuilt index: 3 articles", times=2)
    _, body = fetch(url + "/api/search")
    assert json.loads(body)["total"] == 3
    assert log.read_text().count("Booting worker") == 2  # neither worker was restarted


def answer(url: str, query: str = "") -> tuple:
    """The state of the index a search was answered from, and its counts."""
    _, body = fetch(url + "/api/search?per_page=1" + query)
    data = json.loads(body)
    return data["generation"], data["total"], data["folded"]


def test_after_an_index_run_every_worker_answers_from_its_newest_state_within_seconds(serving, corpus_index_copy,
                                                                                       tmp_path):
    from search.index import SearchIndex
    from search.query import SearchRequest

    url, log = serving
    before = {answer(url) for _ in range(10)}
    assert len(before) == 1
    [(old_state, old_total, _)] = before
    folder = tmp_path / "more"
    folder.mkdir()
    for number, page in enumerate(sorted(CORPUS.glob("*.html"))[:4]):  # copies of four stories, on other sites
        text = page.read_text()
        (folder / f"copy-{number}.html").write_text(re.sub(r"https?://([a-z.-]+)\.example/", r"https://mirror\1.example/", text))
    result = subprocess.run([sys.executable, "-m", "search", "index", str(folder), "--index", str(corpus_index_copy)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    fresh = SearchIndex(corpus_index_copy).search(SearchRequest(per_page=1))
    assert fresh.generation != old_state and fresh.total == old_total + 4 and fresh.folded >= 4
    deadline = time.monotonic() + 10
    while True:  # every worker, within seconds, answers as a process that has just opened the index
        answers = [answer(url) for _ in range(20)]
        if set(answers) == {(fresh.generation, fresh.total, fresh.folded)}:
            break
        assert time.monotonic() < deadline, answers
        time.sleep(0.2)
    listed = []
    for page in range(1, 100):  # the pages of one state of the index list every story once
        _, body = fetch(url + "/api/search?" + urlencode({"per_page": 5, "page": page, "generation": fresh.generation}))
        hits = json.loads(body)["results"]
        if not hits:
            break
        listed += [hit["id"] for hit in hits]
    assert len(listed) == len(set(listed)) == fresh.total - fresh.folded
    try:
        fetch(url + "/api/search?" + urlencode({"page": 2, "generation": old_state}))
        raise AssertionError("a later page of the state before the index run was answered")
    except urllib.error.HTTPError as refused:
        assert refused.code == 409 and "has changed" in json.loads(refused.read())["error"]["message"]


def test_a_query_as_long_as_the_search_takes_reaches_it_through_gunicorn(serving):
    url, _ = serving
    words = ("belarus " * 1200)[:9_990]  # 9,990 characters: above gunicorn's own limit on a request line
    status, body = fetch(url + "/api/search?" + urlencode({"q": words}))
    assert status == 200 and json.loads(body)["total"] >= 1
    request = urllib.request.Request(url + "/?q=belarus", headers={"Referer": url + "/?q=" + "x" * 9_000})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
