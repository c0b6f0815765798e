from datetime import date

import pytest

from search.index.parser import DatePlugin, build_parser
from search.index.schema import build_schema
from search.query import QuerySyntaxError

PARSER = build_parser(build_schema())


@pytest.mark.parametrize("query, message, position", [
    ("title:(", "The '(' at position 7 is never closed", 6),
    ("belarus)", "The ')' at position 8 has no '(' before it", 7),
    ('"police brutality', "The quotation mark at position 1 is never closed", 0),
    ("title: belarus", "'title:' at position 1 needs a value after it", 0),
    ("belarus person: ", "'person:' at position 9 needs a value after it", 8),
    ("(minsk OR (brest)", "The '(' at position 1 is never closed", 0),
    ("belarus NOT NOT minsk", "'NOT NOT' at position 9: an operator needs a word after it", 8),
    ("NOT OR minsk", "'NOT OR' at position 1", 0),
    ("belarus ANDNOT ANDMAYBE minsk", "'ANDNOT ANDMAYBE' at position 9", 8),
])
def test_syntax_errors_say_what_and_where(query, message, position):
    with pytest.raises(QuerySyntaxError) as caught:
        PARSER.clauses(query)
    assert message in caught.value.message
    assert caught.value.position == position and caught.value.parameter == "q"


@pytest.mark.parametrize("query, expected", [
    ("belarus torture", "((title:belaru OR text:belaru) OR (title:tortur OR text:tortur))"),
    ("title:(belarus OR minsk)", "((title:belaru OR title:minsk))"),
    ('"police brutality"', '((title:"polic brutal" OR text:"polic brutal"))'),
    ("belarus -minsk", "(((title:belaru OR text:belaru)) ANDNOT (title:minsk OR text:minsk))"),
    ("Ki-moon", "(((title:ki AND title:moon) OR (text:ki AND text:moon)))"),  # one typed word: all its parts
    ("Brexit: talks", "((title:brexit OR text:brexit) OR (title:talk OR text:talk))"),  # not a field: a word
    ('"minsk NOT NOT brest"', '((title:"minsk brest" OR text:"minsk brest"))'),  # in a phrase: words
    ("+belarus torture", "((title:belaru OR text:belaru) ANDMAYBE ((title:tortur OR text:tortur)))"),
    ("person:lukashenko torture", "(people:lukashenko AND ((title:tortur OR text:tortur)))"),
    ("belarus AND torture", "(((title:belaru OR text:belaru) AND (title:tortur OR text:tortur)))"),
    ("belarus NOT minsk", "(((title:belaru OR text:belaru)) ANDNOT (title:minsk OR text:minsk))"),
])
def test_valid_queries_parse_with_stemming_over_title_and_text(query, expected):
    assert str(PARSER.clauses(query).query()) == expected


@pytest.mark.parametrize("query, required, optional, banned", [
    ("belarus torture", 0, ["belarus", "torture"], 0),
    ("the belarus of torture", 0, ["belarus", "torture"], 0),  # stop words are no clause
    ("+belarus torture -minsk", 1, ["torture"], 1),
    ('"police brutality" minsk*', 0, ['"police brutality"', "minsk*"], 0),
    ("title:(belarus OR minsk) protest^2", 0, ["title:(belarus OR minsk)", "protest^2"], 0),
    ("belarus AND torture", 0, ["belarus AND torture"], 0),  # AND: one clause, both words
    ("person:lukashenko published:2020 belarus protest", 2, ["belarus", "protest"], 0),  # values must match
    ("Brexit: talks", 0, ["Brexit", "talks"], 0),
])
def test_clauses_say_which_words_a_match_may_lack_as_typed(query, required, optional, banned):
    clauses = PARSER.clauses(query)
    assert len(clauses.required) == required and len(clauses.banned) == banned
    assert [clause.label for clause in clauses.optional] == optional


TODAY = date(2026, 11, 27)
DATED = build_parser(build_schema())
DATED.remove_plugin_class(DatePlugin)
DATED.add_plugin(DatePlugin(today=TODAY))


@pytest.mark.parametrize("query, expected", [
    ("published:2020-08", "published:[20200801 TO 20200831]"),
    ("published:2020", "published:[20200101 TO 20201231]"),
    ("published:2020-02-29", "published:[20200229 TO 20200229]"),
    ("published:[2020-08-01 to 2020-08-31]", "published:[20200801 TO 20200831]"),
    ("published:[2020-08 TO 2020-09]", "published:[20200801 TO 20200930]"),
    ("published:[2020-08-01 to]", "published:[20200801 TO 29991231]"),
    ("published:[to 2020-08-31]", "published:[10000101 TO 20200831]"),
    ("published:>2020-08-01", "published:[20200802 TO 29991231]"),
    ("published:>=2020-08", "published:[20200801 TO 29991231]"),
    ("published:<2020-08", "published:[10000101 TO 20200731]"),
    ("published:<=2020", "published:[10000101 TO 20201231]"),
    ("published:>-7d", "published:[20261121 TO 29991231]"),
    ("published:>=-2w", "published:[20261113 TO 29991231]"),
    ("published:<-3m", "published:[10000101 TO 20260826]"),
    ("published:-1y", "published:[20251127 TO 20251127]"),
    ("published:today", "published:[20261127 TO 20261127]"),
    ("mentioned:2020-08-09", "mentioned_dates:[20200809 TO 20200809]"),
    ("belarus published:2020-08", "(published:[20200801 TO 20200831] AND ((title:belaru OR text:belaru)))"),
    ("belarus OR published:2020", "(title:belaru OR text:belaru OR published:[20200101 TO 20201231])"),
])
def test_dates_in_the_query(query, expected):
    assert str(DATED.clauses(query).query()) == expected


@pytest.mark.parametrize("query, value, position", [
    ("published:2020-13", "2020-13", 10),
    ("minsk published:yesterday", "yesterday", 16),
    ("published:[2020-08-01 to 2020-02-30]", "2020-02-30", 25),
    ("published:>-7x", "-7x", 11),
])
def test_a_bad_date_says_what_to_write(query, value, position):
    with pytest.raises(QuerySyntaxError) as caught:
        DATED.clauses(query)
    assert f"'{value}' at position {position + 1} is not a date" in caught.value.message
    assert "2020-08-14" in caught.value.message and caught.value.position == position
