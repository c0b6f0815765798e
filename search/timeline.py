"""Attention over time: how many matching articles were published per day, week, month or year.

The interval follows the span shown (the requested date range, else the matches' first and last
days), so that a chart has between a handful and about a hundred bars; empty periods are kept, so
that a gap in coverage shows as a gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

INTERVALS = ("day", "week", "month", "year")
MAX_DAYS = 92
"""A span up to this many days is shown by day."""
MAX_WEEKS = 53
MAX_MONTHS = 120
_EPOCH = date(1970, 1, 1).toordinal()
"""numpy counts days from 1970-01-01; Python's ordinals from 0001-01-01 (day 1)."""


@dataclass(frozen=True)
class DateBucket:
    """One period: its first and last day (inclusive) and how many matches were published in it."""

    start: date
    end: date
    count: int
    interval: str

    @property
    def label(self) -> str:
        if self.interval == "day":
            return self.start.isoformat()
        if self.interval == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.interval == "month":
            return self.start.strftime("%Y-%m")
        return str(self.start.year)

    def to_dict(self) -> dict:
        return {"value": self.label, "from": self.start.isoformat(), "to": self.end.isoformat(),
                "count": self.count, "interval": self.interval}


def choose_interval(first: date, last: date) -> str:
    days = (last - first).days + 1
    if days <= MAX_DAYS:
        return "day"
    if days <= MAX_WEEKS * 7:
        return "week"
    if days <= MAX_MONTHS * 31:
        return "month"
    return "year"


def period_start(day: date, interval: str) -> date:
    if interval == "day":
        return day
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def period_starts(days: np.ndarray, interval: str) -> np.ndarray:
    """``period_start`` for many days at once, as ordinals (``date.toordinal()``)."""
    if interval == "day":
        return days
    if interval == "week":
        return days - (days - 1) % 7  # ordinal 1 (0001-01-01) is a Monday
    unit = "datetime64[M]" if interval == "month" else "datetime64[Y]"
    return (days - _EPOCH).astype("datetime64[D]").astype(unit).astype("datetime64[D]").astype(np.int64) + _EPOCH


def next_period(start: date, interval: str) -> date:
    if interval == "day":
        return start + timedelta(days=1)
    if interval == "week":
        return start + timedelta(days=7)
    if interval == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start.replace(year=start.year + 1)


def timeline(days: np.ndarray, counts: np.ndarray, first: date | None = None,
             last: date | None = None) -> list[DateBucket]:
    """``counts[i]`` articles published on day ``days[i]`` (ordinals, ascending), per period from
    ``first`` to ``last`` (default: the earliest and latest day counted), every period included;
    empty when there is no day to show."""
    counted = counts > 0
    days, counts = np.asarray(days)[counted], np.asarray(counts)[counted]
    if first is None or last is None:
        if not len(days):
            return []
        first, last = first or date.fromordinal(int(days[0])), last or date.fromordinal(int(days[-1]))
    if first > last:
        return []
    interval = choose_interval(first, last)
    if interval == "year" and len(days):  # a range of centuries: only the years that hold articles
        first, last = max(first, date.fromordinal(int(days[0]))), min(last, date.fromordinal(int(days[-1])))
    inside = (days >= first.toordinal()) & (days <= last.toordinal())
    starts, where = np.unique(period_starts(days[inside], interval), return_inverse=True)
    per_period = dict(zip(starts.tolist(), np.bincount(where, weights=counts[inside]).astype(int).tolist()))
    buckets = []
    start = period_start(first, interval)
    while start <= last:
        following = next_period(start, interval)
        buckets.append(DateBucket(max(start, first), min(following - timedelta(days=1), last),
                                  per_period.get(start.toordinal(), 0), interval))
        start = following
    return buckets
