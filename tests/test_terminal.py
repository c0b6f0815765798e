"""Search results as terminal text, wrapped to a width."""

import re

import click

from search.index import SearchIndex
from search.query import SearchRequest
from search.terminal import MIN_WIDTH, result_lines, snippet_pieces


def words(lines: list[str]) -> list[str]:
    return " ".join(click.unstyle(line) for line in lines).split()


def test_lines_are_wrapped_to_the_width_under_the_title_and_lose_no_word(corpus_index):
    result = SearchIndex(corpus_index).search(SearchRequest(q="belarus protest"))
    whole, narrow = result_lines(result), result_lines(result, width=48)
    assert len(narrow) > len(whole) and words(narrow) == words(whole)
    for line in map(click.unstyle, narrow):
        assert len(line) <= 48 or re.fullmatch(r" {3}https://\S+", line)  # a URL is never broken
        assert line == "" or re.match(r"\d\. \S|   \S", line) or line == whole[0]


def test_a_narrow_terminal_still_leaves_a_column_of_readable_width(corpus_index):
    result = SearchIndex(corpus_index).search(SearchRequest(q="belarus", per_page=1))
    lines = [click.unstyle(line) for line in result_lines(result, width=5)[2:]]
    assert max(map(len, lines)) > 5
    for line in lines:
        assert len(line) <= len("1. ") + MIN_WIDTH or len(line[3:].split()) == 1  # a longer word alone


def test_a_snippet_is_text_with_its_matched_words_in_bold():
    pieces = snippet_pieces("Tom &amp; Jerry&#x27;s <mark>harbour</mark>,\n  <mark>strike</mark> ends")
    assert pieces == [("Tom & Jerry's ", False), ("harbour", True), (", ", False), ("strike", True), (" ends", False)]
