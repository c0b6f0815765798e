"""The charts of the pages, drawn on the server as SVG geometry that templates render: a search's
attention over time (bars) and a comparison's series (lines). Every period links to the search
narrowed to it."""

from __future__ import annotations

import math
from dataclasses import replace

from search.comparison import CompareResult
from search.query import SearchRequest
from search.timeline import DateBucket
from web.links import search_url

CHART_WIDTH, CHART_HEIGHT = 640, 96
LINE_WIDTH, LINE_HEIGHT = 640, 240
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 64, 16, 14, 34
MARKER = 3.5
SERIES_STYLES = (
    # colour (Okabe and Ito's, darkened to stand out on white), dash pattern, marker: told apart without colour
    ("#0066a8", "", "circle"),
    ("#c24e00", "7 4", "square"),
    ("#00795a", "2 3", "triangle"),
    ("#a0467e", "10 3 2 3", "diamond"),
    ("#6f5a00", "14 5", "cross"),
)
MEASURES = {"share": "Share of all articles", "count": "Number of articles"}


def timeline_chart(buckets: list[DateBucket], search_request: SearchRequest) -> dict | None:
    """The bars of the attention-over-time chart, each linking to the same search narrowed to its
    period; None when fewer than two periods hold anything to show."""
    if len(buckets) < 2 or not any(b.count for b in buckets):
        return None
    highest = max(b.count for b in buckets)
    width = CHART_WIDTH / len(buckets)
    bars = []
    for i, bucket in enumerate(buckets):
        height = round(CHART_HEIGHT * bucket.count / highest, 1)
        bars.append({
            "x": round(i * width, 2), "width": round(max(width - 1, 1), 2),
            "y": round(CHART_HEIGHT - height, 1), "height": height, "count": bucket.count,
            "title": f"{bucket.label}: {bucket.count} article{'' if bucket.count == 1 else 's'}",
            "url": period_url(search_request, bucket),
        })
    return {"bars": bars, "width": CHART_WIDTH, "height": CHART_HEIGHT, "interval": buckets[0].interval,
            "first": buckets[0].label, "last": buckets[-1].label}


def period_url(search_request: SearchRequest, bucket: DateBucket) -> str:
    """The search narrowed to one period."""
    return search_url(replace(search_request, date_from=bucket.start, date_to=bucket.end, page=1))


def shortened(text: str, limit: int = 60) -> str:
    """A query as a label repeated on every point: at most ``limit`` characters, cut with "…"."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def percent(share: float | None) -> str:
    """A share as a percentage with the digits that tell small ones apart ("" for none)."""
    if share is None:
        return ""
    digits = 1 if share >= 0.01 or share == 0 else 2 if share >= 0.001 else 3
    return f"{share * 100:.{digits}f}%"


def compare_chart(result: CompareResult, measure: str) -> dict | None:
    """One line per query over the comparison's periods, as numbers of articles or as shares of
    all articles (``measure``); None when no period holds a match."""
    periods = result.periods
    if not periods or not any(any(series.counts) for series in result.series):
        return None
    values = [series.shares if measure == "share" else series.counts for series in result.series]
    highest = max((v for row in values for v in row if v is not None), default=0) or 1
    top = _rounded_up(highest, whole=measure != "share")
    plot_width = LINE_WIDTH - PLOT_LEFT - PLOT_RIGHT
    plot_height = LINE_HEIGHT - PLOT_TOP - PLOT_BOTTOM
    step = plot_width / len(periods)

    def x(i: int) -> float:
        return round(PLOT_LEFT + (i + 0.5) * step, 2)

    def y(value: float) -> float:
        return round(PLOT_TOP + plot_height * (1 - value / top), 2)

    lines = []
    for number, (series, row) in enumerate(zip(result.series, values)):
        colour, dash, shape = SERIES_STYLES[number % len(SERIES_STYLES)]
        search = result.request.search(series.query)
        segments, current, points = [], [], []
        for i, (period, value) in enumerate(zip(periods, row)):
            if value is None:  # a period with no article at all: a gap, not a zero
                if current:
                    segments.append(current)
                current = []
                continue
            current.append(f"{x(i)},{y(value)}")
            points.append({
                "marker": marker(shape, x(i), y(value)), "url": period_url(search, period),
                "title": f"{shortened(series.query)} · {period.label}: {series.counts[i]:,} article"
                         f"{'' if series.counts[i] == 1 else 's'}, {percent(series.shares[i])} of all",
            })
        if current:
            segments.append(current)
        lines.append({"query": series.query, "colour": colour, "dash": dash, "shape": shape,
                      "segments": [" ".join(segment) for segment in segments], "points": points,
                      "swatch": marker(shape, 14, 7), "url": search_url(search)})
    label = percent if measure == "share" else (lambda value: f"{value:,}")
    ticks = [{"y": y(value), "label": label(value)} for value in (0, top / 2 if measure == "share" else round(top) // 2, top)]
    middle = len(periods) // 2
    return {
        "width": LINE_WIDTH, "height": LINE_HEIGHT, "lines": lines, "ticks": ticks,
        "left": PLOT_LEFT, "right": LINE_WIDTH - PLOT_RIGHT, "bottom": PLOT_TOP + plot_height,
        "labels": [{"x": x(i), "label": periods[i].label} for i in sorted({0, middle, len(periods) - 1})],
        "interval": result.interval, "measure": MEASURES[measure],
        "first": periods[0].label, "last": periods[-1].label,
    }


def _rounded_up(value: float, whole: bool) -> float:
    """The top of the axis: ``value`` rounded up to 1, 2 or 5 times a power of ten (at least 2 when
    ``whole``, so that its half is a whole number too)."""
    power = 10 ** math.floor(math.log10(value))
    top = next(factor * power for factor in (1, 2, 5, 10) if value <= factor * power * (1 + 1e-9))
    return max(2, round(top)) if whole else top


def marker(shape: str, cx: float, cy: float, r: float = MARKER) -> str:
    """The SVG path of a point's marker, centred on (cx, cy)."""
    if shape == "square":
        return f"M{cx - r:.2f},{cy - r:.2f}h{2 * r:.2f}v{2 * r:.2f}h{-2 * r:.2f}z"
    if shape == "triangle":
        return f"M{cx:.2f},{cy - r * 1.2:.2f}l{r * 1.1:.2f},{r * 2:.2f}h{-2.2 * r:.2f}z"
    if shape == "diamond":
        return f"M{cx:.2f},{cy - r * 1.3:.2f}l{r * 1.3:.2f},{r * 1.3:.2f}l{-r * 1.3:.2f},{r * 1.3:.2f}l{-r * 1.3:.2f},{-r * 1.3:.2f}z"
    if shape == "cross":
        return f"M{cx - r:.2f},{cy - r:.2f}l{2 * r:.2f},{2 * r:.2f}m0,{-2 * r:.2f}l{-2 * r:.2f},{2 * r:.2f}"
    return f"M{cx - r:.2f},{cy:.2f}a{r},{r} 0 1,0 {2 * r:.2f},0a{r},{r} 0 1,0 {-2 * r:.2f},0z"
