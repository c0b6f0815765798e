"""The search page in headless Chromium: type, submit, read results, narrow by a facet."""

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, corpus_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(corpus_server.url + "/")
    yield page
    context.close()


def test_typing_a_query_and_clicking_a_facet_narrows_the_results(page, corpus_server):
    page.fill("#q", "election")
    page.press("#q", "Enter")
    page.wait_for_url("**/?q=election**")
    summary = page.locator("#summary").inner_text()
    total = int(summary.split()[0])
    assert total >= 3
    assert page.locator(".hit").count() == min(total, 10)

    facet_value = page.locator('.facet[data-facet="people"] a', has_text="Yuri Karayev")
    facet_value.click()
    page.wait_for_url("**person=Yuri+Karayev**")
    narrowed = int(page.locator("#summary").inner_text().split()[0])
    assert 0 < narrowed < total
    for chips in page.locator(".hit .entities").all():
        assert "Yuri Karayev" in chips.inner_text()
    assert page.locator(".selected-filters").inner_text().count("Yuri Karayev") == 1

    page.locator(".selected-filters a.remove").click()
    page.wait_for_url(lambda url: "person=" not in url)
    assert int(page.locator("#summary").inner_text().split()[0]) == total


def test_opening_an_article_from_the_results(page):
    page.fill("#q", "Okrestina")
    page.press("#q", "Enter")
    page.locator(".hit h2 a").first.click()
    page.wait_for_url("**/articles/**")
    assert page.locator("h1").inner_text().startswith("Belarus begins freeing detained protesters")
    assert "Yuri Karayev" in page.locator(".facets").inner_text()


def test_a_bad_query_shows_the_message_on_the_page(page):
    page.fill("#q", "title:(")
    page.press("#q", "Enter")
    assert "never closed" in page.locator(".error").inner_text()


def test_the_page_reads_well_on_a_phone(browser, corpus_server):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(corpus_server.url + "/?q=Belarus")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375


def test_clicking_a_bar_of_the_date_chart_narrows_the_dates(page):
    page.goto(page.url + "?q=belarus")
    total = int(page.locator("#summary").inner_text().split()[0])
    bars = page.locator(".timeline svg a")
    assert bars.count() >= 2
    label = bars.first.get_attribute("aria-label")  # "2020-08: 2 articles"
    bars.first.locator("rect.bar").click()
    page.wait_for_url("**from=**")
    narrowed = int(page.locator("#summary").inner_text().split()[0])
    assert narrowed == int(label.split(": ")[1].split()[0]) and narrowed < total
    assert "From" in page.locator(".selected-filters").inner_text()


def test_following_did_you_mean(page):
    page.fill("#q", "Lukashnko")
    page.press("#q", "Enter")
    assert page.locator("#summary").inner_text().startswith("0 articles")
    page.locator("#suggestion a").click()
    page.wait_for_url("**q=Lukashenko**")
    assert int(page.locator("#summary").inner_text().split()[0]) == 3


def test_partial_matches_say_what_they_miss_and_a_word_can_be_required(page):
    page.fill("#q", "Okrestina cathedral")  # words no article of the corpus has together
    page.press("#q", "Enter")
    summary = page.locator("#summary").inner_text()
    assert summary.startswith("0 with all words · ") and " in all for Okrestina cathedral" in summary
    missing = [hit.inner_text() for hit in page.locator(".hit .missing").all()]
    assert missing and all(text.startswith("Missing: ") for text in missing)
    assert {"Missing: cathedral · must include", "Missing: Okrestina · must include"} == set(missing)
    first = page.locator(".hit").first
    lacking = first.locator(".missing s").inner_text()
    first.locator(".missing a", has_text="must include").click()
    page.wait_for_url(f"**q=*%2B{lacking}**")
    hits = page.locator(".hit").count()
    assert hits >= 1 and all(lacking not in text for text in page.locator(".hit .missing").all_inner_texts())


def test_going_from_an_article_to_a_related_story(page):
    page.fill("#q", "Okrestina")
    page.press("#q", "Enter")
    page.locator(".hit h2 a").first.click()
    page.wait_for_url("**/articles/**")
    first = page.url
    related = page.locator(".related a").first
    title = related.inner_text()
    related.click()
    page.wait_for_url(lambda url: url != first and "/articles/" in url)
    assert page.locator("h1").inner_text() == title


def test_downloading_all_results_as_csv(page):
    page.fill("#q", "belarus")
    page.press("#q", "Enter")
    total = int(page.locator("#summary").inner_text().split()[0])
    with page.expect_download() as download:
        page.locator(".export a", has_text="CSV").click()
    lines = open(download.value.path(), encoding="utf-8").read().strip().splitlines()
    assert lines[0].startswith("id,title,url") and len(lines) == total + 1


COMPARED = "/compare?q=belarus&q=election&q=biden"


@pytest.mark.parametrize("path, width", [
    ("/?q=belarus", 1280), ("/?q=belarus", 375), ("/?q=lukashnko", 1280), ("/?q=title:(", 1280), ("/help", 1280),
    ("/?q=Okrestina", 1280), ("/compare", 1280), (COMPARED, 1280), (COMPARED, 375),
    ("/people/Alexander%20Lukashenko", 1280), ("/people/Alexander%20Lukashenko", 375),
])
def test_no_serious_or_critical_accessibility_violations(browser, corpus_server, axe_script, path, width):
    # the site's Content-Security-Policy forbids the inline script that brings the checker in
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(corpus_server.url + path)
    pages = [page.url]
    if path == "/?q=Okrestina":  # the article page too
        page.locator(".hit h2 a").first.click()
        page.wait_for_url("**/articles/**")
    if path == COMPARED:  # with the table of the chart open
        page.locator(".series-table summary").click()
    page.add_script_tag(content=axe_script)
    found = page.evaluate("async () => (await axe.run(document)).violations"
                          ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))")
    context.close()
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not serious, (pages, serious)


def test_the_search_flow_works_from_the_keyboard(page):
    page.wait_for_function("document.activeElement && document.activeElement.id === 'q'")  # focused on opening
    page.keyboard.type("belarus")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=belarus**")
    for _ in range(40):  # tab to the first result's link
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.closest('.hit h2') !== null")
        if focused:
            break
    assert focused
    page.keyboard.press("Enter")
    page.wait_for_url("**/articles/**")
    assert page.locator("h1").count() == 1


def tab_to(page, selector: str, presses: int = 60) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never took the focus")


def test_comparing_queries_and_reading_a_period_from_the_keyboard(page, corpus_server):
    page.goto(corpus_server.url + "/compare")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'q'")  # the first query
    page.keyboard.type("belarus")
    page.keyboard.press("Tab")
    page.keyboard.type("election")
    page.keyboard.press("Enter")
    page.wait_for_url("**/compare?q=belarus&q=election**")
    assert page.locator(".legend li").count() == 2 and page.locator(".line-chart polyline").count() >= 2
    tab_to(page, ".series-table summary")
    page.keyboard.press("Enter")
    tab_to(page, ".series-table td a")
    period = page.evaluate("document.activeElement.closest('tr').querySelector('th').innerText")
    count = int(page.evaluate("document.activeElement.innerText"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=belarus&from=**")
    assert int(page.locator("#summary").inner_text().split()[0]) == count
    assert page.locator('input[name="from"]').input_value().startswith(period[:7])


def test_choosing_a_point_of_the_compare_chart_opens_that_period(page, corpus_server):
    page.goto(corpus_server.url + "/compare?q=belarus&measure=count")
    point = page.locator(".line-chart a").first
    title = point.locator("title").text_content()
    point.locator("path").click()
    page.wait_for_url("**/?q=belarus&from=**")
    assert int(page.locator("#summary").inner_text().split()[0]) == int(title.split(": ")[1].split()[0])


def test_from_a_facet_to_an_entity_page_and_on_to_another_from_the_keyboard(page, corpus_server):
    page.goto(corpus_server.url + "/?q=belarus")
    tab_to(page, '.facet[data-facet="people"] a.about', presses=400)  # past the results' links
    name = page.evaluate("document.activeElement.getAttribute('aria-label')").removeprefix("About ")
    page.keyboard.press("Enter")
    page.wait_for_url("**/people/**")
    assert page.locator("h1").inner_text() == name
    tab_to(page, ".facets a")
    other = page.evaluate("document.activeElement.innerText")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/people/" in url or "/orgs/" in url or "/places/" in url)
    assert page.locator("h1").inner_text() == other


@pytest.mark.parametrize("path", [COMPARED, "/people/Alexander%20Lukashenko"])
def test_compare_and_entity_pages_read_well_on_a_phone(browser, corpus_server, path):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(corpus_server.url + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375


def test_from_an_article_back_to_the_same_page_of_results(page, corpus_server):
    page.goto(corpus_server.url + "/?q=belarus&per_page=2&person=Alexander+Lukashenko")
    page.locator('a[rel="next"]').click()
    page.wait_for_url("**page=2**")
    results = page.url
    page.locator(".hit h2 a").first.click()
    page.wait_for_url("**/articles/**")
    page.locator("a.back").click()
    page.wait_for_url(lambda url: "page=2" in url)
    assert page.url.split("?")[1].split("&generation=")[0] == results.split("?")[1].split("&generation=")[0]
    assert "page 2 of" in page.locator("#summary").inner_text()


def test_a_name_under_a_result_is_announced_with_its_kind_and_filters_by_it(page, corpus_server):
    page.goto(corpus_server.url + "/?q=Okrestina")
    chip = page.get_by_role("link", name="Place: Minsk", exact=True).first
    assert chip.is_visible() and page.locator(".chip-legend").is_visible()
    chip.click()
    page.wait_for_url("**place=Minsk**")
    assert "Minsk" in page.locator(".selected-filters").inner_text()


def test_the_accessibility_check_finds_what_it_should(browser, axe_script):
    context = browser.new_context()
    page = context.new_page()
    page.set_content('<html lang="en"><head><title>t</title></head><body><main><img src="data:,">'
                     '<a href="#"></a></main></body></html>')
    page.add_script_tag(content=axe_script)
    found = page.evaluate("async () => (await axe.run(document)).violations.map(v => [v.id, v.impact])")
    context.close()
    assert ["image-alt", "critical"] in found and ["link-name", "serious"] in found


REPORTER = """
window.__defineSetter__("pwned", () => console.error("payload ran"));
document.addEventListener("securitypolicyviolation",
                          event => console.error(`policy violation: ${event.violatedDirective} ${event.blockedURI}`));
"""
"""Run before any page script: a payload that sets window.pwned, or anything the policy blocks, says so
in the console."""


class Watched:
    """A browser tab whose dialogs, console errors and requests off this machine are recorded."""

    def __init__(self, browser, server):
        self.origin = server.url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.add_init_script(REPORTER)
        self.context.route("**/*", self._only_this_site)
        self.page = self.context.new_page()
        self.dialogs, self.errors, self.blocked = [], [], []
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message) -> None:
        # a page answered 400 or 404 on purpose, or a link out stopped here, is logged as an error too
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def _only_this_site(self, route):
        if route.request.url.startswith(self.origin + "/"):
            route.continue_()
        else:  # nothing leaves this machine: a link out is followed no further than the request
            self.blocked.append(route.request.url)
            route.abort()

    def hrefs(self) -> list[str]:
        """Every URL the page would follow or load, as the browser resolved it."""
        return self.page.eval_on_selector_all(
            "[href], [src], [action], [formaction]",
            "nodes => nodes.flatMap(n => ['href', 'src', 'action', 'formaction'].filter(a => n.hasAttribute(a))"
            ".map(a => new URL(n.getAttribute(a), document.baseURI).href))")

    def assert_safe(self, where: str) -> None:
        assert self.dialogs == [] and self.errors == [], (where, self.dialogs, self.errors)
        assert self.page.evaluate("window.pwned") is None, where
        for href in self.hrefs():
            assert href.startswith((self.origin + "/", "https://", "http://")), (where, href)


@pytest.fixture
def hostile_tab(browser, hostile_index):
    from conftest import LiveServer

    server = LiveServer(hostile_index)
    tab = Watched(browser, server)
    yield tab
    tab.context.close()
    server.stop()


def test_following_every_link_of_articles_made_from_hostile_records_runs_no_script(hostile_tab):
    import json

    tab, page = hostile_tab, hostile_tab.page
    page.goto(tab.origin + "/api/search?per_page=100&collapse=false")
    hits = json.loads(page.inner_text("body"))["results"]
    chosen = [hit for hit in hits if hit["title"].startswith(("Record 0 ", "Record 4 ", "Names ", "Dock strike in",
                                                                 "Ferry crews join the strike 0"))]
    assert len(chosen) == 5
    followed = 0
    for hit in chosen:
        article = f"{tab.origin}/articles/{hit['id']}"
        page.goto(article)
        tab.assert_safe(article)
        links = page.locator("a[href]")
        for n in range(links.count()):
            href = links.nth(n).evaluate("a => a.href")
            links.nth(n).click()
            page.wait_for_load_state()
            if page.url.startswith(tab.origin):
                tab.assert_safe(f"{article} → {href}")
            if page.url != article:
                page.go_back()
            if page.url != article:  # a link out that was stopped may have left no entry to go back past
                page.goto(article)
            tab.assert_safe(f"{article} after {href}")
            followed += 1
    assert followed >= 40
    assert set(tab.blocked) == {"https://news.example/lisbon-strike"}  # the one link out: an https URL
    page.goto(tab.origin + "/?collapse=false&per_page=100")
    assert page.locator(".hit").count() == len(hits) == 15
    tab.assert_safe("the search page")


def test_every_kind_of_page_renders_within_the_security_policy(browser, corpus_server):
    tab = Watched(browser, corpus_server)
    for path in ("/?q=belarus", "/?q=Okrestina", "/help", "/?q=title:(", "/articles/nope"):
        tab.page.goto(corpus_server.url + path)
        tab.assert_safe(path)
        # the stylesheet applied: the masthead has its border from style.css
        assert tab.page.eval_on_selector(".masthead", "e => getComputedStyle(e).borderBottomStyle") == "solid", path
    tab.page.goto(corpus_server.url + "/?q=Okrestina")
    tab.page.locator(".hit h2 a").first.click()
    tab.page.wait_for_url("**/articles/**")
    tab.assert_safe(tab.page.url)
    tab.context.close()
