"""Reuters-21578 (from ../shared) loads through the normal JSONL path and every search feature works
on it: facets, attention over time, dates in the query, did you mean, related stories, copies, export."""

import gzip
import json

import pytest

from search.index import SearchIndex
from search.indexing import index_paths
from search.query import SearchRequest
from web import create_app

from conftest import SHARED, settings_for

REUTERS = SHARED / "data" / "reuters21578" / "reuters21578.jsonl.gz"
ARTICLES = 600


@pytest.fixture(scope="module")
def reuters(tmp_path_factory):
    if not REUTERS.exists():
        pytest.skip(f"Reuters-21578 is not here ({REUTERS.relative_to(SHARED.parent)}): ../shared is absent")
    folder = tmp_path_factory.mktemp("reuters")
    subset = folder / "reuters.jsonl"
    with gzip.open(REUTERS, "rt", encoding="utf-8") as lines, subset.open("w", encoding="utf-8") as out:
        written = 0
        for line in lines:
            if (json.loads(line).get("body") or "").strip():
                out.write(line)  # Reuters' own records, as they are
                written += 1
                if written == ARTICLES:
                    break
    report = index_paths([subset], settings_for(folder / "index"))
    assert report.indexed == ARTICLES and not report.failures
    return folder / "index"


@pytest.fixture(scope="module")
def index(reuters):
    return SearchIndex(reuters)


def values(result, facet):
    return {f.value: f.count for f in result.facets[facet]}


def test_the_records_load_with_dates_titles_and_entities(index):
    everything = index.search(SearchRequest(per_page=100))
    assert everything.total == ARTICLES
    assert all(hit.published and hit.published.year == 1987 and hit.title for hit in everything.hits)
    # Reuters' records give their index terms as entities ("usa", "el-salvador"): kept as given
    assert values(everything, "places")["usa"] > 100
    assert values(everything, "people") and values(everything, "orgs")


def test_attention_over_time_and_dates_in_the_query(index):
    coffee = index.search(SearchRequest(q="coffee"))
    assert coffee.total >= 5 and sum(p.count for p in coffee.published) == coffee.total
    assert {p.interval for p in coffee.published} == {"day"}
    first = next(p for p in coffee.published if p.count)
    narrowed = index.search(SearchRequest(q=f"coffee published:{first.start.isoformat()}"))
    assert narrowed.total == first.count


def test_did_you_mean_related_stories_and_copies(index):
    assert index.search(SearchRequest(q="cofee")).suggestion == "coffee"
    story = index.search(SearchRequest(q="coffee quotas")).hits[0]
    related = index.related(story.id)
    assert related and story.id not in {h.id for h in related}
    everything = index.search(SearchRequest())
    assert everything.folded >= 5  # repeated wire items among the first 600
    listed = index.search(SearchRequest(collapse=False))
    assert listed.folded == 0 and listed.total == everything.total


def test_every_result_exports(reuters, index):
    client = create_app({"INDEX_DIR": str(reuters)}).test_client()
    total = index.search(SearchRequest(q="oil")).total
    lines = client.get("/api/search.jsonl?q=oil").get_data(as_text=True).splitlines()
    assert len(lines) == total > 10
