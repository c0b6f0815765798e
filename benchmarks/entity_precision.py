"""Entity precision on real web pages: of the people, organisations and places listed for the English
articles of ``../shared/data/news-pages``, the share that are right, for the product and, in the same
run, for spaCy's entities as they come (the anchor: the same model, each span's text and label as is).

    python benchmarks/entity_precision.py [--show N]

The sample: every (page, name, type) either system lists whose SHA-1 of "file<TAB>name<TAB>type" falls
in the lowest tenth (a seeded sample that stays put as the rules change: a new name is in it or not by
its own hash). Each was judged by hand, reading the article (``entity_judgements.jsonl``): right when
the name is a complete proper name of a real entity of that type as the article mentions it; wrong
for common words, products, software and events, fragments of longer names, glued words (a leading
"the" included: the facet would list it apart from the name), and a wrong type. Names in the sample
without a judgement are counted and listed: judge them before quoting the figure.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

from common import DATA, require

from search.ingest import extract_article
from search.ingest.entities import reading, recognizer
from search.ingest.errors import UnreadableDocument
from search.settings import Settings

JUDGED = Path(__file__).with_name("entity_judgements.jsonl")
SHARE = 0.1
KINDS = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "place"}


def sampled(file: str, name: str, kind: str) -> bool:
    digest = hashlib.sha1(f"{file}\t{name}\t{kind}".encode()).hexdigest()
    return int(digest[:8], 16) / 2**32 < SHARE


def english_articles() -> list[tuple[str, object]]:
    """(file, Article) for every news-pages page the product reads as English."""
    folder = require(DATA / "news-pages")
    found = []
    for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        path = folder / record["file"]
        if not path.exists():
            continue
        try:
            article = extract_article(gzip.decompress(path.read_bytes()), record.get("url"))
        except UnreadableDocument:
            continue
        if article.language == "en":
            found.append((record["file"], article))
    return found


def listed(articles) -> dict[str, set[tuple[str, str, str]]]:
    """The (file, name, type) each system lists."""
    model = recognizer(Settings().spacy_model)
    runs: dict[str, set] = {"spaCy as is": set(), "this product": set()}
    for file, article in articles:
        doc = model.read(reading(article.title, article.text))
        runs["spaCy as is"] |= {(file, e.text.strip(), KINDS[e.label_]) for e in doc.ents if e.label_ in KINDS}
        found = model.entities(article.text, headline=article.title)
        for kind, names in (("person", found.people), ("organisation", found.orgs), ("place", found.places)):
            runs["this product"] |= {(file, name, kind) for name in names}
    return runs


def measure(articles, show: int = 0) -> None:
    judged = {}
    for line in JUDGED.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        judged[(row["file"], row["name"], row["type"])] = row
    print(f"Entity precision: {len(articles)} English pages of news-pages, "
          f"{len(judged)} judged (page, name, type)")
    for system, names in listed(articles).items():
        sample = sorted(n for n in names if sampled(*n))
        rows = [judged[n] for n in sample if n in judged]
        unjudged = [n for n in sample if n not in judged]
        right = sum(r["correct"] for r in rows)
        print(f"  {system:<14} precision {right / max(1, len(rows)):.3f} ({right} of {len(rows)} right; "
              f"{len(names)} listed in all)   not judged yet {len(unjudged)}")
        for key in unjudged[:20]:
            print(f"      not judged: {key}")
        for row in [r for r in rows if not r["correct"]][:show]:
            print(f"      wrong: {row['name']!r} ({row['type']}): {row['why']}")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=int, default=0, help="list this many of each system's wrong names")
    args = parser.parse_args()
    measure(english_articles(), show=args.show)


if __name__ == "__main__":
    main()
