"""Tests for brief.fetch against a real HTTP server on 127.0.0.1 that each test starts."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
import yaml
from click.testing import CliRunner

from brief.cli import main
from brief.config import Settings
from brief.errors import InputError, StateError
from brief.fetch import FetchReport, feed_sources, fetch, normalise_url

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Seen:
    """One request the test server received."""

    path: str
    headers: dict[str, str]
    at: float


@dataclass
class Server:
    """A local HTTP server whose routes the test sets; it records every request."""

    base: str
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    # httpx honours proxy variables; a proxy set on the machine must not stand between us and 127.0.0.1.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    state = Server(base="")

    class Handle(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic()))
            route = state.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            try:
                route(self)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading on purpose (byte cap, timeout)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def settings(**changes: Any) -> Settings:
    """Small limits so the whole file runs in seconds; no BRIEF_* variables leak in."""
    base = {"fetch_per_host_delay_s": 0.0, "fetch_backoff_s": 0.01, "fetch_timeout_s": 2.0, "fetch_retries": 1}
    return Settings.load(env={}, **{**base, **changes})


# --------------------------------------------------------------------------- content


def respond(body: bytes, ctype: str = "text/html; charset=utf-8", status: int = 200, **headers: str) -> Handler:
    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            h.send_header(name.replace("_", "-"), value)
        h.end_headers()
        h.wfile.write(body)

    return handler


def paragraphs(topic: str) -> list[str]:
    return [
        f"The {topic} council said on Monday that repairs to the {topic} bridge would take {n} weeks, "
        f"and that traffic would be diverted through the eastern district while engineers inspect it."
        for n in (3, 4, 5)
    ]


def page(topic: str, title: str | None = None, date: str | None = None, author: str | None = None,
         site: str | None = "Daily Example") -> bytes:  # fmt: skip
    head = [f"<title>{title} | Daily Example</title>", f'<meta property="og:title" content="{title}">'] if title else []
    if site:
        head.append(f'<meta property="og:site_name" content="{site}">')
    if date:
        head.append(f'<meta property="article:published_time" content="{date}T08:00:00Z">')
    if author:
        head.append(f'<meta name="author" content="{author}">')
    heading = f"<h1>{title}</h1>" if title else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs(topic))
    return (
        f"<!doctype html><html><head>{''.join(head)}</head><body><nav><a href='/'>Home</a> <a href='/w'>World</a>"
        f"</nav><article>{heading}{body}</article><footer>Contact us</footer></body></html>"
    ).encode()


def rss(items: list[tuple[str, str, str]], title: str = "Example World") -> bytes:
    """RSS 2.0 with (title, link, RFC 822 date) items."""
    out = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link><pubDate>{d}</pubDate></item>" for t, link, d in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://127.0.0.1/</link><description>news</description>{out}</channel></rss>"
    ).encode()


def atom(entries: list[tuple[str, str, str, str]]) -> bytes:
    """Atom 1.0 with (title, href, published ISO, author) entries."""
    out = "".join(
        f"<entry><title>{t}</title><link href='{href}'/><id>{href}</id><published>{p}</published>"
        f"<updated>{p}</updated><author><name>{a}</name></author></entry>"
        for t, href, p, a in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Example Atom</title><id>urn:example</id><updated>2024-03-05T10:00:00Z</updated>{out}</feed>"
    ).encode()


RSS = "application/rss+xml"
ATOM = "application/atom+xml; charset=utf-8"


def front_matter(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    head, _, body = text[4:].partition("\n---\n\n")
    return yaml.safe_load(head), body


def by_status(report: FetchReport, status: str) -> set[str]:
    return {r.url for r in report.pages if r.status == status}


# --------------------------------------------------------------------------- feeds and pages


def test_rss_entries_become_markdown_files_with_front_matter(server: Server, tmp_path: Path) -> None:
    server.routes["/a.html"] = respond(page("harbour", "Harbour bridge closes", "2024-03-04", "Jo Reporter"))
    server.routes["/b.html"] = respond(page("valley", "Valley road reopens", "2024-03-05", "Sam Writer"))
    server.routes["/feed.xml"] = respond(rss([
        ("Harbour bridge closes", server.url("/a.html"), "Mon, 04 Mar 2024 09:00:00 GMT"),
        ("Valley road reopens", server.url("/b.html"), "Tue, 05 Mar 2024 09:00:00 GMT"),
    ]), RSS)  # fmt: skip
    inbox = tmp_path / "inbox"

    report = fetch([server.url("/feed.xml")], inbox, settings())

    assert report.ok, report.failures
    assert [r.status for r in report.feeds] == ["ok"]
    assert by_status(report, "new") == {server.url("/a.html"), server.url("/b.html")}
    files = sorted(inbox.glob("*.md"))
    assert len(files) == 2
    meta, body = front_matter(next(f for f in files if "Harbour" in f.read_text()))
    assert meta == {
        "title": "Harbour bridge closes",
        "url": server.url("/a.html"),
        "outlet": "Daily Example",
        "date": dt.date(2024, 3, 4),
        "author": "Jo Reporter",
    }
    assert body.rstrip("\n").split("\n\n") == paragraphs("harbour")
    # Named by the hash of the text, so the same article from anywhere gets the same name.
    path = next(r.path for r in report.new if r.url == server.url("/a.html"))
    assert path is not None and path.name == hashlib.sha256(body.rstrip("\n").encode()).hexdigest()[:16] + ".md"
    assert not list(inbox.glob(".*.tmp"))
    assert report.summary() == f"fetched 2 new articles into {inbox}/ (0 already seen, 0 failed)"
    agent = server.hits("/a.html")[0].headers["user-agent"]
    assert agent.startswith("brief/")


def test_atom_entry_fields_fill_in_what_the_page_lacks(server: Server, tmp_path: Path) -> None:
    server.routes["/news/plain.html"] = respond(page("orchard", site=None))
    # A relative link: resolved against the feed's URL.
    server.routes["/atom.xml"] = respond(atom([
        ("Orchard harvest starts early", "/news/plain.html", "2024-03-05T10:00:00Z", "Ann Writer"),
    ]), ATOM)  # fmt: skip

    report = fetch([server.url("/atom.xml")], tmp_path, settings())

    assert report.ok, report.failures
    (path,) = [r.path for r in report.new]
    assert path is not None
    meta, _ = front_matter(path)
    assert meta["title"] == "Orchard harvest starts early"
    assert meta["date"] == dt.date(2024, 3, 5)
    assert meta["author"] == "Ann Writer"
    assert meta["url"] == server.url("/news/plain.html")


def test_feed_lists_and_opml_name_feeds(server: Server, tmp_path: Path) -> None:
    listing = tmp_path / "feeds.txt"
    listing.write_text(
        "# world news\n\nhttps://a.example/rss.xml   # main feed\nhttps://b.example/atom.xml\n"
        "https://a.example/rss.xml\n",
        encoding="utf-8",
    )
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>subs</title></head><body>'
        '<outline text="News"><outline text="C" type="rss" xmlUrl="https://c.example/feed"/>'
        '<outline text="D" type="rss" xmlUrl="https://d.example/feed"/></outline>'
        '<outline text="no feed here"/></body></opml>',
        encoding="utf-8",
    )
    assert feed_sources([listing, str(opml), "https://e.example/x.rss"]) == [
        "https://a.example/rss.xml",
        "https://b.example/atom.xml",
        "https://c.example/feed",
        "https://d.example/feed",
        "https://e.example/x.rss",
    ]
    with pytest.raises(InputError, match="missing.txt"):
        feed_sources([tmp_path / "missing.txt"])
    empty = tmp_path / "empty.txt"
    empty.write_text("# none yet\n", encoding="utf-8")
    with pytest.raises(InputError, match="no feeds"):
        feed_sources([empty])

    # A list file drives a real run too.
    server.routes["/a.html"] = respond(page("meadow", "Meadow fire contained"))
    server.routes["/feed.xml"] = respond(rss([("Meadow", server.url("/a.html"), "Mon, 04 Mar 2024 09:00:00 GMT")]), RSS)
    listing.write_text(f"# local\n{server.url('/feed.xml')}\n", encoding="utf-8")
    report = fetch([listing], tmp_path / "inbox", settings())
    assert len(report.new) == 1 and report.ok


def test_normalise_url_drops_fragments_and_tracking() -> None:
    assert normalise_url("HTTP://Example.ORG:80/a/b?id=3&utm_source=rss&utm_medium=x#top") == "http://example.org/a/b?id=3"
    assert normalise_url("https://example.org") == "https://example.org/"
    assert normalise_url("https://example.org:8443/x?b=2&a=1") == "https://example.org:8443/x?b=2&a=1"
    assert normalise_url("https://example.org/s?q=a%20b+c&flag&UTM_term=z") == "https://example.org/s?q=a%20b+c&flag"


# --------------------------------------------------------------------------- what goes wrong


def slow(seconds: float, body: bytes) -> Handler:
    def handler(h: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        respond(body)(h)

    return handler


def endless(sent: list[int]) -> Handler:
    """A 50 MB page sent in chunks, with no Content-Length; the client must stop reading."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        chunk = b"<p>" + b"x" * 65_530 + b"</p>"
        for _ in range(50 * 1024 * 1024 // len(chunk)):
            h.wfile.write(chunk)
            sent[0] += len(chunk)

    return handler


def redirect(location: str, status: int = 302) -> Handler:
    def handler(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return handler


def test_each_bad_feed_or_page_fails_alone_with_a_reason(server: Server, tmp_path: Path) -> None:
    bad = {
        "/missing.html": "HTTP 404",
        "/slow.html": "timed out",
        "/huge.html": "byte limit",
        "/report.pdf": "content type application/pdf",
        "/sneaky.html": "redirect to file",
        "/bomb.html": "byte limit",
        "/declared.html": "is 300,000 bytes, over the 200,000-byte limit",
    }
    server.routes["/slow.html"] = slow(1.5, page("slow"))
    sent = [0]
    server.routes["/huge.html"] = endless(sent)
    server.routes["/report.pdf"] = respond(b"%PDF-1.4 " + b"0" * 500, "application/pdf")
    server.routes["/sneaky.html"] = redirect("file:///etc/passwd")
    # 20 MB of HTML in a 20 KB gzip body: the cap counts what is decoded, not Content-Length.
    server.routes["/declared.html"] = respond(b"<p>" + b"y" * (300_000 - 7) + b"</p>")
    server.routes["/bomb.html"] = respond(gzip.compress(b"<p>" + b" " * 20_000_000), Content_Encoding="gzip")
    server.routes["/moved.html"] = redirect("/good.html", 301)
    server.routes["/good.html"] = respond(page("canal", "Canal locks repaired"))
    items = [(p, server.url(p), "Mon, 04 Mar 2024 09:00:00 GMT") for p in [*bad, "/moved.html"]]
    items.append(("local file", "file:///etc/passwd", "Mon, 04 Mar 2024 09:00:00 GMT"))
    server.routes["/feed.xml"] = respond(rss(items), RSS)
    server.routes["/broken.xml"] = respond(b"<?xml version='1.0'?><rss><channel><title>x</title><item>oops</channel>", RSS)
    feeds = [server.url("/feed.xml"), server.url("/broken.xml"), server.url("/gone.xml")]

    start = time.monotonic()
    report = fetch(feeds, tmp_path, settings(fetch_timeout_s=0.3, fetch_retries=0, fetch_max_bytes=200_000))
    took = time.monotonic() - start

    assert took < 5
    # The client hung up soon after the 200 KB cap (the rest is what socket buffers took in).
    assert sent[0] < 20 * 1024 * 1024
    reasons = {r.url: r.reason or "" for r in report.failures}
    for path, why in bad.items():
        assert why in reasons[server.url(path)], (path, reasons)
    assert "malformed" in reasons[server.url("/broken.xml")]
    assert reasons[server.url("/gone.xml")] == "HTTP 404"
    assert [why for url, why in reasons.items() if url.startswith("file:")] == ["link is not an http(s) URL"]
    assert len(report.failures) == len(bad) + 3
    # The good page behind a same-site redirect still arrives; nothing else does.
    (new,) = report.new
    assert new.url == server.url("/moved.html")
    assert front_matter(new.path)[0]["url"] == server.url("/good.html")  # type: ignore[arg-type]
    assert len(list(tmp_path.glob("*.md"))) == 1

    # Failures are remembered with their reasons: the next run tries again only the
    # timeout (a passing reason) and the feeds, not the pages that failed for good.
    again = fetch(feeds, tmp_path, settings(fetch_timeout_s=0.3, fetch_retries=0, fetch_max_bytes=200_000))
    assert {r.url for r in again.failures} == {server.url(p) for p in ("/slow.html", "/broken.xml", "/gone.xml")}
    assert len(server.hits("/missing.html")) == len(server.hits("/huge.html")) == 1


def test_cli_prints_one_warning_per_failure_and_exits_1(server: Server, tmp_path: Path) -> None:
    server.routes["/ok.html"] = respond(page("ferry", "Ferry service resumes"))
    server.routes["/feed.xml"] = respond(rss([
        ("Ferry", server.url("/ok.html"), "Mon, 04 Mar 2024 09:00:00 GMT"),
        ("Missing", server.url("/missing.html"), "Mon, 04 Mar 2024 09:00:00 GMT"),
    ]), RSS)  # fmt: skip
    listing = tmp_path / "feeds.txt"
    listing.write_text(f"{server.url('/feed.xml')}\n{server.url('/nofeed.xml')}\nftp://example.org/feed\n")
    config = tmp_path / "brief.toml"
    config.write_text("fetch_per_host_delay_s = 0.0\nfetch_retries = 0\n")
    inbox = tmp_path / "inbox"
    args = ["fetch", str(listing), "--inbox", str(inbox), "--config", str(config)]

    result = CliRunner().invoke(main, args)

    assert result.exit_code == 1, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 3
    for url in (server.url("/missing.html"), server.url("/nofeed.xml"), "ftp://example.org/feed"):
        assert sum(url in w for w in warnings) == 1, warnings
    assert result.stdout == f"fetched 1 new article into {inbox}/ (0 already seen, 3 failed)\n"

    # Run again with the good feed only: the 404 page is remembered, not fetched again.
    listing.write_text(f"{server.url('/feed.xml')}\n")
    again = CliRunner().invoke(main, [*args, "--quiet"])
    assert again.exit_code == 0, again.output
    assert again.stdout == ""
    assert len(server.hits("/missing.html")) == 1

    missing = CliRunner().invoke(main, ["fetch", str(tmp_path / "nope.txt"), "--inbox", str(inbox)])
    assert missing.exit_code == 1 and "nope.txt" in missing.output


def test_a_page_without_article_text_is_one_failure_and_no_library_noise(
    server: Server, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server.routes["/empty.html"] = respond(b"")
    server.routes["/short.html"] = respond(b"<html><body><p>Too short.</p></body></html>")
    server.routes["/feed.xml"] = respond(rss([
        ("Empty", server.url("/empty.html"), "Mon, 04 Mar 2024 09:00:00 GMT"),
        ("Short", server.url("/short.html"), "Mon, 04 Mar 2024 09:00:00 GMT"),
    ]), RSS)  # fmt: skip
    caplog.set_level(logging.DEBUG, logger="trafilatura")

    report = fetch([server.url("/feed.xml")], tmp_path, settings())

    assert [r.reason for r in report.failures] == [
        "no article text found (0 characters)", "no article text found (10 characters)"
    ]
    # trafilatura's own error lines would be a second and third line for the same failure.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


# --------------------------------------------------------------------------- politeness and state


def test_robots_txt_disallowed_pages_are_never_requested(server: Server, tmp_path: Path) -> None:
    server.routes["/robots.txt"] = respond(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    server.routes["/private/a.html"] = respond(page("secret", "Secret"))
    server.routes["/public/b.html"] = respond(page("open", "Open"))
    server.routes["/feed.xml"] = respond(rss([
        ("Secret", server.url("/private/a.html"), "Mon, 04 Mar 2024 09:00:00 GMT"),
        ("Open", server.url("/public/b.html"), "Mon, 04 Mar 2024 09:00:00 GMT"),
    ]), RSS)  # fmt: skip

    report = fetch([server.url("/feed.xml")], tmp_path, settings())

    assert by_status(report, "new") == {server.url("/public/b.html")}
    (failed,) = report.failures
    assert failed.url == server.url("/private/a.html") and "robots.txt" in (failed.reason or "")
    assert not server.hits("/private/a.html")
    assert len(server.hits("/robots.txt")) == 1


def test_an_unreachable_robots_txt_means_fetch_nothing_from_that_host(server: Server, tmp_path: Path) -> None:
    server.routes["/robots.txt"] = respond(b"down", "text/plain", status=500)
    server.routes["/a.html"] = respond(page("kiln", "Kiln"))
    server.routes["/feed.xml"] = respond(rss([("Kiln", server.url("/a.html"), "Mon, 04 Mar 2024 09:00:00 GMT")]), RSS)

    report = fetch([server.url("/feed.xml")], tmp_path, settings(fetch_retries=0))

    assert [(r.url, r.reason) for r in report.failures] == [
        (server.url("/a.html"), "robots.txt unreachable (HTTP 500)")
    ]
    assert not server.hits("/a.html")


def test_second_run_sends_validators_and_a_304_means_nothing_new(server: Server, tmp_path: Path) -> None:
    body = rss([("Dam", server.url("/dam.html"), "Mon, 04 Mar 2024 09:00:00 GMT")])

    def feed(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.end_headers()
            return
        respond(body, RSS, ETag='"v1"', Last_Modified="Mon, 04 Mar 2024 09:00:00 GMT")(h)

    server.routes["/feed.xml"] = feed
    server.routes["/dam.html"] = respond(page("dam", "Dam inspection"))

    first = fetch([server.url("/feed.xml")], tmp_path, settings())
    second = fetch([server.url("/feed.xml")], tmp_path, settings())

    assert len(first.new) == 1 and first.feeds[0].status == "ok"
    first_request, second_request = server.hits("/feed.xml")
    assert "if-none-match" not in first_request.headers
    assert second_request.headers["if-none-match"] == '"v1"'
    assert second_request.headers["if-modified-since"] == "Mon, 04 Mar 2024 09:00:00 GMT"
    assert second.feeds[0].status == "not-modified" and second.pages == [] and second.ok
    assert len(server.hits("/dam.html")) == 1


def test_a_page_that_failed_for_a_passing_reason_is_tried_next_run(server: Server, tmp_path: Path) -> None:
    server.routes["/feed.xml"] = respond(
        rss([("Pier", server.url("/pier.html"), "Mon, 04 Mar 2024 09:00:00 GMT")]), RSS, ETag='"same"'
    )
    server.routes["/pier.html"] = respond(b"busy", status=503)

    first = fetch([server.url("/feed.xml")], tmp_path, settings(fetch_retries=0))
    server.routes["/pier.html"] = respond(page("pier", "Pier reopens"))
    second = fetch([server.url("/feed.xml")], tmp_path, settings(fetch_retries=0))

    assert [r.reason for r in first.failures] == ["HTTP 503"]
    # The feed's ETag was not kept, so the second run re-reads the entries and gets the page.
    assert "if-none-match" not in server.hits("/feed.xml")[1].headers
    assert len(second.new) == 1 and second.ok


def test_same_url_or_same_text_is_fetched_once(server: Server, tmp_path: Path) -> None:
    article = page("lighthouse", "Lighthouse restored")
    server.routes["/story.html"] = respond(article)
    server.routes["/syndicated/copy.html"] = respond(article)
    server.routes["/feed.xml"] = respond(rss([
        ("Lighthouse", server.url("/story.html"), "Mon, 04 Mar 2024 09:00:00 GMT"),
        ("Lighthouse again", server.url("/story.html?utm_source=rss&utm_campaign=x#comments"), "Mon, 04 Mar 2024 09:00:00 GMT"),
        ("Lighthouse copy", server.url("/syndicated/copy.html"), "Mon, 04 Mar 2024 09:00:00 GMT"),
    ]), RSS)  # fmt: skip

    first = fetch([server.url("/feed.xml")], tmp_path, settings())
    second = fetch([server.url("/feed.xml")], tmp_path, settings())

    assert first.ok, first.failures
    assert [r.status for r in first.pages] == ["new", "seen", "duplicate"]
    assert len(list(tmp_path.glob("*.md"))) == 1
    assert len(server.hits("/story.html")) == 1
    assert {r.status for r in second.pages} == {"seen"}
    assert second.summary().endswith("(3 already seen, 0 failed)"), second.failures
    assert len(server.hits("/story.html")) == 1 and len(server.hits("/syndicated/copy.html")) == 1


def test_retries_after_a_503_and_waits_between_requests_to_a_host(server: Server, tmp_path: Path) -> None:
    calls = {"n": 0}

    def flaky(h: BaseHTTPRequestHandler) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            respond(b"try later", "text/plain", status=503)(h)
        else:
            respond(page("tunnel", "Tunnel opens"))(h)

    server.routes["/flaky.html"] = flaky
    server.routes["/b.html"] = respond(page("quarry", "Quarry closes"))
    server.routes["/feed.xml"] = respond(rss([
        ("Tunnel", server.url("/flaky.html"), "Mon, 04 Mar 2024 09:00:00 GMT"),
        ("Quarry", server.url("/b.html"), "Mon, 04 Mar 2024 09:00:00 GMT"),
    ]), RSS)  # fmt: skip
    delay = 0.2

    report = fetch([server.url("/feed.xml")], tmp_path, settings(fetch_per_host_delay_s=delay, fetch_retries=2))

    assert report.ok and len(report.new) == 2
    assert calls["n"] == 2
    times = [r.at for r in server.requests]
    # feed, robots.txt, flaky (503), flaky again, b.html: all one host, so all spaced.
    assert len(times) == 5
    assert min(b - a for a, b in itertools.pairwise(times)) >= delay


def test_inbox_files_round_trip_through_ingest(server: Server, tmp_path: Path) -> None:
    from brief.ingest import load

    server.routes["/a.html"] = respond(page("harbour", "Harbour bridge closes", "2024-03-04", "Jo Reporter"))
    server.routes["/feed.xml"] = respond(rss([("Harbour", server.url("/a.html"), "Mon, 04 Mar 2024 09:00:00 GMT")]), RSS)
    inbox = tmp_path / "inbox"
    fetch([server.url("/feed.xml")], inbox, settings())

    (article,) = load([inbox])

    assert article.title == "Harbour bridge closes"
    assert article.url == server.url("/a.html")
    assert article.outlet == "Daily Example"
    assert article.published == dt.date(2024, 3, 4)
    assert article.text.startswith(paragraphs("harbour")[0])
    assert "Harbour bridge closes" not in article.text and "---" not in article.text


def test_an_unreadable_state_file_is_a_one_line_error(server: Server, tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    state.write_bytes(b"this is not a database, just some text " * 100)
    server.routes["/feed.xml"] = respond(rss([]), RSS)

    result = CliRunner().invoke(main, ["fetch", server.url("/feed.xml"), "--inbox", str(tmp_path), "--state", str(state)])

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and str(state) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not server.requests


def test_the_nightly_state_file_is_refused(server: Server, tmp_path: Path) -> None:
    from brief.store import Store

    nightly_state = tmp_path / "brief.db"
    with Store.open(nightly_state):
        pass
    server.routes["/feed.xml"] = respond(rss([]), RSS)

    with pytest.raises(StateError, match="brief fetch its own --state"):
        fetch([server.url("/feed.xml")], tmp_path, settings(), state=nightly_state)
