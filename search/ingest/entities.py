"""Named entities (people, organisations, places) with spaCy's NER pipe, tidied per article."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from search.ingest.countries import countries_within, country_named, country_of_people

MAX_CHARS = 100_000
"""Only the start of very long texts is read for entities: news articles are far shorter."""
PIECE_CHARS = 5_000
"""The model reads a longer text in pieces of at most this many characters, cut at line ends: its
memory grows with what it reads at once (100,000 characters at once took 0.4 to 1.3 GB;
5,000 take at most 60 MB)."""
_UNUSED_PIPES = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
_LABELS = {"PERSON": "people", "ORG": "orgs", "GPE": "places", "LOC": "places"}
_EDGE = " \t\n\"'“”‘’«»()[]{}<>•·*–—-_|,;:!?/\\"
_EDGE_BUT_CLOSE = _EDGE.replace(")", "")
_LEADING_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")


@dataclass
class Entities:
    people: list[str] = field(default_factory=list)
    orgs: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)


def _strip_edges(name: str) -> str:
    """The name without punctuation at either end, a closing bracket kept when it closes one."""
    name = name.strip(_EDGE_BUT_CLOSE)
    while name.endswith(")") and name.count(")") > name.count("("):
        name = name[:-1].strip(_EDGE_BUT_CLOSE)
    if name.count("(") > name.count(")"):
        name = name[: name.rindex("(")].strip(_EDGE_BUT_CLOSE)
    return name


def tidy(name: str) -> str | None:
    """A readable entity name, or None for what is not a name (lower case, numbers, fragments).

    Strips bullets, quotes, a leading "the", a possessive "'s" and a bracket left open ("International
    Coffee Organization (ICO"); joins the words with single spaces.
    """
    name = _strip_edges(" ".join(name.replace(",", " ").split()))
    name = _strip_edges(_POSSESSIVE.sub("", _LEADING_ARTICLE.sub("", name)))
    if name.endswith(".") and name.count(".") == 1:  # a sentence's full stop, not "U.S." or "D.C."
        name = name[:-1]
    if len(name) < 2 or len(name) > 80 or not any(c.isupper() for c in name):
        return None
    if not any(c.isalpha() for c in name) or (name.islower() and " " not in name):
        return None
    return name


def _ranked(names: list[str]) -> list[str]:
    """Distinct names (case-insensitively), most mentioned first, then in order of first mention."""
    counts = Counter(n.casefold() for n in names)
    first: dict[str, str] = {}
    for n in names:
        first.setdefault(n.casefold(), n)
    order = {key: i for i, key in enumerate(first)}
    return [first[key] for key in sorted(first, key=lambda k: (-counts[k], order[k]))]


def _full_names(people: list[str]) -> list[str]:
    """Map a surname-only mention to the full name it shortens ("Lukashenko" → "Alexander Lukashenko")."""
    full_by_surname: dict[str, str] = {}
    for name in people:
        parts = name.split()
        if len(parts) > 1:
            full_by_surname.setdefault(parts[-1].casefold(), name)
    return [name if " " in name else full_by_surname.get(name.casefold(), name) for name in people]


def group_entities(spans: list[tuple[str, str]]) -> Entities:
    """Entities of an article from (text, spaCy label) spans: tidied, merged and deduplicated.

    A country gets one name whatever the text calls it ("U.S." → "United States"), counts as a place
    even when the model calls it an organisation, and its people ("Japanese officials") count as a
    mention of it.
    """
    found: dict[str, list[str]] = {"people": [], "orgs": [], "places": []}
    surnames = {n.split()[-1].casefold() for t, label in spans if label == "PERSON"
                for n in [tidy(t) or ""] if len(n.split()) > 1}
    for text, label in spans:
        kind = _LABELS.get(label)
        name = tidy(text) if kind or label in ("NORP", "PRODUCT") else None
        if not name:
            continue
        if label == "NORP":
            country = country_of_people(name) or country_named(name)
            if country:
                found["places"].append(country)
            continue
        if label != "PERSON" and name.split()[-1].casefold() in surnames:
            kind = "people"  # "Leigh-Pemberton said" after "Robin Leigh-Pemberton": the model's ORG is him
        elif label == "PRODUCT":
            continue
        country = country_named(name) if kind in ("places", "orgs") else None
        if country:
            kind, name = "places", country
        elif kind in ("orgs", "places"):
            found["places"].extend(countries_within(name))  # "the U.S. Agriculture Department"
        found[kind].append(name)
    place_keys = {p.casefold() for p in found["places"]}
    # A country the model calls an organisation ("Belarus said...") is still a place.
    orgs = [o for o in found["orgs"] if o.casefold() not in place_keys]
    return Entities(
        people=_ranked(_full_names(found["people"])),
        orgs=_ranked(orgs),
        places=_ranked(found["places"]),
    )


def headline_case(headline: str) -> bool:
    """Whether a headline capitalises every longer word ("Opec Reaffirms Commitment To Fixed
    Prices"), as many sites and wires write them: the model reads runs of it as names."""
    longer = [w for w in re.findall(r"[^\W\d_][\w'’-]*", headline) if len(w) > 3]
    return len(longer) >= 3 and all(w[0].isupper() for w in longer)


def reading(headline: str, text: str) -> str:
    """What the model reads: the headline (none when it is in capitals, which the model reads as a
    row of acronyms) and the text."""
    return f"{'' if headline.isupper() else headline}\n{text}"[:MAX_CHARS]


def entities_of(doc, headline: str, text: str) -> Entities:
    """The entities of a parsed ``reading(headline, text)``. From a headline in headline case only
    the names the text repeats as written are kept, and the places the others name or contain ("Japan",
    "U.S. Housing Completions" → United States)."""
    cut = len(headline) + 1 if headline_case(headline) and not headline.isupper() else 0
    trusted, doubtful = [], []
    for ent in doc.ents:  # as written: "U.S. Dlrs" in a headline is not the text's "U.S. dlrs"
        (trusted if ent.start_char >= cut or ent.text in text else doubtful).append((ent.text, ent.label_))
    found = group_entities(trusted)
    found.places += [place for place in group_entities(doubtful).places if place not in found.places]
    return found


def pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """The text cut into pieces of at most ``size`` characters, each ending at a line end where
    one is near (else at a space, else anywhere), so that joined again they are the text."""
    cuts = []
    while len(text) > size:
        end = text.rfind("\n", size // 2, size) + 1 or text.rfind(" ", size // 2, size) + 1 or size
        cuts.append(text[:end])
        text = text[end:]
    return [*cuts, text]


class EntityRecognizer:
    """spaCy's NER pipe, loaded once, without the pipes that entities do not need."""

    def __init__(self, model: str):
        import spacy

        self.nlp = spacy.load(model, exclude=_UNUSED_PIPES)

    def read(self, text: str):
        """The text parsed by the model, piece by piece (see PIECE_CHARS), as one spaCy Doc."""
        from spacy.tokens import Doc

        docs = [self.nlp(piece) for piece in pieces(text)]
        return docs[0] if len(docs) == 1 else Doc.from_docs(docs, ensure_whitespace=False)

    def entities(self, text: str, headline: str = "") -> Entities:
        return entities_of(self.read(reading(headline, text)), headline, text)


@lru_cache(maxsize=2)
def recognizer(model: str) -> EntityRecognizer:
    """The recognizer for a model name, loaded on first use and kept for the process."""
    return EntityRecognizer(model)
