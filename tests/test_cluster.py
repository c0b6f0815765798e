"""Extraction on a real Dask cluster on loopback: a LocalCluster of 2 worker processes, and a
scheduler and a worker started as separate processes, as on a real cluster."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import dask
import pytest
from click.testing import CliRunner
from distributed import Client, LocalCluster

import cluster_work
from search.article import Article
from search.cli import main
from search.index import IndexStore
from search.indexing import index_paths
from search.ingest import ClusterUnavailable, IngestFailure, RawDocument, cluster, extract_all
from search.ingest.cluster import DIED

from conftest import CORPUS, ROOT, settings_for

TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def local_cluster():
    """Two worker processes of one thread each; a task on two workers that died fails (as the
    README tells a cluster's scheduler to be started)."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as running:
            yield running


@pytest.fixture
def client(local_cluster):
    with Client(local_cluster) as connected:
        yield connected


def _records(count: int) -> list[RawDocument]:
    """Records that give their entities (the model is not run: each takes milliseconds)."""
    return [RawDocument(f"r{n}", f"f{n}", title=f"Ferry {n}", people=(),
                        text=f"Ferry {n} ran to the islands again after the storm.") for n in range(count)]


def _stored(index_dir: Path) -> dict[str, dict]:
    """Every article the index holds, by id: its stored fields and its copy key."""
    index = IndexStore(index_dir).open()
    with index.searcher() as searcher:
        reader = searcher.reader()
        keys = reader.column_reader("copies")
        return {fields["id"]: {**fields, "copies": keys[number]}
                for number, fields in reader.iter_docs()}


def test_the_corpus_indexed_on_the_cluster_is_the_corpus_indexed_here(tmp_path, local_cluster, corpus_index):
    settings = settings_for(tmp_path / "index", scheduler=local_cluster.scheduler_address)
    report = index_paths([CORPUS], settings)
    assert not report.failures and report.indexed >= 20
    here, there = _stored(corpus_index), _stored(tmp_path / "index")
    assert there.keys() == here.keys()
    for id_, fields in here.items():
        assert there[id_] == fields  # text, dates, entities, copy keys, origin, fingerprint
    assert any(fields["people"] for fields in here.values())  # the model ran on the workers


def test_the_entity_model_is_loaded_once_in_each_worker(client, local_cluster, tmp_path):
    settings = settings_for(tmp_path / "index", scheduler=local_cluster.scheduler_address)
    pages = sorted(CORPUS.glob("*.html"))
    docs = [RawDocument(str(p), str(n), html=p.read_bytes()) for n, p in enumerate(pages)]
    for _ in range(2):
        assert all(isinstance(r, Article) for r in extract_all(iter(docs), settings))
    loads = client.run(cluster_work.models_loaded)
    assert len(loads) == 2 and set(loads.values()) == {1}


def test_a_worker_killed_mid_run_loses_nothing(client, local_cluster, tmp_path):
    settings = settings_for(tmp_path, scheduler=local_cluster.scheduler_address)
    docs = _records(40)  # batches of 16, 16 and 8: each worker has one on the go at any time
    results, killed = [], None
    for result in extract_all(iter(docs), settings, finish=cluster_work.slowly):
        results.append(result)
        if killed is None:
            busy = [worker for worker, tasks in client.processing().items() if tasks]
            assert busy, "no worker was working when one was to be killed"
            killed = client.run(cluster_work.pid, workers=[busy[0]])[busy[0]]
            os.kill(killed, signal.SIGKILL)
    assert [r.origin for r in results] == [d.origin for d in docs]
    assert all(isinstance(r, Article) for r in results)
    client.wait_for_workers(2, timeout=60)
    assert killed not in client.run(cluster_work.pid).values()  # it was killed, and replaced


def test_a_document_that_kills_workers_is_reported_once_and_the_rest_go_on(client, local_cluster, tmp_path):
    settings = settings_for(tmp_path, scheduler=local_cluster.scheduler_address)
    docs = _records(30)
    docs[5] = RawDocument("poison", "p", title="Poison", people=(), text="A record that ends its worker.")
    results = list(extract_all(iter(docs), settings, finish=cluster_work.dying_on_poison))
    assert [r.origin for r in results] == [d.origin for d in docs]
    failures = [r for r in results if isinstance(r, IngestFailure)]
    assert failures == [IngestFailure("poison", DIED)]
    client.wait_for_workers(2, timeout=60)


def test_an_unreachable_scheduler_is_one_line_and_status_2(tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1.0)
    result = CliRunner().invoke(main, ["index", str(CORPUS), "--index", str(tmp_path / "index"),
                                       "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert result.output.startswith("Error: cannot reach the scheduler at tcp://127.0.0.1:9")
    assert not (tmp_path / "index").exists() or IndexStore(tmp_path / "index").article_count() == 0


def test_a_url_is_refused_as_an_input_with_its_reason(tmp_path):
    result = CliRunner().invoke(main, ["index", "s3://bucket/news", "--index", str(tmp_path / "index")])
    assert result.exit_code == 2 and "a URL is not read" in result.output


def test_without_a_scheduler_dask_is_never_imported(tmp_path):
    script = ("import sys\nfrom search.cli import main\n"
              "try:\n    main(sys.argv[1:])\nexcept SystemExit as end:\n"
              "    print('dask' in sys.modules, 'distributed' in sys.modules, end.code)\n")
    page = tmp_path / "in" / "a.html"
    page.parent.mkdir()
    page.write_bytes((CORPUS / "2020-08-14-belarus-frees-detained-protesters.html").read_bytes())
    env = {**os.environ, "NEWS_SEARCH_SCHEDULER": ""}
    done = subprocess.run([sys.executable, "-c", script, "index", str(page.parent), "--index", str(tmp_path / "ix")],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert done.stdout.strip().splitlines()[-1] == "False False 0", done.stderr


def _started(command: list[str], log: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "dask", *command], stdout=log.open("w"),
                            stderr=subprocess.STDOUT, env=env, start_new_session=True)


@pytest.fixture
def scheduler_and_worker(tmp_path):
    """``dask scheduler`` and ``dask worker`` started as processes, as on a real cluster; the
    scheduler's address."""
    address_file = tmp_path / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS), os.environ.get("PYTHONPATH", "")])}
    processes = [_started(["scheduler", "--port", "0", "--no-dashboard", "--scheduler-file", str(address_file)],
                          tmp_path / "scheduler.log", env)]
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(address_file.read_text())["address"]
        processes.append(_started(["worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
                                  tmp_path / "worker.log", env))
        yield address
    finally:
        for process in reversed(processes):
            _signal(process, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                _signal(process, signal.SIGKILL)


def _signal(process: subprocess.Popen, number: int) -> None:
    try:
        os.killpg(process.pid, number)
    except ProcessLookupError:  # already ended (a test stopped it)
        pass


def test_the_command_indexes_on_a_scheduler_and_worker_started_as_processes(tmp_path, scheduler_and_worker,
                                                                            corpus_index):
    result = CliRunner().invoke(main, ["index", str(CORPUS), "--index", str(tmp_path / "index")],
                                env={"NEWS_SEARCH_SCHEDULER": scheduler_and_worker})
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Indexed 22, unchanged 0, failed 0 in ")
    assert _stored(tmp_path / "index") == _stored(corpus_index)


def test_a_cluster_lost_mid_run_keeps_the_last_commit_and_says_so(tmp_path, scheduler_and_worker, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 2.0)
    scheduler_file = tmp_path / "scheduler.json"
    assert json.loads(scheduler_file.read_text())["address"] == scheduler_and_worker
    docs = _records(200)

    def stopping_the_scheduler():
        for n, doc in enumerate(docs):
            if n == 100:
                subprocess.run(["pkill", "-f", str(scheduler_file)], check=False)
            yield doc

    with pytest.raises(ClusterUnavailable, match="lost the scheduler|cannot reach"):
        for _ in extract_all(stopping_the_scheduler(), settings_for(tmp_path, scheduler=scheduler_and_worker),
                             finish=cluster_work.slowly):
            pass


def _tasks_on(client: Client) -> int:
    return client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))


def test_ctrl_c_cancels_the_runs_work_on_the_cluster(tmp_path, local_cluster, client):
    records = tmp_path / "in" / "wire.jsonl"
    records.parent.mkdir()
    text = (CORPUS / "2020-08-14-belarus-frees-detained-protesters.html").read_text()
    records.write_text("".join(json.dumps({"url": f"https://example.org/{n}", "html": f"{text}<!-- {n} -->"}) + "\n"
                               for n in range(600)))
    assert _tasks_on(client) == 0
    run = subprocess.Popen([sys.executable, "-m", "search", "index", str(records.parent), "--index", str(tmp_path / "ix"),
                            "--scheduler", local_cluster.scheduler_address],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while _tasks_on(client) < 4 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert run.poll() is None, run.communicate()
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    assert "Interrupted: the index is as it was at its last commit" in err
    deadline = time.monotonic() + 30
    while _tasks_on(client) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _tasks_on(client) == 0  # nothing of the run left queued or running on the cluster


def test_documents_are_sent_as_the_cluster_needs_them_not_all_at_once(local_cluster, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "AHEAD_DOCUMENTS", 256)
    read = []

    def documents():
        for doc in _records(2000):
            read.append(doc.origin)
            yield doc

    results = extract_all(documents(), settings_for(tmp_path, scheduler=local_cluster.scheduler_address))
    first = next(results)
    assert first.origin == "r0" and len(read) <= 256 + cluster.BATCH_SIZE
    assert len(list(results)) == 1999 and len(read) == 2000


def test_workers_of_another_version_are_refused(local_cluster, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "version", lambda package: "0.0.1")  # this machine's; the workers run their own
    with pytest.raises(ClusterUnavailable, match=r"the workers must run news-search 0\.0\.1"):
        list(extract_all(iter(_records(3)), settings_for(tmp_path, scheduler=local_cluster.scheduler_address)))
