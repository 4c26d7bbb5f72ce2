"""Article metadata as real files carry it: YAML front matter, header lines, HTML meta, JSONL fields.

Ingest asks this module for what a source says about itself (title, URL, outlet,
publication date, author) before it reads the body, so explicit metadata always
beats what can be inferred from the text. Where nothing names the outlet or the
date, the URL often does: a table of well-known news domains and the registrable
domain for the rest; a dated path (``/2021/03/04/``) for the day.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import yaml
from dateutil import parser as dateparser

from brief.dates import month_number

logger = logging.getLogger(__name__)

# The names a field goes by, best first: "published" beats "updated" for the date.
_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "title": ("title", "headline", "og:title"),
    "url": ("url", "link", "canonical", "permalink", "source_url", "og:url", "web_url"),
    "published": (
        "published", "date", "published_at", "publication_date", "date_published", "datepublished",
        "pubdate", "published_time", "article:published_time", "created", "updated", "last_updated",
        "modified", "date_modified",
    ),
    "outlet": (
        "outlet", "publisher", "site", "site_name", "sitename", "source_name", "publication",
        "og:site_name", "newspaper", "source",
    ),
    "author": ("author", "authors", "by", "byline", "writer", "creator"),
})  # fmt: skip

# Well-known outlets by host suffix, for URLs whose page names no outlet. Kept as data:
# a longer suffix wins ("abcnews.go.com" before any "go.com"), and "www." is ignored.
OUTLETS: Mapping[str, str] = MappingProxyType({
    "reuters.com": "Reuters", "apnews.com": "AP", "ap.org": "AP", "afp.com": "AFP",
    "bbc.co.uk": "BBC", "bbc.com": "BBC", "theguardian.com": "The Guardian", "guardian.co.uk": "The Guardian",
    "nytimes.com": "The New York Times", "washingtonpost.com": "The Washington Post",
    "wsj.com": "The Wall Street Journal", "ft.com": "Financial Times", "bloomberg.com": "Bloomberg",
    "economist.com": "The Economist", "aljazeera.com": "Al Jazeera", "cnn.com": "CNN", "dw.com": "DW",
    "france24.com": "France 24", "npr.org": "NPR", "cbsnews.com": "CBS News", "nbcnews.com": "NBC News",
    "abcnews.go.com": "ABC News", "abc.net.au": "ABC News (Australia)", "foxnews.com": "Fox News",
    "usatoday.com": "USA Today", "latimes.com": "Los Angeles Times", "politico.com": "Politico",
    "politico.eu": "Politico Europe", "axios.com": "Axios", "euronews.com": "Euronews",
    "independent.co.uk": "The Independent", "telegraph.co.uk": "The Telegraph", "news.sky.com": "Sky News",
    "thetimes.co.uk": "The Times", "rferl.org": "RFE/RL", "voanews.com": "VOA", "cbc.ca": "CBC",
    "theglobeandmail.com": "The Globe and Mail", "scmp.com": "South China Morning Post",
    "straitstimes.com": "The Straits Times", "channelnewsasia.com": "CNA", "japantimes.co.jp": "The Japan Times",
    "thehindu.com": "The Hindu", "hindustantimes.com": "Hindustan Times", "timesofisrael.com": "The Times of Israel",
    "haaretz.com": "Haaretz", "smh.com.au": "The Sydney Morning Herald", "time.com": "TIME",
    "theatlantic.com": "The Atlantic", "pbs.org": "PBS", "apnews.org": "AP",
})  # fmt: skip

_YEAR_IN = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_NOTE = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")  # "2015-11-23 (estimated from page)"
_URLISH = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_DOMAINISH = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$", re.IGNORECASE)
_HEADER_LINE = re.compile(r"^[*_]{0,2}(?P<key>[A-Za-z][\w:. -]{0,30}?)[*_]{0,2}\s*:[*_]{0,2}\s+(?P<value>\S.*)$")
_MD_HEADING = re.compile(r"^#{1,6}\s+\S")
_FENCE = re.compile(r"^(?:---|\.\.\.)\s*$")
_URL_DATES = (
    re.compile(r"/(?P<y>(?:19|20)\d{2})[/-](?P<m>\d{1,2})[/-](?P<d>\d{1,2})(?=[/_-]|\.\w+$|$)"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?=[/_-]|\.\w+$|$)"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<mon>[a-z]{3,9})/(?P<d>\d{1,2})(?=/|$)", re.IGNORECASE),
)
_FILENAME_DATE = re.compile(r"(?<![\dA-Za-z])(?P<y>(?:19|20)\d{2})[-_](?P<m>\d{2})[-_](?P<d>\d{2})(?!\d)")
# JSON-LD types whose "headline" and "datePublished" describe the page's article.
_ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
    "liveblogposting", "backgroundnewsarticle", "opinionnewsarticle", "webpage", "report",
})  # fmt: skip
_MAX_HEADER_LINES = 12
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(frozen=True)
class Meta:
    """What a source states about itself; every field is explicit metadata or None."""

    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    author: str | None = None

    def fill(self, other: Meta) -> Meta:
        """This metadata with its gaps filled from ``other``.

        Args:
            other: weaker metadata (e.g. meta tags under an explicit JSONL record).

        Returns:
            A new :class:`Meta`; a field set here is never replaced.
        """
        gaps = {f.name: getattr(other, f.name) for f in fields(self) if getattr(self, f.name) is None}
        return replace(self, **gaps)

    def items(self) -> Iterator[tuple[str, object]]:
        """The fields that are set, as (name, value) pairs."""
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None:
                yield f.name, value


@dataclass(frozen=True)
class Split:
    """A body with its metadata taken off the top."""

    meta: Meta
    body: str
    lines: tuple[str, ...]  # the metadata lines as they stood, for the dropped-lines audit


# --------------------------------------------------------------------------- values


def parse_date(value: Any) -> dt.date | None:
    """A calendar date from a metadata value, or None when it does not name one.

    Args:
        value: a ``date``/``datetime`` (YAML gives these), or a string such as
            ``2015-11-23``, ``2015-11-23T08:00:00Z``, ``23 November 2015`` or
            ``2015-11-23 (estimated from page)``; a note in brackets is ignored.

    Returns:
        The date as written (no time-zone shift), or None; a string without a
        four-digit year is refused, since the parser would fill the year in from today.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = _NOTE.sub("", value.strip())
    if not _YEAR_IN.search(text):
        return None
    try:
        found = dateparser.parse(text, default=dt.datetime(2000, 1, 1), ignoretz=True)
    except (ValueError, OverflowError, TypeError):
        return None
    return found.date() if found is not None else None


def is_url(value: str) -> bool:
    """Whether a metadata value is a web address rather than a name."""
    return bool(_URLISH.match(value.strip()))


def _text(value: Any) -> str | None:
    """A one-line string from a metadata value; lists are joined, dicts give their ``name``."""
    if isinstance(value, Mapping):
        value = value.get("name")
    if isinstance(value, (list, tuple)):
        parts = [t for v in value if (t := _text(v))]
        return ", ".join(dict.fromkeys(parts)) or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return re.sub(r"\s+", " ", value).strip() or None


def _key(name: str) -> str:
    """A field name compared loosely: "Published At", "published-at" and "publishedAt" match."""
    name = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[\s_-]+", "_", name.lower())


def from_mapping(values: Mapping[str, Any]) -> Meta:
    """Metadata from a mapping of field names (YAML front matter, a JSONL record, header lines).

    Args:
        values: keys in any case and spelling (``Title``, ``headline``, ``published_at``);
            ``source`` is the URL when it is a web address, else the outlet.

    Returns:
        The fields found; unknown keys are ignored.
    """
    lowered: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(name, str):
            lowered.setdefault(_key(name), value)
    found: dict[str, Any] = {}
    for field_name, names in _KEYS.items():
        for name in names:
            value = lowered.get(name)
            parsed: dt.date | str | None
            if field_name == "published":
                parsed = parse_date(value)
            else:
                text = _text(value)
                # "Source:" names the page's address or its outlet; each goes where it belongs.
                if text and field_name == "outlet" and name == "source" and is_url(text):
                    found.setdefault("url", text)
                    continue
                if text and field_name == "url" and not is_url(text):
                    continue
                parsed = text
            if parsed is not None:
                found.setdefault(field_name, parsed)
                break
    if "url" not in found and (source := _text(lowered.get("source"))) and is_url(source):
        found["url"] = source
    return Meta(**found)


# --------------------------------------------------------------------------- text files


def split_front_matter(text: str) -> Split | None:
    """YAML front matter (a ``---`` block at the very top) and the body below it.

    Args:
        text: a whole Markdown or text file.

    Returns:
        The metadata, the body and the front-matter lines; None when the file has
        no front matter. A block that is not valid YAML (an unquoted colon in a
        title is common) is read line by line as ``key: value`` instead.
    """
    lines = text.lstrip("\ufeff").split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None or lines[start].strip() != "---":
        return None
    end = next((i for i in range(start + 1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None:
        return None
    block = lines[start + 1 : end]
    try:
        data = yaml.safe_load("\n".join(block))
    except yaml.YAMLError:
        data = _pairs(block)
    if not isinstance(data, Mapping):
        return None
    kept = tuple(line.strip() for line in block if line.strip())
    return Split(from_mapping(data), "\n".join(lines[end + 1 :]), kept)


def _pairs(lines: list[str]) -> dict[str, str]:
    """``key: value`` lines as a mapping; the first of a repeated key wins."""
    out: dict[str, str] = {}
    for line in lines:
        match = _HEADER_LINE.match(line.strip())
        if match:
            out.setdefault(match["key"].strip(), match["value"].strip().strip("\"'"))
    return out


def _header_value(key: str, value: str, first: bool) -> bool:
    """Whether ``key: value`` reads as a header line: a known key with a fitting value, or a short extra."""
    key = _key(key)
    field_name = next((name for name, keys in _KEYS.items() if key in keys), None)
    words = len(value.split())
    if field_name is None:
        # "Category: World" may sit among header lines, but never opens a header.
        return not first and words <= 12
    if field_name == "published":
        return parse_date(value) is not None
    if field_name == "url" or (key == "source" and is_url(value)):
        return is_url(value)
    # A prose sentence ("Source: a person familiar with the talks said ...") is text, not a field.
    return words <= (40 if field_name == "title" else 10)


def split_header(text: str) -> Split | None:
    """A block of ``Key: value`` lines at the top of a text file, and the body below it.

    The block may follow one Markdown heading line. It counts as a header when its
    first line has a known key (Title, Headline, Source, URL, Link, Date, Published,
    Updated, Outlet, Publisher, Site, Author, By; any case) with a value that fits
    (a date for Date, a web address for URL), and every line up to the first blank
    line is ``Key: value`` with a short key; two or more such lines count even when
    the body follows without a blank line. A date may carry a note in brackets.
    Unknown keys in the block ("Category: World") are dropped too.

    Args:
        text: a whole text or Markdown file (without front matter).

    Returns:
        The metadata, the body with the header lines removed, and those lines;
        None when the file does not open with a header.
    """
    lines = text.lstrip("\ufeff").split("\n")
    i = next((n for n, line in enumerate(lines) if line.strip()), None)
    if i is None:
        return None
    heading = i if _MD_HEADING.match(lines[i].strip()) else None
    if heading is not None:
        i += 1
    taken: list[int] = []
    while i < len(lines) and lines[i].strip() and len(taken) < _MAX_HEADER_LINES:
        match = _HEADER_LINE.match(lines[i].strip())
        if not match or len(match["key"].split()) > 2 or not _header_value(match["key"], match["value"], not taken):
            break
        taken.append(i)
        i += 1
    # A header is a whole block, or at least two field lines straight above the body: a first
    # paragraph that opens "Source: ..." is not one.
    if not taken or (i < len(lines) and lines[i].strip() and len(taken) < 2):
        return None
    header = [lines[n].strip() for n in taken]
    meta = from_mapping(_pairs(header))
    body = [line for n, line in enumerate(lines) if n not in set(taken)]
    return Split(meta, "\n".join(body), tuple(header))


# --------------------------------------------------------------------------- HTML


def from_html(html: str) -> Meta:
    """Metadata from an HTML page's ``<meta>`` tags, canonical link and JSON-LD.

    Args:
        html: the page source.

    Returns:
        JSON-LD (``headline``, ``datePublished``, ``publisher.name``, ``author``,
        ``url``) first, then Open Graph and article meta tags, then ``<link rel=canonical>``.
        Empty when the page cannot be parsed.
    """
    import lxml.etree
    import lxml.html  # imported here: only HTML sources need it

    try:
        # lxml refuses a str that declares its own encoding; the text is decoded already.
        tree = lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (ValueError, lxml.etree.LxmlError):
        return Meta()
    tags: dict[str, str] = {}
    for node in tree.iter("meta"):
        name = node.get("property") or node.get("name") or node.get("itemprop")
        content = node.get("content")
        if name and content and content.strip():
            tags.setdefault(name.strip().lower(), content.strip())
    meta = Meta(
        title=tags.get("og:title") or tags.get("twitter:title"),
        url=tags.get("og:url"),
        outlet=tags.get("og:site_name") or tags.get("application-name"),
        published=next(
            (d for k in ("article:published_time", "og:published_time", "datepublished", "pubdate",
                         "publish-date", "date", "dc.date", "dcterms.date", "sailthru.date", "parsely-pub-date")
             if (d := parse_date(tags.get(k)))),
            None,
        ),
        author=tags.get("author") or tags.get("article:author"),
    )  # fmt: skip
    canonical = next((n.get("href") for n in tree.iter("link") if (n.get("rel") or "").lower() == "canonical"), None)
    if canonical and is_url(canonical):
        meta = meta.fill(Meta(url=canonical.strip()))
    return _json_ld(tree).fill(meta)


def _json_ld(tree: Any) -> Meta:
    """The first article object among the page's JSON-LD blocks."""
    for node in tree.iter("script"):
        if (node.get("type") or "").strip().lower() != "application/ld+json" or not node.text:
            continue
        try:
            data = json.loads(node.text)
        except json.JSONDecodeError:
            continue
        for item in _ld_items(data):
            kinds = item.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
                page = item.get("mainEntityOfPage")
                url = _text(item.get("url")) or _text(page.get("@id") if isinstance(page, dict) else page)
                return Meta(
                    title=_text(item.get("headline")) or _text(item.get("name")),
                    url=url if url and is_url(url) else None,
                    outlet=_text(item.get("publisher")),
                    published=parse_date(item.get("datePublished")) or parse_date(item.get("dateCreated")),
                    author=_text(item.get("author")),
                )
    return Meta()


def _ld_items(data: Any) -> Iterator[dict[str, Any]]:
    """Every object in a JSON-LD value, including those in lists and ``@graph``."""
    if isinstance(data, list):
        for item in data:
            yield from _ld_items(item)
    elif isinstance(data, dict):
        yield data
        yield from _ld_items(data.get("@graph", []))


def is_domain(value: str) -> bool:
    """Whether a site name is only a host name ("example.org"), as some extractors fill in."""
    return bool(_DOMAINISH.match(value.strip()))


# --------------------------------------------------------------------------- URLs and file names


def _host(url: str) -> str:
    """The lower-case host of a URL, without ``www.``; empty when there is none."""
    try:
        host = urlsplit(url if "://" in url else "http://" + url).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


@lru_cache(maxsize=1)
def _extractor() -> Any:
    """tldextract with its bundled public-suffix snapshot: no download, no cache file."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def outlet_from_url(url: str | None) -> str | None:
    """The outlet a URL belongs to: a well-known name from :data:`OUTLETS`, else its registrable domain.

    Args:
        url: a web address, e.g. ``https://www.bbc.co.uk/news/world-123``.

    Returns:
        ``"BBC"`` for that example; ``"example.org"`` for ``https://news.example.org/a``;
        None when the URL has no host.
    """
    host = _host(url or "")
    if not host or "." not in host:
        return None
    return known_outlet(host) or _extractor()(host).top_domain_under_public_suffix or host


def known_outlet(url: str | None) -> str | None:
    """The name :data:`OUTLETS` gives a URL's or host's site, or None when the table lacks it.

    Args:
        url: a web address or a bare host ("www.reuters.com").

    Returns:
        The outlet's name, e.g. ``"Reuters"``.
    """
    parts = _host(url or "").split(".")
    return next((name for n in range(len(parts) - 1) if (name := OUTLETS.get(".".join(parts[n:])))), None)


def date_from_url(url: str | None) -> dt.date | None:
    """The date in a dated URL path: ``/2021/03/04/``, ``/20210304/``, ``/2021-03-04/``, ``/2021/mar/04/``.

    Args:
        url: a web address.

    Returns:
        The date, or None when the path has no whole date.
    """
    if not url:
        return None
    try:
        path = urlsplit(url if "://" in url else "http://" + url).path
    except ValueError:
        return None
    for pattern in _URL_DATES:
        for match in pattern.finditer(path):
            month = _month(match)
            if month and (day := _date(int(match["y"]), month, int(match["d"]))):
                return day
    return None


def date_from_filename(name: str) -> dt.date | None:
    """The date a file name carries as ``YYYY-MM-DD`` or ``YYYY_MM_DD``, else None.

    Args:
        name: a file name or path (only the last part is read).

    Returns:
        The date, or None. Bare digit runs are ignored: content hashes contain them.
    """
    base = re.split(r"[/\\]", name)[-1]
    match = _FILENAME_DATE.search(base)
    return _date(int(match["y"]), int(match["m"]), int(match["d"])) if match else None


def _month(match: re.Match[str]) -> int | None:
    """The month a URL date match names, by number or by name."""
    groups = match.groupdict()
    if groups.get("mon"):
        try:
            return month_number(groups["mon"])
        except ValueError:
            return None
    return int(groups["m"])


def _date(year: int, month: int, day: int) -> dt.date | None:
    """A date, or None for an impossible one."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
