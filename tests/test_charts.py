"""The charts' geometry: one line per query on shared periods, gaps where a period holds no article,
and every point a link to its query's search narrowed to the period."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from search.comparison import CompareRequest, CompareResult, Series
from search.query import SearchRequest
from search.timeline import DateBucket
from web import charts, create_app


@pytest.fixture(autouse=True)
def request_context(tmp_path):
    with create_app({"INDEX_DIR": str(tmp_path / "index")}).test_request_context():
        yield


def month(m: int, total: int) -> DateBucket:
    return DateBucket(date(2020, m, 1), date(2020, m, 28), total, "month")


def result(*series: tuple[str, list[int]], totals=(10, 0, 20, 5)) -> CompareResult:
    periods = [month(m + 1, total) for m, total in enumerate(totals)]
    made = [Series(q, sum(counts), counts, [c / t if t else None for c, t in zip(counts, totals)])
            for q, counts in series]
    return CompareResult(CompareRequest(tuple(q for q, _ in series), SearchRequest(places=("Minsk",))),
                         sum(totals), periods, made)


def test_a_line_per_query_split_where_a_period_holds_no_article():
    chart = charts.compare_chart(result(("belarus", [5, 0, 10, 5]), ("ukraine", [1, 0, 0, 0])), "share")
    assert [line["query"] for line in chart["lines"]] == ["belarus", "ukraine"]
    belarus = chart["lines"][0]
    assert len(belarus["segments"]) == 2 and len(belarus["points"]) == 3  # February: no article at all
    assert len({(line["colour"], line["dash"], line["shape"]) for line in chart["lines"]}) == 2
    ys = [float(p.split(",")[1]) for segment in belarus["segments"] for p in segment.split()]
    top, zero = chart["ticks"][-1]["y"], chart["ticks"][0]["y"]
    assert ys == [(top + zero) / 2, (top + zero) / 2, top]  # 50%, 50%, then all of April's 5


def test_counts_and_shares_give_their_own_axis():
    data = result(("belarus", [5, 0, 10, 5]))
    assert [t["label"] for t in charts.compare_chart(data, "count")["ticks"]] == ["0", "5", "10"]
    assert [t["label"] for t in charts.compare_chart(data, "share")["ticks"]] == ["0.0%", "50.0%", "100.0%"]


def test_every_point_links_to_its_querys_search_in_its_period():
    chart = charts.compare_chart(result(("belarus", [5, 0, 10, 5])), "count")
    first = chart["lines"][0]["points"][0]
    link = parse_qs(urlsplit(first["url"]).query)
    assert urlsplit(first["url"]).path == "/" and link == {"q": ["belarus"], "from": ["2020-01-01"],
                                                            "to": ["2020-01-28"], "place": ["Minsk"]}
    assert first["title"] == "belarus · 2020-01: 5 articles, 50.0% of all"


def test_nothing_to_draw_without_a_match():
    assert charts.compare_chart(result(("belarus", [0, 0, 0, 0])), "share") is None
    assert charts.compare_chart(CompareResult(CompareRequest(("x",)), 0, [], [Series("x", 0, [], [])]), "share") is None


@pytest.mark.parametrize("share, shown", [(None, ""), (0, "0.0%"), (0.5, "50.0%"), (0.0042, "0.42%"), (0.00042, "0.042%")])
def test_small_shares_keep_the_digits_that_tell_them_apart(share, shown):
    assert charts.percent(share) == shown
