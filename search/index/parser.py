"""The query language: Whoosh's parser with field aliases and a plugin that reports syntax errors.

Whoosh silently repairs malformed queries (an unclosed ``(`` or a field with no value is read as
a plain word); a search box should instead say what is wrong and where.
"""

from __future__ import annotations

from whoosh import qparser
from whoosh.qparser import syntax

from search.query import QuerySyntaxError

SEARCHED_FIELDS = ("title", "text")
FIELD_ALIASES = {"people": ["person"], "orgs": ["org"], "places": ["place"], "authors": ["author"]}


class SyntaxCheckPlugin(qparser.Plugin):
    """Raises QuerySyntaxError for unbalanced parentheses, unclosed quotes and empty field prefixes."""

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
            elif isinstance(node, syntax.FieldnameNode):
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


def build_parser(schema) -> qparser.QueryParser:
    """A parser over title and text where every word must match (as in web search engines)."""
    parser = qparser.MultifieldParser(list(SEARCHED_FIELDS), schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    # "-word" excludes and "+word" requires, but only at the start of a word: "Ki-moon" stays one name.
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+(?=\S)", minusexpr=r"(?<![^\s(])-(?=\S)"))
    parser.add_plugin(SyntaxCheckPlugin())
    return parser
