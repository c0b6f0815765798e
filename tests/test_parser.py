import pytest

from search.index.parser import build_parser
from search.index.schema import build_schema
from search.query import QuerySyntaxError

PARSER = build_parser(build_schema())


@pytest.mark.parametrize("query, message, position", [
    ("title:(", "The '(' at position 7 is never closed", 6),
    ("belarus)", "The ')' at position 8 has no '(' before it", 7),
    ('"police brutality', "The quotation mark at position 1 is never closed", 0),
    ("title: belarus", "'title:' at position 1 needs a value after it", 0),
    ("(minsk OR (brest)", "The '(' at position 1 is never closed", 0),
])
def test_syntax_errors_say_what_and_where(query, message, position):
    with pytest.raises(QuerySyntaxError) as caught:
        PARSER.parse(query)
    assert message in caught.value.message
    assert caught.value.position == position and caught.value.parameter == "q"


@pytest.mark.parametrize("query, expected", [
    ("belarus torture", "((title:belaru OR text:belaru) AND (title:tortur OR text:tortur))"),
    ("title:(belarus OR minsk)", "(title:belaru OR title:minsk)"),
    ('"police brutality"', '(title:"polic brutal" OR text:"polic brutal")'),
    ("belarus -minsk", "((title:belaru OR text:belaru) ANDNOT (title:minsk OR text:minsk))"),
    ("Ki-moon", "((title:ki AND title:moon) OR (text:ki AND text:moon))"),
])
def test_valid_queries_parse_with_stemming_over_title_and_text(query, expected):
    assert str(PARSER.parse(query)) == expected
