"""The language an article is written in: identified from its text, else as the page declares it."""

from __future__ import annotations

from functools import lru_cache

from search.ingest.text import word_count


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def classify(text: str) -> tuple[str, float]:
    """The text's most likely language code and its probability, however short the text."""
    code, probability = _identifier().classify(text)
    return code, probability


def identify_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short or unclear."""
    sample = text[:3000]
    if word_count(sample) < 5:
        return None
    code, probability = _identifier().classify(sample)
    return code if probability >= 0.5 else None


def article_language(text: str, declared: str | None = None) -> str | None:
    """The language of an article's text. A page's declaration (``declared``, a code) is often a
    template's default (German pages declaring "en"), so the text decides; the declaration stands only
    where the text is too short or unclear to tell."""
    return identify_language(text) or declared
