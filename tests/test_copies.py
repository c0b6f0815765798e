"""Copies of one story (wire text on several sites) are listed once, with their number."""

from datetime import date

import pytest

from search.article import Article
from search.index import IndexStore, SearchIndex, update_index
from search.index.copies import copy_key
from search.query import SearchRequest, parse_params
from web import create_app

WIRE = ("The port authority said on Tuesday that ferry crossings to the islands would resume next week "
        "after storm damage to the harbour wall was repaired, ending a ten-day suspension of services. "
        "Engineers worked through the weekend to replace the damaged sections, and the first sailing is "
        "expected on Monday morning, weather permitting, with extra crossings added through the week to "
        "clear the backlog of passengers and freight waiting on both sides.")


def article(n: int, title: str, text: str, day: int) -> Article:
    return Article(id=f"id{n}", title=title, text=text, origin=f"f{n}", fingerprint=f"fp{n}",
                   source=f"Site {n}", published=date(2021, 3, day))


@pytest.fixture()
def index_dir(tmp_path):
    store = IndexStore(tmp_path / "index")
    update_index(store, [
        article(1, "Ferries to resume next week", WIRE + " Officials thanked crews.", 2),
        article(2, "Island ferry services back from Monday", WIRE + " Tickets are on sale.", 3),
        article(3, "Ferries back", WIRE, 3),
        article(4, "Ferry fares rise", "Ferry fares will rise by four per cent from April, the operator said, "
                   "blaming fuel costs and the harbour wall repairs after the storm.", 4),
    ])
    return store.root


def test_the_key_ignores_case_punctuation_and_what_follows_the_lead():
    assert copy_key(WIRE) == copy_key(WIRE.upper().replace(",", "") + " More words at the end.")
    assert copy_key(WIRE) != copy_key(WIRE.replace("Tuesday", "Wednesday"))
    assert copy_key("Too short to tell.") is None
    assert copy_key("LONDON, March 3 (Reuters) - " + WIRE) == copy_key("LONDON (AP) — " + WIRE) == copy_key(WIRE)


def test_copies_are_folded_into_one_hit_with_their_number(index_dir):
    index = SearchIndex(index_dir)
    result = index.search(SearchRequest(q="ferry"))
    assert result.total == 4 and result.folded == 2 and result.listed == 2
    assert sorted(h.copies for h in result.hits) == [0, 2]
    assert sum(f.count for f in result.facets["sources"]) == 4  # facets count every match

    story = next(h for h in result.hits if h.copies)
    copies = index.search(SearchRequest(q="ferry", copies_of=story.id))
    assert copies.total == 3 and copies.folded == 0 and {h.id for h in copies.hits} == {"id1", "id2", "id3"}

    unfolded = index.search(parse_params({"q": ["ferry"], "collapse": ["false"]}))
    assert unfolded.total == 4 and unfolded.folded == 0 and len(unfolded.hits) == 4


def test_the_page_links_to_the_copies_and_to_every_copy(index_dir):
    client = create_app({"INDEX_DIR": str(index_dir)}).test_client()
    html = client.get("/?q=ferry").get_data(as_text=True)
    assert "2 copies of listed stories folded" in html and 'href="/?q=ferry&amp;collapse=false"' in html
    assert '">2 similar</a>' in html and "copies_of=id" in html
    data = client.get("/api/search?q=ferry&collapse=false").get_json()
    assert data["total"] == 4 and data["folded"] == 0 and {r["copies"] for r in data["results"]} == {0}
    assert client.get("/api/search?collapse=maybe").status_code == 400


def test_an_index_built_before_copy_keys_and_spelling_still_answers(tmp_path, monkeypatch):
    from whoosh import fields

    from search.index import schema, store, writer

    def older_schema():
        current = schema.build_schema()
        older = {name: field for name, field in current.items() if name not in ("copies", "spell_text")}
        older["text"] = fields.TEXT(analyzer=current["text"].analyzer, stored=True)
        return fields.Schema(**older)

    def older_document(article):
        document = schema.to_document(article)
        del document["copies"]
        return document

    monkeypatch.setattr(store, "build_schema", older_schema)
    monkeypatch.setattr(writer, "to_document", older_document)
    old_store = IndexStore(tmp_path / "index")
    update_index(old_store, [article(1, "Ferries to resume", WIRE, 2), article(2, "Ferries back", WIRE, 3)])
    monkeypatch.undo()

    index = SearchIndex(old_store.root)
    result = index.search(SearchRequest(q="ferry"))
    assert result.total == 2 and result.folded == 0  # nothing folded until a reindex
    assert index.search(SearchRequest(q="fery")).suggestion is None  # no spelling field yet
    assert index.search(SearchRequest(q="ferry", copies_of="id1")).total == 1
