"""A field's analysis made in a few passes: Whoosh's own postings and spelling words, always."""

import random

import pytest
from whoosh import fields
from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer

from search.index.analysis import analyse
from search.index.schema import build_schema

from conftest import CORPUS

SCHEMA = build_schema()
TRICKY = [
    "", "   ", "a an the of", "The the THE", "Ferries run; ferries ran. Running runners ran!",
    "U.S. officials said 3.5 pct of e.g. x.y.z", "wild*card and star* *", "İstanbul ΟΔΟΣ Straße ǅemal ﬁsh",
    "naïve café résumé 東京 北京市 ソニー", "don't won't it's o'clock", "a b c d e f g h", "x" * 300,
    "1 22 333 4,444 5.55 .6 7.", "tab\tnew\nline\r\nend", "emoji 🙂 and ZWJ 👩‍🔬 text", "under_score __init__",
]


def whooshs(field, value: str, spelling: bool):
    return list(field.index(value)), list(field.spellable_words(value)) if spelling else []


def texts() -> list[str]:
    found = list(TRICKY)
    for page in sorted(CORPUS.glob("*.html"))[:15]:
        found.append(page.read_text(encoding="utf-8", errors="replace"))
    rng = random.Random(5)
    alphabet = "abcdefghij ABC.,;'*-_\n0123 éßΣς东京" + "\u0301"
    found += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 200))) for _ in range(300)]
    return found


@pytest.mark.parametrize("name", ["title", "text"])
def test_the_postings_and_spelling_words_are_whooshs(name):
    field = SCHEMA[name]
    for value in texts():
        assert analyse(field, value, field.separate_spelling()) == whooshs(field, value, field.separate_spelling()), value[:80]


def test_a_field_analysed_otherwise_is_left_to_whoosh():
    assert analyse(fields.TEXT(analyzer=StandardAnalyzer()), "Ferries ran", False) is None
    assert analyse(fields.TEXT(analyzer=StemmingAnalyzer(maxsize=10)), "Ferries ran", False) is None
    assert analyse(fields.TEXT(analyzer=StemmingAnalyzer(), phrase=False), "Ferries ran", False) is None
    boosted = fields.TEXT(analyzer=StemmingAnalyzer(stoplist=frozenset({"ran"})), field_boost=2.5)
    assert analyse(boosted, "Ferries ran, ferries", False) == whooshs(boosted, "Ferries ran, ferries", False)
