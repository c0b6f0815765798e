"""The language an article is written in: as the page declares it, else identified from its text."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short or unclear."""
    sample = text[:3000]
    if len(sample.split()) < 5:
        return None
    code, probability = _identifier().classify(sample)
    return code if probability >= 0.5 else None
