"""How much a page holds, checked before the costly stages: its markup before it is parsed, its
text before it is extracted. Their cost grows with both (extracting takes some 20 bytes of memory
per character of text), and a hostile page must be refused before it takes gigabytes or hours."""

from __future__ import annotations

import re

from search.ingest.errors import UnreadableDocument

MAX_ATTRIBUTES = 1000
"""Most attributes one element may have (real ones have a few dozen). libxml2 compares each of an
element's attributes with every other: a million take hours, in C, where no time limit reaches."""
_START_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)[^<>]*")
_LONG_TAG = re.compile(rf"<[A-Za-z][^<>]{{{2 * MAX_ATTRIBUTES},}}")
"""A start tag long enough to hold more than MAX_ATTRIBUTES attributes."""
_ATTRIBUTE = re.compile(r"""\s[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")
_RAW_TEXT_END = {name: re.compile(rf"</{name}", re.IGNORECASE) for name in ("script", "style")}
"""Elements whose content is text, not markup: their ``<`` start no element."""
_NOT_TEXT = {"script", "style", "template"}


def _attributes_over(html: str, tag: re.Match, limit: int) -> bool:
    if tag.end() - tag.start() <= 2 * limit:  # too short to hold that many
        return False
    found = _ATTRIBUTE.finditer(html, tag.start(), tag.end())
    return any(count > limit for count, _ in enumerate(found, start=1))


def check_markup(html: str, max_elements: int) -> None:
    """Raises UnreadableDocument ("too large (…)") when the page has more than ``max_elements``
    start tags, or an element with more than MAX_ATTRIBUTES attributes."""
    if html.count("<") <= max_elements and not _LONG_TAG.search(html):
        return  # as on every real page: neither can be, and the scan below is not needed
    position, elements = 0, 0
    while tag := _START_TAG.search(html, position):
        elements += 1
        if elements > max_elements:
            raise UnreadableDocument(f"too large (over {max_elements:,} HTML elements; "
                                     "the limit is NEWS_SEARCH_MAX_ELEMENTS)")
        if _attributes_over(html, tag, MAX_ATTRIBUTES):
            raise UnreadableDocument(f"too large (an element with over {MAX_ATTRIBUTES:,} attributes)")
        position = tag.end()
        end = _RAW_TEXT_END.get(tag.group(1).lower())
        if end:
            closing = end.search(html, position)
            position = closing.end() if closing else len(html)


def check_text_length(length: int, max_chars: int) -> None:
    """Raises UnreadableDocument ("too large (…)") for more than ``max_chars`` characters of text."""
    if length > max_chars:
        raise UnreadableDocument(f"too large (over {max_chars:,} characters of text; "
                                 "the limit is NEWS_SEARCH_MAX_TEXT_CHARS)")


def check_page_text(html: str, tree, max_chars: int) -> None:
    """Raises UnreadableDocument ("too large (…)") when the body of the page ``tree`` was parsed
    from holds more than ``max_chars`` characters of text."""
    if len(html) > max_chars:  # else its text cannot be longer
        check_text_length(page_text_length(tree), max_chars)


def page_text_length(tree) -> int:
    """How many characters of text the body of a parsed page holds, leaving out scripts and styles
    (a title, however long, is cut later: see ``titles.shorten_title``)."""
    body = tree.find("body")
    return sum(len(element.tail or "") + (0 if element.tag in _NOT_TEXT else len(element.text or ""))
               for element in (body if body is not None else tree).iter())
