"""An entity page's parameters: the kind, the name and the search filters it is seen through."""

from datetime import date

import pytest

from search.profiles import EntityRequest, parse_entity_params
from search.query import InvalidParameter, SearchRequest


def test_the_entity_joins_the_filters_once_whatever_its_case():
    request = parse_entity_params("people", " Joe Biden ", {"from": ["2021-01-01"], "page": ["4"]})
    assert request == EntityRequest("people", "Joe Biden", SearchRequest(date_from=date(2021, 1, 1)))
    assert request.search() == SearchRequest(date_from=date(2021, 1, 1), people=("Joe Biden",))
    already = EntityRequest("people", "joe biden", SearchRequest(people=("Joe Biden",), page=3))
    assert already.search() == SearchRequest(people=("Joe Biden",))


@pytest.mark.parametrize("kind, name, params, parameter", [
    ("sources", "BBC", {}, "kind"),
    ("people", "  ", {}, "name"),
    ("people", "x" * 201, {}, "name"),
    ("places", "Minsk", {"from": ["soon"]}, "from"),
])
def test_what_cannot_be_shown_is_refused_naming_the_parameter(kind, name, params, parameter):
    with pytest.raises(InvalidParameter) as refused:
        parse_entity_params(kind, name, params)
    assert refused.value.parameter == parameter
