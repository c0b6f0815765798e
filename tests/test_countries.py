from search.ingest.countries import countries_within, country_named, country_of_people


def test_a_country_by_any_of_its_names():
    assert country_named("U.S.") == country_named("America") == "United States"
    assert country_named("britain") == "United Kingdom"
    assert country_named("Minsk") is None


def test_a_country_by_its_people():
    assert country_of_people("Japanese") == "Japan"
    assert country_of_people("Belarusians") == "Belarus"
    assert country_of_people("Republicans") is None


def test_countries_inside_longer_names():
    assert countries_within("the U.S. Agriculture Department") == ["United States"]
    assert countries_within("Union Bank of Switzerland") == ["Switzerland"]
    assert countries_within("Sony (U.K.) Ltd") == ["United Kingdom"]  # in brackets too
    assert countries_within("Bank of New Zealand") == ["New Zealand"]
    assert countries_within("Acme Holdings") == []


def test_the_table_is_read_with_every_name_once():
    from search.ingest.countries import known_names

    names, peoples = known_names()
    assert names["usa"] == "United States" and peoples["dutch"] == "Netherlands"
    assert all(key == key.casefold() for key in [*names, *peoples])
