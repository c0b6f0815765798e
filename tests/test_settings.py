from pathlib import Path

import pytest

from search.settings import InvalidSetting, Settings


def test_every_setting_reads_its_environment_variable_as_its_type(monkeypatch):
    for name, value in {"INDEX_DIR": "ix", "WORKERS": "3", "ENTITY_LANGUAGES": "en, de", "SEARCH_TIME_LIMIT": "2.5",
                        "MAX_DOCUMENT_BYTES": "1_000_000", "MAX_ELEMENTS": "20000", "MAX_TEXT_CHARS": "5000",
                        "DOCUMENT_TIME_LIMIT": "7.5"}.items():
        monkeypatch.setenv(f"NEWS_SEARCH_{name}", value)
    settings = Settings.from_env(workers=1)
    assert settings.index_dir == Path("ix") and settings.entity_languages == ("en", "de")
    assert (settings.workers, settings.search_time_limit) == (1, 2.5)
    assert (settings.max_document_bytes, settings.max_elements, settings.max_text_chars) == (1_000_000, 20_000, 5000)
    assert settings.document_time_limit == 7.5


def test_the_limits_on_input_have_documented_defaults():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    defaults = Settings()
    for name in ("MAX_DOCUMENT_BYTES", "MAX_ELEMENTS", "MAX_TEXT_CHARS", "DOCUMENT_TIME_LIMIT"):
        default = str(getattr(defaults, name.lower())).removesuffix(".0")
        assert f"| `NEWS_SEARCH_{name}` | `{default}` |" in readme


@pytest.mark.parametrize("variable, value", [("NEWS_SEARCH_WORKERS", "two"), ("NEWS_SEARCH_WORKERS", "0"),
                                             ("NEWS_SEARCH_DOCUMENT_TIME_LIMIT", "-5"),
                                             ("NEWS_SEARCH_MAX_DOCUMENT_BYTES", "1.5")])
def test_a_value_a_setting_cannot_take_names_its_variable(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(InvalidSetting, match=f"^{variable} must be"):
        Settings.from_env()
