"""What writing an article into the index takes, worked out before the writer gets it.

An indexing run has its extraction workers do this (see ``search.indexing``), so that the one
process writing the index mostly pools postings: the copy fingerprint (a MinHash over the text's
five-word runs) and the analysis of the headline and text (words, stems, positions, spelling
words) were some 40% of that process's time.
"""

from __future__ import annotations

from dataclasses import dataclass

from search.article import Article
from search.index.copies import Fingerprint, fingerprint
from search.index.schema import build_schema, to_document
from search.index.segment_writer import Analysed

ANALYSED_FIELDS = ("title", "text")
_SCHEMA = build_schema()


@dataclass
class PreparedArticle:
    """An article, its copy fingerprint, and its index fields (its copy key aside: that depends on
    what was written before it) with the headline and text analysed for this version's schema."""

    article: Article
    marks: Fingerprint | None
    fields: dict


def prepare(article: Article) -> PreparedArticle:
    marks = fingerprint(article.text)
    fields = to_document(article, None, marks)
    for name in ANALYSED_FIELDS:
        fields[name] = Analysed.of(_SCHEMA[name], fields[name])
    return PreparedArticle(article, marks, fields)


def analysed_for(schema) -> set[str]:
    """The fields whose analysis made by ``prepare`` holds for an index of ``schema`` (one built by
    an earlier version may analyse them otherwise, or keep no spelling words)."""
    return {name for name in ANALYSED_FIELDS if name in schema and schema[name] == _SCHEMA[name]}


def plain(value):
    """A field's value as given to Whoosh, its analysis left to it."""
    return value.value if isinstance(value, Analysed) else value
