"""Snippets: a result's best two passages with the matched words marked.

The passages are the ones Whoosh's highlighter picks (its ContextFragmenter, fragment scorer and
HTML formatter) when it re-reads a text; only the reading is done here, in one pass over the text
with a word's stem looked up in a table, since Whoosh's chain of analysis filters costs some 15 µs a
word, and re-reading the ten results shown was most of a search's time.
"""

from __future__ import annotations

import bisect
import html
from collections import deque
from typing import Iterator

from whoosh import highlight
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter, Token

SNIPPET_CHARS = 240
SURROUND = 80
"""Characters of context around the matched words."""
PASSAGES = 2
_LOOK_BACK = SURROUND // 2 + 1
"""Words before a marked word that can be in the window of SURROUND characters before it: two words
take at least two characters (a word and what parts it from the next)."""
_CACHE_LIMIT = 200_000
"""Words whose stems are remembered (the table is emptied when it grows past this)."""
_SCORER = highlight.BasicFragmentScorer()


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
        return highlight.HtmlFormatter(tagname="mark", between=" … ")

    def snippet(self, text: str, words: frozenset[str], formatter: highlight.HtmlFormatter) -> str:
        """The text's best passages with ``words`` (terms as indexed) marked; "" when none is marked."""
        fragments = highlight.top_fragments(self._fragments(text, words), PASSAGES, _SCORER, highlight.FIRST,
                                            minscore=1)
        return formatter.format(fragments)

    @staticmethod
    def opening(text: str) -> str:
        """The text's beginning, for a result none of whose words is marked (matched by its title, say)."""
        return html.escape(text[:SNIPPET_CHARS]) + ("…" if len(text) > SNIPPET_CHARS else "")

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

    def _fragments(self, text: str, words: frozenset[str]) -> Iterator[highlight.Fragment]:
        """whoosh.highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SURROUND, charlimit=None)
        over the text's words, step for step (Whoosh's merging of overlapping matched words has nothing
        to merge: the tokenizer's words never touch). Between passages, a run of unmarked words only
        moves the window of starts kept before the next marked word, so the words more than
        _LOOK_BACK before it are skipped."""
        found = list(self._words(text))
        lowered = [word.group().lower() for word in found]
        marked = {form for form in set(lowered) if self._term(form) in words}
        if not marked:
            return
        at = [i for i, form in enumerate(lowered) if form in marked]
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
