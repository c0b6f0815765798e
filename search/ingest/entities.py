"""Named entities (people, organisations, places) with spaCy's NER pipe, tidied per article."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from search.ingest.countries import countries_within, country_named, country_of_people
from search.ingest.language import classify

MAX_CHARS = 100_000
"""Only the start of very long texts is read for entities: news articles are far shorter."""
PIECE_CHARS = 5_000
"""The model reads a longer text in pieces of at most this many characters, cut at line ends: its
memory grows with what it reads at once (100,000 characters at once took 0.4 to 1.3 GB;
5,000 take at most 60 MB)."""
_UNUSED_PIPES = ["parser", "attribute_ruler", "lemmatizer", "senter"]
"""The tagger stays (with the tok2vec it reads): it tells a proper noun ("Apple") from a capitalised
word ("Size", "Debug", "Thankfully") that the entity pipe, which has a tok2vec of its own, calls a name."""
_PROPER_TAGS = {"NNP", "NNPS"}
_LABELS = {"PERSON": "people", "ORG": "orgs", "GPE": "places", "LOC": "places"}
_EDGE = " \t\n\"'“”‘’«»()[]{}<>•·*–—-_|,;:!?/\\"
_EDGE_BUT_CLOSE = _EDGE.replace(")", "")
_NAMED = {"PERSON", "ORG", "GPE", "LOC"}
_JOINERS = {"and", "of", "&", "de", "von", "van", "der", "den", "du", "la", "le", "del", "di", "da", "the", "for"}
_PARTICLES = {"von", "van", "der", "den", "de", "da", "di", "del", "du", "la", "le", "bin", "al", "ter"}
"""Lower-case words inside people's names ("Ursula von der Leyen", "Ludwig van Beethoven")."""
_JOINER = r"(?:and|of|&|de|von|van|der|den|du|la|le|del|di|da)"
_JOINED_BEFORE = re.compile(rf"([A-Z][\w'’-]*)(?:[^\S\n]+{_JOINER})*[^\S\n]+$")
_JOINED_AFTER = re.compile(rf"(?:[^\S\n]+{_JOINER})*[^\S\n]+[A-Z][\w'’-]*")
_SENTENCE_OPENERS = {"The", "A", "An", "In", "On", "At", "By", "For", "From", "With", "And", "But", "As",
                     "If", "When", "While", "After", "Before", "To", "Of", "This", "That", "Mr", "Mrs", "Ms",
                     "Dr", "President", "Minister", "Prime", "Chancellor", "Senator", "Governor", "Judge"}
_HONORIFIC = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Dame|Lady|Lord|President|Senator|Sen|Rep|Gov"
                        r"|Governor|Judge|Minister|Chancellor|King|Queen|Prince|Princess|Pope)\.?\s+$")
_DIRECTIONS = {"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest", "earth"}
"""Alone, a compass point or the planet names no place a facet can tell apart ("South", "Earth")."""
_ODD = re.compile(r"\d|[/\\@=#_+<>{}]|[^\W\d_]\.[a-z]{2}")
_LEADING_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")


class Mention(NamedTuple):
    """One name the model found: its text and label, where it starts in what the model read (-1 when
    not known), and whether its last word is tagged a proper noun."""
    text: str
    label: str
    start: int = -1
    proper: bool = True


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
    """Map a surname-only mention to the full name it shortens ("Lukashenko" → "Alexander Lukashenko"),
    and a first name to the one full name that starts with it ("Sandra" → "Sandra Haro")."""
    by_surname: dict[str, str] = {}
    by_first: dict[str, set[str]] = defaultdict(set)
    for name in people:
        parts = name.split()
        if len(parts) > 1:
            by_surname.setdefault(parts[-1].casefold(), name)
            by_first[parts[0].casefold()].add(name)
    def full(name: str) -> str:
        key = name.casefold()
        if " " in name:
            return name
        if key in by_surname:
            return by_surname[key]
        return next(iter(by_first[key])) if len(by_first.get(key, ())) == 1 else name
    return [full(name) for name in people]


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper() and w.casefold() not in _JOINERS)


def _spelled_out(names: dict[str, list[str]]) -> dict[str, tuple[str, str]]:
    """Acronyms the article spells out: "EU" → ("orgs", "European Union") where both are named."""
    long_forms: dict[str, tuple[str, str]] = {}
    for kind in ("orgs", "places"):
        for name in names[kind]:
            letters = _initials(name)
            if len(name.split()) > 1 and len(letters) >= 2:
                long_forms.setdefault(letters, (kind, name))
    return {short: long_forms[key] for kind in ("orgs", "places") for short in names[kind]
            for key in [short.replace(".", "")] if short.isupper() and key in long_forms}


def _majority_labels(spans: list[Mention]) -> list[Mention]:
    """One type per name in an article: a person or not, as the model read it most often (a tie goes to
    a person for a name of several words). A name the model calls a place as well as an organisation
    keeps each mention's reading: a city or country stands for its government, its team, its exchange
    ("Tokyo said"), and a country is made a place later whatever it was called."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for span in spans:
        if span.label in _NAMED:
            votes[(tidy(span.text) or "").casefold()][span.label] += 1

    def label(span: Mention) -> str:
        counted = votes.get((tidy(span.text) or "").casefold())
        if span.label not in _NAMED or not counted or "PERSON" not in counted or len(counted) == 1 \
                or country_named(tidy(span.text) or ""):
            return span.label
        person = counted["PERSON"]
        other = sum(counted.values()) - person
        if person > other or (person == other and len(span.text.split()) > 1):
            return "PERSON"
        if span.label == "PERSON":
            return max((n, lab) for lab, n in counted.items() if lab != "PERSON")[1]
        return span.label
    return [span._replace(label=label(span)) for span in spans]


def group_entities(spans: list[tuple[str, str]] | list[Mention]) -> Entities:
    """Entities of an article from (text, spaCy label) spans: tidied, merged and deduplicated.

    Each name gets the type the model gave it most often. A country gets one name whatever the text
    calls it ("U.S." → "United States"), counts as a place even when the model calls it an
    organisation, and its people ("Japanese officials") count as a mention of it. A surname or first
    name stands for the full name the article gives ("Tsikhanouskaya" → "Sviatlana Tsikhanouskaya"),
    an acronym for the name the article spells out ("EU" → "European Union").
    """
    spans = _majority_labels([Mention(*span) for span in spans])
    found: dict[str, list[str]] = {"people": [], "orgs": [], "places": []}
    person_names = [n for t, label, *_ in spans if label == "PERSON" for n in [tidy(t) or ""] if len(n.split()) > 1]
    surnames = {n.split()[-1].casefold() for n in person_names}
    first_names = {n.split()[0].casefold() for n in person_names}
    for text, label, *_ in spans:
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
        elif label == "PRODUCT" or (label != "PERSON" and name.casefold() in first_names):
            continue  # "Priti" an organisation beside "Priti Patel": a piece of her name
        country = country_named(name) if kind in ("places", "orgs") else None
        if country:
            kind, name = "places", country
        elif kind in ("orgs", "places"):
            found["places"].extend(countries_within(name))  # "the U.S. Agriculture Department"
        found[kind].append(name)
    place_keys = {p.casefold() for p in found["places"]}
    # A country the model calls an organisation ("Belarus said...") is still a place.
    found["orgs"] = [o for o in found["orgs"] if o.casefold() not in place_keys]
    for short, (kind, name) in _spelled_out(found).items():
        for names in (found["orgs"], found["places"]):
            if short in names:
                names[:] = [n for n in names if n != short]
        found[kind].append(name)
    return Entities(
        people=_ranked(_full_names(found["people"])),
        orgs=_ranked(found["orgs"]),
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


def _inside_a_longer_name(reading_text: str, start: int, end: int) -> bool:
    """Whether the word at [start, end) is joined to a capitalised word before or after it ("Basildon"
    in "Basildon and Billericay", "Leyen" in "Ursula von der Leyen", "Gamer" in "PC Gamer"); a
    capitalised word that starts a sentence or line does not count."""
    before, after = reading_text[max(0, start - 60):start], reading_text[end:end + 60]
    joined_before = _JOINED_BEFORE.search(before)
    if joined_before and joined_before.group(1) not in _SENTENCE_OPENERS \
            and not re.search(r"(^|[.!?:;\n\"“”])\s*$", before[:joined_before.start(1)]):
        return True
    return bool(_JOINED_AFTER.match(after))


def mend_split_names(spans: list[Mention], reading_text: str) -> list[Mention]:
    """A person's name the model cut at a particle ("Ursula von der" + "Leyen" as a place) made whole."""
    mended: list[Mention] = []
    swallowed_until = -1
    for span in spans:
        if span.start >= 0 and span.start < swallowed_until:
            continue
        words = span.text.split()
        if span.label == "PERSON" and span.start >= 0 and len(words) > 1 and words[-1] in _PARTICLES:
            end = span.start + len(span.text)
            rest = re.match(r"\s+([A-Z][\w'’-]*)", reading_text[end:end + 60])
            if rest:
                span = span._replace(text=span.text + rest.group(), proper=True)
                swallowed_until = end + rest.end()
        mended.append(span)
    return mended


def corroborated(spans: list[Mention], reading_text: str) -> list[Mention]:
    """The mentions that read as names of their kind, in an article the model read as ``reading_text``:
    - a one-word person or organisation tagged a proper noun ("Size", "Thankfully", "Schools" are not
      names; the tagger misreads too many cities to ask it of places);
    - no digits, slashes or dotted file names ("Python 3.0", "AppleWebKit/537.36", "Node.js"), no
      compass point alone ("South");
    - a one-word person or organisation is not a word of a longer name every time it occurs
      ("Basildon" of "Basildon and Billericay"); places are spared, as the city of "Tokyo Stock Exchange";
    - a one-word person named once, not part of a full name in the article and without "Mr", "Dr",
      "President"... before it, is too doubtful to list ("Size", "Honor", "Debug" were people).
    Countries, nationalities (NORP) and other labels pass through, and a doubtful organisation or
    place still counts as a mention of the countries it names."""
    named = [s for s in spans if s.label in _NAMED]
    counts = Counter((tidy(s.text) or "").casefold() for s in named)
    full_names = [words for s in named if s.label == "PERSON" for words in [(tidy(s.text) or "").split()]
                  if len(words) > 1]
    person_words = {w.casefold() for words in full_names for w in words}
    occurrences: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for word in re.finditer(r"\w+", reading_text):  # one pass: where each word occurs
        occurrences[word.group()].append(word.span())
    inside: dict[str, bool] = {}

    def doubtful(span: Mention, name: str) -> bool:
        if (not span.proper and " " not in name and span.label in ("PERSON", "ORG")) or _ODD.search(name) \
                or name.casefold() in _DIRECTIONS:
            return True
        if len(name.split()) > 1 or name.casefold() in person_words:
            return False
        if name not in inside:  # every occurrence of the word inside a longer name
            found = occurrences.get(name, [])
            inside[name] = bool(found) and all(_inside_a_longer_name(reading_text, a, b) for a, b in found)
        if span.label in ("PERSON", "ORG") and inside[name]:
            return True
        return span.label == "PERSON" and counts[name.casefold()] < 2 and not (
            span.start >= 0 and _HONORIFIC.search(reading_text[max(0, span.start - 12):span.start]))

    kept = []
    for span in spans:
        name = tidy(span.text) or ""
        if span.label not in _NAMED or country_named(name) or not doubtful(span, name):
            kept.append(span)
        elif span.label != "PERSON":  # the countries it names still count: "U.S. M-1 Money Supply"
            kept += [Mention(country, "GPE", span.start) for country in countries_within(name)]
    return kept


FOREIGN_LINE_WORDS = 8
"""A line of at least this many words that is confidently in another language is not read for names."""


def in_other_languages(reading_text: str, language: str) -> list[tuple[int, int]]:
    """The (start, end) of lines written in another language than the model's (German paragraphs in a
    page that is mostly English: the English model reads "Spaß", "Surfen", "Ich bin von Berlin" as
    names)."""
    spans, start = [], 0
    for line in reading_text.split("\n"):
        if len(line.split()) >= FOREIGN_LINE_WORDS:
            code, probability = classify(line)
            if code != language and probability >= 0.99:
                spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def entities_of(doc, headline: str, text: str) -> Entities:
    """The entities of a parsed ``reading(headline, text)`` (see ``corroborated`` for what is kept).
    From a headline in headline case only the names the text repeats as written are kept, and the
    places the others name or contain ("Japan", "U.S. Housing Completions" → United States)."""
    cut = len(headline) + 1 if headline_case(headline) and not headline.isupper() else 0
    foreign = in_other_languages(doc.text, doc.lang_ or "en")
    found = [Mention(e.text, e.label_, e.start_char, e[-1].tag_ in _PROPER_TAGS) for e in doc.ents
             if not any(a <= e.start_char < b for a, b in foreign)]
    spans = corroborated(mend_split_names(found, doc.text), doc.text)
    trusted, doubtful = [], []
    for span in spans:  # as written: "U.S. Dlrs" in a headline is not the text's "U.S. dlrs"
        (trusted if span.start >= cut or span.text in text else doubtful).append(span)
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
