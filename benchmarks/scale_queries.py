"""The query classes of benchmarks/scale.py, drawn (seeded) from the words, phrases, days and names of
the corpus itself, so that every query finds what real searches of such an archive find."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from search.index.ranking import QUESTION_STOP_WORDS
from search.index.schema import build_schema
from search.query import SearchRequest

SAMPLE = 2000
"""Articles read from the start of the corpus to learn its vocabulary and names."""
COMMON = (0.05, 0.6)
"""Share of articles a common word is in."""
RARE = (1, 4)
"""Articles of the sample a rare word is in (about 0.05–0.2% of the archive)."""
SPANS = (31, 365, 5 * 365)
"""Days a date-range filter covers: a month, a year, five years."""
DESCRIPTION_WORDS = 10
CLASSES = ("1 word, common", "1 word, rare", "2-3 words", "phrase", "description (10 words)", "+ date range",
           "+ entity filter", "sort=newest", "empty q")


@dataclass(frozen=True)
class Query:
    """One search of a class: the words typed and the filters, sort and page chosen."""

    kind: str
    words: tuple[str, ...] = ()
    phrase: bool = False
    description: bool = False
    date_from: date | None = None
    date_to: date | None = None
    entity: tuple[str, str] | None = None
    """(facet, name): people, orgs, places or sources."""
    sort: str = "relevance"
    page: int = 1

    @property
    def q(self) -> str:
        text = " ".join(self.words)
        return f'"{text}"' if self.phrase else text

    def request(self) -> SearchRequest:
        """The product's request for this search (what the page and the API make of its parameters)."""
        filters = {self.entity[0]: (self.entity[1],)} if self.entity else {}
        return SearchRequest(q=self.q, date_from=self.date_from, date_to=self.date_to, sort=self.sort,
                             page=self.page, **filters)

    def describe(self) -> str:
        parts = [self.q or "(empty)"]
        if self.date_from:
            parts.append(f"{self.date_from}..{self.date_to}")
        if self.entity:
            parts.append(f"{self.entity[0]}={self.entity[1]}")
        if self.sort != "relevance":
            parts.append(f"sort={self.sort}")
        if self.page != 1:
            parts.append(f"page {self.page}")
        return " ".join(parts)


def _content(word: str) -> bool:
    return len(word) >= 3 and word.casefold() not in QUESTION_STOP_WORDS


@dataclass
class Vocabulary:
    """What the first SAMPLE articles of the corpus hold: content words and in how many articles each
    is found (in any form the index matches it in: "shares" by "share", "shared"), paragraphs,
    publication days and names (one entry per article that lists one)."""

    articles: int
    frequency: Counter
    paragraphs: list[str]
    days: list[date]
    names: dict[str, list[str]]

    @classmethod
    def read(cls, corpus: Path) -> Vocabulary:
        analyzer, stems = build_schema()["text"].analyzer, {}
        by_stem, paragraphs, days, names = Counter(), [], [], {k: [] for k in ("people", "orgs", "places", "sources")}
        articles = 0
        with open(corpus, encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                articles += 1
                words = {w.casefold() for w in re.findall(r"[A-Za-z]+", record["text"]) if _content(w)}
                for word in words - stems.keys():
                    stems[word] = next((token.text for token in analyzer(word)), word)
                by_stem.update({stems[word] for word in words})
                paragraphs.extend(record["text"].split("\n\n"))
                days.append(date.fromisoformat(record["published"]))
                for kind in ("people", "orgs", "places"):
                    names[kind].extend(record[kind])
                names["sources"].append(record["source"])
                if articles == SAMPLE:
                    break
        frequency = Counter({word: by_stem[stem] for word, stem in stems.items()})
        return cls(articles, frequency, paragraphs, days, names)

    def words_in(self, low: float, high: float) -> list[str]:
        """Words in at least ``low`` and at most ``high`` of the sample's articles (counts)."""
        return sorted(w for w, n in self.frequency.items() if low <= n <= high)

    def half_of_all(self) -> str:
        """The word in the share of articles nearest one half."""
        return min(sorted(self.frequency), key=lambda w: abs(self.frequency[w] / self.articles - 0.5))


def _phrase(rng: random.Random, vocabulary: Vocabulary) -> tuple[str, ...]:
    """Two or three consecutive content words of a paragraph, with no punctuation between them."""
    while True:
        tokens = rng.choice(vocabulary.paragraphs).split()
        size = rng.choice((2, 3))
        runs = [tokens[i:i + size] for i in range(len(tokens) - size + 1)
                if all(t.isalpha() and _content(t) for t in tokens[i:i + size])]
        if runs:
            return tuple(w.lower() for w in rng.choice(runs))


def _words(rng: random.Random, vocabulary: Vocabulary) -> tuple[str, ...]:
    """Two or three content words of one paragraph, in its order."""
    while True:
        found = list(dict.fromkeys(w.lower() for w in re.findall(r"[A-Za-z]+", rng.choice(vocabulary.paragraphs))
                                   if _content(w)))
        size = rng.choice((2, 3))
        if len(found) >= size:
            return tuple(found[i] for i in sorted(rng.sample(range(len(found)), size)))


def _description(rng: random.Random, vocabulary: Vocabulary) -> tuple[str, ...]:
    """Ten consecutive words of a paragraph, four or more of them content words."""
    while True:
        words = [w.lower() for w in re.findall(r"[A-Za-z]+", rng.choice(vocabulary.paragraphs))]
        if len(words) >= DESCRIPTION_WORDS:
            start = rng.randrange(len(words) - DESCRIPTION_WORDS + 1)
            chosen = tuple(words[start:start + DESCRIPTION_WORDS])
            if len({w for w in chosen if _content(w)}) >= 4:
                return chosen


def draw_queries(vocabulary: Vocabulary, per_class: int, seed: int) -> list[Query]:
    """``per_class`` queries of each class in CLASSES."""
    rng = random.Random(seed)
    n = vocabulary.articles
    common = vocabulary.words_in(COMMON[0] * n, COMMON[1] * n)
    rare = vocabulary.words_in(*RARE)
    first, last = min(vocabulary.days), max(vocabulary.days)
    makers = {
        "1 word, common": lambda: Query("1 word, common", (rng.choice(common),)),
        "1 word, rare": lambda: Query("1 word, rare", (rng.choice(rare),)),
        "2-3 words": lambda: Query("2-3 words", _words(rng, vocabulary)),
        "phrase": lambda: Query("phrase", _phrase(rng, vocabulary), phrase=True),
        "description (10 words)": lambda: Query("description (10 words)", _description(rng, vocabulary),
                                                description=True),
        "+ date range": lambda: _date_range(rng, common, first, last),
        "+ entity filter": lambda: _entity(rng, common, vocabulary),
        "sort=newest": lambda: Query("sort=newest", (rng.choice(common),), sort="newest"),
        "empty q": lambda: Query("empty q", page=rng.randint(1, 5)),
    }
    return [makers[kind]() for kind in CLASSES for _ in range(per_class)]


def _date_range(rng: random.Random, common: list[str], first: date, last: date) -> Query:
    span = rng.choice(SPANS)
    start = first + timedelta(days=rng.randrange(max(1, (last - first).days - span)))
    return Query("+ date range", (rng.choice(common),), date_from=start, date_to=start + timedelta(days=span - 1))


def _entity(rng: random.Random, common: list[str], vocabulary: Vocabulary) -> Query:
    kind = rng.choice(sorted(vocabulary.names))
    return Query("+ entity filter", (rng.choice(common),), entity=(kind, rng.choice(vocabulary.names[kind])))
