from datetime import date

import pytest

from search.query import InvalidParameter, SearchRequest, parse_params


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
