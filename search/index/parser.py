"""The query language: Whoosh's parser with field aliases and a plugin that reports syntax errors.

Whoosh silently repairs malformed queries (an unclosed ``(`` or a field with no value is read as
a plain word); a search box should instead say what is wrong and where.
"""

from __future__ import annotations

import calendar
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from whoosh import qparser
from whoosh import query as wq
from whoosh.qparser import syntax

from search.facets import FACETS
from search.index.schema import day_range
from search.query import QuerySyntaxError

SEARCHED_FIELDS = ("title", "text")
FIELD_ALIASES = {facet.field: [facet.parameter] for facet in FACETS if facet.parameter != facet.field}
"""Index field → the query language's prefixes for it (``person:`` for ``people``)."""
QUERY_FIELDS = frozenset({"title", "text", "published", "mentioned"} | {facet.field for facet in FACETS}
                         | {alias for aliases in FIELD_ALIASES.values() for alias in aliases})
"""The field prefixes of the query language; any other "word:" is a word followed by a colon, as in
a headline ("Brexit: what next") or a pasted paragraph ("Note: ...")."""


class SyntaxCheckPlugin(qparser.Plugin):
    """Raises QuerySyntaxError for unbalanced parentheses, unclosed quotes and empty field prefixes
    (of the query language's fields; Whoosh reads an unknown "word:" as the word)."""

    def filters(self, parser):
        # Before GroupPlugin (priority 0) nests the brackets and forgets which were unmatched.
        return [(self.check, -1)]

    def check(self, parser, group):
        nodes = list(group)
        opened: list[int] = []
        for i, node in enumerate(nodes):
            if isinstance(node, qparser.GroupPlugin.OpenBracket):
                opened.append(node.startchar)
            elif isinstance(node, qparser.GroupPlugin.CloseBracket):
                if not opened:
                    raise QuerySyntaxError(
                        f"The ')' at position {node.startchar + 1} has no '(' before it.", node.startchar)
                opened.pop()
            elif isinstance(node, syntax.FieldnameNode) and node.fieldname in QUERY_FIELDS:
                following = nodes[i + 1] if i + 1 < len(nodes) else None
                if following is None or following.is_ws() or isinstance(
                        following, qparser.GroupPlugin.CloseBracket):
                    raise QuerySyntaxError(
                        f"'{node.original}' at position {node.startchar + 1} needs a value after it, "
                        f"as in {node.original}belarus.", node.startchar)
            elif isinstance(node, syntax.WordNode) and '"' in node.text:
                position = node.startchar + node.text.index('"')
                raise QuerySyntaxError(
                    f'The quotation mark at position {position + 1} is never closed.', position)
        if opened:
            raise QuerySyntaxError(
                f"The '(' at position {opened[-1] + 1} is never closed: add a ')'.", opened[-1])
        return group


DATE_FIELDS = {"published": "published", "mentioned": "mentioned_dates"}
"""Query-language field → index field, for the date fields."""
_CALENDAR_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_DATE_EXPR = (r"(?P<field>published|mentioned):(?:\[\s*(?P<low>\S+?)?\s+(?:to|TO)(?:\s+(?P<high>[^\]\s]+))?\s*\]"
              r"|\[\s*(?:to|TO)\s+(?P<high2>[^\]\s]+)\s*\]|(?P<op>[<>]=?)?(?P<point>[^\s()]+))")
DATE_HELP = ("write a year (2020), a month (2020-08), a day (2020-08-14), a range ([2020-08-01 to 2020-08-31], "
             "open at either end), a comparison (>2020-08-01, <=2020-08) or a date relative to today "
             "(>-7d, -2w, -3m, -1y)")


def _shift_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def date_period(text: str, today: date | None = None) -> tuple[date, date]:
    """The first and last day a date expression names: a year, a month, a day, ``today`` or a day
    relative to today (``-7d``, ``+1w``, ``-3m``, ``-1y``). Raises ValueError for anything else."""
    today = today or date.today()
    if text == "today":
        return today, today
    relative = re.fullmatch(r"([-+]\d+)([dwmy])", text)
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        if unit in "dw":
            day = today + timedelta(days=amount * (7 if unit == "w" else 1))
        else:
            day = _shift_months(today, amount * (12 if unit == "y" else 1))
        return day, day
    calendar_date = _CALENDAR_DATE.fullmatch(text)
    if not calendar_date:
        raise ValueError(text)
    parts = [int(p) for p in calendar_date.groups() if p]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    if len(parts) == 2:
        first = date(parts[0], parts[1], 1)
        return first, first.replace(day=calendar.monthrange(parts[0], parts[1])[1])
    day = date(*parts)
    return day, day


class DateRangeNode(syntax.SyntaxNode):
    has_fieldname = True

    def __init__(self, fieldname: str, first: date | None, last: date | None):
        self.fieldname, self.first, self.last = fieldname, first, last

    def r(self):
        return f"DateRange {self.first}..{self.last}"

    def query(self, parser):
        return day_range(self.fieldname, self.first, self.last)


class DatePlugin(qparser.TaggingPlugin):
    """``published:`` and ``mentioned:`` with a year, month, day, range, comparison or relative date."""

    priority = -10
    expr = _DATE_EXPR

    def __init__(self, today: date | None = None):
        super().__init__()
        self.today = today

    def create(self, parser, match):
        field = DATE_FIELDS[match.group("field")]

        def period(name: str) -> tuple[date, date] | None:
            text = match.group(name)
            if not text:
                return None
            try:
                return date_period(text, self.today)
            except ValueError:
                raise QuerySyntaxError(
                    f"'{text}' at position {match.start(name) + 1} is not a date: {DATE_HELP}.",
                    match.start(name)) from None

        if match.group("point") is not None:
            first, last = period("point")
            op = match.group("op") or ""
            bounds = {"": (first, last), ">": (last + timedelta(days=1), None), ">=": (first, None),
                      "<": (None, first - timedelta(days=1)), "<=": (None, last)}[op]
            node = DateRangeNode(field, *bounds)
        else:
            low, high = period("low"), period("high") or period("high2")
            node = DateRangeNode(field, low[0] if low else None, high[1] if high else None)
        node.startchar, node.endchar = match.start(), match.end()
        return node


_OPERATOR_PAIR = re.compile(r"(?<![\w\"])(?:NOT\s+(?:AND|OR|NOT|ANDNOT|ANDMAYBE)|(?:ANDNOT|ANDMAYBE)\s+(?:ANDNOT|ANDMAYBE))"
                            r"(?![\w\"])")
"""Operators in a row that Whoosh's parser fails on ("NOT NOT", "NOT OR", "ANDNOT ANDMAYBE")."""


@dataclass(frozen=True)
class Clause:
    """A part of a query that a match may lack (a word, a phrase, a bracketed group), and how it was typed."""

    query: wq.Query
    label: str


@dataclass(frozen=True)
class Clauses:
    """A query as its parts: those every match must have (``+word``, a field's value, a date), those
    of which a match needs one but may lack the others (the plain words and phrases: matches with all
    of them rank first) and those no match may have (``-word``, ``NOT word``)."""

    required: tuple[wq.Query, ...] = ()
    optional: tuple[Clause, ...] = ()
    banned: tuple[wq.Query, ...] = ()

    def query(self) -> wq.Query:
        """What the clauses match together: every required one, no banned one, and at least one of the
        optional ones, unless a word is required (``+word``): then the optional ones only rank."""
        parts = [*self.required]
        optional = wq.Or([clause.query for clause in self.optional]) if self.optional else None
        if optional is not None and not self.requires_words():
            parts.append(optional)
            optional = None
        if not parts:
            if not self.banned:
                return wq.NullQuery
            parts = [wq.Every()]  # only words to leave out ("-wheat"): every other article
        positive = parts[0] if len(parts) == 1 else wq.And(parts)
        if optional is not None:
            positive = wq.AndMaybe(positive, optional)
        if self.banned:
            return wq.AndNot(positive, self.banned[0] if len(self.banned) == 1 else wq.Or(list(self.banned)))
        return positive

    def requires_words(self) -> bool:
        """Whether a word or phrase of the title or text is required (not only a field's value or a date)."""
        return any(_of_text(query) for query in self.required)

    def counted(self) -> tuple[Clause, ...]:
        """The optional clauses a match may lack (a lone one, when no word is required, every match has)."""
        return self.optional if len(self.optional) > 1 or self.requires_words() else ()

    def map(self, change) -> Clauses:
        """The clauses with ``change`` applied to each one's query."""
        return Clauses(tuple(map(change, self.required)),
                       tuple(Clause(change(clause.query), clause.label) for clause in self.optional),
                       tuple(map(change, self.banned)))


_BEFORE, _AFTER = re.compile(r"[^\s(]*$"), re.compile(r"[^\s)]*")
"""The rest of a typed word around the part of it a syntax node spans (a field prefix, a wildcard, a boost)."""


class NewsQueryParser(qparser.QueryParser):
    """Whoosh's parser, answering a query it cannot read with a QuerySyntaxError rather than an
    internal error, and giving a query's clauses apart (``clauses``)."""

    def multitoken_query(self, spec, texts, fieldname, termclass, boost):
        # a typed word the analyzer splits ("Ki-moon", "U.S.") needs all its parts, whatever the query's group
        return super().multitoken_query("and" if spec == "default" else spec, texts, fieldname, termclass, boost)

    def parse(self, text, normalize=True, debug=False):
        with self._reading(text):
            return super().parse(text, normalize=normalize, debug=debug)

    def clauses(self, text: str) -> Clauses:
        """The query's clauses (see Clauses). A word or phrase of the title or text is optional unless
        written ``+word``, or joined by AND to another; a field's value or a date is required."""
        with self._reading(text):
            required, optional, banned = [], [], []
            self._sort(self.process(text), text, required, optional, banned)
            return Clauses(tuple(required), tuple(optional), tuple(banned))

    def _sort(self, node, text: str, required: list, optional: list, banned: list) -> None:
        if isinstance(node, syntax.AndNotGroup):
            positive, *negative = node.nodes
            self._sort(positive, text, required, optional, banned)
            banned.extend(self._queries(negative))
        elif isinstance(node, syntax.AndMaybeGroup):
            must, may = node.nodes
            required.extend(self._queries(_parts(must)))
            self._sort_optional(_parts(may), text, required, optional, banned)
        elif isinstance(node, syntax.AndGroup):
            required.extend(self._queries(node.nodes))
        else:
            self._sort_optional(_parts(node) if isinstance(node, syntax.OrGroup) else [node], text,
                                required, optional, banned)

    def _sort_optional(self, parts, text: str, required: list, optional: list, banned: list) -> None:
        for part in parts:
            if isinstance(part, syntax.NotGroup):
                banned.extend(self._queries(part.nodes))
            else:
                for query in self._queries([part]):
                    if _of_text(query):
                        optional.append(Clause(query, _typed(text, part.startchar, part.endchar)))
                    else:
                        required.append(query)

    def _queries(self, nodes) -> list[wq.Query]:
        """The syntax nodes' queries, less those that match nothing (stop words)."""
        return [query for query in (node.query(self).normalize() for node in nodes) if query is not wq.NullQuery]

    @staticmethod
    @contextmanager
    def _reading(text: str):
        """Raises QuerySyntaxError for what Whoosh's parser cannot read."""
        for pair in _OPERATOR_PAIR.finditer(text):
            if text[: pair.start()].count('"') % 2 == 0:  # not inside a phrase
                raise QuerySyntaxError(
                    f"'{' '.join(pair.group().split())}' at position {pair.start() + 1}: an operator needs a "
                    "word after it, as in belarus NOT minsk.", pair.start())
        try:
            yield
        except QuerySyntaxError:
            raise
        except Exception:  # Whoosh's parser has no error of its own: it repairs what it can and fails on the rest
            raise QuerySyntaxError("This query cannot be read: check its operators (AND, OR, NOT), brackets and "
                                   "quotes, or write plain words.") from None


def _of_text(query: wq.Query) -> bool:
    """Whether a query only searches the title and text."""
    return {leaf.field() for leaf in query.leaves()} <= set(SEARCHED_FIELDS)


def _typed(text: str, start: int, end: int) -> str:
    """The words of the query a clause stands for, as typed: its brackets, field prefix, wildcard and
    boost included."""
    while start > 0 and end < len(text) and text[start - 1] == "(" and text[end] == ")":
        start, end = start - 1, end + 1
    start = _BEFORE.search(text, 0, start).start()
    end = _AFTER.match(text, end).end()
    return " ".join(text[start:end].split()).rstrip(",;:")


def _parts(node) -> list:
    """A group's children; any other node alone."""
    return list(node.nodes) if isinstance(node, syntax.GroupNode) else [node]


def build_parser(schema) -> NewsQueryParser:
    """A parser over title and text where plain words are alternatives (matches with all of them rank
    first: see Clauses), ``+word`` and AND require and ``-word`` and NOT exclude."""
    parser = NewsQueryParser(None, schema, group=qparser.OrGroup)
    parser.add_plugin(qparser.MultifieldPlugin(list(SEARCHED_FIELDS)))
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    # "-word" excludes and "+word" requires, but only at the start of a word: "Ki-moon" stays one name.
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=\S)", minusexpr=r"(?<![^\s(])-(?=\S)"))
    parser.add_plugin(SyntaxCheckPlugin())
    parser.add_plugin(DatePlugin())
    return parser
