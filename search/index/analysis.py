"""A text field's postings and spelling words as Whoosh's analysis makes them, in a few passes over
lists instead of a chain of generators per word.

Whoosh analyses a text with a generator per filter (tokenizer, lower case, stop words, stems), each
step of each word a Python call: about 1.7 ms of a 400-word article, a quarter of what indexing
it costs. For the one analyzer the schema uses (Whoosh's StemmingAnalyzer with its defaults and
the Positions format) this module makes the same postings (words, frequencies, weights, encoded
positions, in the same order) and spelling words with a regular expression's ``findall`` and list
operations; a field analysed any other way is left to Whoosh (``analyse`` returns None).
tests/test_analysis.py compares the two on every text it has.
"""

from __future__ import annotations

import re
from pickle import dumps

from whoosh.analysis import CompositeAnalyzer, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.formats import Positions
from whoosh.system import pack_uint

Postings = list[tuple[bytes, int, float, bytes]]


_PLANS: dict[int, tuple] = {}
"""Each field's plan by the field's id, beside the field (kept alive, so that its id stays its own)."""


def _plan(field) -> tuple | None:
    known = _PLANS.get(id(field))
    if known is None or known[0] is not field:
        if len(_PLANS) > 64:
            _PLANS.clear()
        known = _PLANS[id(field)] = (field, _planned(field))
    return known[1]


def _planned(field) -> tuple | None:
    """(word pattern, stop words, shortest word, stemming function, words not stemmed, format, stems
    found so far) of a field analysed as this module knows how to, else None."""
    analyzer, format_ = field.analyzer, field.format
    if type(analyzer) is not CompositeAnalyzer or type(format_) is not Positions:
        return None
    items = analyzer.items
    if [type(item) for item in items] != [RegexTokenizer, LowercaseFilter, StopFilter, StemFilter]:
        return None
    tokenizer, _, stops, stemmer = items
    if tokenizer.gaps or stops.max is not None or not stops.renumber:
        return None
    # the same pattern, its groups made non-capturing, so that findall gives whole matches
    pattern = re.compile(re.sub(r"\((?!\?)", "(?:", tokenizer.expression.pattern), tokenizer.expression.flags)
    return pattern, stops.stops, stops.min, stemmer.stemfn, stemmer.ignore, format_, {}


def analyse(field, value: str, spelling: bool) -> tuple[Postings, list[str]] | None:
    """What ``field.index(value)`` gives, and (with ``spelling``) ``field.spellable_words(value)``;
    None when the field is analysed otherwise than this module knows."""
    plan = _plan(field)
    if plan is None:
        return None
    pattern, stoplist, shortest, stemmer, unstemmed, format_, known = plan
    words = list(map(str.lower, pattern.findall(value)))
    kept = [(at, word) for at, word in enumerate(words) if len(word) >= shortest and word not in stoplist]
    positions: dict[str, list[int]] = {}
    if kept:
        stems = _stems(stemmer, {word for _, word in kept}, unstemmed, known)
        first = kept[0][0]  # Whoosh's StopFilter numbers the words it keeps on from the first one's position
        for offset, (_, word) in enumerate(kept, first):
            term = stems[word]
            found = positions.get(term)
            if found is None:
                positions[term] = [offset]
            else:
                found.append(offset)
    boost = format_.field_boost
    postings = [(term.encode("utf-8"), len(where), float(len(where)) * boost, _encoded(where))
                for term, where in positions.items()]
    return postings, sorted({word for _, word in kept}) if spelling else []


_STEMS_KEPT = 200_000
"""Words whose stems a field remembers (Whoosh's StemFilter keeps 50,000 in a cache slower to ask)."""


def _stems(stem, words: set[str], unstemmed: frozenset, known: dict[str, str]) -> dict[str, str]:
    """Each word's stem (as the StemFilter's function gives it), words it must not stem unchanged;
    ``known``: the stems found before."""
    if len(known) > _STEMS_KEPT:
        known.clear()
    found = {}
    for word in words:
        term = known.get(word)
        if term is None:
            term = known[word] = word if word in unstemmed else stem(word)
        found[word] = term
    return found


def _encoded(positions: list[int]) -> bytes:
    """Whoosh's Positions.encode: the count, then the pickled list of each position's distance
    from the one before."""
    deltas = [positions[0], *(b - a for a, b in zip(positions, positions[1:]))] if len(positions) > 1 else positions
    return pack_uint(len(positions)) + dumps(deltas, 2)
