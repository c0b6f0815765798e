from datetime import date

from search.article import Article, article_id


def test_article_id_is_stable_and_depends_only_on_the_key():
    assert article_id("https://example.org/a") == article_id("https://example.org/a")
    assert article_id("https://example.org/a") != article_id("https://example.org/b")
    assert len(article_id("x")) == 16


def test_to_dict_gives_iso_dates_and_lists():
    article = Article(id="1", title="T", published=date(2020, 8, 14), people=["Yuri Karayev"])
    data = article.to_dict()
    assert data["published"] == "2020-08-14"
    assert data["people"] == ["Yuri Karayev"]
    assert Article(id="2").to_dict()["published"] is None
