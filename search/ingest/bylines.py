"""Who wrote the article: declared authors (JSON-LD, meta tags), else the page's visible byline."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

_BYLINE_XPATH = (
    "//*[@rel='author' or @itemprop='author' or contains(@class, 'author') or contains(@class, 'byline')"
    " or contains(@class, 'autor') or contains(@class, 'Autor') or contains(@class, 'Author')"
    " or contains(@class, 'vcard') or contains(@class, 'creator')]"
)
_PREFIX = re.compile(
    r"^(?:(?:written|posted|published|veröffentlicht|geschrieben|erstellt|verfasst|eingestellt|text|"
    r"interview|post author|zum profil|alles|publié|publicado|pubblicato|escrito|scritto|artikel|beitrag|"
    r"ein beitrag|blog beitrag|article)\s+)?"
    r"(?:by|von|vom|par|por|di|da|door|av|autor(?:in)?|auteur|author|verfasser(?:in)?)\s*:?\s+"
    r"|^(?:view all posts by|alle beiträge von|mehr von|more from|more by)\s+|^[~/]\s*|^(?:interview|text|texte|foto|fotos)\s*:\s*",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:;|\s+und\s+|\s+and\s+|\s+&\s+|\s+et\s+|\s+y\s+|\s+e\s+)\s*", re.IGNORECASE)
_NOT_A_NAME = re.compile(
    r"^(?:admin|administrator|wordpressadmin|name|posted|follow|autor|author|editor|staff|"
    r"anonymous|unknown|no author|guest|human|auteurs|autoren|authors|by|von|par|por|datum|date|quelle|source|"
    r"alle artikel|all articles|all posts|mehr|more|profil|profile|about|über)$|\d{2}|https?:|www\.|@|\[at\]|"
    r"\s(?:am|on|sagt|says|schreibt|writes|by|von|par)$|erforderlich|required|\*|\bprofile?\b|^afficher\b|"
    r"^(?:publisher|herausgeber|contributor|correspondent)$",
    re.IGNORECASE,
)
_COMMENTS = re.compile(r"comment|respond|reply|kommentar", re.IGNORECASE)
_DEGREE = re.compile(r"^(?:ph\.?\s?d\.?|m\.?d\.?|dr\.?|prof\.?|mba|msc|m\.?sc\.?|b\.?sc\.?|rd|rn|jr\.?|sr\.?)$",
                     re.IGNORECASE)
_WRITTEN_BYLINE = re.compile(
    r"^\W{0,4}(?:(?:ein|a|an|blog|beitrag|artikel|article|post|posted|written|geschrieben|veröffentlicht|gespeichert|"
    r"erstellt|verfasst|eingestellt|publié|publicado|publicada|escrito|scritto|story|bericht|reported|gastbeitrag|text|"
    r"kommentar|kolumne|eine|analyse)\s+){0,2}"
    r"(?:by|von|par|por|door|av|autor(?:in)?|auteur|author|redaktion|text)\s*:?\s+(?P<names>[^\W\d].*)$",
    re.IGNORECASE,
)
_LABELLED_BYLINE = re.compile(r"(?:^|\s|·|\|)(?:by|von|par|por|autor(?:in)?|author|auteur)\s*:?\s+(?P<names>[^\W\d].*)$",
                              re.IGNORECASE)
_TRAILER = re.compile(
    r"\s*(?:\s[^\W\d]+:(?:\s|$)|\s(?:publiziert|aktualisiert|stand|updated|published|datum|quelle|source|"
    r"alle artikel|all articles|shares|illustrations?|fotos?|photos?|bilder?|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|"
    r"samstag|sonntag)\b|[|·•(\[@/]|\s[-–—]\s|\b(?:am|on|le|el|il|um|at|vom|,)?\s*\d|\bam\s|\bon\s|\ble\s|\bfür\s|\bfor\s).*$",
    re.IGNORECASE,
)
_PARTICLES = {"von", "van", "de", "der", "den", "del", "della", "la", "le", "da", "di", "du", "dos", "das", "bin",
              "al", "el", "ter", "zu", "y", "e"}
_SKIPPED_CONTAINERS = ("nav", "footer", "form", "aside", "script", "style", "noscript", "select", "option",
                       "blockquote", "figcaption")
_LINE_TAGS = ("p", "span", "div", "em", "strong", "i", "b", "small", "h3", "h4", "h5", "h6", "address", "time",
              "header", "byline", "li", "td")
_AGENCY = re.compile(r"^[A-Z][A-Z0-9/.-]{1,7}$|^(?:dpa|afp|ap|apa|sda|epd|kna|efe|ansa)(?:/\w+)?$")
_LABEL_ONLY = re.compile(r"^\W{0,3}(?:by|von|par|por|autor(?:in)?|author|auteur|text|verfasser(?:in)?)\s*:?$", re.IGNORECASE)
_DATES = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b")
MAX_NAME_WORDS = 5
MAX_BYLINE_CHARS = 120


def clean_name(value: str) -> str | None:
    """A person's or desk's name from a byline fragment: prefixes ("By", "Von"), entities and
    trailing punctuation removed; None when it is no name (a date, a link, "admin", a sentence)."""
    name = " ".join(html.unescape(value).split()).strip(" ,;:|-–—·•©")
    while True:
        stripped = _PREFIX.sub("", name, count=1).strip()
        if stripped == name:
            break
        name = stripped
    name = name.strip(" ,;:|-–—·•")
    if not name or len(name.split()) > MAX_NAME_WORDS or _NOT_A_NAME.search(name):
        return None
    if not any(c.isalpha() for c in name):
        return None
    return name


def split_names(value: str) -> list[str]:
    """Several names in one byline ("A und B", "A; B", "A and B", "A B, C D"); degrees after a
    comma ("Jane Doe, PhD") are dropped."""
    names = []
    for part in _SPLIT.split(html.unescape(value)):
        pieces = [p.strip() for p in part.split(",")]
        pieces = [pieces[0]] + [p for p in pieces[1:] if p and not _DEGREE.match(p)]
        if len(pieces) > 1 and len(pieces[0].split()) >= 2:
            # "A B, C D": two people; "A B, CNN": a person and an agency; "A B, London": a place, dropped
            names.extend(p for p in pieces if len(p.split()) >= 2 or _AGENCY.match(p))
        else:
            names.append(", ".join(pieces))
    return [n for n in (clean_name(name) for name in names) if n]


def _looks_like_names(names: list[str]) -> bool:
    """Every name is a capitalised word or words ("Jane Doe", "Ludwig van Beethoven", "R. R.")."""
    for name in names:
        words = name.split()
        if not all(w[0].isupper() or w.casefold() in _PARTICLES for w in words):
            return False
        if not (words[0][0].isupper() and words[-1][0].isupper()):
            return False
    return bool(names)


def written_bylines(tree) -> Iterator[list[str]]:
    """Names from short lines of the page that read as bylines ("Von Jane Doe am 3. Mai",
    "Posted by Jane Doe", "par Jean Dupont, 21 juin 2018", "Written by: Jane Doe"), outside
    navigation, footers, forms and comments, in page order."""
    for element in tree.iter(*_LINE_TAGS):
        text = _short_text(element, MAX_BYLINE_CHARS)
        if text is None:
            continue
        if _LABEL_ONLY.match(text):  # "<b>Von:</b> Jane Doe", "<h5>Autor:</h5>Jane Doe/SP-X"
            text = " ".join(f"{text} {_following_text(element)}".split())
        if not text or len(text) > MAX_BYLINE_CHARS:
            continue
        match = _WRITTEN_BYLINE.match(text)
        if not match or _in_skipped_container(element, _SKIPPED_CONTAINERS):
            continue
        names = split_names(_TRAILER.sub("", match.group("names")))
        if _looks_like_names(names):
            yield names


def visible_bylines(tree) -> Iterator[list[str]]:
    """Names in the page's byline elements (``rel=author``, ``itemprop=author``, ``class=author``...)
    that hold a short text, in page order; commenters are skipped."""
    for element in tree.xpath(_BYLINE_XPATH):
        if element.tag in ("html", "body", "meta", "link", "script", "style", "img", "input", "label"):
            continue
        if _in_skipped_container(element, ("form",)):
            continue  # a commenter, or a comment form's "Name" field
        whole = " ".join(" ".join(element.itertext()).split())
        everyone = split_names(_DATES.sub(" ", whole)) if len(whole) <= 80 else []
        for part in [*element.xpath(".//*[@itemprop='name'] | .//a | .//*[contains(@class, 'fn')]"), element]:
            text = " ".join(" ".join(part.itertext()).split())
            if text and len(text) <= 80:
                names = split_names(_DATES.sub(" ", text))
                if names:
                    # "By <a>A</a> and <a>B</a>": the whole byline names more people than one link
                    yield everyone if len(everyone) > len(names) and set(names) <= set(everyone) else names
                    break
        labelled = _LABELLED_BYLINE.search(whole) if len(whole) <= MAX_BYLINE_CHARS else None
        if labelled:  # "Datum: 19.11.2021 Autor: Jane Doe Quelle: X", "3. Mai · von Jane Doe · in Politik"
            names = split_names(_TRAILER.sub("", labelled.group("names")))
            if _looks_like_names(names):
                yield names


def visible_byline(tree) -> list[str]:
    """The names of the page's first byline element."""
    return next(visible_bylines(tree), [])


def written_byline(tree) -> list[str]:
    """The names of the page's first line written as a byline."""
    return next(written_bylines(tree), [])


def _short_text(element, limit: int) -> str | None:
    """An element's text with whitespace collapsed, or None when it is longer than ``limit`` (read
    no further than that, so that scanning every block of a page stays linear)."""
    parts, length = [], 0
    for piece in element.itertext():
        parts.append(piece)
        length += len(piece)
        if length > 3 * limit:
            return None
    text = " ".join(" ".join(parts).split())
    return text if len(text) <= limit else None


def _following_text(element) -> str:
    """The text right after an element, up to the next line break or block."""
    parts = [element.tail or ""]
    for sibling in element.itersiblings():
        if sibling.tag in ("br", "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6") and "".join(parts).strip():
            break
        if sibling.tag not in ("br",):
            parts.append(" ".join(sibling.itertext()))
        parts.append(sibling.tail or "")
        if len(" ".join(parts)) > MAX_BYLINE_CHARS:
            break
    return " ".join(parts)


def _in_skipped_container(element, tags: tuple[str, ...]) -> bool:
    return any(a.tag in tags or _COMMENTS.search(f"{a.get('class', '')} {a.get('id', '')}")
               for a in element.iterancestors())


def choose_authors(declared: list[str], organisations: list[str], tree, extracted: str | None,
                   site: str | None, headlines: list[str | None] = ()) -> list[str]:
    """The article's authors: the declared ones, else the first byline element, else the first line
    written as a byline, else trafilatura's guess; the publication itself is never an author, and a
    byline that names only the publication gives way to the next. A name must have a word of two
    letters or more, and a byline read from the page is not one when the headline holds it ("Yellow
    Vests" and "I" from "Yellow Vests and I")."""
    not_people = {n.casefold() for n in organisations + [site or ""] if n}
    def words(text: str) -> str:
        return " " + " ".join(re.findall(r"[^\W_]+", text.casefold())) + " "

    headline_words = [words(h) for h in headlines if h]

    def in_headline(name: str) -> bool:
        return words(name).strip() != "" and any(words(name) in h for h in headline_words)
    squeezed_site = (site or "").replace(" ", "").casefold()

    def people(names: list[str], declared: bool = False) -> list[str]:
        return list(dict.fromkeys(
            n for n in names
            if n.casefold() not in not_people and (re.search(r"[^\W\d_]{2}", n) or " " in n)
            and not (squeezed_site and n.replace(" ", "").casefold() in (squeezed_site, f"{squeezed_site}.de"))
            and (declared or not in_headline(n))))

    def candidates() -> Iterator[list[str]]:
        if tree is not None:
            yield from visible_bylines(tree)
            yield from written_bylines(tree)
        if extracted:
            yield [n for part in extracted.split(";") for n in split_names(part)]

    return people([n for d in declared for n in split_names(d)], declared=True) or next(
        (found for found in map(people, candidates()) if found), [])
