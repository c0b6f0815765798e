"""How many bytes a search page answers per byte of request, for requests built to make it large:
repeated filter values (the probe that found 2.9 MB for 300 person= values) and a long query.
The anchor is the same request with the cap on repeated values lifted, in the same run.

    python benchmarks/amplification.py

Uses the bundled corpus (indexed into a temporary folder): no evaluation data needed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlencode

import common  # noqa: F401 (puts the project on the path)

import search.query
from search.indexing import index_paths
from search.settings import Settings
from web import create_app

CORPUS = common.ROOT / "corpus"
FILTERS = ("person", "org", "place", "source", "author", "language")


def pasted_paragraph(app, length: int) -> str:
    """The start of the corpus's articles, as someone would paste a passage to find others like it."""
    client = app.test_client()
    ids = [hit["id"] for hit in client.get("/api/search?per_page=100").get_json()["results"]]
    text = " ".join(client.get(f"/api/articles/{i}").get_json()["text"] for i in ids)
    return " ".join(text.split())[:length]


def cases(app) -> dict[str, list[tuple[str, str]]]:
    return {
        "300 person= values (the probe)": [("person", f"Person {n}") for n in range(300)],
        "20 person= values (the cap)": [("person", f"Person {n}") for n in range(20)],
        "20 values in each of 6 filters": [(name, f"{name} {n}") for name in FILTERS for n in range(20)],
        "a matching filter, 20 times": [("place", "Belarus")] * 20,
        "a 3,000-character pasted passage": [("q", pasted_paragraph(app, 3000))],
        "the same passage + 19 more place= values": [("q", pasted_paragraph(app, 3000)), ("place", "Belarus"),
                                                      *[("place", f"Place {n}") for n in range(19)]],
    }


def measure(app, pairs: list[tuple[str, str]]) -> tuple[int, int, int]:
    """(request bytes, response status, response bytes) for the search page."""
    path = "/?" + urlencode(pairs)
    response = app.test_client().get(path)
    return len(f"GET {path} HTTP/1.1".encode()), response.status_code, len(response.get_data())


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        index_dir = Path(folder) / "index"
        index_paths([CORPUS], Settings(index_dir=index_dir, corpus_dir=CORPUS))
        app = create_app({"INDEX_DIR": str(index_dir)})
        print(f"{'request':44} {'request B':>9}  {'status':>6} {'page B':>10} {'ratio':>6}   "
              f"{'uncapped status':>15} {'page B':>10} {'ratio':>6}")
        caps = search.query.MAX_VALUES, search.query.MAX_FILTER_VALUES
        for label, pairs in cases(app).items():
            size, status, page = measure(app, pairs)
            search.query.MAX_VALUES = search.query.MAX_FILTER_VALUES = 10_000  # the anchor: no cap on values
            _, anchor_status, anchor_page = measure(app, pairs)
            search.query.MAX_VALUES, search.query.MAX_FILTER_VALUES = caps
            print(f"{label:44} {size:9,}  {status:6} {page:10,} {page / size:6.0f}   "
                  f"{anchor_status:15} {anchor_page:10,} {anchor_page / size:6.0f}")


if __name__ == "__main__":
    main()
