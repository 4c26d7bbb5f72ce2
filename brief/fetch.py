"""Fetch RSS/Atom feeds and write each new article into an inbox folder.

All network code of ``brief`` lives here, with its limits stated up front: one
HTTP client built once with connect and read timeouts, a byte cap read in
chunks, a content-type check, redirects followed hop by hop (only to http and
https), bounded retries with exponential backoff, a minimum delay between two
requests to the same host, robots.txt, and conditional GET for feeds.

Each article becomes ``<inbox>/<sha256[:16]>.md``: YAML front matter (title, url,
outlet, date, author) and the main text trafilatura finds in the page. What was
fetched is remembered in a SQLite file of its own (default ``<inbox>/.fetch.db``),
so a URL is fetched once and an article published under two URLs is written
once. A feed or page that fails is a row with a reason, never an exception that
ends the run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import logging
import sqlite3
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx

from brief.config import Settings
from brief.errors import InputError, StateError
from brief.ingest import extract_html

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
})  # fmt: skip
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# A page that keeps failing this many times for a passing reason (timeout, 5xx) is given up.
_MAX_ATTEMPTS = 3
# The product token robots.txt rules are matched against.
ROBOTS_AGENT = "brief"

# Append only, like brief.store's: a released migration is never edited.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "fetch-001-feeds-and-pages",
        """
        CREATE TABLE fetch_feeds (
            url TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            status TEXT NOT NULL,
            reason TEXT,
            fetched_at TEXT NOT NULL
        );
        CREATE TABLE fetch_pages (
            url TEXT PRIMARY KEY,
            feed TEXT,
            status TEXT NOT NULL,
            reason TEXT,
            retryable INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 1,
            content_hash TEXT,
            path TEXT,
            title TEXT,
            fetched_at TEXT NOT NULL
        );
        CREATE INDEX fetch_pages_hash ON fetch_pages (content_hash);
        """,
    ),
)


@dataclass(frozen=True)
class FetchResult:
    """What happened to one feed or page.

    ``status`` is, for a feed: ``ok``, ``not-modified`` (HTTP 304) or ``failed``;
    for a page: ``new`` (written to the inbox), ``seen`` (fetched on an earlier
    run or earlier in this one), ``duplicate`` (same text as an article already
    in the inbox) or ``failed``.
    """

    kind: str
    url: str
    status: str
    reason: str | None = None
    feed: str | None = None
    path: Path | None = None
    content_hash: str | None = None
    title: str | None = None

    @property
    def failed(self) -> bool:
        """True when this feed or page could not be fetched or used."""
        return self.status == "failed"


@dataclass(frozen=True)
class FetchReport:
    """Every feed and page one :func:`fetch` run looked at, in order."""

    inbox: Path
    results: tuple[FetchResult, ...]

    @property
    def feeds(self) -> list[FetchResult]:
        """The feeds' results."""
        return [r for r in self.results if r.kind == "feed"]

    @property
    def pages(self) -> list[FetchResult]:
        """The pages' results."""
        return [r for r in self.results if r.kind == "page"]

    @property
    def new(self) -> list[FetchResult]:
        """Pages written to the inbox by this run."""
        return [r for r in self.pages if r.status == "new"]

    @property
    def seen(self) -> list[FetchResult]:
        """Pages skipped because their URL or their text was already fetched."""
        return [r for r in self.pages if r.status in ("seen", "duplicate")]

    @property
    def failures(self) -> list[FetchResult]:
        """Feeds and pages that failed, each with its reason."""
        return [r for r in self.results if r.failed]

    @property
    def ok(self) -> bool:
        """True when no feed and no page failed."""
        return not self.failures

    def summary(self) -> str:
        """One line: how many new articles, how many already seen, how many failed."""
        n = len(self.new)
        noun = "article" if n == 1 else "articles"
        inbox = str(self.inbox).rstrip("/") + "/"
        return f"fetched {n} new {noun} into {inbox} ({len(self.seen)} already seen, {len(self.failures)} failed)"


@dataclass(frozen=True)
class _Entry:
    """A feed entry whose page is to be fetched; its fields are the metadata fallback."""

    url: str
    feed: str
    title: str | None
    published: dt.date | None
    author: str | None


@dataclass(frozen=True)
class _Got:
    """One HTTP response: the final URL, status, headers and (for 2xx) the body."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes = b""


class _Failed(Exception):
    """A fetch that cannot succeed now; ``retryable`` when a later run may do better."""

    def __init__(self, reason: str, retryable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


# --------------------------------------------------------------------------- front door


def fetch(
    feeds: Sequence[str | Path],
    inbox: str | Path,
    settings: Settings | None = None,
    state: str | Path | None = None,
    progress: Progress | None = None,
) -> FetchReport:
    """Fetch the feeds, then every entry's page not fetched before, into ``inbox``.

    Args:
        feeds: feed URLs (http or https), text files listing feed URLs one a line
            (``#`` starts a comment), or OPML files.
        inbox: the folder the articles are written to (created if missing).
        settings: network limits and politeness (``fetch_*``, ``user_agent``).
        state: the SQLite file that remembers what was fetched (default
            ``<inbox>/.fetch.db``).
        progress: called as ``progress("pages", done, total)`` after each page.

    Returns:
        The report: one result per feed and per entry page, with reasons for failures.

    Raises:
        InputError: a FEEDS argument is neither a URL nor a readable file, or no feed is given.
        StateError: the state file cannot be opened or was written by a newer brief.
    """
    settings = settings or Settings()
    inbox = Path(inbox)
    feed_urls = feed_sources(feeds)
    try:
        inbox.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create inbox folder {inbox}: {exc.strerror or exc}") from exc
    state_path = Path(state) if state is not None else inbox / ".fetch.db"
    results: list[FetchResult] = []
    with _State.open(state_path) as db, _Http(settings) as http:
        entries: list[_Entry] = []
        validators: dict[str, tuple[str | None, str | None]] = {}
        for feed_url in feed_urls:
            result, found, valid = _read_feed(http, db, feed_url)
            results.append(result)
            entries.extend(found)
            if valid is not None:
                validators[feed_url] = valid
        pages = _fetch_pages(http, db, inbox, settings, _by_host(entries), progress)
        results.extend(pages)
        # A feed's validators are kept only when none of its pages failed for a passing
        # reason: otherwise the next run would get a 304 and never see those entries again.
        retry = {r.feed for r in pages if r.failed and db.retryable(r.url)}
        for feed_url, (etag, modified) in validators.items():
            if feed_url not in retry:
                db.save_validators(feed_url, etag, modified)
    return FetchReport(inbox, tuple(results))


def feed_sources(feeds: Sequence[str | Path]) -> list[str]:
    """The feed URLs named by FEEDS arguments, in order, without repeats.

    Args:
        feeds: URLs, feed-list text files (one URL a line, ``#`` comments) or OPML files.

    Returns:
        The URLs. Entries of a list that are not http(s) URLs are kept, to fail
        with a reason like any bad feed.

    Raises:
        InputError: an argument is neither a URL nor a readable file, or there are none.
    """
    urls: list[str] = []
    for item in feeds:
        text = str(item)
        if _is_url(text):
            urls.append(text)
            continue
        path = Path(text)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{text} is not an http(s) feed URL nor a readable file: {exc.strerror or exc}") from exc
        urls.extend(_opml_urls(data, path) if _looks_like_opml(data) else _list_urls(data, path))
    if not urls:
        raise InputError("no feeds given: " + ", ".join(str(f) for f in feeds))
    return list(dict.fromkeys(urls))


def normalise_url(url: str) -> str:
    """The URL a page is known by: no fragment, no ``utm_*`` parameters, lowercase host.

    Args:
        url: an absolute URL.

    Returns:
        The normalised URL.
    """
    parts = urlsplit(url.strip())
    # Split by hand rather than parse and re-encode, so the parameters that stay keep their spelling.
    query = "&".join(q for q in parts.query.split("&") if q and not q.lower().startswith("utm_"))
    netloc = parts.netloc.lower()
    default_port = {"http": ":80", "https": ":443"}.get(parts.scheme.lower())
    if default_port and netloc.endswith(default_port):
        netloc = netloc[: -len(default_port)]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))


def user_agent(settings: Settings) -> str:
    """The User-Agent header: ``settings.user_agent``, else ``brief/<version>`` and what it is.

    Args:
        settings: where an operator's own User-Agent (with a contact) is set.

    Returns:
        The header value.
    """
    if settings.user_agent:
        return settings.user_agent
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("brief")
    except PackageNotFoundError:
        ours = "dev"
    return f"{ROBOTS_AGENT}/{ours} (news-brief feed reader; python-httpx/{httpx.__version__})"


# --------------------------------------------------------------------------- feeds


def _is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in ("http", "https") and bool(urlsplit(text).netloc)


def _looks_like_opml(data: bytes) -> bool:
    return b"<opml" in data[:2048].lower()


def _opml_urls(data: bytes, path: Path) -> list[str]:
    """``xmlUrl`` of every outline in an OPML file, nested folders included."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError(f"cannot read OPML file {path}: {exc}") from exc
    return [o.get("xmlUrl", "").strip() for o in root.iter("outline") if o.get("xmlUrl", "").strip()]


def _list_urls(data: bytes, path: Path) -> list[str]:
    """One URL a line; blank lines and ``#`` comments (whole-line or trailing) skipped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"feed list {path} is not UTF-8 text") from exc
    urls = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0].split("\t#", 1)[0].strip()
        if line and not line.startswith("#"):
            urls.append(line)
    return urls


def _read_feed(
    http: _Http, db: _State, feed_url: str
) -> tuple[FetchResult, list[_Entry], tuple[str | None, str | None] | None]:
    """Fetch and parse one feed: its result, its entries, and the validators to keep."""
    import feedparser  # imported here: only fetch needs it

    if not _is_url(feed_url):
        return _feed_failed(db, feed_url, "not an http(s) URL"), [], None
    etag, modified = db.validators(feed_url)
    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8"}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    try:
        got = http.get(feed_url, FEED_TYPES, headers, robots=False)
    except _Failed as exc:
        return _feed_failed(db, feed_url, exc.reason), [], None
    if got.status == 304:
        db.save_feed(feed_url, "not-modified", None)
        return FetchResult("feed", feed_url, "not-modified"), [], None
    if got.status >= 400:
        return _feed_failed(db, feed_url, f"HTTP {got.status}"), [], None
    # feedparser resolves relative entry links against content-location; it is given bytes, so it never fetches.
    parsed = feedparser.parse(
        io.BytesIO(got.body),
        response_headers={"content-location": got.url, "content-type": got.headers.get("content-type", "")},
    )
    entries = [e for e in (_entry(raw, feed_url) for raw in parsed.entries) if e is not None]
    problem = _malformed(parsed)
    valid = (got.headers.get("etag"), got.headers.get("last-modified"))
    if problem:
        # The lenient parser's entries are still fetched, but the feed is reported so it gets fixed.
        log.info("feed %s is malformed (%s); %d entries recovered", feed_url, problem, len(entries))
        return _feed_failed(db, feed_url, f"malformed feed: {problem}"), entries, None
    db.save_feed(feed_url, "ok", None)
    log.info("feed %s: %d entries", feed_url, len(entries))
    return FetchResult("feed", feed_url, "ok"), entries, valid


def _malformed(parsed: Any) -> str | None:
    """Why feedparser found the document broken, or None (a charset mismatch is not broken)."""
    import feedparser

    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    benign = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    if isinstance(exc, benign):
        return None
    if not parsed.get("version") and not parsed.entries:
        return f"not a feed ({exc})" if exc else "not a feed"
    return str(exc) or type(exc).__name__


def _feed_failed(db: _State, url: str, reason: str) -> FetchResult:
    db.save_feed(url, "failed", reason)
    return FetchResult("feed", url, "failed", reason)


def _entry(raw: Mapping[str, Any], feed_url: str) -> _Entry | None:
    """The page to fetch for a feed entry, or None when it has no link."""
    link = str(raw.get("link") or "").strip()
    if not link:
        log.info("feed %s: an entry has no link; skipped", feed_url)
        return None
    published = None
    for key in ("published_parsed", "updated_parsed"):
        stamp = raw.get(key)
        if stamp:
            published = dt.date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday)
            break
    return _Entry(
        url=link,
        feed=feed_url,
        title=_clean(raw.get("title")),
        published=published,
        author=_clean(raw.get("author")),
    )


def _by_host(entries: Iterable[_Entry]) -> list[_Entry]:
    """Entries interleaved host by host, so one host's delay is spent fetching from others."""
    queues: dict[str, list[_Entry]] = defaultdict(list)
    for entry in entries:
        queues[urlsplit(entry.url).netloc.lower()].append(entry)
    out: list[_Entry] = []
    for i in range(max((len(q) for q in queues.values()), default=0)):
        out.extend(q[i] for q in queues.values() if i < len(q))
    return out


# --------------------------------------------------------------------------- pages


def _fetch_pages(
    http: _Http,
    db: _State,
    inbox: Path,
    settings: Settings,
    entries: list[_Entry],
    progress: Progress | None,
) -> list[FetchResult]:
    """Fetch, extract and write each entry's page; one result per entry."""
    results: list[FetchResult] = []
    done_now: set[str] = set()
    for done, entry in enumerate(entries, start=1):
        results.append(_fetch_page(http, db, inbox, settings, entry, done_now))
        if progress is not None:
            progress("pages", done, len(entries))
    return results


def _fetch_page(
    http: _Http, db: _State, inbox: Path, settings: Settings, entry: _Entry, done_now: set[str]
) -> FetchResult:
    """One entry's page: skipped when known, else fetched, extracted and written."""
    url = normalise_url(entry.url) if _is_url(entry.url) else entry.url
    if url in done_now or db.known(url):
        return FetchResult("page", url, "seen", feed=entry.feed)
    done_now.add(url)
    if not _is_url(entry.url):
        return _page_failed(db, entry, url, "link is not an http(s) URL", False)
    try:
        got = http.get(entry.url, PAGE_TYPES, {"Accept": "text/html, application/xhtml+xml;q=0.9"})
        if got.status >= 400:
            raise _Failed(f"HTTP {got.status}", retryable=got.status in (408, 429) or got.status >= 500)
        if got.status != 200:
            raise _Failed(f"HTTP {got.status}, not a page")
        article = _extract(got, entry, settings)
    except _Failed as exc:
        return _page_failed(db, entry, url, exc.reason, exc.retryable)
    text = article.pop("text")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    path = inbox / f"{digest[:16]}.md"
    title = article.get("title")
    if db.has_content(digest) or path.exists():
        db.save_page(url, entry.feed, "duplicate", None, False, digest, path, title)
        return FetchResult("page", url, "duplicate", feed=entry.feed, path=path, content_hash=digest, title=title)
    try:
        _write_article(path, article, text)
    except OSError as exc:
        return _page_failed(db, entry, url, f"cannot write {path}: {exc.strerror or exc}", True)
    db.save_page(url, entry.feed, "new", None, False, digest, path, title)
    log.info("wrote %s (%s)", path, url)
    return FetchResult("page", url, "new", feed=entry.feed, path=path, content_hash=digest, title=title)


def _page_failed(db: _State, entry: _Entry, url: str, reason: str, retryable: bool) -> FetchResult:
    db.save_page(url, entry.feed, "failed", reason, retryable, None, None, entry.title)
    return FetchResult("page", url, "failed", reason, feed=entry.feed, title=entry.title)


def _extract(got: _Got, entry: _Entry, settings: Settings) -> dict[str, Any]:
    """Main text and metadata of a page via trafilatura, the feed entry's fields as fallback."""
    charset = _charset(got.headers.get("content-type", ""))
    html: str | bytes = got.body
    if charset:
        try:
            html = got.body.decode(charset, errors="replace")
        except LookupError:
            pass  # an unknown charset name: trafilatura guesses from the bytes
    # trafilatura logs its own errors for pages it cannot use; the failure's reason says it once.
    try:
        with _quiet_loggers("trafilatura", "htmldate", "courlan", "justext"):
            doc = extract_html(html, got.url)
    except Exception as exc:  # a third-party parser on untrusted input may raise anything
        raise _Failed(f"cannot extract the page: {exc}") from exc
    raw = getattr(doc, "text", None) if doc is not None else None
    # trafilatura puts one paragraph on each line; Markdown wants a blank line between them.
    paras = [line.strip() for line in (raw or "").splitlines() if line.strip()]
    title = _clean(getattr(doc, "title", None)) or entry.title
    # The page's headline is usually the first paragraph too; the front matter already holds it.
    if paras and title and _clean(paras[0]) == title:
        paras = paras[1:]
    text = "\n\n".join(paras)
    if len(text) < settings.min_article_chars:
        raise _Failed(f"no article text found ({len(text)} characters)")
    date = _iso_date(getattr(doc, "date", None)) or entry.published
    meta = {
        "title": title,
        "url": normalise_url(got.url),
        "outlet": _clean(getattr(doc, "sitename", None)),
        "date": date,
        "author": _clean(getattr(doc, "author", None)) or entry.author,
    }
    return {**{k: v for k, v in meta.items() if v}, "text": text}


def _write_article(path: Path, meta: Mapping[str, Any], text: str) -> None:
    """Markdown with YAML front matter, replaced atomically."""
    import yaml

    from brief.render import atomic_write

    front = yaml.safe_dump(dict(meta), sort_keys=False, allow_unicode=True, default_flow_style=False, width=10_000)
    atomic_write(path, f"---\n{front}---\n\n{text}\n".encode())


@contextlib.contextmanager
def _quiet_loggers(*names: str) -> Iterator[None]:
    """Raise these loggers to CRITICAL for the duration, then put their levels back."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _iso_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _clean(value: Any) -> str | None:
    """A one-line metadata string, or None when empty."""
    text = " ".join(str(value).split()) if value else ""
    return text or None


# --------------------------------------------------------------------------- HTTP


class _Http:
    """The one HTTP client of a run, with the politeness and limits every request obeys."""

    def __init__(self, settings: Settings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.sleep = sleep
        self.agent = user_agent(settings)
        timeout = httpx.Timeout(settings.fetch_timeout_s, connect=settings.fetch_connect_timeout_s)
        # Redirects are followed by get(), hop by hop, so each target is checked before it is requested.
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, headers={"User-Agent": self.agent})
        self.last_request: dict[str, float] = {}
        self.robots: dict[str, RobotFileParser | _Failed] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(
        self, url: str, types: frozenset[str] | None, headers: Mapping[str, str], robots: bool = True
    ) -> _Got:
        """GET ``url``, following redirects to http(s) only; a 2xx body is read up to the cap.

        Args:
            url: the URL.
            types: the content types a 2xx response may have (None: any).
            headers: extra request headers.
            robots: check each hop against its host's robots.txt.

        Returns:
            The last response: 2xx with its body, 304, or an error status without a body.

        Raises:
            _Failed: refused by robots.txt or the redirect rules, a wrong content
                type, over the byte cap, or no answer after the retries.
        """
        current = url
        for _ in range(self.settings.fetch_max_redirects + 1):
            if robots:
                self.check_robots(current)
            got = self._with_retries(current, types, headers)
            if got.status not in _REDIRECTS:
                return got
            location = got.headers.get("location", "").strip()
            if not location:
                raise _Failed(f"HTTP {got.status} redirect without a Location")
            target = urljoin(current, location)
            scheme = urlsplit(target).scheme.lower()
            if scheme not in ("http", "https") or not urlsplit(target).netloc:
                raise _Failed(f"redirect to {scheme or 'a relative'}: URL refused ({_short(target)})")
            current = target
        raise _Failed(f"more than {self.settings.fetch_max_redirects} redirects")

    def check_robots(self, url: str) -> None:
        """Raise :class:`_Failed` unless the host's robots.txt lets us fetch ``url``.

        robots.txt is fetched once per host and run. Per RFC 9309, a 4xx means no
        rules, and one that cannot be reached (timeout, 5xx) means nothing may be fetched.
        """
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        if origin not in self.robots:
            self.robots[origin] = self._robots(origin)
        rules = self.robots[origin]
        if isinstance(rules, _Failed):
            raise _Failed(f"robots.txt unreachable ({rules.reason})", retryable=True)
        if not rules.can_fetch(ROBOTS_AGENT, url):
            raise _Failed("disallowed by robots.txt")

    def _robots(self, origin: str) -> RobotFileParser | _Failed:
        """The robots.txt rules at ``origin``, or why they cannot be had."""
        rules = RobotFileParser()
        try:
            got = self.get(f"{origin}/robots.txt", None, {}, robots=False)
        except _Failed as exc:
            return exc
        if got.status >= 500:
            return _Failed(f"HTTP {got.status}")
        lines = got.body.decode("utf-8", errors="replace").splitlines() if got.status < 300 else []
        rules.parse(lines)
        return rules

    def _with_retries(self, url: str, types: frozenset[str] | None, headers: Mapping[str, str]) -> _Got:
        """One hop, retried with exponential backoff on timeouts, connection errors, 5xx and 429."""
        retries = max(0, self.settings.fetch_retries)
        reason = ""
        for attempt in range(retries + 1):
            wait = self.settings.fetch_backoff_s * 2**attempt
            try:
                got = self._once(url, types, headers)
            except httpx.TimeoutException:
                reason = f"timed out after {self.settings.fetch_timeout_s:g} s"
            except httpx.TransportError as exc:
                reason = f"connection failed: {exc or type(exc).__name__}"
            else:
                if got.status != 429 and got.status < 500:
                    return got
                reason = f"HTTP {got.status}"
                wait = max(wait, min(_retry_after(got.headers), self.settings.fetch_max_retry_after_s))
            if attempt < retries:
                log.info("%s: %s; retrying in %.2g s", url, reason, wait)
                self.sleep(wait)
        more = f" ({retries + 1} tries)" if retries else ""
        raise _Failed(reason + more, retryable=True)

    def _once(self, url: str, types: frozenset[str] | None, headers: Mapping[str, str]) -> _Got:
        """One request after the host's delay; a 2xx body is read in chunks up to the cap."""
        self._wait_turn(url)
        cap = self.settings.fetch_max_bytes
        deadline = time.monotonic() + self.settings.fetch_timeout_s * 3
        try:
            return self._read(url, types, headers, cap, deadline)
        finally:
            # Counted from the end of a response, so a slow host also gets the full pause.
            self.last_request[urlsplit(url).netloc.lower()] = time.monotonic()

    def _read(self, url: str, types: frozenset[str] | None, headers: Mapping[str, str], cap: int, deadline: float) -> _Got:
        """The request itself: status and headers, and a 2xx body read in chunks up to ``cap``."""
        try:
            with self.client.stream("GET", url, headers=dict(headers)) as response:
                got = _Got(str(response.url), response.status_code, response.headers)
                if not 200 <= response.status_code < 300:
                    return got
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if types is not None and kind not in types:
                    raise _Failed(f"content type {kind or '(none)'} is not one of {', '.join(sorted(types))}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap:
                    raise _Failed(f"response is {int(declared):,} bytes, over the {cap:,}-byte limit")
                body = bytearray()
                # Counted after decompression, so a small gzip bomb is stopped too.
                for chunk in response.iter_bytes(chunk_size=64 * 1024):
                    body += chunk
                    if len(body) > cap:
                        raise _Failed(f"response is over the {cap:,}-byte limit")
                    if time.monotonic() > deadline:
                        # A server dripping bytes never trips the read timeout; this bounds the whole body.
                        raise httpx.ReadTimeout("body too slow", request=response.request)
                return _Got(got.url, got.status, got.headers, bytes(body))
        except httpx.InvalidURL as exc:
            raise _Failed(f"invalid URL: {exc}") from exc
        except httpx.DecodingError as exc:
            raise _Failed(f"cannot decode the response: {exc}") from exc

    def _wait_turn(self, url: str) -> None:
        """Sleep until ``fetch_per_host_delay_s`` has passed since the last response from the host."""
        last = self.last_request.get(urlsplit(url).netloc.lower())
        if last is not None:
            wait = last + self.settings.fetch_per_host_delay_s - time.monotonic()
            if wait > 0:
                self.sleep(wait)


def _retry_after(headers: Mapping[str, str]) -> float:
    """Seconds a Retry-After header asks for (its number form), else 0."""
    value = headers.get("retry-after", "").strip()
    return float(value) if value.isdigit() else 0.0


def _short(url: str, width: int = 80) -> str:
    return url if len(url) <= width else url[: width - 1] + "…"


# --------------------------------------------------------------------------- state


class _State:
    """The fetch state file: feeds' validators and every page URL tried, with its outcome."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    @contextlib.contextmanager
    def open(cls, path: Path) -> Iterator[_State]:
        """Open (and create or migrate) the state file for one run."""
        from brief.store import apply_migrations

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            # A row lost to a power cut only means a page is fetched again: no fsync per row.
            conn.execute("PRAGMA synchronous=NORMAL")
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"cannot open fetch state file {path}: {exc}") from exc
        try:
            _not_someone_elses(conn, path)
            apply_migrations(conn, path, MIGRATIONS)
            yield cls(conn, path)
        finally:
            conn.close()

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified last stored for a feed."""
        row = self._one("SELECT etag, last_modified FROM fetch_feeds WHERE url = ?", url)
        return (row[0], row[1]) if row else (None, None)

    def save_feed(self, url: str, status: str, reason: str | None) -> None:
        """Record a feed's outcome, keeping its stored validators."""
        self._write(
            "INSERT INTO fetch_feeds (url, status, reason, fetched_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (url) DO UPDATE SET status = excluded.status, reason = excluded.reason, "
            "fetched_at = excluded.fetched_at",
            url, status, reason, _now(),
        )  # fmt: skip

    def save_validators(self, url: str, etag: str | None, modified: str | None) -> None:
        """Store the ETag and Last-Modified the next run sends (conditional GET)."""
        self._write("UPDATE fetch_feeds SET etag = ?, last_modified = ? WHERE url = ?", etag, modified, url)

    def known(self, url: str) -> bool:
        """Whether a page URL needs no fetching: done, a duplicate, or failed for good."""
        row = self._one("SELECT status, retryable, attempts FROM fetch_pages WHERE url = ?", url)
        if row is None:
            return False
        status, retryable, attempts = row
        return status != "failed" or not retryable or attempts >= _MAX_ATTEMPTS

    def retryable(self, url: str) -> bool:
        """Whether a failed page will be tried again by a later run."""
        row = self._one("SELECT status FROM fetch_pages WHERE url = ?", url)
        return row is not None and not self.known(url)

    def has_content(self, digest: str) -> bool:
        """Whether an article with this text hash was already written."""
        return self._one("SELECT 1 FROM fetch_pages WHERE content_hash = ? AND status = 'new'", digest) is not None

    def save_page(
        self,
        url: str,
        feed: str,
        status: str,
        reason: str | None,
        retryable: bool,
        digest: str | None,
        path: Path | None,
        title: str | None,
    ) -> None:
        """Record a page's outcome; a page tried again counts one more attempt."""
        self._write(
            "INSERT INTO fetch_pages (url, feed, status, reason, retryable, attempts, content_hash, path, title, "
            "fetched_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
            "feed = excluded.feed, status = excluded.status, reason = excluded.reason, "
            "retryable = excluded.retryable, attempts = fetch_pages.attempts + 1, "
            "content_hash = excluded.content_hash, path = excluded.path, title = excluded.title, "
            "fetched_at = excluded.fetched_at",
            url, feed, status, reason, int(retryable), digest, str(path) if path else None, title, _now(),
        )  # fmt: skip

    def _one(self, sql: str, *args: Any) -> tuple[Any, ...] | None:
        try:
            return self.conn.execute(sql, args).fetchone()
        except sqlite3.DatabaseError as exc:
            raise StateError(f"cannot read fetch state file {self.path}: {exc}") from exc

    def _write(self, sql: str, *args: Any) -> None:
        # Autocommit: each outcome is on disk at once, so a killed run loses nothing it did.
        try:
            self.conn.execute(sql, args)
        except sqlite3.DatabaseError as exc:
            raise StateError(f"cannot write fetch state file {self.path}: {exc}") from exc


def _not_someone_elses(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a state file another command (``brief nightly``) keeps its own schema in."""
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM migrations")]
    except sqlite3.DatabaseError:
        return  # a new file, or not a database at all: apply_migrations says which
    if any(not name.startswith("fetch-") for name in names):
        raise StateError(f"{path} is another command's state file (brief nightly's?); give brief fetch its own --state")


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
