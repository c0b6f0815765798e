"""Search results as text for a terminal: a header, then each result numbered, its lines aligned
under its title, the matched words of its snippet in bold.

Lines carry click's styles; ``click.echo`` drops them when its output is not a terminal."""

from __future__ import annotations

import html
import re

import click

from search.query import Hit, SearchResult

MIN_WIDTH = 20
"""Narrowest column a result's lines are wrapped to, however narrow the terminal."""
MARK = re.compile(r"<mark[^>]*>(.*?)</mark>", re.DOTALL)

Piece = tuple[str, bool]
"""A run of text and whether it is in bold."""


def result_lines(result: SearchResult, width: int | None = None) -> list[str]:
    """The lines that show a page of results, wrapped to ``width`` columns (None: not wrapped)."""
    lines = [_header(result)]
    if result.suggestion:
        lines.append(f"Did you mean: {click.style(result.suggestion, bold=True)}")
    if result.total and not result.hits:
        lines.append(f"This page is past the last one: the results end on page {result.pages:,} (--page {result.pages}).")
    first = (result.request.page - 1) * result.request.per_page + 1
    digits = len(str(first + len(result.hits) - 1))
    for rank, hit in enumerate(result.hits, start=first):
        lines.append("")
        lines.extend(_hit_lines(hit, f"{rank:>{digits}}. ", width))
    return lines


def _header(result: SearchResult) -> str:
    """How many results and which page, e.g. "2 with all words · 5 results (1 copy folded) · page 1 of 1"."""
    parts = []
    if result.total_all_words is not None and result.total_all_words != result.total:
        parts.append(f"{result.total_all_words:,} with all words")
    folded = f" ({_count(result.folded, 'copy', 'copies')} folded)" if result.folded else ""
    parts.append(_count(result.total, "result", "results") + folded)
    if result.total:
        parts.append(f"page {result.request.page:,} of {result.pages:,}")
    return " · ".join(parts)


def _count(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


def _hit_lines(hit: Hit, label: str, width: int | None) -> list[str]:
    """A result: its title after its rank, then its details indented under the title."""
    indent = " " * len(label)
    column = None if width is None else max(width - len(indent), MIN_WIDTH)
    date = hit.published.isoformat() if hit.published else None
    similar = f"{hit.copies:,} similar" if hit.copies else None
    details = " · ".join(part for part in (hit.source, date, ", ".join(hit.authors), similar) if part)
    blocks = [_wrap([(hit.title, True)], column)]
    if details:
        blocks.append([click.style(line, dim=True) for line in _wrap([(details, False)], column)])
    if hit.url:
        blocks.append([hit.url])  # never wrapped: a URL broken in two cannot be followed
    if hit.snippet:
        blocks.append(_wrap(snippet_pieces(hit.snippet), column))
    if hit.missing:
        blocks.append(_wrap([(f"Missing: {', '.join(hit.missing)}", False)], column))
    lines = [line for block in blocks for line in block]
    return [label + lines[0], *(indent + line for line in lines[1:])]


def snippet_pieces(snippet: str) -> list[Piece]:
    """A snippet's HTML as text: the matched words (in ``<mark>``) bold, entities unescaped, runs of
    white space made one space."""
    parts = MARK.split(" ".join(snippet.split()))
    return [(html.unescape(part), i % 2 == 1) for i, part in enumerate(parts) if part]


def _wrap(pieces: list[Piece], width: int | None) -> list[str]:
    """Styled lines of at most ``width`` visible characters, broken at spaces (a longer word stands
    alone on its line); one line when ``width`` is None."""
    words: list[list[Piece]] = [[]]
    for text, bold in pieces:
        for i, chunk in enumerate(text.split(" ")):
            if i:
                words.append([])
            if chunk:
                words[-1].append((chunk, bold))
    lines: list[list[list[Piece]]] = [[]]
    used = 0
    for word in filter(None, words):
        size = sum(len(text) for text, _ in word)
        if lines[-1] and width is not None and used + 1 + size > width:
            lines.append([])
            used = 0
        used += size + (1 if lines[-1] else 0)
        lines[-1].append(word)
    return [_styled([piece for i, word in enumerate(line) for piece in ([(" ", False)] if i else []) + word])
            for line in lines]


def _styled(pieces: list[Piece]) -> str:
    """The pieces as one string, each run of bold pieces (and the spaces within it) styled once."""
    runs: list[Piece] = []
    for i, (text, bold) in enumerate(pieces):
        if text == " ":  # between two words: bold only inside a bold run
            bold = pieces[i - 1][1] and pieces[i + 1][1]
        if runs and runs[-1][1] == bold:
            runs[-1] = (runs[-1][0] + text, bold)
        else:
            runs.append((text, bold))
    return "".join(click.style(text, bold=True) if bold else text for text, bold in runs)
