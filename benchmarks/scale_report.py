"""The figures of benchmarks/scale.py: what one size measured, and how it is printed, with the
targets of the archive-scale work beside each figure (met / not met)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from common import percentile
from scale_queries import CLASSES, Query

MB = 1 << 20
COLD_RUNS = 3
"""Fresh processes whose first search is timed; the median counts."""
TARGETS = {
    "p50": 25.0, "p95": 150.0, "http_added": 5.0, "ratio": 3.0, "cold": 300.0, "worker_rss": 400 * MB,
    "rate": 300.0, "index_rss": 1.5 * 1024 * MB, "index_minutes": 60.0, "half": 1000.0, "per_match_us": 1.0,
}
"""At 100,000 articles (the half-archive word, the indexing time and memory: at 1,000,000)."""


@dataclass(frozen=True)
class Indexing:
    """What `news-search index` took: seconds, articles/s, peak memory of its process tree (RSS summed,
    its largest process's RSS, PSS summed; bytes), the index's size on disk, and the machine's state."""

    seconds: float
    articles: int
    rate: float
    peak_rss: int
    peak_one: int
    peak_pss: int
    size: int
    measured: str
    summary: str


@dataclass(frozen=True)
class ColdStart:
    """A fresh process's imports, then its first search (the index opened) and its second, in seconds;
    its RSS after them, in bytes."""

    imports: float
    first: float
    second: float
    rss: int


@dataclass
class Timed:
    """One query's figures: our time and total, the twin's time and total (ms; medians over rounds)."""

    query: Query
    ours: float
    total: int
    theirs: float | None = None
    their_total: int | None = None
    http: float | None = None
    beside_http: float | None = None
    """The same search in this process, timed just before it was sent over HTTP."""


@dataclass
class Figures:
    """Everything measured at one size."""

    articles: int
    indexing: Indexing | None = None
    entities: str = ""
    timed: list[Timed] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    half: Timed | None = None
    ready: float | None = None
    worker_rss: int | None = None
    cold: ColdStart | None = None

    def of(self, kind: str) -> list[Timed]:
        """The queries of a class measured in process."""
        return [t for t in self.timed if t.query.kind == kind and t.ours == t.ours]  # NaN: sent over HTTP only

    def classes(self) -> list[ClassFigures]:
        return [ClassFigures.of(kind, self.of(kind), [t for t in self.timed if t.query.kind == kind])
                for kind in CLASSES if self.of(kind)]

    def median_ratio(self) -> float | None:
        ratios = [c.ratio for c in self.classes() if c.ratio is not None]
        return statistics.median(ratios) if ratios else None


@dataclass(frozen=True)
class ClassFigures:
    """One class's figures: ours, the twin's (None where it did not run), over HTTP (a sample)."""

    kind: str
    queries: int
    matches: float
    p50: float
    p95: float
    their_p50: float | None
    their_p95: float | None
    their_matches: float | None
    http_p50: float | None

    @classmethod
    def of(cls, kind: str, timed: list[Timed], sent: list[Timed]) -> ClassFigures:
        ours = [t.ours for t in timed]
        theirs = [t.theirs for t in timed if t.theirs is not None]
        http = [t.http for t in sent if t.http is not None]
        return cls(kind, len(timed), statistics.median(t.total for t in timed), statistics.median(ours),
                   percentile(ours, 0.95), statistics.median(theirs) if theirs else None,
                   percentile(theirs, 0.95) if theirs else None,
                   statistics.median(t.their_total for t in timed) if theirs else None,
                   statistics.median(http) if http else None)

    @property
    def ratio(self) -> float | None:
        return self.p50 / self.their_p50 if self.their_p50 else None

    @property
    def met(self) -> bool:
        return self.p50 <= TARGETS["p50"] and self.p95 <= TARGETS["p95"]


def verdict(value: float | None, target: float, at_least: bool = False) -> str:
    """Whether a figure meets its target: at most the target, or with ``at_least`` at least it."""
    if value is None:
        return "–"
    return "met" if (value >= target if at_least else value <= target) else "**not met**"


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def times(ratio: float | None) -> str:
    return "–" if ratio is None else f"×{ratio:.1f}"


def megabytes(value: float | None) -> str:
    return "–" if value is None else f"{value / MB:,.0f} MB"


def report(figures: Figures, twin_note: str) -> None:
    """The figures of one size, with the targets beside them."""
    n = figures.articles
    print(f"\n### {n:,} articles\n")
    if figures.entities:
        print(figures.entities + "\n")
    print(f"Search function (SearchIndex.search: top 10 with snippets, every facet, the chart); {twin_note}.")
    if n not in (100_000, 1_000_000):
        print("The targets are set for 100,000 articles (and 1,000,000): at this size the verdicts are indicative.")
    if figures.classes():
        print("\n| class | queries | matches (median) | ours p50 | ours p95 | FTS5 p50 | FTS5 p95 | FTS5 matches "
              "| ratio p50 | HTTP p50 (sample) | p50 ≤ 25, p95 ≤ 150 |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
    for c in figures.classes():
        print(f"| {c.kind} | {c.queries} | {c.matches:,.0f} | {ms(c.p50)} | {ms(c.p95)} | {ms(c.their_p50)} "
              f"| {ms(c.their_p95)} | {'–' if c.their_matches is None else format(c.their_matches, ',.0f')} "
              f"| {times(c.ratio)} | {ms(c.http_p50)} "
              f"| {'met' if c.met else '**not met**'} |")
    print()
    for line in summary_lines(figures):
        print(f"- {line}")
    print(flush=True)


def summary_lines(figures: Figures) -> list[str]:
    """The figures beside the class table, each with its target."""
    lines = []
    everything = [t.ours for t in figures.timed if t.ours == t.ours]
    if everything:
        lines.append(f"All {len(everything)} queries: p50 {ms(statistics.median(everything))} ms, "
                     f"p95 {ms(percentile(everything, 0.95))} ms")
    ratio = figures.median_ratio()
    if ratio is not None:
        lines.append(f"Median ratio to FTS5 over classes: {times(ratio)} (target ≤ ×{TARGETS['ratio']:g}): "
                     f"{verdict(ratio, TARGETS['ratio'])}")
    added = [t.http - t.beside_http for t in figures.timed if t.http is not None]
    if added:
        lines.append(f"Over HTTP (`news-search serve`, 2 workers, {len(added)} requests, one at a time): adds "
                     f"{ms(statistics.median(added))} ms at the median to the same search in process "
                     f"(target ≤ {TARGETS['http_added']:g} ms): {verdict(statistics.median(added), TARGETS['http_added'])}")
    one_word = [t for kind in CLASSES if kind.startswith("1 word") for t in figures.of(kind)]
    if len({t.total for t in one_word}) > 1:
        slope = 1000 * statistics.linear_regression([t.total for t in one_word], [t.ours for t in one_word]).slope
        lines.append(f"Cost per matching article (slope of time over matches, 1-word queries, whole search): "
                     f"{slope:.1f} µs (target ≤ {TARGETS['per_match_us']:g} µs in the aggregation paths): "
                     f"{verdict(slope, TARGETS['per_match_us'])}")
    if figures.half:
        half = figures.half
        lines.append(f"A word in about half the articles (`{half.query.q}`, {half.total:,} matches = "
                     f"{half.total / figures.articles:.0%}): {ms(half.ours)} ms, FTS5 {ms(half.theirs)} ms "
                     f"(target at 1M ≤ {TARGETS['half']:g} ms): {verdict(half.ours, TARGETS['half'])}")
    if figures.cold:
        cold = figures.cold
        lines.append(f"First search in a fresh process (open + search, median of {COLD_RUNS}): "
                     f"{1000 * cold.first:,.0f} ms (then {1000 * cold.second:,.0f} ms; imports "
                     f"{1000 * cold.imports:,.0f} ms before it; target ≤ {TARGETS['cold']:g} ms): "
                     f"{verdict(1000 * cold.first, TARGETS['cold'])}; its RSS then {megabytes(cold.rss)}")
    if figures.ready is not None:
        lines.append(f"`news-search serve`: both workers ready {figures.ready:.1f} s after start")
    if figures.worker_rss is not None:
        lines.append(f"Worker RSS after the HTTP sample: {megabytes(figures.worker_rss)} (target ≤ "
                     f"{megabytes(TARGETS['worker_rss'])}): {verdict(figures.worker_rss, TARGETS['worker_rss'])}")
    if figures.indexing:
        lines.extend(indexing_lines(figures.indexing, figures.articles))
    return lines + [f"error: {error}" for error in figures.errors]


def indexing_lines(i: Indexing, articles: int) -> list[str]:
    lines = [f"Indexing (`news-search index` on the JSONL; {i.measured}): {i.articles:,} articles in "
             f"{i.seconds / 60:,.1f} min = {i.rate:,.1f} articles/s (target ≥ {TARGETS['rate']:g} with entities "
             f"given): {verdict(i.rate, TARGETS['rate'], at_least=True)}; peak RSS of the process tree "
             f"{megabytes(i.peak_rss)} (largest process {megabytes(i.peak_one)}, PSS {megabytes(i.peak_pss)}; "
             f"target ≤ 1.5 GB at 1M): {verdict(i.peak_rss, TARGETS['index_rss'])}; index on disk {megabytes(i.size)}"]
    if articles >= 1_000_000:
        lines.append(f"Indexing time at 1M: {i.seconds / 60:,.0f} min (target ≤ {TARGETS['index_minutes']:g}): "
                     f"{verdict(i.seconds / 60, TARGETS['index_minutes'])}")
    return lines


def growth(all_figures: list[Figures]) -> None:
    """One column per size: p50 / p95 of each class and the other figures."""
    print("\n### Growth\n")
    print("| | " + " | ".join(f"{f.articles:,}" for f in all_figures) + " |")
    print("|---|" + "---|" * len(all_figures))
    for kind in CLASSES:
        cells = []
        for f in all_figures:
            ours = [t.ours for t in f.of(kind)]
            cells.append(f"{ms(statistics.median(ours))} / {ms(percentile(ours, 0.95))}" if ours else "–")
        print(f"| {kind} (p50 / p95 ms) | " + " | ".join(cells) + " |")
    rows = {
        "median ratio to FTS5": lambda f: times(f.median_ratio()),
        "a word in half the articles": lambda f: f"{ms(f.half.ours)} ms" if f.half else "–",
        "index on disk": lambda f: megabytes(f.indexing.size) if f.indexing else "–",
        "indexing, articles/s": lambda f: f"{f.indexing.rate:,.1f}" if f.indexing else "–",
        "indexing, peak RSS": lambda f: megabytes(f.indexing.peak_rss) if f.indexing else "–",
        "first search, fresh process": lambda f: f"{1000 * f.cold.first:,.0f} ms" if f.cold else "–",
        "serve ready": lambda f: f"{f.ready:.1f} s" if f.ready is not None else "–",
        "worker RSS": lambda f: megabytes(f.worker_rss),
    }
    for name, cell in rows.items():
        print(f"| {name} | " + " | ".join(cell(f) for f in all_figures) + " |")
