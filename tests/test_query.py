from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.query import (FILTER_PARAMS, MAX_FILTER_VALUES, MAX_QUERY_LENGTH, MAX_VALUE_LENGTH, MAX_VALUES, SORTS,
                          InvalidParameter, SearchError, SearchRequest, parse_params)


def test_parse_params_reads_every_parameter_and_repeated_filters():
    request = parse_params({
        "q": [" belarus "], "from": ["2020-08-01"], "to": ["2020-08-31"],
        "person": ["Yuri Karayev", "Alexander Lukashenko"], "org": ["EU"], "place": ["Minsk"],
        "source": ["Harbour Times"], "sort": ["newest"], "page": ["2"], "per_page": ["5"],
    })
    assert request.q == "belarus"
    assert (request.date_from, request.date_to) == (date(2020, 8, 1), date(2020, 8, 31))
    assert request.people == ("Yuri Karayev", "Alexander Lukashenko")
    assert (request.orgs, request.places, request.sources) == (("EU",), ("Minsk",), ("Harbour Times",))
    assert (request.sort, request.page, request.per_page) == ("newest", 2, 5)


def test_to_params_round_trips():
    request = SearchRequest(q="x", date_from=date(2020, 1, 2), people=("A", "B"), sort="oldest", page=3)
    pairs = request.to_params()
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    assert parse_params(params) == request


@pytest.mark.parametrize("params, parameter", [
    ({"from": ["2020-13-01"]}, "from"),
    ({"to": ["yesterday"]}, "to"),
    ({"from": ["2021-01-01"], "to": ["2020-01-01"]}, "from"),
    ({"sort": ["best"]}, "sort"),
    ({"page": ["0"]}, "page"),
    ({"page": ["two"]}, "page"),
    ({"per_page": ["1000"]}, "per_page"),
])
def test_bad_parameters_name_the_parameter(params, parameter):
    with pytest.raises(InvalidParameter) as caught:
        parse_params(params)
    assert caught.value.parameter == parameter
    assert parameter in caught.value.message


def test_toggled_adds_then_removes_a_value_and_resets_the_page():
    request = SearchRequest(q="x", page=4)
    added = request.toggled("people", "Yuri Karayev")
    assert added.people == ("Yuri Karayev",) and added.page == 1
    assert added.toggled("people", "Yuri Karayev").people == ()


@pytest.mark.parametrize("name", [*FILTER_PARAMS, "q", "sort", "page"])
def test_a_parameter_given_more_than_twenty_times_is_refused_by_name(name):
    value = {"sort": "newest", "page": "2"}.get(name, "Minsk")
    assert MAX_VALUES == 20
    parse_params({name: [value] * 20})
    with pytest.raises(InvalidParameter) as caught:
        parse_params({name: [value] * 21})
    assert caught.value.parameter == name
    assert caught.value.message == f"'{name}' may be given at most 20 times, not 21"


def test_the_filters_together_hold_at_most_twenty_values():
    assert MAX_FILTER_VALUES == 20
    assert len(parse_params({"person": [f"P{n}" for n in range(10)], "org": [f"O{n}" for n in range(10)]}).orgs) == 10
    with pytest.raises(InvalidParameter) as caught:
        parse_params({"person": [f"P{n}" for n in range(10)], "org": [f"O{n}" for n in range(10)], "place": ["Minsk"]})
    assert caught.value.parameter == "place"
    assert caught.value.message == ("At most 20 values of person, org, place, source, author, language can be "
                                    "combined, not 21")
    assert parse_params({"person": ["Minsk"] * 20, "place": ["Minsk"]}).people == ("Minsk",)  # counted once each


def test_a_query_or_value_too_long_is_refused_by_name():
    assert parse_params({"q": ["a" * MAX_QUERY_LENGTH], "person": ["b" * MAX_VALUE_LENGTH]}).people == ("b" * 200,)
    spaced = f"  {'a' * MAX_QUERY_LENGTH}  "
    assert parse_params({"q": [spaced]}).q == "a" * MAX_QUERY_LENGTH  # spaces around it are not counted
    for name, longest in (("q", MAX_QUERY_LENGTH), ("person", MAX_VALUE_LENGTH), ("copies_of", MAX_VALUE_LENGTH),
                          ("page", MAX_VALUE_LENGTH), ("from", MAX_VALUE_LENGTH)):
        with pytest.raises(InvalidParameter) as caught:
            parse_params({name: ["1" * (longest + 1)]})
        assert caught.value.parameter == name
        assert caught.value.message == f"'{name}' may be at most {longest:,} characters long, not {longest + 1:,}"


PARAMETERS = ["q", "from", "to", "mentioned_from", "mentioned_to", *FILTER_PARAMS, "sort", "collapse", "copies_of",
              "page", "per_page"]
TRICKY_VALUES = ["", " ", "2020-08-14", "2020-02-30", "20200814", "2020-W33", "0", "1", "-1", "100", "101", "1000",
                 "1001", "1_0", "+5", "٣", "9" * 5000, "true", "FALSE", "yes", "0", "newest", "fresh", "Relevance",
                 "a" * 201, "a" * 10_001, "\x00", "\ud800", "title:(", '"', "*", "Yuri Karayev"]
any_value = st.one_of(st.text(max_size=40), st.sampled_from(TRICKY_VALUES), st.dates().map(date.isoformat))
any_params = st.dictionaries(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=10)),
                             st.lists(any_value, max_size=MAX_VALUES + 3), max_size=10)


@settings(max_examples=1000, derandomize=True, database=None, deadline=None)
@given(any_params)
def test_any_parameters_give_a_request_that_round_trips_or_an_error_naming_one_of_them(params):
    try:
        request = parse_params(params)
    except InvalidParameter as error:
        assert error.parameter in params and error.message
        return
    pairs: dict[str, list[str]] = {}
    for name, value in request.to_params():
        pairs.setdefault(name, []).append(value)
    assert parse_params(pairs) == request


QUERY_PIECES = ["belarus", "minsk", "strike", '"', "(", ")", "*", "?", "~", "~2", "^2", ":", "[", "]", "{", "}", "-",
                "+",
                "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "title:", "person:", "org:", "place:", "source:", "author:",
                "published:", "mentioned:", "language:", "id:", "Note:", "2020", "2020-08", "2020-08-14", "to", "TO",
                ">", "<=", ">=", "-7d", "-2w", "today", "\\", "/", "'", "%", "&", "é", "日本", "\u200b", "a*", "*e*",
                "m?nsk", '""', "()", "[]", "*:*", "\x00", "published:[2020-08-01 to]", "published:[to 2020-08-31]",
                'person:"yuri karayev"', "title:(belarus OR minsk)"]
any_query = st.one_of(
    st.text(max_size=80),
    st.lists(st.tuples(st.one_of(st.sampled_from(QUERY_PIECES), st.text(max_size=6)), st.sampled_from(["", " ", "  "])),
             max_size=14).map(lambda pieces: "".join(piece + gap for piece, gap in pieces)),
)


@pytest.fixture(scope="module")
def corpus_search(corpus_index):
    from search.index import SearchIndex

    return SearchIndex(corpus_index, time_limit=10)


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(q=any_query, sort=st.sampled_from(SORTS))
def test_any_query_gives_results_or_a_message_about_the_query(corpus_search, q, sort):
    try:
        result = corpus_search.search(SearchRequest(q=q, sort=sort))
    except SearchError as error:
        assert error.parameter == "q" and error.message
        return
    assert 0 <= len(result.hits) <= result.total and result.to_dict()["query"] == q


def test_toggling_a_filter_matches_its_value_in_any_case():
    request = SearchRequest(people=("Alexander Lukashenko",), page=3)
    assert request.toggled("people", "alexander lukashenko") == SearchRequest()
    assert request.toggled("people", "Joe Biden").people == ("Alexander Lukashenko", "Joe Biden")
    assert request.selects("people", "ALEXANDER LUKASHENKO") and not request.selects("places", "Minsk")
