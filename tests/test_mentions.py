from datetime import date

import pytest

from search.ingest.mentions import mentioned_dates

FRIDAY = date(2020, 8, 14)


@pytest.mark.parametrize("text, expected", [
    ("Protests began after Sunday's election.", [date(2020, 8, 9)]),
    ("The minister said on Thursday night that all would be freed.", [date(2020, 8, 13)]),
    ("Officials said on Friday that talks continue.", [date(2020, 8, 14)]),
    ("Internet access has been cut since Monday.", [date(2020, 8, 10)]),
    ("The vote is due to be held next Monday.", [date(2020, 8, 17)]),
    ("The capsule is due to dock on Sunday.", [date(2020, 8, 16)]),
    ("Talks ended last Friday.", [date(2020, 8, 7)]),
    ("Police arrested him yesterday and he appears in court tomorrow.", [date(2020, 8, 13), date(2020, 8, 15)]),
    ("The results came on Aug. 10 and the appeal on 12 August.", [date(2020, 8, 10), date(2020, 8, 12)]),
    ("The crash on December 28 is still under investigation.", [date(2019, 12, 28)]),
    ("The treaty was signed on March 3, 1991.", [date(1991, 3, 3)]),
    ('"We will release everyone by 6 a.m.," the minister said Thursday night.', [date(2020, 8, 13)]),
])
def test_mentions_resolve_against_the_publication_date(text, expected):
    assert mentioned_dates(text, FRIDAY) == expected


@pytest.mark.parametrize("text", [
    "We said we may march on the capital.",
    "Sundays are quiet here, and the sun rose at 6.",
    "About 80% of the vote, 6,000 people, 2020 candidates.",
])
def test_ordinary_words_make_no_dates(text):
    assert mentioned_dates(text, FRIDAY) == []


def test_without_a_publication_date_only_full_dates_are_resolved():
    assert mentioned_dates("On Sunday, March 3, 1991, the treaty was signed; talks resume Monday.", None) == \
        [date(1991, 3, 3)]


def test_one_mention_is_one_date_and_repeats_are_kept_once():
    assert mentioned_dates("On Friday, Aug. 14, and again on Friday, officials met.", FRIDAY) == [FRIDAY]
