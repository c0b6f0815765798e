"""Where to cut a text to show a part of it: near a wanted place, at a sentence boundary, else a
clause boundary (a comma, semicolon, colon or dash), else a space between words; never inside a
word unless there is no space within reach."""

from __future__ import annotations

import re
from enum import IntEnum
from typing import NamedTuple

REACH = 40
"""How far a cut may move from the wanted place to reach a better boundary (a sentence boundary may
also come closer to the part that must be kept)."""

_SENTENCE_BREAK = re.compile(r"[.!?…][\"'”’»)\]]*\s+|\n\s*")
"""Where a sentence may end: a full stop, "!", "?" or "…" (maybe closing quotes or brackets) then
space; or a line break, which ends a paragraph."""
_CLAUSE_BREAK = re.compile(r"[,;:]\s+|\s+(?:[—–]|--?)\s+|[—–]")
"""A clause mark and the space after it (the part before ends without it), or a dash."""
_SPACE = re.compile(r"\s+")
_LEADING_SPACE = re.compile(r"\s*")
_OPENERS = "\"'“‘«(["
_ABBREVIATIONS = frozenset("mr mrs ms dr prof st mt gen col lt sgt capt gov sen rep rev jr sr "
                           "jan feb aug sept oct nov dec".split())
"""Words that end with a full stop inside a sentence ("Mr. Smith", "Jan. 5"); so do single letters
("J. Smith", "the U.S. Senate")."""


class Boundary(IntEnum):
    """What a cut falls on, the better first."""

    SENTENCE = 0
    CLAUSE = 1
    WORD = 2
    INSIDE_WORD = 3


class Cut(NamedTuple):
    """A place to cut a text: the part before it ends at ``end``, the part after it starts at ``start``
    (a tuple, as some are made for every passage)."""

    end: int
    start: int
    boundary: Boundary


def start_near(text: str, target: int, first: int) -> Cut:
    """Where to start a part meant to start at ``target`` that must hold the character at ``first``:
    the text's start if it is within REACH before ``target``, else the sentence start nearest
    ``target`` from REACH before it up to ``first``, else the nearest clause start within REACH of
    ``target``, else the nearest start of a word."""
    lo = max(0, target - REACH)
    if lo == 0:  # nothing need be left out before
        return Cut(0, _LEADING_SPACE.match(text).end(), Boundary.SENTENCE)
    return _nearest(_sentence_cuts(text, lo, first), target, True) or _nearest(_clause_cuts(text, lo, first), target, True, REACH) \
        or _word_cut(text, lo, first, target, True) or Cut(target, target, Boundary.INSIDE_WORD)


def end_near(text: str, target: int, last: int) -> Cut:
    """Where to end a part meant to end at ``target`` that must hold the text up to ``last``: the
    text's end if it is within REACH after ``target``, else the sentence end nearest ``target`` from
    ``last`` up to REACH after it, else the nearest clause end within REACH of ``target``, else the
    nearest end of a word."""
    hi = target + REACH
    ending = _text_end(text)
    if hi >= ending >= last:  # nothing need be left out after
        return Cut(ending, len(text), Boundary.SENTENCE)
    sentences = [cut for cut in _sentence_cuts(text, last, hi) if cut.end >= last]
    return _nearest(sentences, target, False) or _nearest(_clause_cuts(text, last, hi), target, False, REACH) \
        or _word_cut(text, last, hi, target, False) or Cut(target, target, Boundary.INSIDE_WORD)


def _nearest(cuts: list[Cut], target: int, starts: bool, limit: int | None = None) -> Cut | None:
    """The cut whose start (``starts``) or end is nearest ``target``, if it is within ``limit`` of it."""
    def away(cut: Cut) -> int:
        return abs((cut.start if starts else cut.end) - target)

    best = min(cuts, key=away, default=None)
    return None if best is None or (limit is not None and away(best) > limit) else best


def _text_end(text: str) -> int:
    """Where the text ends, trailing space left out (without copying a long text to strip it)."""
    end = len(text)
    while end and text[end - 1].isspace():
        end -= 1
    return end


def _sentence_cuts(text: str, lo: int, hi: int) -> list[Cut]:
    """The sentence boundaries between ``lo`` and ``hi``."""
    found = []
    # from a little before lo: the full stop of a sentence that ends at lo
    for match in _SENTENCE_BREAK.finditer(text, max(0, lo - 3), hi):
        end = match.start() + len(match.group().rstrip())
        while end > 0 and text[end - 1] in " \t":  # a line's trailing space
            end -= 1
        if "\n" in match.group() or _starts_sentence(text, end, match.end()):
            found.append(Cut(end, match.end(), Boundary.SENTENCE))
    return found


def _clause_cuts(text: str, lo: int, hi: int) -> list[Cut]:
    """The clause boundaries between ``lo`` and ``hi`` (one at a line break is a sentence boundary)."""
    return [Cut(match.start(), match.end(), Boundary.CLAUSE) for match in _CLAUSE_BREAK.finditer(text, lo, hi)
            if "\n" not in match.group()]


def _word_cut(text: str, lo: int, hi: int, target: int, starts: bool) -> Cut | None:
    """The space between ``lo`` and ``hi`` after which a word starts (``starts``), or before which one
    ends, nearest ``target``."""
    best, distance = None, 0
    for match in _SPACE.finditer(text, lo, hi):
        away = abs((match.end() if starts else match.start()) - target)
        if best is not None and away > distance:
            break  # the spaces come in order: the rest are farther still
        best, distance = match, away
    return None if best is None else Cut(best.start(), best.end(), Boundary.WORD)


def _starts_sentence(text: str, stop: int, after: int) -> bool:
    """Whether a sentence starts at ``after``, past the space after what ends at ``stop`` with a full
    stop, "!", "?" or "…": it starts with a capital letter or a digit (maybe after opening quotes or
    brackets), and a full stop does not end an abbreviation."""
    while after < len(text) and text[after] in _OPENERS:
        after += 1
    if after == len(text) or not (text[after].isupper() or text[after].isdigit()):
        return False
    mark = stop - 1
    while text[mark] not in ".!?…":  # back over closing quotes and brackets
        mark -= 1
    if text[mark] != ".":
        return True
    word = mark
    while word > 0 and text[word - 1].isalnum():
        word -= 1
    abbreviation = text[word:mark]
    return not ((len(abbreviation) == 1 and abbreviation.isalpha()) or abbreviation.lower() in _ABBREVIATIONS)
