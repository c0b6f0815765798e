"""Dates the text mentions, resolved against the publication date.

News writes "on Sunday", "Thursday night", "yesterday" and "Aug. 9" and means days near the day it
was published: in an article of Friday 2020-08-14, "Sunday" is 2020-08-09 and "Thursday night"
2020-08-13. Only whole, capitalised weekday and month names count, so "We" or "may" make no date.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from datetime import date, timedelta

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = {name: number for number, names in enumerate([
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
    ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"), ("october", "oct"),
    ("november", "nov"), ("december", "dec")], start=1) for name in names}
_MONTH = r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
_PATTERNS = [
    re.compile(r"\b(?P<iso_year>(?:19|20)\d\d)-(?P<iso_month>[01]\d)-(?P<iso_day>[0-3]\d)\b"),
    re.compile(rf"\b{_MONTH}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"),
    re.compile(rf"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?"),
    re.compile(r"\b(?:(?P<which>last|next|this|on|since|until|by|from)\s+)?"
               r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:'s|’s)?\b"),
    re.compile(r"\b(?P<relative>[Yy]esterday|[Tt]oday|[Tt]onight|[Tt]omorrow)\b"),
]
_FUTURE = re.compile(r"\b(?:will|shall|due to|is to|are to|expected to|scheduled to|set to|plans? to|going to)\s+"
                     r"(?:[\w-]+\s+){0,6}(?:on\s+|by\s+|until\s+)?$", re.IGNORECASE)
"""A weekday that follows "will", "is due to"... in its clause lies ahead: "is due to dock on Sunday"."""
AHEAD_DAYS = 62
"""A month and day without a year lies ahead of publication only when it is at most this many days ahead."""


def _weekday(published: date, name: str, which: str | None, ahead: bool = False) -> date:
    target = WEEKDAYS.index(name.lower())
    back = (published.weekday() - target) % 7
    if ahead and which != "last":
        return published + timedelta(days=(target - published.weekday()) % 7)
    if which == "next":
        return published + timedelta(days=(target - published.weekday()) % 7 or 7)
    if which == "last":
        return published - timedelta(days=back or 7)
    return published - timedelta(days=back)


def _month_day(published: date, month: int, day: int, year: int | None) -> date | None:
    """The day with its year as written, else the latest such day on or before publication, unless
    the next one is only weeks ahead (news looks back more than forward)."""
    candidates = []
    for candidate in ([year] if year else [published.year - 1, published.year, published.year + 1]):
        try:
            candidates.append(date(candidate, month, day))
        except ValueError:
            continue
    if year or not candidates:
        return candidates[0] if candidates else None
    ahead = [d for d in candidates if d > published]
    if ahead and (ahead[0] - published).days <= AHEAD_DAYS:
        return ahead[0]
    behind = [d for d in candidates if d <= published]
    return behind[-1] if behind else None


def _ahead(text: str, start: int) -> bool:
    """Whether the words before ``start`` in its clause speak of the future."""
    clause = re.split(r"[.!?;:\"“”]", text[max(0, start - 80):start])[-1]
    return bool(_FUTURE.search(clause))


def _resolve(match: re.Match, published: date, text: str = "") -> date | None:
    groups = match.groupdict()
    if groups.get("iso_year"):
        try:
            return date(int(groups["iso_year"]), int(groups["iso_month"]), int(groups["iso_day"]))
        except ValueError:
            return None
    if groups.get("month"):
        month = MONTHS[groups["month"].rstrip(".").lower()]
        day = int(groups["day"])
        return _month_day(published, month, day, int(groups["year"]) if groups.get("year") else None)
    if groups.get("weekday"):
        return _weekday(published, groups["weekday"], (groups.get("which") or "").lower() or None,
                        ahead=_ahead(text, match.start()))
    offset = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[groups["relative"].lower()]
    return published + timedelta(days=offset)


def date_mentions(text: str, published: date | None) -> list[tuple[int, int, date]]:
    """Each date mention as (start, end, day), in text order.

    Days without their year, weekdays and "yesterday"-like words need the publication date; without
    one only fully written dates are resolved.
    """
    found: list[tuple[int, int, date]] = []
    taken: list[tuple[int, int]] = []  # the spans found by earlier patterns: disjoint, in text order
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            before = bisect_left(taken, (end, -1))  # the spans that start before this one ends
            if before and taken[before - 1][1] > start:
                continue  # "Friday, Aug. 14" is one mention, found by the month-day pattern first
            groups = match.groupdict()
            if published is None and not (groups.get("iso_year") or groups.get("year")):
                continue
            reference = published or date(int(groups.get("year") or groups["iso_year"]), 1, 1)
            day = _resolve(match, reference, text)
            if day:
                found.append((start, end, day))
        taken = sorted((start, end) for start, end, _ in found)
    return sorted(found)


def mentioned_dates(text: str, published: date | None) -> list[date]:
    """The calendar days the text mentions, in order of first mention, without repeats."""
    return list(dict.fromkeys(day for _, _, day in date_mentions(text, published)))
