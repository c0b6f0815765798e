"""A seeded synthetic news archive of any size, made of real newswire paragraphs, for benchmarks/scale.py.

Each article is about 400 words of Reuters-21578 paragraphs drawn at random and recombined, so that
the words, their frequencies and their co-occurrences are those of real news, while no two articles
share a lead (the product would fold them as copies of one story). Articles carry a publication day
over 30 years (more of them in later years, as archives grow), one of 40 sources with its own
bylines, and entity lists (``people``, ``orgs``, ``places``) drawn from the pool of Reuters-21578's
human index terms with a Zipf skew: a few names in very many articles, a long tail in few.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
from bisect import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from common import DATA, require

from search.index.copies import copy_key

FIRST_DAY = date(1995, 1, 1)
DAYS = (date(2024, 12, 31) - FIRST_DAY).days + 1
"""Thirty years of publication days."""
MIN_PARAGRAPH_WORDS = 12
"""Shorter Reuters 'paragraphs' are mostly lines of figure tables."""
WORDS = (350, 450)
"""Each article's length in words, drawn evenly from this range."""
ENTITIES_PER_ARTICLE = {"people": (0, 0, 1, 1, 2, 3), "orgs": (0, 0, 1, 1, 2), "places": (1, 1, 2, 2, 3, 4)}
"""How many names of each kind an article lists, drawn evenly from these."""
ZIPF = 1.1
"""The name of rank r is chosen with weight 1 / r ** ZIPF: a few very common ones, a long tail."""
TOWNS = ("Harbour", "Northfield", "Riverside", "Eastbrook", "Westmoor", "Lakeside", "Hillcrest", "Bayview")
MASTHEADS = ("Times", "Herald", "Ledger", "Courier", "Post")
FIRST_NAMES = ("Anna", "Ben", "Clara", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kemal",
               "Laura", "Marco", "Nadia", "Oscar", "Petra", "Quentin", "Rosa", "Samuel", "Tara")
LAST_NAMES = ("Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ito", "Jensen", "Kowalski",
              "Larsen", "Moreau", "Novak", "Okafor", "Petrov", "Quinn", "Rossi", "Silva", "Tanaka", "Weber")
AUTHORS_PER_SOURCE = 6
ORG_NAMES = {"worldbank": "World Bank", "ico-coffee": "International Coffee Organization",
             "ico-islam": "Organisation of the Islamic Conference", "iwc-whale": "International Whaling Commission",
             "iwc-wheat": "International Wheat Council", "adb-asia": "Asian Development Bank",
             "adb-africa": "African Development Bank", "aid": "USAID"}
PLACE_NAMES = {"usa": "United States", "uk": "United Kingdom", "ussr": "Soviet Union", "uae": "United Arab Emirates"}
"""Reuters' index terms are codes ("james-baker", "imf", "west-germany"); these read better as names."""


@dataclass(frozen=True)
class Weighted:
    """Names with cumulative weights, for a seeded weighted draw."""

    names: tuple[str, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def zipf(cls, names: list[str]) -> Weighted:
        return cls(tuple(names), tuple(accumulate(1 / rank ** ZIPF for rank in range(1, len(names) + 1))))

    def draw(self, rng: random.Random) -> str:
        return self.names[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass(frozen=True)
class Pool:
    """What articles are made of: paragraphs (each with the headline of the story it came from),
    entity names by kind, and the sources with their authors."""

    paragraphs: tuple[str, ...]
    headlines: tuple[str, ...]
    entities: dict[str, Weighted]
    sources: Weighted
    authors: dict[str, tuple[str, ...]]


def _name(kind: str, code: str) -> str:
    if kind == "orgs":
        return ORG_NAMES.get(code, code.upper())
    if kind == "places":
        return PLACE_NAMES.get(code, code.replace("-", " ").title())
    return code.replace("-", " ").title()


def _headline(title: str) -> str:
    return " ".join(re.sub(r"<[^>]*>", " ", title).split()).title()


def load_pool() -> Pool:
    """Reuters-21578's paragraphs of prose and its entity index terms, ranked by how often its
    editors used them (terms they never used come last, in the long tail)."""
    folder = require(DATA / "reuters21578")
    paragraphs: dict[str, str] = {}
    used = {kind: {} for kind in ENTITIES_PER_ARTICLE}
    with gzip.open(folder / "reuters21578.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            for kind, seen in used.items():
                for code in record[kind]:
                    seen[code] = seen.get(code, 0) + 1
            body = re.sub(r"\s*Reuter\s*$", "", record.get("body") or "")
            for raw in re.split(r"\n(?:\s*\n|    )", body):  # paragraphs start on an indented line
                paragraph = " ".join(raw.split())
                if len(paragraph.split()) >= MIN_PARAGRAPH_WORDS:
                    paragraphs.setdefault(paragraph, _headline(record["title"] or ""))
    entities = {}
    for kind, seen in used.items():
        listed = (folder / f"all-{kind}-strings.lc.txt").read_text(encoding="latin-1").split()
        ranked = sorted(set(listed) | set(seen), key=lambda code: (-seen.get(code, 0), code))
        entities[kind] = Weighted.zipf(list(dict.fromkeys(_name(kind, code) for code in ranked)))
    rng = random.Random(0)
    sources = [f"The {town} {masthead}" for town in TOWNS for masthead in MASTHEADS]
    rng.shuffle(sources)
    authors = {source: tuple(f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(AUTHORS_PER_SOURCE))
               for source in sources}
    return Pool(tuple(paragraphs), tuple(paragraphs.values()), entities, Weighted.zipf(sources), authors)


def _day(rng: random.Random) -> date:
    """A publication day; the density grows linearly over the 30 years."""
    return FIRST_DAY + timedelta(days=min(int(DAYS * rng.random() ** 0.5), DAYS - 1))


def _article(number: int, pool: Pool, rng: random.Random, leads: set[int]) -> dict:
    while True:
        first = rng.randrange(len(pool.paragraphs))
        chosen, target = [pool.paragraphs[first]], rng.randint(*WORDS)
        words = len(chosen[0].split())
        while words < target:
            chosen.append(pool.paragraphs[rng.randrange(len(pool.paragraphs))])
            words += len(chosen[-1].split())
        text = "\n\n".join(chosen)
        lead = int(copy_key(text), 16)  # as an int: a million leads in 40 MB
        if lead not in leads:
            leads.add(lead)
            break
    source = pool.sources.draw(rng)
    published = _day(rng)
    record = {
        "url": f"https://{source.lower().removeprefix('the ').replace(' ', '-')}.example/{published:%Y/%m/%d}/{number}",
        "title": pool.headlines[first], "text": text, "published": published.isoformat(), "source": source,
        "authors": [rng.choice(pool.authors[source])],
    }
    for kind, counts in ENTITIES_PER_ARTICLE.items():
        names = {pool.entities[kind].draw(rng) for _ in range(rng.choice(counts))}
        record[kind] = sorted(names)
    return record


def write_corpus(path: Path, articles: int, seed: int, pool: Pool | None = None) -> Path:
    """Writes ``articles`` records to ``path`` as JSONL (streamed; a file already there is kept, as
    the same size and seed always make the same corpus). Written under another name first, so that
    an interrupted run leaves no partial corpus behind."""
    if path.exists():
        return path
    pool = pool or load_pool()
    rng, leads = random.Random(seed), set()
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", encoding="utf-8") as out:
        for number in range(1, articles + 1):
            out.write(json.dumps(_article(number, pool, rng, leads), ensure_ascii=False) + "\n")
    os.replace(partial, path)
    return path
