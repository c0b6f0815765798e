"""The OpenAPI document at /api/openapi.json, checked against real responses over HTTP."""

import json
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from jsonschema import Draft202012Validator

SEARCHES = ["q=belarus", "q=belarus&sort=newest&per_page=2&page=2", "q=lukashnko", "place=Minsk&author=Ingrid+Solberg",
            "q=published:2020-08", "q=" + quote("why did the police detain protesters in minsk"), "collapse=false",
            "q=nothingmatchesthis"]


def fetch(server, path):
    try:
        with urllib.request.urlopen(server.url + path, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


@pytest.fixture(scope="module")
def document(corpus_server):
    status, body = fetch(corpus_server, "/api/openapi.json")
    assert status == 200
    return json.loads(body)


def check(document, name, value):
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(value), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_the_document_is_openapi_and_describes_every_route(document):
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {"/api/search", "/api/search.csv", "/api/search.jsonl", "/api/articles/{id}",
                                      "/api/articles/{id}/related", "/api/compare", "/api/compare.csv",
                                      "/api/entities/{kind}/{name}", "/api/openapi.json", "/search.atom"}
    names = {p["name"] for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert names >= {"q", "from", "to", "person", "org", "place", "source", "author", "language", "sort",
                     "collapse", "copies_of", "page", "per_page", "mentioned_from", "mentioned_to"}
    Draft202012Validator.check_schema({"components": document["components"]})
    schemas = {p["name"]: p["schema"] for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert schemas["person"]["maxItems"] == 20 and schemas["person"]["items"]["maxLength"] == 200
    assert schemas["q"]["maxLength"] == 10_000


@pytest.mark.parametrize("query", SEARCHES)
def test_search_responses_match_the_document(document, corpus_server, query):
    status, body = fetch(corpus_server, "/api/search?" + query)
    assert status == 200
    check(document, "SearchResult", json.loads(body))


def test_article_related_export_and_error_responses_match_the_document(document, corpus_server):
    _, body = fetch(corpus_server, "/api/search?q=Okrestina")
    article_id = json.loads(body)["results"][0]["id"]
    check(document, "Article", json.loads(fetch(corpus_server, f"/api/articles/{article_id}")[1]))
    check(document, "Related", json.loads(fetch(corpus_server, f"/api/articles/{article_id}/related")[1]))
    for line in fetch(corpus_server, "/api/search.jsonl?q=belarus")[1].splitlines():
        check(document, "ExportedHit", json.loads(line))
    for path, status in (("/api/search?q=title:(", 400), ("/api/search?sort=sideways", 400),
                         ("/api/articles/none", 404), ("/api/articles/none/related", 404)):
        got, body = fetch(corpus_server, path)
        assert got == status
        check(document, "Error", json.loads(body))


@pytest.mark.parametrize("path, schema", [
    ("/api/compare?q=belarus&q=election&q=" + quote('"joe biden"'), "CompareResult"),
    ("/api/compare?q=belarus&from=2020-08-01&to=2020-08-31&place=Minsk", "CompareResult"),
    ("/api/compare?q=nothingmatchesthis", "CompareResult"),
    ("/api/entities/people/alexander%20lukashenko", "EntityProfile"),
    ("/api/entities/places/France?from=2021-01-01", "EntityProfile"),
    ("/api/compare?q=title:(", "Error"), ("/api/compare", "Error"), ("/api/entities/orgs/Nobody%20Inc", "Error"),
])
def test_compare_and_entity_responses_match_the_document(document, corpus_server, path, schema):
    check(document, schema, json.loads(fetch(corpus_server, path)[1]))


def test_the_document_catches_a_response_that_drifts(document):
    with pytest.raises(AssertionError):
        check(document, "SearchResult", {"query": "x", "total": 1})


GENERATED_REQUESTS = {"/api/search": 500, "/api/search.csv": 200, "/api/search.jsonl": 200, "/api/articles/{id}": 100,
                      "/api/articles/{id}/related": 100, "/api/compare": 200, "/api/compare.csv": 50,
                      "/api/entities/{kind}/{name}": 150, "/api/openapi.json": 1, "/search.atom": 100}
"""Requests schemathesis generates from the document per route, most where the parameters are."""
INVALID_REQUESTS = {"/api/search": 200, "/api/search.csv": 50, "/api/search.jsonl": 50, "/api/compare": 100,
                    "/api/entities/{kind}/{name}": 50, "/search.atom": 50}
"""Requests it generates that break the document's rules (a page of 0, 21 values of a filter...)."""


def send_generated(operation, mode, examples: int, base_url: str, session, **checks) -> int:
    """Send ``examples`` requests schemathesis generates for an operation (the same ones on every run),
    checking each response; returns how many were sent."""
    from hypothesis import HealthCheck, Phase, given, settings

    sent = []

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(mode))
    def send(case):
        case.call_and_validate(base_url=base_url, session=session, timeout=30, **checks)
        sent.append(case)

    send()
    return len(sent)


@pytest.fixture
def loopback_only(monkeypatch):
    """Connections to this machine only: what the fuzzer does must never reach the network."""
    import ipaddress
    import socket

    connect = socket.socket.connect

    def checked(sock, address):
        if isinstance(address, tuple) and not ipaddress.ip_address(address[0]).is_loopback:
            raise AssertionError(f"a connection to {address!r} was attempted")
        return connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", checked)


def test_requests_generated_from_the_document_get_no_server_error_and_match_it(corpus_server, loopback_only):
    import requests
    import schemathesis
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error, positive_data_acceptance, response_schema_conformance

    session = requests.Session()
    session.trust_env = False  # never a proxy: every request goes to this machine's test server
    schema = schemathesis.openapi.from_dict(session.get(corpus_server.url + "/api/openapi.json", timeout=30).json())
    valid, invalid = {}, {}
    for result in schema.get_all_operations():
        operation = result.ok()
        # A request the document allows may still be refused with a documented 400 (a query that does not
        # parse, 'from' after 'to'); that response is checked against the Error schema like any other.
        valid[operation.path] = send_generated(operation, GenerationMode.POSITIVE, GENERATED_REQUESTS[operation.path],
                                               corpus_server.url, session, excluded_checks=[positive_data_acceptance])
        if operation.path in INVALID_REQUESTS:
            # Some breaks of the rules cannot be seen in a query string (an array sent as a single value
            # is one value): what counts is that none makes the server fail or answer out of the document.
            invalid[operation.path] = send_generated(
                operation, GenerationMode.NEGATIVE, INVALID_REQUESTS[operation.path], corpus_server.url, session,
                checks=[not_a_server_error, response_schema_conformance])
    assert set(valid) == set(GENERATED_REQUESTS) and set(invalid) == set(INVALID_REQUESTS)
    assert sum(valid.values()) >= 1000, valid
