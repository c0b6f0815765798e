import pytest

from search.ingest.bylines import choose_authors, clean_name, split_names, visible_byline, written_byline
from search.ingest.metadata import parse_tree


@pytest.mark.parametrize("raw, name", [
    ("By Jane Doe", "Jane Doe"),
    ("Veröffentlicht von Chris Jung", "Chris Jung"),
    ("Post author By Helge Fahrnberger", "Helge Fahrnberger"),
    ("Von Vanessa Franke", "Vanessa Franke"),
    ("Redacci&oacute;n Diario Pagina Siete", "Redacción Diario Pagina Siete"),
    ("admin", None),
    ("Posted on", None),
    ("Name (erforderlich)", None),
    ("12. März 2020", None),
    ("https://example.org/jane", None),
    ("a headline that is much longer than any byline could be", None),
])
def test_byline_fragments_become_names_or_nothing(raw, name):
    assert clean_name(raw) == name


def test_several_authors_in_one_byline():
    assert split_names("Benjamin Fischer und Marcus Theurer") == ["Benjamin Fischer", "Marcus Theurer"]
    assert split_names("By David Brand and Ramsey Khalifeh") == ["David Brand", "Ramsey Khalifeh"]


def test_the_visible_byline_not_the_commenters():
    tree = parse_tree(
        '<html><body><div class="byline">By <a href="/a/jd">Jane Doe</a> and <a href="/a/rr">Raj Rao</a></div>'
        '<div id="comments"><span class="comment-author">Troll McTroll</span></div>'
        '<form><label class="author">Name *</label></form></body></html>')
    assert visible_byline(tree) == ["Jane Doe", "Raj Rao"]
    comments_only = parse_tree('<html><body><div class="comments"><b class="author">Troll</b></div></body></html>')
    assert visible_byline(comments_only) == []


def test_declared_authors_come_first_and_the_publication_is_no_author():
    tree = parse_tree('<html><body><span class="author">Someone Else</span></body></html>')
    assert choose_authors(["Jane Doe", "Harbour Gazette"], [], tree, None, "Harbour Gazette") == ["Jane Doe"]
    assert choose_authors([], ["Harbour Gazette"], tree, None, "Harbour Gazette") == ["Someone Else"]
    assert choose_authors([], [], None, "Jane Doe; Raj Rao", None) == ["Jane Doe", "Raj Rao"]


def test_commas_separate_full_names_and_agencies_but_not_places():
    assert split_names("Volkmar Kab, Jan Lukas Stro und Bene Strunz, NDR") == [
        "Volkmar Kab", "Jan Lukas Stro", "Bene Strunz", "NDR"]
    assert split_names("Benjamin Trieb, London") == ["Benjamin Trieb"]
    assert split_names("Jane Doe, PhD") == ["Jane Doe"]
    assert split_names("Redacci&oacute;n Diario") == ["Redacción Diario"]


@pytest.mark.parametrize("body, names", [
    ("<p>Von Andreas Kurt</p>", ["Andreas Kurt"]),
    ("<div><span>Posted by Konstantin @ 12:00 am</span></div>", ["Konstantin"]),
    ("<p><em>Written by: <a href='/j'>Julie Moll</a></em></p>", ["Julie Moll"]),
    ("<div>par Didier Ray, 21 juin 2018</div>", ["Didier Ray"]),
    ("<p>Blog Beitrag von Marga Koren</p>", ["Marga Koren"]),
    ("<div><h5>Autor: </h5>Peter Maan/SP-X</div>", ["Peter Maan"]),
    ("<p>Mehr dazu.<br><strong>Text:</strong> Klaus Fried</p>", ["Klaus Fried"]),
    ("<p>Themen von A-Z</p><p>Bei Anwendern von Windows 8 ist es so.</p>", []),
    ("<div class='cookie'>powered by: Cookie Information</div>", []),
    ("<nav><p>By Menu Person</p></nav>", []),
])
def test_lines_written_as_bylines(body, names):
    assert written_byline(parse_tree(f"<html><body>{body}</body></html>")) == names


def test_a_labelled_byline_element_and_one_that_names_only_the_site():
    labelled = parse_tree('<html><body><div class="articleAuthorBlock">Datum: 19.11.2021 Autor: Fritz Imm '
                          'Quelle: Livenet</div></body></html>')
    assert visible_byline(labelled) == ["Fritz Imm"]
    site_only = parse_tree('<html><body><div class="author">By The Planet Press</div>'
                           '<p>Written by: Julie Moll</p></body></html>')
    assert choose_authors([], [], site_only, None, "The Planet Press") == ["Julie Moll"]


@pytest.mark.parametrize("value", ["Article by", "publisher", "Afficher mon profil complet", "View my complete profile"])
def test_labels_roles_and_interface_strings_are_no_authors(value):
    assert clean_name(value) is None


def test_a_byline_element_holding_the_headline_names_no_author():
    tree = parse_tree("<html><body><h1 class='entry-title author'>Yellow Vests and I</h1>"
                                "<p>Text of the story.</p></body></html>")
    assert choose_authors([], [], tree, None, "Blog", ["Yellow Vests and I"]) == []
    declared = choose_authors(["Jane Doe"], [], tree, None, "Blog", ["Jane Doe: a year in Paris"])
    assert declared == ["Jane Doe"]  # declared in the page's metadata: kept even when the headline names her
