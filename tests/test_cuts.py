"""Where a shown part of a text is cut: sentence, then clause, then word boundaries near the wanted place."""

from search.index.cuts import REACH, Boundary, Cut, end_near, start_near

LEAVE = "Ferries ran late all week and nobody on the island knew when the next boat would leave. "


def test_a_part_starts_at_a_sentence_start_within_reach():
    text = LEAVE + "Crews at the harbour said the strike would go on."
    crews = text.index("Crews")
    assert start_near(text, crews - 10, text.index("harbour")) == Cut(crews - 1, crews, Boundary.SENTENCE)


def test_a_full_stop_after_an_abbreviation_or_an_initial_ends_no_sentence():
    text = (LEAVE + "So the owner of the line went down to the quay and met Mr. Smith and J. Brown of the U.S. "
            "Coast Guard. Talks resume on Friday in Calais, when the company and the union meet again.")
    for word in ("Smith", "Brown", "Coast"):
        at = text.index(word)
        assert start_near(text, at, at).boundary is not Boundary.SENTENCE
    talks = text.index("Talks")
    assert start_near(text, talks, talks).boundary is Boundary.SENTENCE
    assert end_near(text, talks - 1, talks - 10) == Cut(talks - 1, talks, Boundary.SENTENCE)


def test_a_clause_cut_leaves_its_mark_out_and_a_dash_cut_its_spaces():
    text = ("the strike would go on until Friday, when talks resume in Calais — or so the union hopes today and "
            "tomorrow, whatever the company says about it")
    friday = text.index("Friday") + len("Friday")
    assert end_near(text, friday + 5, friday) == Cut(friday, friday + 2, Boundary.CLAUSE)
    calais = text.index("Calais") + len("Calais")
    assert end_near(text, calais, calais) == Cut(calais, calais + 3, Boundary.CLAUSE)


def test_a_clause_boundary_counts_only_within_reach_else_a_word_boundary():
    text = "the harbour, and " + "word " * 30
    assert end_near(text, len("the harbour, and ") + REACH + 20, len("the harbour")).boundary is Boundary.WORD


def test_a_paragraph_break_is_a_sentence_boundary():
    text = "Ferries to Hull were cancelled\nCrews of the harbour tugs joined them on the first morning of the strike"
    hull = text.index("Hull") + 4
    assert end_near(text, hull + 10, hull) == Cut(hull + len(" were cancelled"), hull + len(" were cancelled") + 1,
                                                  Boundary.SENTENCE)


def test_no_cut_falls_inside_a_word_unless_no_space_is_within_reach():
    text = ("Across the north many more voters than expected went to the polls in Sunday's election in the towns "
            "and the regions beyond the capital city")
    sunday = text.index("Sunday") + len("Sunday")
    assert end_near(text, sunday, sunday) == Cut(sunday + 2, sunday + 3, Boundary.WORD)
    assert start_near(text, sunday + 1, sunday + 1) == Cut(sunday - 7, sunday - 6, Boundary.WORD)
    unbroken = "x" * 300
    assert end_near(unbroken, 240, 120) == Cut(240, 240, Boundary.INSIDE_WORD)


def test_the_text_start_and_end_are_sentence_boundaries():
    text = "Crews at the harbour said the strike would go on"
    assert start_near(text, 3, 13) == Cut(0, 0, Boundary.SENTENCE)
    assert end_near(text, len(text) - 5, len(text) - 10) == Cut(len(text), len(text), Boundary.SENTENCE)
