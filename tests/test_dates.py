from datetime import date

import pytest

from search.ingest.dates import parse_date, publication_date
from search.ingest.metadata import parse_tree


@pytest.mark.parametrize("value, expected", [
    ("2020-08-14", date(2020, 8, 14)),
    ("2020-08-14T23:30:00-05:00", date(2020, 8, 14)),
    ("26-FEB-1987 15:01:01.79", date(1987, 2, 26)),
    ("14 August 2020", date(2020, 8, 14)),
    ("August 14, 2020", date(2020, 8, 14)),
    ("", None), ("soon", None), ("2020-02-30", None), (None, None),
])
def test_parse_date_keeps_the_day_as_written(value, expected):
    assert parse_date(value) == expected


def test_publication_date_found_in_the_url_alone():
    tree = parse_tree("<html><body><p>No dates in here at all, just words.</p></body></html>")
    assert publication_date(tree, "https://news.example/2021/03/24/ship-stuck") == date(2021, 3, 24)


def test_publication_date_prefers_the_original_date_to_the_update():
    tree = parse_tree("""<html><head>
    <meta property="article:published_time" content="2019-04-15T20:00:00+00:00">
    <meta property="article:modified_time" content="2019-05-02T10:00:00+00:00"></head>
    <body><p>Text.</p></body></html>""")
    assert publication_date(tree) == date(2019, 4, 15)
