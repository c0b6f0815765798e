import gzip
import json
import os
import shutil

from search.article import article_id
from search.index import Generation, IndexStore, SearchIndex
from search.indexing import index_paths
from search.query import SearchRequest

from conftest import CORPUS

GOOD = CORPUS / "2021-03-20-iceland-fagradalsfjall-eruption.html"


def bad_folder(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GOOD, folder / "good.html")
    (folder / "empty.html").write_bytes(b"")
    (folder / "binary.html").write_bytes(bytes(range(256)) * 4)
    (folder / "undecodable.html").write_bytes(b"<html><body><p>Caf\x81 au lait, cr\x8dme.</p></body></html>")
    return folder


def test_bad_files_are_reported_with_their_reasons_and_the_good_one_indexed(tmp_path, settings):
    folder = bad_folder(tmp_path)
    report = index_paths([folder], settings)
    assert report.indexed == 1
    reasons = {f.origin.rsplit("/", 1)[-1]: f.reason for f in report.failures}
    assert reasons == {
        "empty.html": "empty file",
        "binary.html": "binary data, not an HTML page",
        "undecodable.html": "not valid UTF-8 (byte 0x81 at offset 18) nor Windows-1252, and no other charset is declared",
    }
    assert SearchIndex(settings.index_dir).search(SearchRequest(q="Fagradalsfjall")).total == 1


def test_unchanged_inputs_are_skipped_and_changed_ones_updated(tmp_path, settings):
    folder = tmp_path / "in"
    folder.mkdir()
    page = folder / "story.html"
    shutil.copy(GOOD, page)
    assert index_paths([folder], settings).indexed == 1
    second = index_paths([folder], settings)
    assert (second.indexed, second.unchanged) == (0, 1)
    page.write_text(GOOD.read_text().replace("Reykjanes peninsula", "Reykjanes peninsula (Reykjanesskagi)"))
    third = index_paths([folder], settings)
    assert (third.indexed, third.unchanged) == (1, 0)
    search = SearchIndex(settings.index_dir)
    assert search.count() == 1 and search.search(SearchRequest(q="Reykjanesskagi")).total == 1


def test_gzipped_pages_and_jsonl_records_are_indexed(tmp_path, settings):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "page.html.gz").write_bytes(gzip.compress(GOOD.read_bytes()))
    records = [
        {"url": "https://wire.example/1", "title": "Grain exports rise",
         "text": "Wheat exports from Argentina rose sharply in March, the agriculture ministry in Buenos Aires said.",
         "published": "1987-03-02"},
        {"url": "https://wire.example/2",
         "html": GOOD.read_text().replace("Fagradalsfjall", "Geldingadalir").replace("/news/iceland", "/news/2")},
    ]
    (folder / "wire.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    report = index_paths([folder], settings)
    assert (report.indexed, report.failures) == (3, [])
    search = SearchIndex(settings.index_dir)
    [hit] = search.search(SearchRequest(q="wheat")).hits
    assert (hit.title, str(hit.published), hit.source) == ("Grain exports rise", "1987-03-02", "wire.example")
    assert "Argentina" in hit.places


def test_rebuild_drops_articles_whose_files_are_gone(tmp_path, settings):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(GOOD, folder / "a.html")
    shutil.copy(CORPUS / "2019-04-15-notre-dame-cathedral-fire.html", folder / "b.html")
    index_paths([folder], settings)
    (folder / "b.html").unlink()
    report = index_paths([folder], settings, rebuild=True)
    assert report.indexed == 1 and SearchIndex(settings.index_dir).count() == 1


def test_progress_counts_every_document_found(tmp_path, settings):
    folder = bad_folder(tmp_path)
    (folder / "two.jsonl").write_text('{"title": "A", "text": "One two three four five six."}\n\n{"title": "B"}\n')
    calls = []
    index_paths([folder], settings, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (6, 6)
    assert [done for done, _ in calls] == list(range(1, 7))


def story_page(n: int, words: int = 300) -> bytes:
    return (f"<html><head><title>Story {n}</title></head><body><article><p>Story {n}: "
            + "the harbour ferries ran again after the strike over pay ended " * (words // 10)
            + "</p></article></body></html>").encode()


def test_a_cut_warc_record_never_replaces_the_complete_article(tmp_path, settings):
    from test_sources import write_warc

    pages = [(f"https://news.example/{n}", "200 OK", "text/html", story_page(n)) for n in (1, 2)]
    write_warc(tmp_path / "crawl.warc.gz", pages)
    assert index_paths([tmp_path / "crawl.warc.gz"], settings).indexed == 2
    whole = (tmp_path / "crawl.warc.gz").read_bytes()
    recrawl = tmp_path / "recrawl.warc"  # the same pages again, the file cut inside the second
    recrawl.write_bytes(gzip.decompress(whole)[: gzip.decompress(whole).index(b"Story 2:") + 400])
    report = index_paths([recrawl], settings)
    assert report.indexed == 0  # the first page again, as it was: kept once
    assert [(d.kept, d.dropped) for d in report.duplicates] == [(f"{tmp_path / 'crawl.warc.gz'}#record1",
                                                                 f"{recrawl}#record1")]
    [failure] = report.failures
    assert failure.origin == f"{recrawl}#record2" and failure.reason.startswith("truncated")
    article = SearchIndex(settings.index_dir).article(article_id("https://news.example/2"))
    assert len(article.text.split()) > 250 and article.origin == f"{tmp_path / 'crawl.warc.gz'}#record2"


def test_warnings_are_reported_and_do_not_count_as_failures(tmp_path, settings):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "wire.jsonl").write_text(json.dumps(
        {"url": "https://wire.example/1", "title": "Ferries", "text": "The ferries ran again on Tuesday.",
         "published": "not a date"}) + "\n")
    (folder / "elsewhere").symlink_to(tmp_path)
    report = index_paths([folder], settings)
    assert (report.indexed, report.failures) == (1, [])
    assert [(w.origin, w.message.split(":")[0]) for w in report.warnings] == [
        (str(folder / "elsewhere"), "a link to a folder, not followed"),
        (f"{folder / 'wire.jsonl'}#L1", "published 'not a date' is not a date"),
    ]


def test_a_manifest_beside_the_pages_replaces_none_of_them(tmp_path, settings):
    folder = tmp_path / "pages"
    (folder / "html").mkdir(parents=True)
    url = "https://example.org/news/harbour"
    page = (f'<html><head><title>Harbour reopens</title><link rel="canonical" href="{url}"></head><body><article>'
            + "<p>The harbour reopened on Monday after the strike over pay ended.</p>" * 12
            + "</article></body></html>")
    (folder / "html" / "harbour.html").write_text(page)
    (folder / "manifest.jsonl").write_text(json.dumps({"file": "html/harbour.html", "url": url,
                                                       "title": "Harbour reopens"}) + "\n")
    report = index_paths([folder], settings)
    assert (report.indexed, report.failures) == (1, [])
    assert [w.origin for w in report.warnings] == [str(folder / "manifest.jsonl")]
    [hit] = SearchIndex(settings.index_dir).search(SearchRequest(q="harbour")).hits
    assert "strike over pay" in hit.snippet
    again = index_paths([folder], settings)
    assert (again.indexed, again.unchanged) == (0, 1)


def test_two_pages_of_one_url_are_kept_once_the_longer_and_a_rerun_indexes_nothing(tmp_path, settings):
    folder = tmp_path / "pages"
    folder.mkdir()
    url = "https://example.org/news/harbour"

    def page(paragraphs: int) -> str:
        return (f'<html><head><title>Harbour reopens</title><link rel="canonical" href="{url}"></head><body>'
                "<article>" + "<p>The harbour reopened on Monday after the strike over pay ended.</p>" * paragraphs
                + "</article></body></html>")

    (folder / "a-long.html").write_text(page(14))
    (folder / "b-short.html").write_text(page(8))
    report = index_paths([folder], settings)
    assert report.indexed == 1 and SearchIndex(settings.index_dir).count() == 1
    [duplicate] = report.duplicates
    assert (duplicate.kept, duplicate.dropped, duplicate.url) == (str(folder / "a-long.html"),
                                                                   str(folder / "b-short.html"), url)
    for _ in range(2):
        again = index_paths([folder], settings)
        assert (again.indexed, again.unchanged) == (0, 1) and len(again.duplicates) == 1
    article = SearchIndex(settings.index_dir).article(article_id(url))
    assert article.origin == str(folder / "a-long.html")
    (folder / "c-longest.html").write_text(page(20))
    report = index_paths([folder], settings)
    assert report.indexed == 1
    assert SearchIndex(settings.index_dir).article(article_id(url)).origin == str(folder / "c-longest.html")


def test_of_two_texts_as_long_for_one_url_the_newer_file_wins_and_stays(tmp_path, settings):
    folder = tmp_path / "feeds"
    folder.mkdir()
    record = {"url": "https://wire.example/1", "title": "Ferries", "text": "The ferries ran again on Tuesday."}
    (folder / "a.jsonl").write_text(json.dumps(record) + "\n")
    (folder / "b.jsonl").write_text(json.dumps({**record, "text": "The ferries ran again on Thursday"}) + "\n")
    os.utime(folder / "a.jsonl", (1_000_000_000, 1_000_000_000))  # b is the newer delivery
    for _ in range(2):
        index_paths([folder], settings)
        assert "Thursday" in SearchIndex(settings.index_dir).article(article_id(record["url"])).text
    assert index_paths([folder], settings).indexed == 0


def test_a_rebuild_reports_the_generations_it_switched_from_and_to(tmp_path, settings):
    first = index_paths([GOOD], settings, rebuild=True)
    store = IndexStore(settings.index_dir)
    assert first.replaced is None and first.built == Generation(store.current().name, 1)
    assert first.seconds > 0
    second = index_paths([GOOD, CORPUS / "2020-08-14-belarus-frees-detained-protesters.html"], settings, rebuild=True)
    assert second.replaced == first.built and second.built == Generation(store.current().name, 2)
    assert second.built.name != first.built.name
    assert index_paths([GOOD], settings).built is None
