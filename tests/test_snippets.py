"""Snippets: exactly the passages and marks Whoosh's highlighter makes when it re-reads a text."""

import random

import pytest
from whoosh import highlight

from search.index.schema import build_schema
from search.index.snippets import SNIPPET_CHARS, Snippets

ANALYZER = build_schema()["text"].analyzer


def whooshs(text: str, words: frozenset, formatter) -> str:
    """Whoosh's Highlighter.highlight_hit, re-reading the text (as it does for our text field)."""
    highlighter = highlight.Highlighter(
        fragmenter=highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=80, charlimit=None),
        formatter=formatter)
    tokens = ANALYZER(text, positions=True, chars=True, mode="index", removestops=False)
    tokens = highlighter._merge_matched_tokens(highlight.set_matched_filter(tokens, words))
    fragments = highlight.top_fragments(highlighter.fragmenter.fragment_tokens(text, tokens), 2,
                                        highlighter.scorer, highlighter.order, minscore=1)
    return formatter.format(fragments)


WORDS = ("The ferry's crew, on strike since Monday, said fares rose 3.5% in the U.S. and abroad; ferries "
         "to Hull were cancelled. Crews of the harbour's tugs joined them: it is the 2nd strike this year. "
         "Élan, naïve café owners & <script>alert(1)</script> Ministry officials met in Saint-Malo.").split()


@pytest.mark.parametrize("seed", range(40))
def test_snippets_are_whooshs_own(seed):
    rng = random.Random(seed)
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(5, 700)))
    words = frozenset(rng.sample(["ferri", "strike", "crew", "fare", "harbour", "the", "hull", "u.s", "3.5", "élan",
                                  "script", "ministri", "a", "saint"], rng.randrange(1, 5)))
    snippets = Snippets(ANALYZER)
    ours, theirs = snippets.formatter(), highlight.HtmlFormatter(tagname="mark", between=" … ")
    for _ in range(2):  # the formatter numbers words across the snippets of a page
        assert snippets.snippet(text, words, ours) == whooshs(text, words, theirs)


def test_a_text_with_no_marked_word_opens_with_its_beginning():
    snippets = Snippets(ANALYZER)
    assert snippets.snippet("A quiet day at the harbour.", frozenset({"storm"}), snippets.formatter()) == ""
    assert snippets.opening("<b>" + "x" * 300) == "&lt;b&gt;" + "x" * (SNIPPET_CHARS - 3) + "…"


@pytest.mark.parametrize("seed", range(30))
def test_snippets_of_long_texts_with_few_marked_words_are_whooshs_own(seed):
    # most of such a text is skipped between passages: the passages must not change
    rng = random.Random(seed)
    filler = [w for w in WORDS if not any(m in w.lower() for m in ("ferr", "strike", "crew"))]
    text = " ".join(rng.choice(WORDS) if rng.random() < 0.01 else rng.choice(filler)
                    for _ in range(rng.randrange(50, 3000)))
    words = frozenset(rng.sample(["ferri", "strike", "crew", "the"], rng.randrange(1, 3)))
    snippets = Snippets(ANALYZER)
    ours, theirs = snippets.formatter(), highlight.HtmlFormatter(tagname="mark", between=" … ")
    assert snippets.snippet(text, words, ours) == whooshs(text, words, theirs)
