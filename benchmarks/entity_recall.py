"""Entity quality on Reuters-21578 against its human index terms, for the product and, in the same
run and on the same model output, for spaCy's entities as they come (the anchor).

    python benchmarks/entity_recall.py [--places 3000]

- people: recall of the articles' ``people`` tags among the extracted people, matched by surname
  ("james-baker" ↔ "James Baker" or "Baker"), over every article with a people tag and a body;
- places: recall of the ``places`` tags that the text names in some form (country name, other name,
  adjective, capital or major city: "U.S.", "American", "Bonn" → the tag's country), with extracted
  places mapped to countries the same way, over the first ``--places`` articles with a places tag;
- junk: share of the extracted entities that are no names (a single lower-case word, a number, a
  date word) or the news agency itself;
- not in the text: share of the extracted entities that the article's text (headline aside) does not
  contain as written, mostly runs of a title-cased headline read as a name ("Opec Reaffirms
  Commitment To Fixed Prices") and names the product normalised ("U.S." → "United States").

The headlines are given in title case, as sites print them (the collection has them in capitals,
which the product leaves out of entity recognition). Both rows come from the same model output
over headline and text; the product keeps, from a headline in headline case, only the
places and the names the text repeats (``search.ingest.entities.entities_of``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time

from common import DATA, require

from search.ingest.countries import known_names
from search.ingest.entities import entities_of, reading, recognizer
from search.ingest.pipeline import article_from_record
from search.ingest.sources import RawDocument
from search.settings import Settings

REUTERS = DATA / "reuters21578"
_TAG_NAMES = {"usa": "United States", "uk": "United Kingdom", "ussr": "Soviet Union",
              "uae": "United Arab Emirates", "west-germany": "West Germany", "east-germany": "East Germany",
              "burma": "Burma", "zaire": "Zaire", "ivory-coast": "Ivory Coast"}
_MAJOR_CITIES = {"New York": "usa", "Chicago": "usa", "Houston": "usa", "Los Angeles": "usa",
                 "San Francisco": "usa", "Frankfurt": "west-germany", "Hamburg": "west-germany",
                 "Munich": "west-germany", "Duesseldorf": "west-germany", "Osaka": "japan", "Toronto": "canada",
                 "Montreal": "canada", "Vancouver": "canada", "Sydney": "australia", "Melbourne": "australia",
                 "Rio de Janeiro": "brazil", "Sao Paulo": "brazil", "Zurich": "switzerland", "Geneva": "switzerland",
                 "Milan": "italy", "Rotterdam": "netherlands", "Shanghai": "china", "Bombay": "india",
                 "Johannesburg": "south-africa", "Istanbul": "turkey", "Auckland": "new-zealand", "Dubai": "uae"}
_DATE_WORDS = re.compile(r"^(january|february|march|april|may|june|july|august|september|october|november|"
                         r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|"
                         r"yesterday|tomorrow)\b", re.IGNORECASE)


def place_names() -> dict[str, str]:
    """Every name a Reuters places tag goes by (casefolded) → the tag."""
    tags = [t.strip() for t in (REUTERS / "all-places-strings.lc.txt").read_text().split() if t.strip()]
    by_country = {_TAG_NAMES.get(tag, tag.replace("-", " ")).casefold(): tag for tag in tags}
    names = dict(by_country)
    for line in (REUTERS / "feldman-cia-worldfactbook-data.txt").read_text(errors="replace").splitlines():
        match = re.match(r'bgfact\("([^"]+)","Capital",\["([^"]+)"', line)
        if match and match.group(1).casefold() in by_country:
            names[match.group(2).split(",")[0].casefold()] = by_country[match.group(1).casefold()]
    names["bonn"] = "west-germany"
    names["washington"] = "usa"
    countries, peoples = known_names()
    for table in (countries, peoples):
        for name, country in table.items():
            if country.casefold() in by_country:
                names.setdefault(name, by_country[country.casefold()])
    for city, tag in _MAJOR_CITIES.items():
        names[city.casefold()] = tag
    return names


def named_tags(text: str, tags: list[str], names: dict[str, str]) -> set[str]:
    """The tags the text names in some form (whole words, starting with a capital: "US", not "us";
    a name may be broken across lines, as in wrapped wire copy)."""
    found = set()
    for name, tag in names.items():
        pattern = r"\s+".join(map(re.escape, name.split()))
        if tag in tags and tag not in found and any(
                m.group()[0].isupper() for m in re.finditer(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE)):
            found.add(tag)
    return found


def surname_match(tag: str, people: list[str]) -> bool:
    """Whether a person tag ("james-baker", "leigh-pemberton") names one of the people by surname."""
    surname = tag.split("-")[-1].casefold()
    return any(re.sub(r"['’]s?$", "", p).replace("-", " ").split()[-1].casefold() == surname
               for p in people if p.split())


def is_junk(name: str) -> bool:
    return ((" " not in name and name.islower()) or not any(c.isalpha() for c in name)
            or bool(_DATE_WORDS.match(name)) or name.casefold().startswith("reuter"))


def articles(limit_places: int):
    rows = []
    with gzip.open(require(REUTERS / "reuters21578.jsonl.gz"), "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if (record.get("body") or "").strip():
                rows.append(record)
    people_rows = [r for r in rows if r["people"]]
    place_rows = [r for r in rows if r["places"]][:limit_places]
    return people_rows, place_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--places", type=int, default=3000, help="articles with a places tag to read")
    args = parser.parse_args()
    people_rows, place_rows = articles(args.places)
    names = place_names()
    nlp = recognizer(Settings().spacy_model).nlp
    wanted = {id(r): r for r in people_rows + place_rows}
    rows = list(wanted.values())
    texts, bodies, articles_ = [], [], []
    for r in rows:
        article = article_from_record(RawDocument(f"reuters#{r['newid']}", "", title=r["title"].title(),
                                                  text=r["body"], published=r["date"], source="Reuters"))
        texts.append(reading(article.title, article.text))  # title case: the headline is read
        bodies.append(article.text.casefold())
        articles_.append(article)
    start = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=64))
    seconds = time.perf_counter() - start
    words = sum(len(t.split()) for t in texts)
    print(f"Reuters-21578: {len(people_rows)} articles with people tags, {len(place_rows)} with places tags; "
          f"NER {words / seconds:,.0f} words/s in one process")

    results = {"spaCy as is": {}, "this product": {}}
    for r, doc, article in zip(rows, docs, articles_):
        spans = [(e.text, e.label_) for e in doc.ents]
        raw = {"people": [t for t, l in spans if l == "PERSON"], "orgs": [t for t, l in spans if l == "ORG"],
               "places": [t for t, l in spans if l in ("GPE", "LOC")]}
        ours = entities_of(doc, article.title, article.text)
        results["spaCy as is"][id(r)] = raw
        results["this product"][id(r)] = {"people": ours.people, "orgs": ours.orgs, "places": ours.places}

    for name, found in results.items():
        people_hits = people_total = 0
        for r in people_rows:
            for tag in r["people"]:
                people_total += 1
                people_hits += surname_match(tag, found[id(r)]["people"])
        place_hits = place_total = all_tags = 0
        place_ids = {id(r) for r in place_rows}
        for r, text in zip(rows, texts):
            if id(r) not in place_ids:
                continue
            all_tags += len(r["places"])
            named = named_tags(text, r["places"], names)
            extracted = {names.get(p.casefold()) for p in found[id(r)]["places"]}
            place_total += len(named)
            place_hits += len(named & extracted)
        entities = [(e, body) for r, body in zip(rows, bodies) for kind in ("people", "orgs", "places")
                    for e in dict.fromkeys(found[id(r)][kind])]
        junk = sum(is_junk(e) for e, _ in entities)
        unseen = sum(e.casefold() not in body for e, body in entities)
        print(f"{name:<14} people recall {people_hits / people_total:.3f} ({people_total} tags)   "
              f"places recall {place_hits / place_total:.3f} ({place_total} of {all_tags} tags named)   "
              f"junk {junk / len(entities):.2%} of {len(entities)}   not in the text {unseen / len(entities):.2%}")


if __name__ == "__main__":
    main()
