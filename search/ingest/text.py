"""The article's own text: trafilatura first, a BeautifulSoup fallback, then our own cleaning."""

from __future__ import annotations

import re
import unicodedata
import warnings

import trafilatura
from bs4 import BeautifulSoup

from search.ingest.metadata import parse_tree

_BOILERPLATE_LINES = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^advertisements?$",
        r"^(story continues|article continues) below( this)?( advertisement| ad)?\.?$",
        r"^source:\s*read (the )?full (article|story)\.?$",
        r"^read (the )?full (article|story)\.?$",
        r"^(read|see) (more|also)\b.{0,80}$",
        r"^visit .{1,60}'s homepage for more stories\.?$",
        r"^(sign up|subscribe)\b.{0,60}\bnewsletter\b.{0,80}$",
        r"^(click|tap) here\b.{0,80}$",
        r"^(share|follow us) (this|on)\b.{0,60}$",
        r"^(related (stories|articles|posts|coverage|content)|ähnliche (beiträge|artikel)|verwandte artikel|"
        r"articles similaires|artículos relacionados|articoli correlati)\s*:?$",
        r"^.{0,80}\bcookies?\b.{0,80}\b(accept|consent|agree)\b.{0,40}$",
        r"^(this|the) (article|story) (was )?(originally )?(published|appeared) (on|in|at)\b.{0,80}$",
        r"^copyright\b.{0,100}$|^©.{0,100}$|^all rights reserved\.?$",
    )
]
_REMOVED_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "figure",
                 "iframe", "button", "svg", "template")
_NOISE_CLASS = re.compile(r"\b(ad|ads|advert\w*|promo\w*|related|share|social|cookie\w*|newsletter|"
                          r"comments?|menu|sidebar|subscribe|trending|breadcrumbs?|byline)\b", re.I)
_BLOCKS = ("p", "li", "h2", "h3", "h4", "blockquote", "pre")
FALLBACK_MAX_CHARS = 5_000_000
"""The structural fallback parses the page again, with BeautifulSoup, at some 20 bytes of memory
per character: it is tried on pages up to this size (real pages run to 3 MB)."""


_UNSPACED = re.compile("[\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff"
                       "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
"""Letters of scripts written without spaces between words: Thai, Lao, Tibetan, Myanmar, Khmer,
Japanese kana and Chinese characters (Korean is written with spaces)."""


def word_count(text: str) -> int:
    """Words in a text: runs holding a letter between spaces, and each letter of a script written
    without spaces (a Chinese sentence is one run of characters, each about a word)."""
    unspaced = len(_UNSPACED.findall(text))
    spaced = _UNSPACED.sub(" ", text) if unspaced else text
    return unspaced + sum(any(c.isalpha() for c in word) for word in spaced.split())


def is_boilerplate(line: str) -> bool:
    """Whether a short line is site furniture (ads, "read more", newsletter and cookie lines)."""
    line = line.strip(" \t-–—•*|")
    return len(line) < 200 and any(p.search(line) for p in _BOILERPLATE_LINES)


def _is_byline(line: str, authors: list[str]) -> bool:
    names = re.sub(r"^by\s+", "", line.strip(), flags=re.IGNORECASE).split(",")[0].split(" and ")
    return bool(authors) and all(n.strip().casefold() in {a.casefold() for a in authors} for n in names)


_SENTENCE_END = re.compile(r"[.!?:;\"”’)\]]\s*$")


def unwrap_lines(text: str) -> str:
    """Plain text wrapped at a fixed width (wire copy, e-mail, crawler records: "An 11-day-old
    strike by\\nBrazilian seamen is affecting...") as one line per paragraph. A paragraph starts
    after a blank line, at an indented line, or after a line that ends a sentence well short of the
    width. Text whose lines are paragraphs already (some over 100 characters, or most ending a
    sentence) is left as it is."""
    lines = text.splitlines()
    body = [line.rstrip() for line in lines if line.strip()]
    if len(body) < 4:
        return text
    width = sorted(len(line) for line in body)[int(len(body) * 0.9)]
    running_on = sum(1 for line in body[:-1] if not _SENTENCE_END.search(line))
    if width > 100 or running_on < 0.3 * len(body):
        return text
    paragraphs: list[list[str]] = []
    ended = True
    for line in lines:
        if not line.strip():
            ended = True
            continue
        if ended or line[:1].isspace():
            paragraphs.append([])
        paragraphs[-1].append(line.strip())
        ended = bool(_SENTENCE_END.search(line)) and len(line.rstrip()) < 0.8 * width
    return "\n".join(" ".join(paragraph) for paragraph in paragraphs)


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
"""Soft hyphens, zero-width spaces, word joiners and byte-order marks: invisible, but they split a word
for the index ("Deutsch\u00adland" is not "Deutschland"). Zero-width joiners stay: some scripts and
emoji need them."""


def normalise(text: str) -> str:
    """Text in Unicode's composed form (NFC: "ä" one character, however the page wrote it), without
    the invisible characters that split words."""
    return unicodedata.normalize("NFC", text.translate(_INVISIBLE))


def clean_text(text: str, title: str | None = None, authors: list[str] | None = None) -> str:
    """Drop boilerplate lines, and a title or byline line at the start; collapse whitespace;
    normalise the characters (see ``normalise``)."""
    lines = [" ".join(line.split()) for line in normalise(text).splitlines()]
    lines = [line for line in lines if line and not is_boilerplate(line)]
    title_key = " ".join((title or "").split()).casefold()
    while lines and (lines[0].casefold() == title_key or _is_byline(lines[0], authors or [])):
        lines = lines[1:]
    return "\n".join(lines)


def unwrap_layout_tables(tree) -> None:
    """Turn tables used for page layout (a table holding the site's navigation or the headline) into
    plain blocks, in place, which trafilatura would otherwise flatten into one line of table cells.
    A table of paragraphs alone is left to trafilatura (on a wiki's tables and an old site's layout
    it read more of the article so)."""
    for table in tree.xpath("//table[.//nav or .//h1]"):
        for element in [table, *table.xpath(".//tr|.//td|.//th|.//tbody|.//thead|.//tfoot")]:
            element.tag = "div"
            element.attrib.pop("class", None)


def fallback_text(html: str) -> str:
    """Article text by document structure, for pages trafilatura finds nothing in: the blocks of the
    page's ``<article>``, else its ``<main>``, else its body. A page of several articles and no main
    part (a portal's teasers) gives nothing: its text would be menus and lists of links."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # bs4 warns when markup looks like a URL; it is parsed, never fetched
        soup = BeautifulSoup(html, "lxml")
    for tag in soup(_REMOVED_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.attrs is None:
            continue
        marker = " ".join(tag.get("class", [])) + " " + (tag.get("id") or "")
        if _NOISE_CLASS.search(marker) and tag.name not in ("html", "body", "main", "article"):
            tag.decompose()
    articles, main = soup.find_all("article"), soup.find("main")
    if len(articles) > 1 and main is None:
        return ""  # a portal's teasers: no one article to read
    root = (articles[0] if articles else None) or main or soup.body or soup
    blocks = [" ".join(b.get_text(" ").split()) for b in root.find_all(_BLOCKS)]
    blocks = [b for b in blocks if b]
    if not blocks:
        blocks = [" ".join(root.get_text(" ").split())]
    return "\n".join(blocks)


def extract_body(html: str, url: str | None = None, tree=None) -> tuple[str, dict]:
    """The page's article text and trafilatura's findings. ``tree`` is the page already parsed;
    it is changed in the process, so pass it only when nothing else reads it afterwards."""
    tree = parse_tree(html) if tree is None else tree
    unwrap_layout_tables(tree)
    document = trafilatura.bare_extraction(
        tree, url=url, with_metadata=False, favor_precision=True, include_comments=False,
        include_tables=True, include_images=False, deduplicate=False,
    )
    found = document.as_dict() if document is not None else {}
    text = found.get("text") or ""
    if word_count(text) < 25 and len(html) <= FALLBACK_MAX_CHARS:
        structural = fallback_text(html)
        if word_count(structural) > word_count(text):
            text = structural
    return text, found
