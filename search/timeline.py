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


@dataclass(frozen=True)
class Periods:
    """The periods of one chart: every day, week, month or year from ``first`` to ``last``, the
    first and last clipped to them. Several series counted on the same periods line up."""

    interval: str
    first: date
    last: date

    @classmethod
    def spanning(cls, days: np.ndarray, first: date | None = None, last: date | None = None) -> "Periods | None":
        """The periods over ``first`` to ``last``, by default the earliest and latest of ``days``
        (ordinals holding articles); None when there is no day to show."""
        days = np.asarray(days)
        if first is None or last is None:
            if not len(days):
                return None
            first = first or date.fromordinal(int(days.min()))
            last = last or date.fromordinal(int(days.max()))
        if first > last:
            return None
        interval = choose_interval(first, last)
        if interval == "year" and len(days):  # a range of centuries: only the years that hold articles
            first, last = max(first, date.fromordinal(int(days.min()))), min(last, date.fromordinal(int(days.max())))
            if first > last:
                return None
        return cls(interval, first, last)

    def widened(self, first: bool, last: bool) -> "Periods":
        """These periods with the first (``first``) and the last (``last``) made whole."""
        start = period_start(self.first, self.interval) if first else self.first
        end = next_period(period_start(self.last, self.interval), self.interval) - timedelta(days=1) if last else self.last
        return Periods(self.interval, start, end)

    def starts(self) -> list[date]:
        """Each period's first day, unclipped (the first period may start before ``first``)."""
        starts, start = [], period_start(self.first, self.interval)
        while start <= self.last:
            starts.append(start)
            start = next_period(start, self.interval)
        return starts

    def count(self, days: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """How many articles each period holds, ``counts[i]`` published on day ``days[i]`` (ordinals)."""
        days, counts = np.asarray(days, dtype=np.int64), np.asarray(counts)
        starts = np.array([start.toordinal() for start in self.starts()], dtype=np.int64)
        inside = (days >= self.first.toordinal()) & (days <= self.last.toordinal())
        where = np.searchsorted(starts, days[inside], side="right") - 1
        return np.bincount(where, weights=counts[inside], minlength=len(starts)).astype(np.int64)

    def buckets(self, per_period: np.ndarray) -> list[DateBucket]:
        """The periods as DateBuckets holding ``per_period[i]`` articles each."""
        starts = self.starts()
        ends = [following - timedelta(days=1) for following in starts[1:]]
        ends.append(next_period(starts[-1], self.interval) - timedelta(days=1))
        return [DateBucket(max(start, self.first), min(end, self.last), int(count), self.interval)
                for start, end, count in zip(starts, ends, per_period.tolist())]


def day_counts(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct dated days among ``days`` (ordinals; 0 for undated) and how many articles each holds."""
    days = days[days > 0]
    if len(days) and days.max() - days.min() < 1_000_000:
        first = int(days.min())
        counts = np.bincount(days - first)
        present = np.flatnonzero(counts)
        return present + first, counts[present]
    return np.unique(days, return_counts=True)


def timeline(days: np.ndarray, counts: np.ndarray, first: date | None = None,
             last: date | None = None) -> list[DateBucket]:
    """``counts[i]`` articles published on day ``days[i]`` (ordinals), per period from ``first`` to
    ``last`` (default: the earliest and latest day counted), every period included; empty when
    there is no day to show."""
    counted = np.asarray(counts) > 0
    days, counts = np.asarray(days)[counted], np.asarray(counts)[counted]
    periods = Periods.spanning(days, first, last)
    return periods.buckets(periods.count(days, counts)) if periods else []
