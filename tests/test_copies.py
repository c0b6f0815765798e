"""Copies of one story (wire text on several sites) are listed once, with their number."""

from datetime import date

import pytest

from search.article import Article
from search.index import IndexStore, SearchIndex, rebuild_index, update_index
from search.index.copies import NEAR, CopyFinder, Fingerprint, copy_key, fingerprint
from search.query import SearchRequest, parse_params
from web import create_app

WIRE = ("The port authority said on Tuesday that ferry crossings to the islands would resume next week "
        "after storm damage to the harbour wall was repaired, ending a ten-day suspension of services. "
        "Engineers worked through the weekend to replace the damaged sections, and the first sailing is "
        "expected on Monday morning, weather permitting, with extra crossings added through the week to "
        "clear the backlog of passengers and freight waiting on both sides.")
LONG = WIRE + (" Passengers were told to check the timetable before travelling, and the operator apologised "
               "for the disruption, saying the repairs had taken longer than planned because of high winds.")
CORRECTED = LONG.replace("ten-day", "twelve-day")
"""A corrected wire copy: one word changed inside the lead."""
OTHER = ("The city council approved a new budget on Thursday that raises spending on schools and roads while "
         "cutting the number of administrative posts, after a debate that lasted more than six hours and ended "
         "with a narrow vote. The mayor said the plan would be reviewed in the autumn once the results of the "
         "spending review were known, and opposition members promised to table amendments at the next meeting.")
DIVIDEND = ("Trinity Industries Inc said its board declared a regular quarterly dividend of 17 cts per share, "
            "payable May 15 to holders of record April 30.")


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

    from search.index import schema, store

    def older_schema():
        current = schema.build_schema()
        older = {name: field for name, field in current.items()
                 if name not in ("copies", "copy_bands", "copy_signature", "spell_text")}
        older["text"] = fields.TEXT(analyzer=current["text"].analyzer, stored=True)
        return fields.Schema(**older)

    monkeypatch.setattr(store, "build_schema", older_schema)
    old_store = IndexStore(tmp_path / "index")
    update_index(old_store, [article(1, "Ferries to resume", WIRE, 2), article(2, "Ferries back", WIRE, 3)])
    monkeypatch.undo()

    index = SearchIndex(old_store.root)
    result = index.search(SearchRequest(q="ferry"))
    assert result.total == 2 and result.folded == 0  # nothing folded until a reindex
    assert index.search(SearchRequest(q="fery")).suggestion is None  # no spelling field yet
    assert index.search(SearchRequest(q="ferry", copies_of="id1")).total == 1
    update_index(old_store, [article(5, "Ferries, again", WIRE, 4)])  # an `index` run before the `reindex`
    assert SearchIndex(old_store.root).search(SearchRequest(q="ferry")).total == 3


def test_a_corrected_copy_is_near_identical_and_another_story_is_not():
    original, corrected, other = fingerprint(LONG), fingerprint(CORRECTED), fingerprint(OTHER)
    assert copy_key(LONG) != copy_key(CORRECTED)  # the lead differs
    assert original.similarity(corrected) >= NEAR
    assert set(original.tokens) & set(corrected.tokens)  # so they are compared at all
    assert original.similarity(other) < 0.2 and not set(original.tokens[1:]) & set(other.tokens[1:])
    assert Fingerprint.decode(original.encode()) == original
    assert fingerprint("Too short to tell.") is None


def test_short_templated_items_are_copies_only_when_the_same():
    finder = CopyFinder()
    other_company = DIVIDEND.replace("Trinity Industries Inc", "Quaker Chemical Corp").replace("17 cts", "20 cts")
    assert finder.key("a", fingerprint(DIVIDEND)) == copy_key(DIVIDEND)
    assert finder.key("b", fingerprint(other_company)) == copy_key(other_company) != copy_key(DIVIDEND)
    assert finder.key("c", fingerprint(DIVIDEND.upper())) == copy_key(DIVIDEND)
    assert finder.key("d", None) == "d"


def test_corrected_copies_fold_whether_written_in_one_run_or_later(tmp_path, monkeypatch):
    from search.index import writer

    later = IndexStore(tmp_path / "later")
    update_index(later, [article(1, "Ferries to resume", LONG, 2), article(3, "Budget approved", OTHER, 2)])
    update_index(later, [article(2, "Ferries to resume (corrected)", CORRECTED, 2)])  # found through the index
    together = IndexStore(tmp_path / "together")
    rebuild_index(together, [article(1, "Ferries to resume", LONG, 2), article(3, "Budget approved", OTHER, 2),
                             article(2, "Ferries to resume (corrected)", CORRECTED, 2)])
    monkeypatch.setattr(writer, "BATCH_SIZE", 1)  # a long run commits in batches: later ones look up earlier ones
    batched = IndexStore(tmp_path / "batched")
    rebuild_index(batched, [article(1, "Ferries to resume", LONG, 2), article(3, "Budget approved", OTHER, 2),
                            article(2, "Ferries to resume (corrected)", CORRECTED, 2)])
    for store in (later, together, batched):
        index = SearchIndex(store.root)
        result = index.search(SearchRequest(q="ferry"))
        assert result.total == 2 and result.folded == 1 and [h.copies for h in result.hits] == [1]
        assert {h.id for h in index.search(SearchRequest(q="ferry", copies_of="id2")).hits} == {"id1", "id2"}
        assert index.search(SearchRequest(q="budget")).hits[0].copies == 0

