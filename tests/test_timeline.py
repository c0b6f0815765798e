"""Attention over time: periods chosen by the span, every period kept, counts exact."""

from datetime import date

import numpy as np
import pytest

from search.timeline import choose_interval, period_start, period_starts, timeline as counted_timeline


def timeline(days, first=None, last=None):
    """The chart of a list of publication days (the search counts its matches' days itself)."""
    ordinals, counts = np.unique(np.array([d.toordinal() for d in days], dtype=np.int64), return_counts=True)
    return counted_timeline(ordinals, counts, first, last)


@pytest.mark.parametrize("first, last, interval", [
    (date(2020, 8, 1), date(2020, 8, 31), "day"),
    (date(2020, 8, 1), date(2020, 10, 31), "day"),
    (date(2020, 1, 1), date(2020, 12, 31), "week"),
    (date(2018, 1, 1), date(2021, 6, 30), "month"),
    (date(1963, 1, 4), date(2023, 8, 23), "year"),
])
def test_the_interval_follows_the_span(first, last, interval):
    assert choose_interval(first, last) == interval


def test_every_period_is_kept_and_counted():
    days = [date(2020, 8, 14), date(2020, 8, 14), date(2020, 8, 11), date(2020, 10, 2)]
    buckets = timeline(days, date(2020, 8, 1), date(2020, 10, 31))
    assert len(buckets) == 92 and buckets[0].start == date(2020, 8, 1) and buckets[-1].end == date(2020, 10, 31)
    assert {b.label: b.count for b in buckets if b.count} == {"2020-08-11": 1, "2020-08-14": 2, "2020-10-02": 1}
    assert sum(b.count for b in buckets) == 4


def test_weeks_and_months_are_labelled_and_clipped_to_the_range():
    weeks = timeline([date(2020, 8, 14)], date(2020, 1, 1), date(2020, 12, 31))
    assert weeks[0].start == date(2020, 1, 1) and weeks[0].end == date(2020, 1, 5)  # a Wednesday to Sunday
    assert [b.to_dict() for b in weeks if b.count] == [
        {"value": "2020-W33", "from": "2020-08-10", "to": "2020-08-16", "count": 1, "interval": "week"}]
    months = timeline([date(2019, 2, 28), date(2021, 3, 1)])
    assert [b.label for b in months][:2] == ["2019-02", "2019-03"] and months[-1].label == "2021-03"
    assert months[0].start == date(2019, 2, 28) and months[-1].end == date(2021, 3, 1)


def test_centuries_of_range_show_only_the_years_with_articles():
    buckets = timeline([date(1963, 5, 1), date(1965, 1, 1)], date(1900, 1, 1), date(2100, 12, 31))
    assert [(b.label, b.count) for b in buckets] == [("1963", 1), ("1964", 0), ("1965", 1)]


def test_nothing_to_show():
    assert timeline([]) == []
    assert timeline([date(2020, 1, 1)], date(2021, 1, 1), date(2020, 1, 1)) == []


@pytest.mark.parametrize("interval", ["day", "week", "month", "year"])
def test_periods_start_where_they_start_for_every_day(interval):
    days = np.arange(date(1899, 12, 1).toordinal(), date(2031, 2, 1).toordinal())
    assert period_starts(days, interval).tolist() == [
        period_start(date.fromordinal(int(d)), interval).toordinal() for d in days]
