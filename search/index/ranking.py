"""How matches are scored, and how a question typed in plain words is searched.

Scoring is BM25F over title and text with the Robertson–Spärck Jones idf,
log(1 + (N − df + 0.5) / (df + 0.5)); Whoosh's own BM25F uses log(N / (df + 1)) + 1, which
rates common words too highly. A query of a few plain words needs every word (as in web
search engines); a longer one, written as a description or a question ("efforts of the
ambassador to get the president to change his policies"), is read as its content words, any of
which may match, ranked by how many and how rare they are.
"""

from __future__ import annotations

import importlib.util
import math
import re
import weakref
from pathlib import Path

from whoosh import query as wq
from whoosh.analysis import STOP_WORDS as WHOOSH_STOP_WORDS
from whoosh.scoring import BM25F, BM25FScorer, WeightScorer

from search.index.parser import QUERY_FIELDS, SEARCHED_FIELDS

MAX_ALL_WORDS = 3
"""A plain query with more content words than this is read as a description (any word may match)."""
MAX_DESCRIPTION_TERMS = 32
"""A longer description (a pasted paragraph or article) is searched by its most telling words:
those it repeats most, weighted by their rarity in the index."""


def _spacy_stop_words() -> frozenset[str]:
    """spaCy's English stop words, read from their module without importing spaCy itself (which
    would cost the web processes a second and 60 MB for one list)."""
    spacy = importlib.util.find_spec("spacy")
    location = Path(next(iter(spacy.submodule_search_locations))) / "lang" / "en" / "stop_words.py"
    spec = importlib.util.spec_from_file_location("_english_stop_words", location)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(module.STOP_WORDS)


QUESTION_STOP_WORDS = _spacy_stop_words() | WHOOSH_STOP_WORDS
"""Words that carry no topic in a description (spaCy's English list and Whoosh's own)."""
_SYNTAX = re.compile(r'["*~^\[\]{}]|\?\w|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b|(?:^|[\s(])[-+]\S'
                     rf'|(?<!\w)(?:{"|".join(sorted(QUERY_FIELDS))}):')


class RobertsonBM25F(BM25F):
    """Whoosh's BM25F with the Robertson–Spärck Jones idf (never negative), a word's idf the same in
    the title as in the text: the number of articles with the word in either (the larger of the two
    counts). An idf of the title alone made a word rare in headlines but common in articles ("gross",
    "national") outweigh the rest of the query: on short queries over Reuters-21578's topics, MAP@100
    0.5817 against 0.6167 (benchmarks/topics.py, any word matching)."""

    IDF_CACHE = 100_000
    """Terms whose idf is remembered per searcher (a term is scored in every segment, and its
    document frequency is a sum over every segment)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._idfs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return WeightScorer.for_(searcher, fieldname, text)
        scorer = BM25FScorer(searcher, fieldname, text, self._field_B.get(fieldname, self.B), self.K1, qf=qf)
        scorer.idf = self.robertson_idf(searcher.get_parent(), fieldname, text)
        return scorer

    def robertson_idf(self, parent, fieldname: str, text) -> float:
        """A term's idf over the whole index (``parent``: its top searcher), remembered per searcher."""
        known = self._idfs.setdefault(parent, {})
        key = ("", text) if fieldname in SEARCHED_FIELDS else (fieldname, text)  # one idf for title and text
        idf = known.get(key)
        if idf is None:
            documents = parent.doc_count_all()
            if fieldname in SEARCHED_FIELDS:  # as rare in the title as in the article (see the class)
                frequency = max(parent.doc_frequency(field, text) for field in SEARCHED_FIELDS)
            else:
                frequency = parent.doc_frequency(fieldname, text)
            idf = math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))
            if len(known) >= self.IDF_CACHE:
                known.clear()
            known[key] = idf
        return idf


def is_plain(q: str) -> bool:
    """Whether a query is only words (and punctuation, brackets, a question's closing "?" and a
    headline's colon included): no quotes, field prefixes, wildcards, ranges or operators."""
    return not _SYNTAX.search(q)


def description_query(q: str, schema, fields: dict[str, float], reader=None) -> wq.Query | None:
    """For a plain query of more than MAX_ALL_WORDS content words, a query matching any of them
    in any of ``fields`` (name → boost); None for a short or non-plain query. With the index's
    ``reader``, a description of more than MAX_DESCRIPTION_TERMS words keeps its most telling ones."""
    if not is_plain(q):
        return None
    analyzer = schema["text"].analyzer
    words = [w for w in re.findall(r"\w+(?:[.'’]\w+)*", q) if w.casefold() not in QUESTION_STOP_WORDS]
    counts: dict[str, int] = {}
    for token in (token.text for word in words for token in analyzer(word)):
        counts[token] = counts.get(token, 0) + 1
    terms = list(counts)
    if len(terms) <= MAX_ALL_WORDS:
        return None
    if len(terms) > MAX_DESCRIPTION_TERMS and reader is not None:
        documents = max(reader.doc_count(), 1)

        def telling(term: str) -> float:
            frequency = reader.doc_frequency("text", term)
            return counts[term] * math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5)) if frequency else 0.0

        kept = set(sorted(terms, key=telling, reverse=True)[:MAX_DESCRIPTION_TERMS])
        terms = [term for term in terms if term in kept]
    return wq.Or([wq.Or([wq.Term(field, term, boost=boost) for field, boost in fields.items()])
                  for term in terms])
