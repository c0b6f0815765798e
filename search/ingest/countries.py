"""Countries by any of their names: "U.S.", "America" and "American" all stand for the United States.

The table (``data/countries.tsv``) lists each country's usual name in English news, its other names
and what its people are called; the entity tidying uses it to give a country one name and to count
"Japanese officials" as a mention of Japan.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    names: dict[str, str] = {}
    peoples: dict[str, str] = {}
    text = resources.files("search.ingest").joinpath("data/countries.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        country, others, people = (line.split("\t") + ["", ""])[:3]
        for name in [country, *others.split(",")]:
            if name.strip():
                names[name.strip().casefold()] = country
        for name in people.split(","):
            if name.strip():
                peoples[name.strip().casefold()] = country
    return names, peoples


def known_names() -> tuple[dict[str, str], dict[str, str]]:
    """(every casefolded country name → country, every casefolded people's name → country)."""
    names, peoples = _tables()
    return dict(names), dict(peoples)


def country_named(name: str) -> str | None:
    """The country a name stands for ("U.S." → "United States"), or None when it names no country."""
    return _tables()[0].get(name.casefold())


def country_of_people(name: str) -> str | None:
    """The country whose people a word names ("Japanese" → "Japan"), or None."""
    return _tables()[1].get(name.casefold())


def countries_within(name: str) -> list[str]:
    """Countries named inside a longer name ("Union Bank of Switzerland" → Switzerland,
    "the U.S. Agriculture Department" → United States)."""
    words = name.replace("\n", " ").split()
    found = []
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start:start + size]).strip(",;:'’()[]")
            country = country_named(phrase) or (country_of_people(phrase) if size == 1 else None)
            if country and country not in found and phrase[:1].isupper():
                found.append(country)
    return found
