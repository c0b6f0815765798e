from search.ingest.metadata import parse_tree, read_metadata

PAGE = """<html lang="de-AT"><head><title>Headline here | The Paper</title>
<meta property="og:site_name" content="The Paper"><meta property="og:title" content="OG headline">
<link rel="canonical" href="/news/story-1">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "WebSite", "name": "The Paper"},
 {"@type": "NewsArticle", "headline": "JSON-LD headline",
  "author": [{"@type": "Person", "name": "Ana Mara"}, {"@type": "Organization", "name": "Paper Staff"}]}]}</script>
</head><body></body></html>"""


def test_structured_data_comes_first_and_organisations_are_not_people():
    meta = read_metadata(parse_tree(PAGE), "https://paper.example/x")
    assert meta.title == "JSON-LD headline"
    assert meta.html_title == "Headline here | The Paper"
    assert meta.authors == ["Ana Mara"] and meta.organisation_authors == ["Paper Staff"]
    assert meta.site_name == "The Paper"
    assert meta.canonical_url == "https://paper.example/news/story-1"
    assert meta.language == "de"


def test_meta_tags_are_the_fallback_and_broken_json_ld_is_ignored():
    page = """<html><head><script type="application/ld+json">{broken</script>
    <meta name="author" content="By Lee Chan, Sam Ode"><meta property="og:title" content="OG only">
    <meta property="og:url" content="https://paper.example/og"></head><body></body></html>"""
    meta = read_metadata(parse_tree(page))
    assert meta.title == "OG only"
    assert meta.authors == ["Lee Chan", "Sam Ode"]
    assert meta.canonical_url == "https://paper.example/og"
    assert meta.language is None


def test_json_ld_authors_given_by_reference_are_looked_up():
    page = """<html><head><script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
     {"@type": "BlogPosting", "headline": "A post", "author": {"@id": "https://blog.example/#/person/1"}},
     {"@type": ["Person", "Organization"], "@id": "https://blog.example/#/person/1", "name": "Helga Brandt"}]}
    </script></head><body></body></html>"""
    assert read_metadata(parse_tree(page)).authors == ["Helga Brandt"]
    bare = page.replace('{"@id": "https://blog.example/#/person/1"}', '"https://blog.example/#/person/2"')
    assert read_metadata(parse_tree(bare)).authors == []  # a dangling reference is no name


def test_written_by_label_pairs_and_degrees():
    page = """<html><head><meta name="twitter:label1" content="Verfasst von">
    <meta name="twitter:data1" content="Karo Herr"></head><body></body></html>"""
    assert read_metadata(parse_tree(page)).authors == ["Karo Herr"]
    degree = '<html><head><meta name="author" content="Grant Tins, PhD"></head><body></body></html>'
    assert read_metadata(parse_tree(degree)).authors == ["Grant Tins"]
