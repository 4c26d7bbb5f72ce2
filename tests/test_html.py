"""Tests for brief.render.htmldoc: the brief as a web page and index.html, in and out of a browser.

The browser tests drive Debian's Chromium through Selenium and skip (with the
reason) where Chromium, its driver or Selenium is missing; the README's test
command installs them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
import pytest
from fixtures_brief import long_brief

from brief import render
from brief.errors import RenderError
from brief.records import Brief, Change, TopicBrief
from brief.render import htmldoc

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

# Article-derived text that would run, load or link if it were not escaped.
XSS_SCRIPT = "<script>document.title='pwned-script'</script>"
XSS_IMG = "<img src=\"http://example.invalid/x.png\" onerror=\"document.title='pwned-img'\">"
XSS_URL = "javascript:document.title='pwned-link'"
XSS_ATTR = "\"><b/class=pwned>x</b>"


def hostile(brief: Brief) -> Brief:
    """The brief with scripts, handlers and javascript: URLs in every kind of article text."""
    first, second, *rest = brief.sources
    first = dataclasses.replace(first, title=f"Title {XSS_SCRIPT}", outlet=f"Outlet {XSS_IMG}", url=XSS_URL)
    second = dataclasses.replace(second, url=f"https://example.org/a?q={XSS_ATTR}")
    tb = brief.topics[0]
    claim = dataclasses.replace(tb.summary[0], text=f"Officials said {XSS_SCRIPT} and {XSS_IMG}.")
    citation = dataclasses.replace(claim.citations[0], quote=f"Quoted {XSS_IMG} {XSS_SCRIPT}")
    claim = dataclasses.replace(claim, citations=(citation, *claim.citations[1:]))
    topic = dataclasses.replace(tb.topic, label=f"Label {XSS_IMG}")
    change = Change("new_fact", f"Markup {XSS_SCRIPT} in a change.", claim.citations)
    return dataclasses.replace(
        brief,
        title=f"Title {XSS_SCRIPT}",
        sources=(first, second, *rest),
        topics=(TopicBrief(topic, (claim, *tb.summary[1:])), *brief.topics[1:]),
        since_last=(change,),
    )


def with_urls(brief: Brief) -> Brief:
    """The brief with an https URL on every source."""
    sources = tuple(
        dataclasses.replace(a, url=f"https://news.example.org/{i}/story") for i, a in enumerate(brief.sources)
    )
    return dataclasses.replace(brief, sources=sources)


def parse(text: str) -> Any:
    """The page as an lxml tree."""
    return lxml.html.document_fromstring(text)


def sel(element: Any, css: str) -> list[Any]:
    """Elements under ``element`` matching simple CSS: tag#id.class[attr="v"], descendants, commas."""
    step = re.compile(r'^(\w+)?(?:#([\w-]+))?((?:\.[\w-]+)*)(?:\[([\w-]+)(?:="([^"]*)")?\])?$')
    paths = []
    for alternative in css.split(","):
        path = "."
        for part in alternative.split():
            match = step.match(part)
            assert match, part
            tag, ident, classes, attr, value = match.groups()
            tests = [f"@id='{ident}'"] if ident else []
            for c in classes.split(".")[1:]:
                tests.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {c} ')")
            if attr:
                tests.append(f"@{attr}='{value}'" if value is not None else f"@{attr}")
            path += f"//{tag or '*'}" + "".join(f"[{t}]" for t in tests)
        paths.append(path)
    return element.xpath(" | ".join(paths))


def words(element: Any) -> str:
    """An element's text, whitespace-normalised."""
    return " ".join(element.text_content().split())


# --- the page, without a browser ---------------------------------------------------


def test_page_shows_every_part_of_the_brief_in_page_order(sample_brief: Brief) -> None:
    doc = parse(htmldoc.page(sample_brief))
    text = words(doc.body)
    assert sample_brief.title in words(doc.find(".//h1"))
    assert "17 November 2015" in words(doc.find(".//header"))
    headings = [words(h) for h in sel(doc, "main h2")]
    expected = ["Key developments", "Since the last brief", f"1 {sample_brief.topics[0].topic.label}",
                "Conflicting reports", "Key figures", "Sources", "More"]  # fmt: skip
    assert [h for h in headings if h in expected] == expected
    for claim in sample_brief.lead:
        assert claim.text in text
    for tb in sample_brief.topics:
        assert tb.topic.label in text
        for claim in tb.summary:
            assert claim.text in text
    for change in sample_brief.since_last:
        assert change.text in text
    for article in sample_brief.sources:
        assert article.title in text
    # The fact no topic summarised is under More.
    (more,) = sel(doc, "#more")
    assert sample_brief.other[0].text in words(more)


def test_every_mark_opens_the_sentences_it_cites(sample_brief: Brief) -> None:
    brief = with_urls(sample_brief)
    doc = parse(htmldoc.page(brief))
    numbers = render.source_numbers(brief)
    by_number = {numbers[a.id]: a for a in brief.sources}
    marks = sel(doc, "details.cite")
    cited = [c for claim in brief.lead for c in claim.citations]
    cited += [c for tb in brief.topics for claim in tb.summary for c in claim.citations]
    cited += [c for f in brief.figures for c in f.citations]
    cited += [c for ch in brief.since_last for c in ch.citations]
    cited += [c for k in brief.conflicts for f in k.values for c in f.citations]
    assert len(marks) >= len(brief.lead) + sum(len(tb.summary) for tb in brief.topics)
    shown = set()
    for mark in marks:
        label = words(mark.find("summary"))
        quotes = sel(mark, ".quote")
        assert quotes, label
        listed = []
        for quote in quotes:
            number = int(words(sel(quote, ".qn")[0]).strip("[]"))
            listed.append(number)
            article = by_number[number]
            sentence = words(sel(quote, ".qt")[0]).strip("“”")
            # The quote is the article's own sentence, and the mark names its outlet, date and link.
            assert sentence in " ".join(article.text.split())
            assert article.outlet in words(sel(quote, ".by")[0])
            (link,) = sel(quote, ".by a")
            assert link.get("href") == article.url
            shown.add((article.id, sentence))
        assert label == f"[{render.cite_marks(listed)}]"
    assert {(c.source, " ".join(c.quote.split())) for c in cited} <= shown


def test_figures_conflicts_and_changes_carry_their_citations(sample_brief: Brief) -> None:
    doc = parse(htmldoc.page(sample_brief))
    for selector in (".figures tr", ".conflicts li", ".since li"):
        rows = sel(doc, selector)
        assert rows, selector
        for row in rows:
            assert sel(row, "details.cite .quote"), words(row)


def test_timeline_events_carry_their_citations(sample_brief: Brief) -> None:
    if "timeline" not in {f.name for f in dataclasses.fields(Brief)}:
        pytest.skip("this Brief has no timeline")
    from brief.records import Event

    events = tuple(
        Event(sample_brief.date - dt.timedelta(days=2 - i), f"Event {i} happened.", tb.summary[0].citations)
        for i, tb in enumerate(sample_brief.topics[:2])
    )
    doc = parse(htmldoc.page(dataclasses.replace(sample_brief, timeline=events)))
    rows = sel(doc, ".timeline li")
    assert [words(r.find("time")) for r in rows] == ["15 Nov", "16 Nov"]
    assert [words(sel(r, ".what")[0]).startswith(f"Event {i} happened.") for i, r in enumerate(rows)] == [
        True,
        True,
    ]
    assert all(sel(r, "details.cite .quote") for r in rows)


def test_page_loads_nothing_and_runs_nothing(sample_brief: Brief) -> None:
    text = htmldoc.page(with_urls(sample_brief), stem="brief-2015-11-17")
    doc = parse(text)
    assert not sel(doc, "script, link, img, iframe, object, embed, video, audio, source, base")
    assert all(el.get("src") is None for el in doc.iter() if isinstance(el.tag, str))
    style = "".join(s.text_content() for s in sel(doc, "style"))
    assert "url(" not in style and "@import" not in style
    (csp,) = sel(doc, 'meta[http-equiv="Content-Security-Policy"]')
    assert "default-src 'none'" in csp.get("content") and "script-src" not in csp.get("content")
    for link in sel(doc, "a[href]"):
        href = link.get("href")
        parts = urlsplit(href)
        assert parts.scheme in ("http", "https") or (not parts.scheme and not parts.netloc), href


def test_article_text_is_inert(sample_brief: Brief) -> None:
    text = htmldoc.page(hostile(sample_brief))
    doc = parse(text)
    assert "<script" not in text and not sel(doc, "script, img")
    for el in doc.iter():
        if isinstance(el.tag, str):
            assert not [a for a in el.attrib if a.lower().startswith("on")], lxml.html.tostring(el)
    hrefs = [a.get("href") for a in sel(doc, "a[href]")]
    assert not [h for h in hrefs if "javascript" in h.lower()]
    # The hostile https URL stays one escaped attribute value.
    assert f"https://example.org/a?q={XSS_ATTR}" in hrefs
    assert not sel(doc, "b.pwned")
    body = words(doc.body)
    for literal in (XSS_SCRIPT, XSS_IMG, XSS_URL):
        assert literal in body  # shown as text


@pytest.mark.parametrize(
    ("url", "live"),
    [
        ("https://example.org/x", True),
        ("HTTP://EXAMPLE.ORG", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("java\tscript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,<b>x</b>", False),
        ("file:///etc/passwd", False),
        ("//example.org/x", False),
        ("/relative/path", False),
        ("https:///no-host", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_urls_become_links(url: str | None, live: bool) -> None:
    assert bool(htmldoc.web_url(url)) is live


def test_more_holds_what_the_pdf_left_out(tmp_path: Path) -> None:
    full = long_brief(topics=8, sentences=4)
    paths = render.write_all(full, tmp_path)
    printed = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert len(printed["topics"]) < len(full.topics)
    doc = parse(paths["html"].read_text(encoding="utf-8"))
    (more,) = sel(doc, "#more")
    above = words(doc.body).split(words(more))[0]
    kept = {t["id"] for t in printed["topics"]}
    for tb in full.topics:
        sentences = [c.text for c in tb.summary]
        if tb.topic.id in kept:
            shown = {c["text"] for t in printed["topics"] if t["id"] == tb.topic.id for c in t["summary"]}
            for text in sentences:
                # Printed sentences above "More", cut ones below it.
                assert text in (above if text in shown else words(more)), text
        else:
            assert tb.topic.label in words(more) and tb.topic.label not in above
            assert all(text in words(more) for text in sentences)
    printed_figures = len(printed["figures"])
    for figure in full.figures[printed_figures:]:
        assert figure.counts in words(more)


def test_write_all_writes_the_page_and_an_index_of_every_brief(sample_brief: Brief, tmp_path: Path) -> None:
    first = render.write_all(sample_brief, tmp_path)
    later = dataclasses.replace(sample_brief, date=sample_brief.date.replace(day=18), title="The next day")
    second = render.write_all(later, tmp_path)
    assert first["html"] == tmp_path / "brief-2015-11-17.html" and first["html"].is_file()
    assert second["index"] == tmp_path / "index.html"
    doc = parse(second["index"].read_text(encoding="utf-8"))
    entries = sel(doc, ".entry")
    assert [words(e.find(".//time")) for e in entries] == ["18 November 2015", "17 November 2015"]
    assert "The next day" in words(entries[0])
    hrefs = [a.get("href") for a in sel(doc, "a[href]")]
    for day in ("2015-11-17", "2015-11-18"):
        assert {f"brief-{day}.html", f"brief-{day}.pdf", f"brief-{day}.json"} <= set(hrefs)
    assert sum(h.startswith("digests/2015-11-17/") for h in hrefs) == len(sample_brief.topics)
    for href in hrefs:
        assert (tmp_path / href).is_file(), href  # every link in the index leads to a written file
    assert not [p.name for p in tmp_path.rglob("*") if p.name.startswith(".")]


def test_index_lists_per_story_briefs_with_their_digests(sample_brief: Brief, tmp_path: Path) -> None:
    render.write_all(sample_brief, tmp_path, name="eu-defence")
    paths = render.write_all(dataclasses.replace(sample_brief, title="Other story"), tmp_path, name="quake")
    assert paths["html"] == tmp_path / "brief-2015-11-17-quake.html"
    doc = parse(paths["index"].read_text(encoding="utf-8"))
    assert len(sel(doc, ".entry")) == 2
    hrefs = [a.get("href") for a in sel(doc, "a[href]")]
    assert {"brief-2015-11-17-eu-defence.html", "brief-2015-11-17-quake.html"} <= set(hrefs)
    assert sum(h.startswith("digests/2015-11-17-quake/") for h in hrefs) == len(sample_brief.topics)
    assert all((tmp_path / h).is_file() for h in hrefs)


def test_index_skips_unreadable_records_and_escapes_titles(sample_brief: Brief, tmp_path: Path) -> None:
    (tmp_path / "brief-2015-11-01.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "brief-notes.json").write_text("{}", encoding="utf-8")
    paths = render.write_all(dataclasses.replace(sample_brief, title=f"Day {XSS_SCRIPT}"), tmp_path)
    text = paths["index"].read_text(encoding="utf-8")
    doc = parse(text)
    assert len(sel(doc, ".entry")) == 1
    assert "<script" not in text and XSS_SCRIPT in words(doc.body)


def test_failed_web_template_leaves_yesterdays_files_untouched(sample_brief: Brief, tmp_path: Path) -> None:
    render.write_all(sample_brief, tmp_path / "out")
    before = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "index.web.html").write_text("<p>{{ entries }} {{ no_such_field }}</p>", encoding="utf-8")
    with pytest.raises(RenderError, match="no_such_field"):
        render.write_all(dataclasses.replace(sample_brief, title="Another day"), tmp_path / "out", broken)
    after = {p: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert after == before


def test_html_writes_the_page_alone(sample_brief: Brief, tmp_path: Path) -> None:
    path = render.html(sample_brief, tmp_path / "page" / "brief.html")
    assert path.read_text(encoding="utf-8") == htmldoc.page(sample_brief)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["brief.html", "page"]


def test_user_templates_override_the_page(sample_brief: Brief, tmp_path: Path) -> None:
    (tmp_path / "brief.web.css").write_text("body { color: rebeccapurple }", encoding="utf-8")
    text = htmldoc.page(sample_brief, templates_dir=tmp_path)
    assert "rebeccapurple" in text and "details.cite" not in text


# --- in a real browser ---------------------------------------------------------------


def _skip_reason() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.is_file():
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    return None


browser = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")


def _chrome(profile: Path, javascript: bool = True) -> Any:
    """A headless Chromium that logs network requests and the console, and reaches nothing."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--hide-scrollbars", f"--user-data-dir={profile}", "--window-size=1280,900"):  # fmt: skip
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


@pytest.fixture(scope="module")
def chrome() -> Iterator[Any]:
    """One browser for the module (starting Chromium costs a second or two)."""
    profile = Path(tempfile.mkdtemp(prefix="brief-chrome-"))
    driver = _chrome(profile)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample brief (with https source URLs) and a hostile one, written by write_all."""
    from fixtures_brief import sample_brief

    folder = tmp_path_factory.mktemp("site")
    base = with_urls(sample_brief())
    render.write_all(base, folder)
    render.write_all(hostile(dataclasses.replace(base, date=base.date.replace(day=18))), folder)
    return folder


def _open(driver: Any, path: Path, width: int = 1280, height: int = 900) -> None:
    driver.set_window_size(width, height)
    driver.get_log("performance")  # drop what earlier pages logged
    driver.get_log("browser")
    driver.get(path.as_uri())


def _requests(driver: Any) -> list[str]:
    """URLs the page asked for since the last call."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _assert_self_contained(driver: Any, path: Path) -> None:
    urls = _requests(driver)
    assert path.as_uri() in urls
    assert all(u.split("#")[0] == path.as_uri() or u.startswith("data:") for u in urls), urls
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []


def _assert_not_blank(png: bytes) -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50  # text, rules, boxes: far from one flat colour
    assert max(count for count, _ in colours) < 0.97 * image.size[0] * image.size[1]


def _open_first_mark(driver: Any) -> tuple[Any, str]:
    """Click the first citation mark; its quote element and text."""
    from selenium.webdriver.common.by import By

    mark = driver.find_element(By.CSS_SELECTOR, "details.cite")
    pop = mark.find_element(By.CSS_SELECTOR, ".pop")
    assert not pop.is_displayed()
    mark.find_element(By.TAG_NAME, "summary").click()
    assert mark.get_attribute("open") is not None
    assert pop.is_displayed()
    return pop, pop.text


@browser
@pytest.mark.parametrize("width", [1280, 390])
def test_page_in_a_browser(chrome: Any, site: Path, width: int) -> None:
    page = site / "brief-2015-11-17.html"
    _open(chrome, page, width, 860)
    assert chrome.title.startswith("Situation brief, 17 November 2015")
    # Nothing sticks out sideways, on a phone included.
    assert chrome.execute_script("return document.documentElement.scrollWidth") <= width
    _assert_not_blank(chrome.get_screenshot_as_png())
    pop, text = _open_first_mark(chrome)
    assert "[1] “The French government invoked a never-before-used EU mutual assistance clause" in text
    assert "RFE/RL, 17 November 2015" in text
    assert pop.rect["x"] >= 0 and pop.rect["x"] + pop.rect["width"] <= width
    _assert_not_blank(chrome.get_screenshot_as_png())
    _assert_self_contained(chrome, page)


def _shown(driver: Any, element: Any) -> bool:
    """Whether ``element`` is laid out and is what the reader sees at its centre.

    WebDriver's own is_displayed() calls anything in a closed <details> hidden,
    even when CSS shows it, so ask the layout instead.
    """
    return bool(driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "if (r.height === 0) return false;"
        "arguments[0].scrollIntoView({block: 'center'});"
        "const s = arguments[0].getBoundingClientRect();"
        "return arguments[0].contains(document.elementFromPoint(s.x + s.width / 2, s.y + s.height / 2));",
        element,
    ))  # fmt: skip


@browser
def test_marks_open_from_the_keyboard(chrome: Any, site: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    _open(chrome, site / "brief-2015-11-17.html")
    mark = chrome.find_element(By.CSS_SELECTOR, "details.cite")
    summary, pop = mark.find_element(By.TAG_NAME, "summary"), mark.find_element(By.CSS_SELECTOR, ".pop")
    link = pop.find_element(By.TAG_NAME, "a")
    assert not _shown(chrome, pop)
    for _ in range(20):
        ActionChains(chrome).send_keys(Keys.TAB).perform()
        if chrome.switch_to.active_element == summary:
            break
    else:
        pytest.fail("Tab never reached the first citation mark")
    assert _shown(chrome, pop)  # focus alone shows the quote
    ActionChains(chrome).send_keys(Keys.TAB).perform()
    assert chrome.switch_to.active_element.tag_name == "summary" and not _shown(chrome, pop)
    ActionChains(chrome).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).send_keys(Keys.ENTER).perform()
    assert mark.get_attribute("open") is not None
    ActionChains(chrome).send_keys(Keys.TAB).perform()
    assert chrome.switch_to.active_element == link  # an open quote's source link is next
    ActionChains(chrome).send_keys(Keys.TAB, Keys.TAB).perform()
    assert _shown(chrome, pop)  # Enter keeps it open after focus moves on
    summary.click()
    assert mark.get_attribute("open") is None and not _shown(chrome, pop)


@browser
def test_hostile_article_text_runs_nothing_in_a_browser(chrome: Any, site: Path) -> None:
    from selenium.webdriver.common.by import By

    page = site / "brief-2015-11-18.html"
    _open(chrome, page)
    body = chrome.find_element(By.TAG_NAME, "body")
    chrome.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    for mark in chrome.find_elements(By.CSS_SELECTOR, "details.cite > summary")[:12]:
        chrome.execute_script("arguments[0].scrollIntoView({block: 'center'})", mark)
        mark.click()
    for link in chrome.find_elements(By.CSS_SELECTOR, "a"):
        href = link.get_property("href")
        parts = urlsplit(href)
        # Source links, and the PDF and JSON beside the page.
        assert parts.scheme in ("http", "https") or Path(parts.path).parent == site, href
    assert chrome.title.startswith("Situation brief, 18 November 2015")  # no script retitled it
    assert XSS_SCRIPT in body.text and XSS_URL in body.text
    _assert_self_contained(chrome, page)
    index = site / "index.html"
    _open(chrome, index)
    assert chrome.title == "Situation briefs"
    _assert_self_contained(chrome, index)


@browser
def test_marks_open_with_javascript_off(site: Path, tmp_path: Path) -> None:
    driver = _chrome(tmp_path / "profile", javascript=False)
    try:
        # A page whose only script would change its title proves scripts are off.
        probe = tmp_path / "probe.html"
        probe.write_text("<title>off</title><script>document.title = 'on'</script>", encoding="utf-8")
        driver.get(probe.as_uri())
        assert driver.title == "off"
        _open(driver, site / "brief-2015-11-17.html", 390, 844)
        _, text = _open_first_mark(driver)
        assert "never-before-used EU mutual assistance clause" in text
    finally:
        driver.quit()
