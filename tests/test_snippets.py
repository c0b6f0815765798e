"""Snippets: Whoosh's choice of passages and marks, cut at sentence, clause or word boundaries, with "…"
where a passage starts or ends inside a sentence."""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass

import pytest
from whoosh import highlight

from search.index.cuts import REACH
from search.index.schema import build_schema
from search.index.searcher import SearchIndex
from search.index.snippets import PASSAGES, SNIPPET_CHARS, Snippets
from search.query import SearchRequest

ANALYZER = build_schema()["text"].analyzer
MARK = re.compile(r'(<mark class="match term\d+">.*?</mark>)')


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


@dataclass
class Shown:
    """A passage of a snippet found in its text: where it starts and ends, and the spans it marks."""

    start: int
    end: int
    marks: list[tuple[int, int]]


def shown(text: str, snippet: str) -> tuple[bool, list[Shown], bool]:
    """Whether the snippet opens with "…", its passages (parted by " … ") found in the text, and
    whether it closes with "…"."""
    opens, closes = snippet.startswith("… "), snippet.endswith(" …")
    passages, at = [], 0
    for piece in snippet.removeprefix("… ").removesuffix(" …").split(" … "):
        plain, marks = "", []
        for part in MARK.split(piece):
            inner = html.unescape(re.sub(r"</?mark[^>]*>", "", part))
            if part.startswith("<mark"):
                marks.append((len(plain), len(plain) + len(inner)))
            plain += inner
        start = text.index(plain, at)
        passages.append(Shown(start, start + len(plain), [(start + a, start + b) for a, b in marks]))
        at = start + len(plain)
    return opens, passages, closes


def snippet_of(text: str, query: str) -> str:
    snippets = Snippets(ANALYZER)
    return snippets.snippet(text, frozenset(token.text for token in ANALYZER(query)), snippets.formatter())


WORDS = ("The ferry's crew, on strike since Monday, said fares rose 3.5% in the U.S. and abroad; ferries "
         "to Hull were cancelled. Crews of the harbour's tugs joined them: it is the 2nd strike this year. "
         "Élan, naïve café owners & <script>alert(1)</script> Ministry officials met in Saint-Malo — "
         "Sunday's talks failed.").split()


def random_case(seed: int, long: bool) -> tuple[str, frozenset]:
    rng = random.Random(seed)
    if long:  # most of such a text is skipped between passages
        filler = [w for w in WORDS if not any(m in w.lower() for m in ("ferr", "strike", "crew"))]
        text = " ".join(rng.choice(WORDS) if rng.random() < 0.01 else rng.choice(filler)
                        for _ in range(rng.randrange(50, 3000)))
        return text, frozenset(rng.sample(["ferri", "strike", "crew", "the"], rng.randrange(1, 3)))
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(5, 700)))
    return text, frozenset(rng.sample(["ferri", "strike", "crew", "fare", "harbour", "the", "hull", "u.s", "3.5",
                                       "élan", "script", "ministri", "a", "saint"], rng.randrange(1, 5)))


@pytest.mark.parametrize("seed,long", [(seed, False) for seed in range(40)] + [(seed, True) for seed in range(30)])
def test_passages_hold_whooshs_marks_and_mark_every_matched_word_they_show(seed, long):
    text, words = random_case(seed, long)
    snippets = Snippets(ANALYZER)
    ours, theirs = snippets.formatter(), highlight.HtmlFormatter(tagname="mark", between=" … ")
    for _ in range(2):  # the formatter numbers words across the snippets of a page
        snippet = snippets.snippet(text, words, ours)
        _, passages, _ = shown(text, snippet)
        _, whoosh_passages, _ = shown(text, whooshs(text, words, theirs))
        marked = {span for passage in passages for span in passage.marks}
        assert {span for passage in whoosh_passages for span in passage.marks} <= marked
        for passage in passages:
            tokens = ANALYZER(text[passage.start:passage.end], chars=True, mode="index", removestops=False)
            assert set(passage.marks) == {(passage.start + token.startchar, passage.start + token.endchar)
                                          for token in tokens if token.text in words}


def parts_sentences(text: str, at: int) -> bool:
    """Whether a cut at ``at`` in a text of WORDS falls between two sentences (or at an end)."""
    before, after = text[:at].split(), text[at:].split()
    return not before or not after or (before[-1].endswith(".") and before[-1] != "U.S."
                                        and (after[0][0].isupper() or after[0][0].isdigit()))


@pytest.mark.parametrize("seed,long", [(seed, False) for seed in range(40)] + [(seed, True) for seed in range(30)])
def test_no_passage_cuts_a_word_and_one_ellipsis_stands_for_each_gap(seed, long):
    text, words = random_case(seed, long)
    snippets = Snippets(ANALYZER)
    snippet = snippets.snippet(text, words, snippets.formatter())
    whoosh = whooshs(text, words, highlight.HtmlFormatter(tagname="mark", between=" … "))
    if not whoosh:  # no word of the text is one of the words
        assert snippet == ""
        return
    opens, passages, closes = shown(text, snippet)
    for passage in passages:
        assert passage.start == 0 or text[passage.start - 1].isspace() or text[passage.start - 1] in "—–"
        assert passage.end == len(text) or text[passage.end].isspace() or text[passage.end] in ",;:—–"
    for before, after in zip(passages, passages[1:]):
        assert text[before.end:after.start].strip()  # " … " between passages always stands for left-out text
    assert opens == (not parts_sentences(text, passages[0].start))
    assert closes == (not parts_sentences(text, passages[-1].end))
    _, whoosh_passages, _ = shown(text, whoosh)
    longest = max(len(word) for word in WORDS)
    assert sum(p.end - p.start for p in passages) <= sum(p.end - p.start for p in whoosh_passages) \
        + 2 * PASSAGES * (REACH + longest)


def test_a_short_text_is_shown_whole_without_ellipsis():
    whole = snippet_of("A quiet day at the harbour.", "harbour")
    assert whole == 'A quiet day at the <mark class="match term0">harbour</mark>.'
    assert snippet_of("A quiet day at the harbour.", "storm") == ""


def test_a_passage_starts_at_a_sentence_start_within_reach_without_ellipsis_and_ends_at_a_clause_with_one():
    text = ("Ferries ran late all week and nobody on the island knew when the next boat would leave. Crews at the "
            "harbour said the strike over pay would go on until Friday, when talks with the ferry company resume "
            "in Calais, and that passengers should plan for longer queues at every port along the coast.")
    assert snippet_of(text, "harbour") == (
        "Ferries ran late all week and nobody on the island knew when the next boat would leave. Crews at the "
        '<mark class="match term0">harbour</mark> said the strike over pay would go on until Friday, when talks '
        "with the ferry company resume in Calais …")


def test_a_passage_inside_one_long_sentence_starts_and_ends_at_clauses_with_ellipses():
    text = ("The union, which represents most of the crews working on the cross-channel routes out of Dover and "
            "Folkestone, said on Monday that the strike at the harbour would go on until the company agreed to "
            "restore the bonus it cut last spring, and that further walkouts were likely across the summer season "
            "in every port it covers.")
    assert snippet_of(text, "harbour") == (
        '… said on Monday that the strike at the <mark class="match term0">harbour</mark> would go on until the '
        "company agreed to restore the bonus it cut last spring …")


def test_two_passages_have_one_ellipsis_between_them():
    filler = "Nothing else happened on the island that week, and the weather stayed calm and grey throughout. " * 4
    text = "The harbour closed on Monday. " + filler + "The harbour reopened on Friday."
    assert snippet_of(text, "harbour") == (
        'The <mark class="match term0">harbour</mark> closed on Monday. Nothing else happened on the island that '
        "week, and the weather stayed calm and grey throughout. … Nothing else happened on the island that week, "
        'and the weather stayed calm and grey throughout. The <mark class="match term0">harbour</mark> reopened '
        "on Friday.")


def test_markup_in_the_text_stays_escaped_and_the_ellipsis_outside_marks():
    text = ("The port authority said in a statement that ran to several pages that the storm had passed. "
            "Officials said <script>alert('x')</script> & more, then the harbour master closed the port to every "
            "ship for the day <b>again</b>, as he had done twice already this winter when gales blew in from the "
            "west, and sailors waited in the bars along the quay for the wind to drop.")
    snippet = snippet_of(text, "harbour")
    assert snippet.startswith("Officials said &lt;script&gt;alert('x')&lt;/script&gt; &amp; more, then the ")
    assert "&lt;b&gt;again&lt;/b&gt;" in snippet and snippet.endswith(" …")
    assert re.sub(MARK, "", snippet).count("<") == 0 and "…" not in "".join(MARK.findall(snippet))


def test_an_opening_ends_at_a_sentence_end_near_the_limit_and_says_it_goes_on():
    sentence = "Ferries to Hull were cancelled on Monday as the crews walked out. "
    text = sentence * 6
    assert Snippets.opening(text) == (sentence * 4).rstrip() + " …"
    a_little_longer = sentence * 3 + "The harbour stays shut until further notice. More soon."
    assert len(a_little_longer) > SNIPPET_CHARS and Snippets.opening(a_little_longer) == a_little_longer
    assert Snippets.opening("A quiet day at the <harbour>.") == "A quiet day at the &lt;harbour&gt;."
    assert Snippets.opening("<b>" + "x" * 300) == "&lt;b&gt;" + "x" * (SNIPPET_CHARS - 3) + "…"


def test_the_bundled_corpus_snippets_for_belarus_end_and_start_at_sentences_or_say_where_they_do_not(corpus_index):
    index = SearchIndex(corpus_index)
    snippets = {hit.title: hit.snippet for hit in index.search(SearchRequest(q="belarus")).hits}
    leaves = snippets["Opposition candidate Tsikhanouskaya leaves Belarus for Lithuania after disputed vote"]
    assert leaves.startswith("Sviatlana Tsikhanouskaya, who challenged Alexander Lukashenko in Sunday's presidential "
                             'election, has left <mark class="match term0">Belarus</mark> and is safe in Lithuania, '
                             "the Lithuanian foreign minister Linas Linkevicius said on Tuesday. … ")
    sanctions = snippets["EU imposes sanctions on 40 Belarusian officials over election and crackdown"]
    assert sanctions == ('The European Union on Friday imposed asset freezes and travel bans on 40 officials in '
                         '<mark class="match term0">Belarus</mark> it holds responsible for rigging the August '
                         'presidential election and for the violent crackdown on protesters that followed.')
    [violent] = [hit.snippet for hit in index.search(SearchRequest(q="violent")).hits
                 if hit.title.startswith("EU imposes sanctions")]
    assert violent == ('… it holds responsible for rigging the August presidential election and for the '
                       '<mark class="match term0">violent</mark> crackdown on protesters that followed.')
    [lithuania] = [hit.snippet for hit in index.search(SearchRequest(q="lithuania")).hits
                   if hit.title.startswith("Opposition candidate")]
    assert lithuania.startswith("… who challenged Alexander Lukashenko in Sunday's presidential election, has left "
                                'Belarus and is safe in <mark class="match term0">Lithuania</mark>, the Lithuanian')
