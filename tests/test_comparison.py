"""A comparison's parameters: the queries, the shared filters, and what is refused."""

from datetime import date

import pytest

from search.comparison import MAX_COMPARED, CompareRequest, parse_compare_params
from search.query import InvalidParameter, SearchRequest


def test_each_q_is_a_query_and_the_filters_are_shared():
    request = parse_compare_params({"q": ["belarus", " ", "ukraine"], "from": ["2020-08-01"], "person": ["Biden"],
                                    "sort": ["newest"], "page": ["3"], "per_page": ["50"]})
    assert request.queries == ("belarus", "ukraine")
    assert request.shared == SearchRequest(date_from=date(2020, 8, 1), people=("Biden",))
    assert request.search("ukraine") == SearchRequest(q="ukraine", date_from=date(2020, 8, 1), people=("Biden",))


def test_the_parameters_come_back_as_they_were_given():
    request = parse_compare_params({"q": ["a b", "c"], "to": ["2021-01-31"], "place": ["Minsk"]})
    assert request.to_params() == [("q", "a b"), ("q", "c"), ("to", "2021-01-31"), ("place", "Minsk")]
    assert parse_compare_params({k: [v for n, v in request.to_params() if n == k]
                                 for k, _ in request.to_params()}) == request


@pytest.mark.parametrize("params, parameter, message", [
    ({}, "q", "one to 5 queries"),
    ({"q": ["", "  "]}, "q", "one to 5 queries"),
    ({"q": [f"q{i}" for i in range(MAX_COMPARED + 1)]}, "q", "Up to 5 queries"),
    ({"q": ["x"], "from": ["soon"]}, "from", "YYYY-MM-DD"),
    ({"q": ["x" * 10_001]}, "q", "at most 10,000 characters"),
])
def test_what_cannot_be_compared_is_refused_naming_the_parameter(params, parameter, message):
    with pytest.raises(InvalidParameter, match=message) as refused:
        parse_compare_params(params)
    assert refused.value.parameter == parameter


def test_a_request_made_in_code_has_no_filters_by_default():
    assert CompareRequest(("x",)).search("x") == SearchRequest(q="x")
