"""Snippets: a result's best two passages with the matched words marked, cut where a reader expects.

The passages are the ones Whoosh's highlighter picks (its ContextFragmenter, fragment scorer and
HTML formatter) when it re-reads a text; only the reading is done here, in one pass over the text
with a word's stem looked up in a table, since Whoosh's chain of analysis filters costs some 15 µs a
word, and re-reading the ten results shown was most of a search's time.

Each passage's start and end then move to the nearest sentence boundary, else clause boundary, else
space between words (see ``cuts``), so no passage begins or ends inside a word; "…" shows where a
passage begins or ends inside a sentence, and one "…" stands between two passages.
"""

from __future__ import annotations

import bisect
import html
import re
from collections import deque
from dataclasses import dataclass
from typing import Iterator

from whoosh import highlight
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter, Token

from search.index.cuts import Boundary, Cut, end_near, start_near

SNIPPET_CHARS = 240
SURROUND = 80
"""Characters of context around the matched words."""
PASSAGES = 2
ELLIPSIS = "…"
_LOOK_BACK = SURROUND // 2 + 1
"""Words before a marked word that can be in the window of SURROUND characters before it: two words
take at least two characters (a word and what parts it from the next)."""
_CACHE_LIMIT = 200_000
"""Words whose stems are remembered (the table is emptied when it grows past this)."""
_SCORER = highlight.BasicFragmentScorer()


@dataclass(frozen=True)
class _Reading:
    """A text's words, as the tokenizer finds them and in lower case, and which of them are marked
    (their indexes, in order)."""

    words: list[re.Match]
    lowered: list[str]
    marked: set[str]
    at: list[int]


@dataclass(frozen=True)
class _Passage:
    """A part of the text to show: from ``start.start`` to ``end.end``."""

    start: Cut
    end: Cut


class Snippets:
    """Makes snippets of texts analysed by ``analyzer`` (the text field's stemming analyzer: a regular
    expression tokenizer, lower case, stop words kept but not stemmed, stemming)."""

    def __init__(self, analyzer):
        tokenizer, lowercase, stops, stemmer = analyzer.items
        if not (isinstance(tokenizer, RegexTokenizer) and not tokenizer.gaps and isinstance(lowercase, LowercaseFilter)
                and isinstance(stops, StopFilter) and isinstance(stemmer, StemFilter) and stemmer.lang is None):
            raise ValueError(f"snippets need the text field's stemming analyzer, not {analyzer!r}")
        self._words = tokenizer.expression.finditer
        self._stops, self._shortest, self._longest = stops.stops, stops.min, stops.max
        self._stem, self._unstemmed = stemmer.stemfn, stemmer.ignore
        self._terms: dict[str, str] = {}

    def formatter(self) -> highlight.HtmlFormatter:
        """A formatter for one page of results: it numbers the marked words across the page's snippets."""
        return highlight.HtmlFormatter(tagname="mark")

    def snippet(self, text: str, words: frozenset[str], formatter: highlight.HtmlFormatter) -> str:
        """The text's best passages with ``words`` (terms as indexed) marked; "" when none is marked."""
        reading = self._read(text, words)
        if not reading.at:
            return ""
        fragments = highlight.top_fragments(self._fragments(text, reading), PASSAGES, _SCORER, highlight.FIRST,
                                            minscore=1)
        passages = _passages(text, fragments)
        shown = f" {ELLIPSIS} ".join(formatter.format_fragment(self._marked(text, passage, reading))
                                     for passage in passages)
        if passages[0].start.boundary is not Boundary.SENTENCE:
            shown = f"{ELLIPSIS} {shown}"
        if passages[-1].end.boundary is not Boundary.SENTENCE:
            shown = f"{shown} {ELLIPSIS}"
        return shown

    @staticmethod
    def opening(text: str) -> str:
        """The text's beginning, for a result none of whose words is marked (matched by its title, say);
        "…" when it goes on."""
        if len(text) <= SNIPPET_CHARS:
            return html.escape(text)
        cut = end_near(text, SNIPPET_CHARS, SNIPPET_CHARS // 2)
        if cut.start == len(text):  # at the text's end: nothing follows
            return html.escape(text)
        return html.escape(text[:cut.end]) + (ELLIPSIS if cut.boundary is Boundary.INSIDE_WORD else f" {ELLIPSIS}")

    def _read(self, text: str, words: frozenset[str]) -> _Reading:
        """The text's words, those of them that are ``words`` marked."""
        found = list(self._words(text))
        lowered = [word.group().lower() for word in found]
        marked = {form for form in set(lowered) if self._term(form) in words}
        at = [i for i, form in enumerate(lowered) if form in marked] if marked else []
        return _Reading(found, lowered, marked, at)

    def _marked(self, text: str, passage: _Passage, reading: _Reading) -> highlight.Fragment:
        """The passage with its marked words (cut at a sentence or clause boundary, it can hold a marked
        word the fragment it was made from did not)."""
        start, end = passage.start.start, passage.end.end
        firsts = [reading.words[i].start() for i in reading.at]
        matches = [self._token(reading, i) for i in reading.at[bisect.bisect_left(firsts, start):]
                   if reading.words[i].end() <= end]
        return highlight.Fragment(text, matches, start, end)

    def _token(self, reading: _Reading, i: int) -> Token:
        """The i-th word of the reading as a matched token."""
        startchar, endchar = reading.words[i].span()
        return Token(text=self._term(reading.lowered[i]), startchar=startchar, endchar=endchar, boost=1.0,
                     matched=True)

    def _term(self, word: str) -> str:
        """The term a lower-case word is indexed as (a stop word or a short word as it is)."""
        term = self._terms.get(word)
        if term is None:
            if len(word) < self._shortest or (self._longest is not None and len(word) > self._longest) \
                    or word in self._stops or word in self._unstemmed:
                term = word
            else:
                term = self._stem(word)
            if len(self._terms) >= _CACHE_LIMIT:
                self._terms = {}
            self._terms[word] = term
        return term

    def _fragments(self, text: str, reading: _Reading) -> Iterator[highlight.Fragment]:
        """whoosh.highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SURROUND, charlimit=None)
        over the text's words, step for step (Whoosh's merging of overlapping matched words has nothing
        to merge: the tokenizer's words never touch). Between passages, a run of unmarked words only
        moves the window of starts kept before the next marked word, so the words more than
        _LOOK_BACK before it are skipped."""
        found, lowered, marked, at = reading.words, reading.lowered, reading.marked, reading.at
        first = None
        firsts: deque[int] = deque()
        countdown = -1
        matches: list[Token] = []
        endchar = None
        length = 0
        i, upcoming = 0, 0
        while i < len(found):
            if countdown < 0 and upcoming < len(at) and at[upcoming] < i:
                upcoming = bisect.bisect_left(at, i, upcoming)
            if countdown < 0 and (upcoming == len(at) or at[upcoming] - i > _LOOK_BACK):
                if upcoming == len(at):
                    break  # no marked word left: no passage either
                firsts.clear()  # every start kept now would leave the window before the next marked word
                i = at[upcoming] - _LOOK_BACK
                continue
            word = found[i]
            startchar, endchar = word.span()
            size = endchar - startchar
            term = self._term(lowered[i])
            matched = lowered[i] in marked
            i += 1
            if countdown < 0 and not matched:
                firsts.append(startchar)
                while firsts and endchar - firsts[0] > SURROUND:
                    firsts.popleft()
            elif length + size > SNIPPET_CHARS:
                countdown = 0
            elif matched:
                countdown = SURROUND
                if first is None:
                    if firsts:
                        first = firsts[0]
                    else:
                        first = startchar
                        countdown += SURROUND
                matches.append(Token(text=term, startchar=startchar, endchar=endchar, boost=1.0, matched=True))
            if countdown >= 0:
                length += size
                countdown -= size
                if countdown <= 0:
                    yield highlight.mkfrag(text, matches, startchar=first, endchar=endchar)
                    matches, firsts, first, length = [], deque(), None, 0
        if matches:
            yield highlight.mkfrag(text, matches, startchar=first, endchar=endchar)


def _passages(text: str, fragments: list[highlight.Fragment]) -> list[_Passage]:
    """The fragments (in the text's order) cut at sentence, clause or word boundaries near their
    ends; fragments that then overlap or touch make one passage."""
    passages: list[_Passage] = []
    for fragment in fragments:
        passage = _Passage(start_near(text, fragment.startchar, fragment.matches[0].startchar),
                           end_near(text, fragment.endchar, fragment.matches[-1].endchar))
        if passages:
            before = passages[-1]
            if passage.start.start <= before.end.end or text[before.end.end:passage.start.start].isspace():
                passages[-1] = _Passage(before.start, max(before.end, passage.end, key=lambda cut: cut.end))
                continue
        passages.append(passage)
    return passages
