"""One person, organisation or place across the archive: the contract of an entity page,
EntityRequest in, EntityProfile out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

from search.facets import BY_NAME
from search.query import (LISTING_PARAMS, MAX_VALUE_LENGTH, FacetCount, Hit, InvalidParameter, SearchRequest,
                          parse_params)
from search.timeline import DateBucket

KINDS = tuple(facet.name for facet in BY_NAME.values() if facet.mentioned)
"""The facets an entity page is about: people, orgs, places."""
KIND_NAMES = {"people": "person", "orgs": "organisation", "places": "place"}
"""Each kind in the singular, for messages and page labels."""
LISTED = 10
"""Articles in each of an entity page's lists (latest, most relevant)."""


class EntityNotFound(Exception):
    """No article of the index names this entity."""

    def __init__(self, kind: str, name: str):
        super().__init__(f"No article names the {KIND_NAMES[kind]} {name!r}.")
        self.kind, self.name = kind, name


@dataclass(frozen=True)
class EntityRequest:
    """An entity (its kind and name, in any case) and the search filters to see it through."""

    kind: str
    name: str
    filters: SearchRequest = SearchRequest()
    """Any search parameters; the entity's own filter is added to them."""

    def search(self) -> SearchRequest:
        """The search for every article naming the entity, with the request's filters."""
        chosen = getattr(self.filters, self.kind)
        if self.name.casefold() in (value.casefold() for value in chosen):
            return replace(self.filters, page=1)
        return replace(self.filters, **{self.kind: chosen + (self.name,)}, page=1)


def parse_entity_params(kind: str, name: str, params: Mapping[str, Sequence[str]]) -> EntityRequest:
    """An EntityRequest for ``/<kind>/<name>?<search parameters>``; InvalidParameter naming the
    parameter when one cannot be used."""
    if kind not in KINDS:
        raise InvalidParameter(f"The kind of entity must be one of {', '.join(KINDS)}, not {kind!r}.", "kind")
    if not name.strip():
        raise InvalidParameter("Give the entity's name.", "name")
    if len(name.strip()) > MAX_VALUE_LENGTH:
        raise InvalidParameter(f"A name may be at most {MAX_VALUE_LENGTH} characters long, not "
                               f"{len(name.strip()):,}.", "name")
    filters = parse_params({key: values for key, values in params.items() if key not in LISTING_PARAMS})
    return EntityRequest(kind, name.strip(), filters)


@dataclass
class EntityProfile:
    """What the archive holds about one entity."""

    request: EntityRequest
    name: str
    """The name as most articles write it."""
    spellings: list[str]
    """Every way the articles write it (counted together: case only)."""
    total: int
    """Articles naming it (with the request's filters)."""
    published: list[DateBucket]
    named_with: dict[str, list[FacetCount]] = field(default_factory=dict)
    """The people, organisations and places most often named in the same articles, with counts."""
    sources: list[FacetCount] = field(default_factory=list)
    latest: list[Hit] = field(default_factory=list)
    relevant: list[Hit] = field(default_factory=list)
    """The articles most about it: ranked by its name's words (in the title, most often), then the
    latest of those that name it without them."""

    def to_dict(self) -> dict:
        return {
            "kind": self.request.kind,
            "name": self.name,
            "spellings": self.spellings,
            "total": self.total,
            "published": [bucket.to_dict() for bucket in self.published],
            "named_with": {kind: [value.to_dict() for value in values] for kind, values in self.named_with.items()},
            "sources": [value.to_dict() for value in self.sources],
            "latest": [hit.to_dict(snippet=False) for hit in self.latest],
            "relevant": [hit.to_dict(snippet=False) for hit in self.relevant],
        }
