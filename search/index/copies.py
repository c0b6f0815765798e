"""Copies of one story (the same wire text on several sites, a repeated or corrected wire item)
share a key, so that a search lists the story once.

Two articles are copies when either
- their first 60 words are the same (case, punctuation and a leading wire dateline such as
  "LONDON (Reuters) -" ignored): copies that differ in their headline, site furniture or later
  paragraphs; or
- their whole texts (of more than 60 words) are near-identical: at least 90% of their five-word runs (shingles) in
  common, estimated from a MinHash signature (Broder's resemblance; one-permutation hashing with
  rotation densification, 128 bins). This catches corrected and re-edited wire copies ("which"
  → "that", a spelling fixed, a word inserted in the lead).

Candidates are found by locality-sensitive hashing: the signature is cut into 16 bands of 8
bins, and articles sharing a band (or the lead) are compared. A weekly report under a repeated
headline ("National average prices for farmer-owned reserve") keeps its own key, since its
figures differ in the lead and its text is not 90% the same; so do short templated items
("X Corp sets quarterly dividend"), which are all lead. On Reuters-21578 the near-identical rule
adds 32 corrected or re-edited wire copies to the 529 folded by their lead.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

import numpy as np

LEAD_WORDS = 60
MIN_WORDS = 12
"""A text shorter than this is too short to call a copy of anything."""
SHINGLE_WORDS = 5
BINS = 128
BANDS = 16
ROWS = BINS // BANDS
NEAR = 0.9
"""The share of shingles two texts must have in common to be copies."""
_EMPTY = 1 << 64
_UNSET = np.uint64((1 << 64) - 1)
"""An empty bin in numpy's unsigned 64 bits: above any bin's value (a hash divided by BINS)."""
_SPREAD = 0x9E3779B97F4A7C15
"""Added per step when an empty bin borrows the next bin's value (rotation densification)."""

_DATELINE = re.compile(r"^\s*[A-Z][\w .,'’/-]{0,60}?(?:\([^)]{1,40}\))?\s*[-–—]{1,2}\s+")
"""A wire dateline ("MINSK, Belarus (AP) — ", "LONDON, March 3 (Reuters) - "), which sites print differently."""


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _DATELINE.sub("", text, count=1).casefold())


def _hash(data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


@dataclass(frozen=True)
class Fingerprint:
    """What is compared to find an article's copies: its lead key and its MinHash signature (the
    low 16 bits of each bin's minimum, which is plenty to tell equal bins from unequal ones)."""

    lead: str
    signature: tuple[int, ...]

    def similarity(self, other: Fingerprint) -> float:
        """The estimated share of shingles the two texts have in common; 1 when their leads agree."""
        if self.lead == other.lead:
            return 1.0
        if not self.signature or not other.signature:
            return 0.0
        return sum(a == b for a, b in zip(self.signature, other.signature)) / BINS

    @cached_property
    def tokens(self) -> list[str]:
        """The lead key and one token per band, indexed so that candidates can be looked up."""
        bands = (self.signature[i * ROWS:(i + 1) * ROWS] for i in range(BANDS if self.signature else 0))
        return [f"l{self.lead}"] + [f"{_hash(bytes([i]) + repr(band).encode()):016x}" for i, band in enumerate(bands)]

    def encode(self) -> str:
        packed = b"".join(value.to_bytes(2, "big") for value in self.signature)
        return f"{self.lead}:{base64.b64encode(packed).decode('ascii')}"

    @classmethod
    def decode(cls, stored: str) -> Fingerprint:
        lead, _, packed = stored.partition(":")
        raw = base64.b64decode(packed)
        return cls(lead, tuple(int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2)))


def _lead_key(words: list[str]) -> str:
    return hashlib.sha1(" ".join(words[:LEAD_WORDS]).encode("utf-8")).hexdigest()[:16]


def copy_key(text: str) -> str | None:
    """The key of the story a text tells by its lead (dateline aside), or None when the text is too short to tell."""
    words = _words(text)
    return _lead_key(words) if len(words) >= MIN_WORDS else None


def fingerprint(text: str) -> Fingerprint | None:
    """The text's lead key and signature, or None when it is too short to call a copy of anything."""
    words = _words(text)
    if len(words) < MIN_WORDS:
        return None
    lead = _lead_key(words)
    if len(words) <= LEAD_WORDS:
        return Fingerprint(lead, ())  # all lead: only the same text is a copy of it
    # each shingle's 64-bit hash (as _hash makes it): its bin, and the rest kept if the least there
    digests = b"".join([hashlib.blake2b(" ".join(words[start:start + SHINGLE_WORDS]).encode("utf-8"), digest_size=8).digest()
                        for start in range(len(words) - SHINGLE_WORDS + 1)])
    values = np.frombuffer(digests, dtype=">u8").astype(np.uint64)
    least = np.full(BINS, _UNSET, dtype=np.uint64)
    np.minimum.at(least, values % np.uint64(BINS), values // np.uint64(BINS))
    bins = [_EMPTY if value == _UNSET else value for value in least.tolist()]
    hashed = bins[:]
    for i in range(BINS):
        if hashed[i] == _EMPTY:
            steps = next(s for s in range(1, BINS) if hashed[(i + s) % BINS] != _EMPTY)
            bins[i] = (hashed[(i + steps) % BINS] + steps * _SPREAD) % _EMPTY
    return Fingerprint(lead, tuple(value & 0xFFFF for value in bins))


class CopyFinder:
    """Gives each article written the key of the story it is a copy of (the most similar earlier
    article's key), or a key of its own. Earlier articles are those of the index being written
    (found through ``lookup``) and those given a key by this finder."""

    def __init__(self, lookup=None):
        self.lookup = lookup
        """Called with an article's tokens: (article id, key, Fingerprint) of indexed candidates."""
        self.by_token: dict[str, list[int]] = defaultdict(list)
        self.seen: list[tuple[str, str, Fingerprint]] = []

    def key(self, article_id: str, fingerprint_: Fingerprint | None) -> str:
        if fingerprint_ is None:
            return article_id
        tokens = fingerprint_.tokens
        candidates = [self.seen[i] for i in dict.fromkeys(i for token in tokens for i in self.by_token.get(token, ()))]
        if self.lookup is not None:
            candidates += self.lookup(tokens)
        best, key = 0.0, fingerprint_.lead
        for other_id, other_key, other in candidates:
            similarity = fingerprint_.similarity(other)
            if other_id != article_id and similarity >= NEAR and similarity > best:
                best, key = similarity, other_key
        for token in tokens:
            self.by_token[token].append(len(self.seen))
        self.seen.append((article_id, key, fingerprint_))
        return key
