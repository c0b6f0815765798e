"""The product never opens a network connection: sockets are blocked while it ingests and searches."""

import socket

import pytest

from search.indexing import index_paths
from web import create_app

from conftest import CORPUS, SEED_PAGE, settings_for


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise NetworkUsed(f"network access attempted: {args!r}")

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts
    assert attempts == [], "the product tried to reach the network"


def test_guard_really_blocks_connections(no_network):
    with pytest.raises(NetworkUsed):
        socket.create_connection(("127.0.0.1", 9))
    no_network.clear()


@pytest.mark.parametrize("workers", [1, 2])
def test_ingest_and_search_work_with_the_network_blocked(no_network, tmp_path, workers):
    paths = [CORPUS] + ([SEED_PAGE] if SEED_PAGE.exists() else [])
    report = index_paths(paths, settings_for(tmp_path / "index", workers=workers))
    assert report.failures == [] and report.indexed >= 20
    client = create_app({"INDEX_DIR": str(tmp_path / "index")}).test_client()
    data = client.get("/api/search?q=Lukashenko&person=Yuri+Karayev").get_json()
    assert data["total"] >= 2
    assert client.get(f"/articles/{data['results'][0]['id']}").status_code == 200
    assert "Belarus" in client.get("/?q=Belarus").get_data(as_text=True)
