"""Who wrote the article: declared authors (JSON-LD, meta tags), else the page's visible byline."""

from __future__ import annotations

import html
import re

_BYLINE_XPATH = (
    "//*[@rel='author' or @itemprop='author' or contains(@class, 'author') or contains(@class, 'byline')"
    " or contains(@class, 'autor') or contains(@class, 'Autor') or contains(@class, 'Author')"
    " or contains(@class, 'vcard') or contains(@class, 'creator')]"
)
_PREFIX = re.compile(
    r"^(?:(?:written|posted|published|veröffentlicht|geschrieben|erstellt|verfasst|eingestellt|text|"
    r"interview|post author|zum profil|alles|publié|publicado|pubblicato|escrito|scritto)\s+)?"
    r"(?:by|von|vom|par|por|di|da|door|av|autor(?:in)?|auteur|author|verfasser(?:in)?)\s*:?\s+"
    r"|^(?:view all posts by|alle beiträge von|mehr von|more from|more by)\s+|^[~/]\s*|^(?:interview|text|texte|foto|fotos)\s*:\s*",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:;|\s+und\s+|\s+and\s+|\s+&\s+|\s+et\s+|\s+y\s+|\s+e\s+)\s*", re.IGNORECASE)
_NOT_A_NAME = re.compile(
    r"^(?:admin|administrator|wordpressadmin|name|posted|follow|autor|author|redaktion|editor|staff|"
    r"anonymous|unknown|no author|guest|human|auteurs|autoren|authors)$|\d{2}|https?:|www\.|@|\[at\]|"
    r"\s(?:am|on|sagt|says|schreibt|writes)$|erforderlich|required|\*",
    re.IGNORECASE,
)
_COMMENTS = re.compile(r"comment|respond|reply|kommentar", re.IGNORECASE)
MAX_NAME_WORDS = 5


def clean_name(value: str) -> str | None:
    """A person's or desk's name from a byline fragment: prefixes ("By", "Von"), entities and
    trailing punctuation removed; None when it is no name (a date, a link, "admin", a sentence)."""
    name = " ".join(html.unescape(value).split()).strip(" ,;:|-–—·•")
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
    """Several names in one byline ("A und B", "A; B", "A and B")."""
    return [n for n in (clean_name(part) for part in _SPLIT.split(value)) if n]


def visible_byline(tree) -> list[str]:
    """Names in the page's byline elements (``rel=author``, ``itemprop=author``, ``class=author``...),
    from the first such element that holds a short text."""
    for element in tree.xpath(_BYLINE_XPATH):
        if element.tag in ("html", "body", "meta", "link", "script", "style", "img", "input", "label"):
            continue
        if any(a.tag == "form" or _COMMENTS.search(f"{a.get('class', '')} {a.get('id', '')}")
               for a in element.iterancestors()):
            continue  # a commenter, or a comment form's "Name" field
        whole = " ".join(" ".join(element.itertext()).split())
        everyone = split_names(whole) if len(whole) <= 80 else []
        for part in [*element.xpath(".//*[@itemprop='name'] | .//a | .//*[contains(@class, 'fn')]"), element]:
            text = " ".join(" ".join(part.itertext()).split())
            if text and len(text) <= 80:
                names = split_names(text)
                if names:
                    # "By <a>A</a> and <a>B</a>": the whole byline names more people than one link
                    return everyone if len(everyone) > len(names) and set(names) <= set(everyone) else names
    return []


def choose_authors(declared: list[str], organisations: list[str], tree, extracted: str | None,
                   site: str | None) -> list[str]:
    """The article's authors: the declared ones, else the visible byline, else trafilatura's guess;
    the publication itself is never an author."""
    candidates = [n for d in declared for n in split_names(d)]
    if not candidates and tree is not None:
        candidates = visible_byline(tree)
    if not candidates and extracted:
        candidates = [n for part in extracted.split(";") for n in split_names(part)]
    not_people = {n.casefold() for n in organisations + [site or ""] if n}
    squeezed_site = (site or "").replace(" ", "").casefold()
    return list(dict.fromkeys(
        n for n in candidates
        if n.casefold() not in not_people and not (squeezed_site and n.replace(" ", "").casefold() == squeezed_site)
    ))
