"""The one list of facets (search/facets.py): every layer reads it, so each facet it names is a
request attribute, a query-string parameter, an index field, a query-language prefix, a command-line
option, a property of the API's answers and its OpenAPI description, and a labelled list on the page."""

from click.testing import CliRunner

from search.cli import main
from search.facets import FACETS
from search.index.parser import QUERY_FIELDS, build_parser
from search.index.schema import FACET_FIELDS, build_schema
from search.query import FILTER_PARAMS, SearchRequest, parse_params
from web import create_app
from web.openapi import DOCUMENT


def test_every_layer_reads_the_facets_from_the_one_list(tmp_path):
    schema = build_schema()
    parser = build_parser(schema)
    options = CliRunner().invoke(main, ["search", "--help"]).output
    parameters = {p["name"] for p in DOCUMENT["paths"]["/api/search"]["get"]["parameters"]}
    answered = DOCUMENT["components"]["schemas"]["SearchResult"]["properties"]["facets"]["required"]
    app = create_app({"INDEX_DIR": str(tmp_path / "index")})
    page = app.test_client().get("/?" + "&".join(f"{f.parameter}=x{n}" for n, f in enumerate(FACETS))).get_data(True)
    for number, facet in enumerate(FACETS):
        assert getattr(parse_params({facet.parameter: [f"x{number}"]}), facet.name) == (f"x{number}",)
        assert FILTER_PARAMS[facet.parameter] == facet.name and FACET_FIELDS[facet.name] == facet.field
        assert facet.field in schema and facet.parameter in QUERY_FIELDS
        assert {leaf.fieldname for leaf in parser.parse(f"{facet.parameter}:value").leaves()} == {facet.field}
        assert f"--{facet.parameter}" in options and facet.description in options.replace("\n", " ").replace("  ", "")
        assert facet.parameter in parameters and facet.name in answered
        assert facet.label in page  # the chip of the selected value is labelled
    assert set(FILTER_PARAMS.values()) == set(SearchRequest().filters()) == {f.name for f in FACETS}
