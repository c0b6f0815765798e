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
                                      "/api/articles/{id}/related", "/api/openapi.json"}
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


def test_the_document_catches_a_response_that_drifts(document):
    with pytest.raises(AssertionError):
        check(document, "SearchResult", {"query": "x", "total": 1})
