"""Shared fixtures: real files in temporary folders, a real index, the app over real HTTP."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from search.indexing import index_paths
from search.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
SEED_PAGE = SHARED / "seed" / "belarus-protesters-release.html"
SEED_TEXT = SHARED / "seed" / "000_a7d1dc08e0c5cbcf.txt"
CHROMIUM = Path("/usr/bin/chromium")


def settings_for(index_dir: Path, **overrides) -> Settings:
    return Settings(index_dir=index_dir, corpus_dir=CORPUS, **overrides)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path / "index")


@pytest.fixture(scope="session")
def seed_page() -> Path:
    if not SEED_PAGE.exists():
        pytest.skip(f"the sample page is not here ({SEED_PAGE.relative_to(ROOT.parent)}): ../shared is absent")
    return SEED_PAGE


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> Path:
    """The bundled corpus indexed once for the whole session (read-only for tests)."""
    index_dir = tmp_path_factory.mktemp("corpus") / "index"
    report = index_paths([CORPUS], settings_for(index_dir))
    assert not report.failures and report.indexed >= 20
    return index_dir


@pytest.fixture
def corpus_index_copy(corpus_index: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the corpus index."""
    target = tmp_path / "index"
    shutil.copytree(corpus_index, target, symlinks=True)
    return target


class LiveServer:
    """The Flask app served over real HTTP on a free local port, in a thread."""

    def __init__(self, index_dir: Path):
        from web import create_app

        self.server = make_server("127.0.0.1", 0, create_app({"INDEX_DIR": str(index_dir)}), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture(scope="session")
def corpus_server(corpus_index: Path):
    server = LiveServer(corpus_index)
    yield server
    server.stop()


def child_processes(pid: int) -> set[int]:
    """The live child processes of ``pid`` (Linux's /proc)."""
    found: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                found.update(int(child) for child in listing.read().split())
    except OSError:
        pass
    return found


def running(pid: int) -> bool:
    """Whether a process exists and is not a zombie (dead, its exit status not yet collected)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def browser_required() -> bool:
    return os.environ.get("NEWS_SEARCH_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright; skipped where Chromium is not installed,
    unless NEWS_SEARCH_REQUIRE_BROWSER=1 (as in CI), where its absence fails."""
    if not CHROMIUM.exists():
        if browser_required():
            pytest.fail(f"{CHROMIUM} is missing and browser tests are required")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield instance
        instance.close()


AXE_VERSION = "4.14.1"
AXE_TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
AXE_INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="


@pytest.fixture(scope="session")
def axe_script(pytestconfig) -> str:
    """axe-core's browser script, from the npm registry, checked against its published integrity
    hash and cached between runs (a test tool: the product itself never fetches anything)."""
    import base64
    import hashlib
    import io
    import tarfile
    import urllib.request

    cached = Path(pytestconfig.cache.mkdir("axe-core")) / f"axe-{AXE_VERSION}.min.js"
    if not cached.exists():
        try:
            with urllib.request.urlopen(AXE_TARBALL, timeout=60) as response:
                tarball = response.read()
        except OSError as error:
            if browser_required():
                pytest.fail(f"axe-core could not be fetched from the npm registry: {error}")
            pytest.skip(f"axe-core could not be fetched from the npm registry: {error}")
        digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
        assert digest == AXE_INTEGRITY, "axe-core tarball does not match its published integrity hash"
        with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
            cached.write_bytes(archive.extractfile("package/axe.min.js").read())
    return cached.read_text(encoding="utf-8")


HOSTILE_URLS = ["javascript:alert(document.domain)", "JaVaScRiPt:alert(document.domain)",
                " javascript:alert(document.domain)", "\x01javascript:alert(document.domain)",
                "java\tscript:alert(document.domain)", "java\nscript:alert(document.domain)",
                "vbscript:msgbox(document.domain)", "data:text/html,<script>alert(document.domain)</script>",
                "data:text/html;base64,PHNjcmlwdD5hbGVydChkb2N1bWVudC5kb21haW4pPC9zY3JpcHQ+"]
"""URLs that run a script when followed, as browsers read them (case, leading controls, inner tabs)."""
PAYLOADS = ['<script>window.pwned=1;alert(document.domain)</script>', '"><img src=x onerror="window.pwned=1">',
            "' onmouseover='window.pwned=1' x='", '</title><script>window.pwned=1</script>',
            '<svg onload="window.pwned=1">', '{{7*7}}</textarea><script>window.pwned=1</script>']
"""Text that runs a script if a page puts it into HTML unescaped, in an element or an attribute."""


def hostile_page(title: str, canonical: str) -> str:
    """A news page whose declared canonical and OpenGraph URLs are ``canonical``."""
    return (f'<html><head><title>{title}</title><link rel="canonical" href="{canonical}">'
            f'<meta property="og:url" content="{canonical}"></head><body><article><h1>{title}</h1>'
            + "<p>Harbour workers in Lisbon went on strike on Monday over pay, the union said.</p>" * 8
            + "</article></body></html>")


@pytest.fixture(scope="session")
def hostile_index(tmp_path_factory) -> Path:
    """An index built from hostile records: script URLs in every disguise as a JSONL record's url, a
    page's declared canonical URL and a WARC record's target URI; script payloads in titles, text,
    authors, sources and entity names."""
    import html
    import io
    import json

    from warcio.warcwriter import WARCWriter

    from search.article import Article
    from search.index import IndexStore, update_index

    folder = tmp_path_factory.mktemp("hostile")
    records = [{"url": url, "title": f"Record {n} {PAYLOADS[n % len(PAYLOADS)]}",
                "text": f"Dock workers struck in Lisbon. {' '.join(PAYLOADS)}", "published": "2020-08-14",
                "authors": [PAYLOADS[(n + 1) % len(PAYLOADS)]], "source": PAYLOADS[(n + 2) % len(PAYLOADS)]}
               for n, url in enumerate(HOSTILE_URLS)]
    escaped = html.escape(PAYLOADS[1])
    records.append({"url": "https://news.example/lisbon-strike",
                    "html": hostile_page(f"Dock strike in Lisbon {escaped}", HOSTILE_URLS[1])})
    records.append({"url": HOSTILE_URLS[0], "html": hostile_page("Dock strike spreads to Porto", HOSTILE_URLS[4])})
    (folder / "records.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for n, url in enumerate(HOSTILE_URLS[:3]):  # warcio reads HTTP headers only under an http(s) URI
        page = hostile_page(f"Ferry crews join the strike {n}", url).encode("utf-8")
        writer.write_record(writer.create_warc_record(url, "resource", payload=io.BytesIO(page),
                                                      warc_content_type="text/html; charset=utf-8"))
    (folder / "crawl.warc").write_bytes(buffer.getvalue())
    index_dir = folder / "index"
    report = index_paths([folder], settings_for(index_dir))
    assert not report.failures and report.indexed == len(records) + 3, report
    named = Article(id="named", title=f"Names {PAYLOADS[0]}", text="Dock workers struck in Lisbon again.",
                    people=PAYLOADS[:2], orgs=PAYLOADS[2:4], places=PAYLOADS[4:], authors=PAYLOADS[3:5],
                    source=PAYLOADS[5], origin="named")
    named.url = HOSTILE_URLS[0]  # past the Article's own check, as an index written by an older version holds it
    update_index(IndexStore(index_dir), [named])
    return index_dir


WORDS = ("harbour ferry storm port crew cargo ship captain wind tide coast island engine fuel price market "
         "trade strike union wage minister vote budget tax bank rate loan court judge police fire rain flood "
         "bridge road rail train station airport flight pilot school teacher hospital doctor nurse farm wheat "
         "corn cattle milk fishing net boat harbourmaster").split()


def varied_articles(count: int, seed: int, start: int = 0) -> list:
    """Articles of seeded random words (a few common, most rare: the common ones fill several postings
    blocks), with entities, sources, dates (some missing) and repeated texts (copies)."""
    import random
    from datetime import date, timedelta

    from search.article import Article

    rng = random.Random(seed)
    made = []
    for n in range(start, start + count):
        if made and rng.random() < 0.05:
            text = made[rng.randrange(len(made))].text  # a copy of an earlier story
        else:
            text = " ".join(WORDS[min(int(rng.paretovariate(0.8)) - 1, len(WORDS) - 1)] for _ in range(rng.randrange(20, 90)))
        made.append(Article(
            id=f"v{n:05d}", title=" ".join(rng.sample(WORDS, 3)).capitalize(), text=text.capitalize() + ".",
            source=rng.choice(["Harbour News", "The Daily Ledger", "Coast Radio", "harbour news"]),
            published=None if rng.random() < 0.05 else date(2015, 1, 1) + timedelta(days=rng.randrange(3000)),
            language=rng.choice(["en", "en", "de"]),
            people=rng.sample(["Ann Lee", "Bo Chan", "Cy Diaz", "ann lee", "Dee Evans", "Ed Fox"], rng.randrange(3)),
            orgs=rng.sample(["Port Authority", "Ferry Union", "PORT AUTHORITY", "Coast Guard"], rng.randrange(3)),
            places=rng.sample(["Oslo", "Bergen", "Hull", "Cork", "Brest"], 1 + rng.randrange(2)),
            authors=rng.sample(["Kim Ross", "Lu Mai"], rng.randrange(2)),
            origin=f"varied{n}", fingerprint=f"fp{n}"))
    return made


@pytest.fixture(scope="session")
def varied_index(tmp_path_factory) -> Path:
    """An index of several segments, some with deleted documents (articles replaced by later runs)."""
    from dataclasses import replace

    from search.index import IndexStore, rebuild_index, update_index

    store = IndexStore(tmp_path_factory.mktemp("varied") / "index")
    first = varied_articles(700, seed=1)
    rebuild_index(store, first)
    for run in range(2):
        replaced = [replace(a, title=a.title + " updated", fingerprint="again") for a in first[run * 90:run * 90 + 60]]
        update_index(store, varied_articles(150, seed=2 + run, start=700 + 150 * run) + replaced)
    return store.root
