"""The headline, chosen by agreement between the page's visible headings and the titles it declares.

A page's ``<title>`` and OpenGraph title usually carry the site's name ("Headline | Site"), and
its first ``<h1>`` is sometimes the site's logo or a widget. The visible heading that the declared
titles agree with is the headline; without one, the declared title without its site part.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from search.ingest.text import normalise

_WORD = re.compile(r"\w+")
_SEPARATOR = re.compile(r"\s+[|–—:·»«-]\s+|\s+::\s+|\s*\|\s*|(?<=[\u3000-\u9fff\uff00-\uffef])[-_](?=\w)")
_HEADING_XPATH = ("//h1 | //h2 | //h3 | //*[contains(@class, 'entry-title') or contains(@class, 'post-title') "
                  "or contains(@class, 'article-title') or contains(@class, 'headline') or @itemprop='headline']")
_FURNITURE = {"nav", "footer", "aside", "form", "button", "label", "select", "option"}
MAX_HEADINGS = 12
"""Headings considered, in page order: the headline comes early."""
AGREEMENT = 0.6
"""Share of a heading's words that a declared title must contain for the two to agree."""
MAX_TITLE_CHARS = 300
"""A longer title is cut (at a word boundary): headlines run to 150 characters or so, and a title
is shown whole on every result."""


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def clean_title(value: str | None) -> str:
    """A title with entities decoded (some pages escape them twice), its characters normalised
    (search.ingest.text.normalise) and whitespace collapsed."""
    return " ".join(normalise(html.unescape(value or "")).split())


def shorten_title(title: str, limit: int = MAX_TITLE_CHARS) -> str:
    """The title if it fits in ``limit`` characters, else its start cut at the last word boundary
    that fits (or mid-word, for a run without spaces) and ended with "…"."""
    if len(title) <= limit:
        return title
    start = title[: limit - 1]
    words = start.rsplit(None, 1)[0]
    return (words if len(words) >= limit // 2 else start).rstrip(" ,;:-–—") + "…"


def visible_headings(tree) -> list[str]:
    """The texts of the page's first headings (h1–h3 and elements marked as headlines), in order,
    leaving out those in navigation, footers and forms. A heading made of parts (a kicker above the
    headline) is followed by its parts."""
    found: list[str] = []
    for element in tree.xpath(_HEADING_XPATH):
        if any(a.tag in _FURNITURE for a in element.iterancestors()):
            continue
        parts = [clean_title(part.text_content()) for part in element.iterdescendants()
                 if isinstance(part.tag, str) and part.tag not in ("br", "img")]
        for text in [clean_title(element.text_content()), *parts[:6]]:
            if 2 <= len(text) <= 300 and text not in found:
                found.append(text)
        if len(found) >= MAX_HEADINGS:
            break
    return found


def lone_h1(tree, naming_site: set[str]) -> str | None:
    """The page's only ``<h1>`` outside navigation, unless it names the site."""
    texts = [clean_title(e.text_content()) for e in tree.xpath("//h1")
             if not any(a.tag in _FURNITURE for a in e.iterancestors())]
    texts = [t for t in texts if t and not (naming_site and set(_words(t)) <= naming_site)]
    return texts[0] if len(texts) == 1 and len(texts[0]) <= 300 else None


def agreement(heading: str, declared: str) -> float:
    """How well a heading matches a declared title: the share of its words the title contains,
    weighted up by how much of the title it covers (a headline covers more than a logo does)."""
    words, title_words = _words(heading), set(_words(declared))
    if not words or not title_words:
        return 0.0
    contained = sum(w in title_words for w in words) / len(words)
    if contained < AGREEMENT:
        return 0.0
    return contained * contained * (0.5 + 0.5 * len(set(words) & title_words) / len(title_words))


def site_words(site: str | None, url: str | None) -> set[str]:
    """Words that name the site: its name and its host's name ("www.fassette.net" → fassette, net)."""
    host = urlsplit(url).hostname or "" if url else ""
    return set(_words(site or "")) | set(_words(host)) - {"www"}


def strip_site_part(title: str, naming_site: set[str], short_tail: bool = True) -> str:
    """A title without its site part: the parts naming the site, else (with ``short_tail``) a short
    last part ("Headline | Site Name", "Site - Headline", "Headline - Short tagline")."""
    parts = [p for p in _SEPARATOR.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    if naming_site:
        kept = [p for p in parts if not set(_words(p)) <= naming_site]
        if kept and len(kept) < len(parts):
            return _rejoin(title, kept)
    if short_tail and len(parts[-1].split()) <= 4 and len(parts[0].split()) >= 2:
        return _rejoin(title, parts[:-1])
    return title


def _rejoin(title: str, kept: list[str]) -> str:
    start, end = title.find(kept[0]), title.rfind(kept[-1]) + len(kept[-1])
    return title[start:end].strip() if 0 <= start < end else " ".join(kept)


def choose_title(tree, declared: list[str | None], site: str | None, url: str | None = None) -> str:
    """The headline: the visible heading that best agrees with a declared title (JSON-LD headline,
    OpenGraph title, ``<title>``), else the page's only ``<h1>``, else the first declared title
    without its site part, else the first heading."""
    headings = visible_headings(tree)
    declared_titles = [clean_title(d) for d in declared if d and d.strip()]
    naming_site = site_words(site, url)
    best, best_score = None, 0.0
    for heading in headings:
        if naming_site and set(_words(heading)) <= naming_site:
            continue  # the site's logo or name
        score = max((agreement(heading, d) for d in declared_titles), default=0.0)
        if score > best_score + 1e-9:
            best, best_score = heading, score
    if best:
        return strip_site_part(best, naming_site, short_tail=False)
    single = lone_h1(tree, naming_site)
    if single:
        return single
    if declared_titles:
        return strip_site_part(declared_titles[0], naming_site)
    return headings[0] if headings else ""
