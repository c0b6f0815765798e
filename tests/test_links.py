"""How facet values are labelled on the page."""

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from web.links import value_label


def test_languages_are_named_with_their_code():
    assert value_label("languages", "en") == "English (en)"
    assert value_label("languages", "ko") == "Korean (ko)"
    assert value_label("languages", "pt-BR") == "Portuguese (pt-BR)"  # a page's declared language with a region
    assert value_label("languages", "qq") == "qq"  # not a language: shown as it is
    assert value_label("places", "en") == "en"


def test_every_language_the_identifier_can_give_has_a_name():
    codes = set(LanguageIdentifier.from_model_file(MODEL_FILE).nb_classes) - {"zxx"}  # zxx: no linguistic content
    assert [code for code in sorted(codes) if value_label("languages", code) == code] == []
