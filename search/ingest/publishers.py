"""The publication an article comes from: a name the page gives itself, else its registered domain.

Pages name themselves in many places, and many of them hold something else: a URL
("https://www.fr.de"), the headline, a whole page title ("WSVN 7News | Miami News, Weather, Sports"),
a licence ("Creative Commons"), the archive a page was saved from ("web.archive.org"). A candidate is
kept only when it reads as a name; the registered domain (``fr.de``, ``bbc.co.uk``, from the public
suffix list bundled with the ``tld`` package: nothing is fetched) is the fallback.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

from tld import get_fld

_SEPARATORS = re.compile(r"\s+[|–—·•»:/\\-]\s+|\s*[|·•»]\s*|\s+::\s+")
_LICENCE = re.compile(r"creative\s*commons|\bcc[- ]by\b|licen[cs]e|copyright|all rights reserved|©", re.I)
_ARCHIVES = {"archive.org", "archive.is", "archive.ph", "archive.today", "archive.li", "archive.md"}
_PLATFORMS = {"wordpress.com", "tumblr.com", "livejournal.com", "over-blog.com", "jimdo.com", "jimdofree.com",
              "wixsite.com", "weebly.com", "typepad.com", "substack.com", "ghost.io", "webnode.com", "ucoz.de",
              "ucoz.ru", "ucoz.net", "ucoz.com", "blog.de", "hatenablog.com", "home.blog", "canalblog.com"}
"""Hosts of many sites, each on its own subdomain (the public suffix list names some, such as
blogspot.com, but not these): a site there is named by its whole host."""
_ARCHIVED = re.compile(r"^/web/[^/]+/(https?://.+)$")
_HOSTNAME = re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+(?::\d+)?(?:/.*)?$", re.I)
_ARCHIVE_NAMES = re.compile(r"wayback machine|internet archive|archive\.org", re.I)
MAX_WORDS = 6
MAX_CHARS = 60


def original_url(url: str | None) -> str | None:
    """The page's own URL, also when it was saved from a web archive
    ("https://web.archive.org/web/2019/https://www.fr.de/..." → "https://www.fr.de/...")."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1": no URL at all
        return None
    if registered_domain(url, unwrap=False) in _ARCHIVES:
        inner = _ARCHIVED.match(parts.path + (f"?{parts.query}" if parts.query else ""))
        return inner.group(1) if inner else None
    return url


def registered_domain(url: str | None, unwrap: bool = True) -> str | None:
    """The domain a site registered ("news.bbc.co.uk" → "bbc.co.uk", "www.fr.de" → "fr.de"); for a
    host outside the public suffix list (an intranet name), the host without "www."."""
    url = original_url(url) if unwrap else url
    if not url:
        return None
    if "://" not in url:
        url = f"http://{url}"
    try:
        found = get_fld(url, fail_silently=True)
        host = urlsplit(url).hostname
    except ValueError:  # a malformed host ("http://[::1"): no domain
        return None
    if found and found.lower() in _PLATFORMS and host and host.removeprefix("www.") != found.lower():
        return host.removeprefix("www.")
    if found:
        return found.lower()
    return host.removeprefix("www.") if host and "." in host else None


def _squeezed(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def _matches_host(name: str, domain: str | None) -> bool:
    """Whether a name and a domain name one site: "Harbour Times" and harbourtimes.example, "WSVN
    7News" and wsvn.com."""
    if not domain:
        return False
    squeezed, label = _squeezed(name), _squeezed(domain.split(".")[0])
    return (len(squeezed) >= 3 and squeezed in _squeezed(domain)) or (len(label) >= 3 and label in squeezed)


def as_name(candidate: str | None, title: str | None, domain: str | None) -> str | None:
    """A candidate as a publication's name, or None when it is something else. A URL or host gives its
    registered domain; a page title with separators gives its part that matches the domain."""
    name = " ".join((candidate or "").split()).strip(" |-–—·:")
    if not name or not any(c.isalpha() for c in name) or _ARCHIVE_NAMES.search(name) or _LICENCE.search(name):
        return None
    if _HOSTNAME.match(name) and " " not in name:
        found = registered_domain(name)
        return None if found in _ARCHIVES or len(found or "") > MAX_CHARS else found
    if title and _squeezed(name) == _squeezed(title):
        return None
    parts = [p.strip() for p in _SEPARATORS.split(name) if p.strip()]
    if len(parts) > 1:
        matching = [p for p in parts if _matches_host(p, domain) and len(p.split()) <= MAX_WORDS]
        return as_name(matching[0], title, domain) if matching else None
    if len(name.split()) > MAX_WORDS or len(name) > MAX_CHARS:
        return None
    return name


def site_from_title(html_title: str | None, url: str | None) -> str | None:
    """The site's name from a "Headline | Site Name" page title, when the name matches the host."""
    domain = registered_domain(url)
    parts = [p.strip() for p in re.split(r"\s+[|–—-]\s+", html_title or "")]
    if not domain or len(parts) < 2:
        return None
    for candidate in (parts[-1], parts[0]):
        if len(_squeezed(candidate)) >= 4 and _matches_host(candidate, domain) and len(candidate.split()) <= 5:
            return candidate
    return None


def linked_domain(tree) -> str | None:
    """The registered domain most of a page's absolute links point to, when it holds a clear majority
    of them (a saved page without a canonical URL still links to its own site's sections)."""
    domains = Counter(d for href in tree.xpath("//a/@href")[:2000] if href.startswith(("http://", "https://"))
                      for d in [registered_domain(href)] if d and d not in _ARCHIVES)
    if not domains:
        return None
    domain, count = domains.most_common(1)[0]
    return domain if count >= 5 and count >= 0.4 * sum(domains.values()) else None


def publication(names: list[str | None], html_title: str | None, title: str | None, url: str | None,
                tree=None) -> str | None:
    """The publication's name: the first of ``names`` (og:site_name, JSON-LD publisher, application
    name, in that order) that reads as one, else the site part of the page's title, else the
    registered domain of ``url``, else (``tree`` given) of the page's own links."""
    domain = registered_domain(url) or (linked_domain(tree) if tree is not None else None)
    for candidate in [*names, site_from_title(html_title, url)]:
        name = as_name(candidate, title, domain)
        if name:
            return name
    return domain
