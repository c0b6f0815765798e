from search.ingest.metadata import parse_tree
from search.ingest.titles import choose_title, clean_title, strip_site_part, site_words


def page(body: str, head: str = "") -> object:
    return parse_tree(f"<html><head>{head}</head><body>{body}</body></html>")


def test_the_heading_the_declared_title_agrees_with_wins_over_a_logo_and_widgets():
    tree = page("<header><h1>Harbour Gazette</h1></header><h2>Sign in</h2>"
                "<article><h1>Ferry strike ends after nine days</h1></article>",
                "<title>Ferry strike ends after nine days | Harbour Gazette</title>")
    assert choose_title(tree, ["Ferry strike ends after nine days | Harbour Gazette"], "Harbour Gazette") == \
        "Ferry strike ends after nine days"


def test_a_kicker_above_the_headline_is_left_out():
    tree = page('<h1><span class="kicker">Transport</span><span>Ferry strike ends after nine days</span></h1>')
    assert choose_title(tree, ["Ferry strike ends after nine days - Harbour Gazette"], None) == \
        "Ferry strike ends after nine days"


def test_the_site_logo_is_never_the_headline():
    tree = page("<h1>Disfunctions.de</h1><h2>Podcasts in Plex einbinden</h2>")
    assert choose_title(tree, ["Podcasts in Plex einbinden | Disfunctions.de"], None,
                        "https://disfunctions.de/plex") == "Podcasts in Plex einbinden"


def test_without_agreement_the_only_h1_then_the_declared_title_without_its_site_part():
    assert choose_title(page("<h1>Checkliste für Beiträge</h1>"), ["Einreichung | Revue"], None) == \
        "Checkliste für Beiträge"
    assert choose_title(page("<p>no headings</p>"), ["Ferry strike ends | Harbour Gazette"], "Harbour Gazette") == \
        "Ferry strike ends"
    assert choose_title(page("<p>no headings</p>"), [], None) == ""


def test_site_parts_and_escaped_entities():
    naming = site_words("Harbour Gazette", "https://www.harbour-gazette.example/a")
    assert strip_site_part("Harbour Gazette - Ferry strike ends", naming) == "Ferry strike ends"
    assert strip_site_part("Villa Galaxy - Ferienvilla in Florida", set()) == "Villa Galaxy"
    assert strip_site_part("Ferry strike ends", naming) == "Ferry strike ends"
    assert clean_title("Record of the Week: &#8216;Lift Off&#8217;") == "Record of the Week: ‘Lift Off’"


def test_a_long_title_is_cut_at_a_word_boundary():
    from search.ingest.titles import MAX_TITLE_CHARS, shorten_title

    assert shorten_title("Ferries return") == "Ferries return"
    cut = shorten_title("Ferry crews strike " * 60_000)
    assert len(cut) <= MAX_TITLE_CHARS and cut.endswith("…") and cut.startswith("Ferry crews strike Ferry")
    assert cut[:-1].split()[-1] in ("Ferry", "crews", "strike")  # a whole word
    unbroken = shorten_title("x" * 1000)
    assert unbroken == "x" * (MAX_TITLE_CHARS - 1) + "…"
