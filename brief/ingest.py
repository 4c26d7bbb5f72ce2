"""Turn files, folders and JSONL into clean :class:`~brief.records.Article` records.

Sources are plain text, Markdown, HTML (main text via trafilatura) or JSONL (one
article a line). Every source goes through the same line-level boilerplate rules;
each removed line is kept as a :class:`~brief.records.DroppedLine` with its reason
so a user can audit what was thrown away. Title, outlet, URL, publication date
and author come from the source's own metadata where there is any (see
:mod:`brief.metadata`), else from its URL, else from general signals in the text;
each article records where every field came from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import statistics
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brief import metadata
from brief.config import Settings
from brief.dates import WEEKDAYS, month_number
from brief.errors import InputError
from brief.records import Article, DroppedLine

logger = logging.getLogger(__name__)

# File suffix -> how the file is read; everything else in a folder is ignored.
KINDS: dict[str, str] = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
}


@dataclass(frozen=True)
class Skipped:
    """A source that was not loaded, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Loaded:
    """What :func:`load_report` read: the articles and the sources it skipped."""

    articles: list[Article]
    skipped: list[Skipped]


class _Skip(Exception):
    """Raised inside ingest for a source that is skipped with a warning."""


# Where a field's value came from, most trusted first.
ORIGINS = ("metadata", "url", "dateline", "filename", "text")
# Dates a source states outright; the brief's date prefers these to inferred ones.
EXPLICIT = frozenset({"metadata", "url"})


@dataclass(frozen=True)
class _Source:
    """One decoded article body with whatever metadata came with it."""

    path: str
    kind: str  # "text", "markdown" or "html"
    body: str
    meta: metadata.Meta = field(default_factory=metadata.Meta)
    meta_lines: tuple[str, ...] = ()  # header or front-matter lines taken off the body


@dataclass
class _Doc:
    """An article between cleaning and dating; ``raw`` keeps dropped lines for date hints."""

    source: _Source
    title: str
    outlet: str | None
    text: str
    raw: str
    dropped: tuple[DroppedLine, ...]
    published: dt.date | None = None
    url: str | None = None
    author: str | None = None
    origins: dict[str, str] = field(default_factory=dict)

    @property
    def published_from(self) -> str | None:
        """Where the date came from."""
        return self.origins.get("published")


# --------------------------------------------------------------------------- public API


def load(paths: Sequence[str | Path], settings: Settings | None = None) -> list[Article]:
    """Read articles from folders, files and JSONL files.

    Skipped sources (binary, undecodable, empty, oversize, not English) are logged
    as warnings; use :func:`load_report` to get them as records instead.

    Args:
        paths: folders (searched recursively for known suffixes), files, or JSONL files.
        settings: limits such as ``max_article_bytes`` and ``min_article_chars``.

    Returns:
        The articles, sorted by path (JSONL by line), without duplicate ids.

    Raises:
        InputError: a path does not exist, a folder holds no article files, or
            no source could be read as an article.
    """
    loaded = load_report(paths, settings)
    for skipped in loaded.skipped:
        logger.warning("skipped %s: %s", skipped.path, skipped.reason)
    return loaded.articles


def load_report(paths: Sequence[str | Path], settings: Settings | None = None) -> Loaded:
    """Like :func:`load`, but return the skipped sources instead of logging them.

    Args:
        paths: folders, files, or JSONL files.
        settings: ingest limits; the defaults when ``None``.

    Returns:
        The articles and the skipped sources with reasons.

    Raises:
        InputError: as for :func:`load`.
    """
    settings = settings or Settings()
    files = _collect(paths)
    skipped: list[Skipped] = []
    docs: list[_Doc] = []
    for path in files:
        for item in _read(path, settings):
            if isinstance(item, Skipped):
                skipped.append(item)
                continue
            try:
                docs.append(_prepare(item, settings))
            except _Skip as exc:
                skipped.append(Skipped(item.path, str(exc)))
    _assign_dates(docs)
    articles = _dedupe([_to_article(doc) for doc in docs])
    if not articles:
        why = "; ".join(f"{Path(s.path).name}: {s.reason}" for s in skipped[:3])
        more = f" (and {len(skipped) - 3} more)" if len(skipped) > 3 else ""
        raise InputError(f"no readable articles in {_show(paths)}: {why}{more}")
    return Loaded(articles, skipped)


def article_id(text: str) -> str:
    """The id of an article: the first 16 hex digits of the sha256 of its clean text.

    Args:
        text: the clean body text.

    Returns:
        A 16-character lowercase hex string.
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# --------------------------------------------------------------------------- finding files


def _show(paths: Sequence[str | Path]) -> str:
    """A short description of the given paths for error messages."""
    names = [str(p) for p in paths]
    return names[0] if len(names) == 1 else f"{len(names)} paths"


def _collect(paths: Sequence[str | Path]) -> list[Path]:
    """Every file to read, sorted and without repeats."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if not paths:
        raise InputError("no sources given")
    found: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"no such file or folder: {path}")
        if path.is_dir():
            inside = _walk(path)
            if not inside:
                suffixes = ", ".join(sorted(KINDS))
                raise InputError(f"no article files ({suffixes}) in folder {path}")
            found.update(inside)
        else:
            found.add(path)
    return sorted(found, key=lambda p: str(p))


def _walk(folder: Path) -> list[Path]:
    """Files with a known suffix under ``folder``, skipping hidden files and folders."""
    out = []
    for path in folder.rglob("*"):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if not hidden and path.is_file() and path.suffix.lower() in KINDS:
            out.append(path)
    return out


# --------------------------------------------------------------------------- reading


def _read(path: Path, settings: Settings) -> Iterator[_Source | Skipped]:
    """Decode one file into sources, or say why it is skipped."""
    kind = KINDS.get(path.suffix.lower(), "text")
    try:
        if kind == "jsonl":
            yield from _read_jsonl(path, settings)
            return
        size = path.stat().st_size
        if size > settings.max_article_bytes:
            raise _Skip(f"file is {size:,} bytes, over the {settings.max_article_bytes:,}-byte limit")
        text = _decode(path.read_bytes())
        if kind == "text" and _looks_like_html(text):
            kind = "html"
        yield _from_html(str(path), text) if kind == "html" else _from_text(str(path), kind, text)
    except _Skip as exc:
        yield Skipped(str(path), str(exc))
    except OSError as exc:
        yield Skipped(str(path), f"cannot read file: {exc.strerror or exc}")


def _decode(data: bytes) -> str:
    """Text from bytes, or :class:`_Skip` for binary and undecodable data."""
    if b"\x00" in data:
        raise _Skip("binary file (contains NUL bytes)")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _Skip("not UTF-8 or cp1252 text")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    # cp1252 decodes almost any byte, so control characters are what give binary away.
    if controls > max(3, len(text) // 200):
        raise _Skip("binary file (control characters)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_like_html(text: str) -> bool:
    """True when a file of unknown kind is an HTML page."""
    head = text.lstrip()[:500].lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head)


def _read_jsonl(path: Path, settings: Settings) -> Iterator[_Source | Skipped]:
    """One source per line of a JSONL file; bad lines are skipped, not fatal."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            where = f"{path}:{number}"
            if not line.strip():
                continue
            try:
                if len(line) > settings.max_article_bytes:
                    raise _Skip(
                        f"record is {len(line):,} bytes, over the {settings.max_article_bytes:,}-byte limit"
                    )
                yield _from_record(where, json.loads(_decode(line)))
            except _Skip as exc:
                yield Skipped(where, str(exc))
            except json.JSONDecodeError as exc:
                yield Skipped(where, f"not valid JSON: {exc.msg}")


def _from_text(path: str, kind: str, text: str) -> _Source:
    """A text or Markdown source with its front matter or header block taken off the top."""
    split = metadata.split_front_matter(text)
    if split is not None:
        # A header block may still follow front matter that left fields out.
        below = metadata.split_header(split.body)
        if below is not None:
            split = metadata.Split(split.meta.fill(below.meta), below.body, split.lines + below.lines)
    else:
        split = metadata.split_header(text)
    if split is None:
        return _Source(path, kind, text)
    return _Source(path, kind, split.body, split.meta, split.lines)


def _from_record(where: str, record: Any) -> _Source:
    """A source from one JSONL object."""
    if not isinstance(record, dict):
        raise _Skip("JSONL line is not an object")
    meta = metadata.from_mapping({k: v for k, v in record.items() if k not in ("text", "html")})
    if isinstance(record.get("text"), str) and record["text"].strip():
        body = _decode(record["text"].encode("utf-8"))
        inner = _from_text(where, "text", body)
        return _Source(where, "text", inner.body, meta.fill(inner.meta), inner.meta_lines)
    if isinstance(record.get("html"), str) and record["html"].strip():
        page = _from_html(where, record["html"])
        return _Source(where, "html", page.body, meta.fill(page.meta))
    raise _Skip("JSONL record has no 'text' or 'html'")


def _text_field(value: Any) -> str | None:
    """A stripped string field, or None when absent or empty."""
    return value.strip() or None if isinstance(value, str) else None


def extract_html(html: str | bytes, url: str | None = None) -> Any:
    """trafilatura's main text and metadata of a page, as both ingest and ``brief fetch`` read it.

    Args:
        html: the page.
        url: where it came from, when known (helps trafilatura with dates and the site name).

    Returns:
        trafilatura's document (``.text``, ``.title``, ``.sitename``, ``.date`` ...), or None.

    Raises:
        Exception: whatever the third-party parser raises on untrusted input.
    """
    import trafilatura  # imported here: slow to import and only needed for HTML

    return trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )


def _from_html(where: str, html: str) -> _Source:
    """Main text of an HTML page via trafilatura; its metadata from trafilatura, meta tags and JSON-LD."""
    try:
        doc = extract_html(html)
    except Exception as exc:  # a third-party parser on untrusted input may raise anything
        raise _Skip(f"cannot parse HTML: {exc}") from exc
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        raise _Skip("no article text found in HTML")
    # trafilatura puts one paragraph on each line; make each its own block.
    body = "\n\n".join(line for line in text.splitlines() if line.strip())
    sitename = _text_field(getattr(doc, "sitename", None))
    found = metadata.Meta(
        title=_text_field(getattr(doc, "title", None)),
        url=_text_field(getattr(doc, "url", None)),
        # trafilatura names the site after its host when the page does not: that is the URL's word, not the page's.
        outlet=None if sitename and metadata.is_domain(sitename) else sitename,
        published=metadata.parse_date(getattr(doc, "date", None)),
        author=_text_field(getattr(doc, "author", None)),
    )
    # The page's own tags state the date and publisher outright; trafilatura's date may be a guess
    # from the page, and its site name may be the whole website's ("X Online") rather than the publisher's.
    tags = metadata.from_html(html)
    found = metadata.Meta(published=tags.published, outlet=tags.outlet).fill(found).fill(tags)
    return _Source(where, "html", body, found)


# --------------------------------------------------------------------------- cleaning

_BULLET = re.compile(r"^(?:\d{1,2}[.)]|[•·*▪►‣◦-])\s+")
_NAV_LINES = frozenset(
    {
        "accessibility links", "breaking news", "menu", "main menu", "navigation", "search",
        "share", "share this", "share this article", "share this story", "print", "email",
        "home", "close", "back to top", "top stories", "latest news", "most read", "most popular",
        "related", "related articles", "related stories", "related content", "read more", "more",
        "comments", "log in", "login", "sign in", "register", "subscribe", "newsletter",
        "toggle navigation", "open menu", "close menu", "next", "previous", "advertisement",
        "recommended", "recommended for you", "most viewed", "most shared", "trending", "trending now", "topics",
        "featured", "featured video", "more stories", "you may also like", "you might also like", "print this page",
        "report an error", "copy link", "link copied", "continue reading", "continue reading the main story",
        "facebook", "twitter", "linkedin", "whatsapp", "reddit", "telegram", "pinterest", "supported by",
    }
)  # fmt: skip
_NAV = re.compile(
    r"^(?:skip|jump|go) to\b|^(?:advertisement|sponsored(?: content)?)$|^advertisement\W+scroll to continue"
    r"|^share (?:on|via|to|this)\b.{0,40}$|^(?:(?:facebook|twitter|x|whatsapp|linkedin|email|reddit|telegram"
    r"|messenger|copy link|print)\W*){2,}$|^(?:story|article) continues below\b|^listen to this article\b"
    r"|^\d+\s+min(?:ute)?s? read$|^tags?\s*:|^(?:updated|published|posted)\s+\d+\s+"
    r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?)\s+ago$",
    re.IGNORECASE,
)
_PLAYER = re.compile(
    r"^(?:please wait|loading\W*|no media source currently available|your browser does(?: not|n't) support.*"
    r"|(?:\d{1,2}:)?\d{1,2}:\d{2}(?:\s+(?:\d{1,2}:)?\d{1,2}:\d{2})*)$",
    re.IGNORECASE,
)
_BLURB = re.compile(r"^(?:watch|video|listen|audio|photos|gallery)\s*:", re.IGNORECASE)
_RELATED = re.compile(r"^(?:read more|read also|also read|see also|related|more on this)\s*:", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"^(?:\d+\s*[x×:]\s*\d+\s+)?(?:image|photo|picture|video|gallery|audio|graphic|infographic)"
    r"(?:\s+\d+(?:\s*(?:of|/)\s*\d+)?)?$",
    re.IGNORECASE,
)
_CREDIT_LINE = re.compile(
    r"^(?:image|photo|picture|photograph|credit|photo credit|caption|foto|bild)s?\s*:"
    # "Jane Doe/AFP via Getty Images", "(AP Photo/Jane Doe)": a stock or agency photo credit.
    r"|^(?:\S+\s+){0,7}\S*(?:getty images|shutterstock|alamy(?: stock photo)?)\)?$|^\(?(?:ap|afp|reuters|epa)\s+photo\b",
    re.IGNORECASE,
)
# "...at the scene.Jane Doe/The Associated Press": a "Photographer/Agency" credit glued to a caption.
_CREDIT_TAIL = re.compile(
    r"(?:^|[.!?)\s])\s*[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3}/(?:The )?[A-Z][\w.&'-]*(?: [A-Z][\w.&'-]*){0,3}\s*$"
)
_CAPTION_START = re.compile(
    r"^(?:in\s+)?this\s+(?:[\w-]+\s+){0,3}(?:photo|photograph|picture|image|frame grab|handout)\b",
    re.IGNORECASE,
)
_LINK = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_SIGNOFF = re.compile(
    r"^[-–—]\s*[A-Z][\w.&'/]*(?:(?:\s*[,/&]\s*|\s+and\s+|\s+)[A-Z][\w.&'/]*){0,3}$"  # "- AP"
    r"|^[a-z]{2,4}(?:/[a-z]{2,4})+(?:\s*\([^()]{1,80}\))?$"  # "ab/cd (AFP, Reuters)"
    r"|^\([A-Za-z.\- ]{2,30}(?:(?:,\s*|\s+and\s+|/)[A-Za-z.\- ]{2,30}){0,5}\)$"  # "(AP, Reuters)"
)
_CREDITS = re.compile(
    r"^(?:with\s+)?(?:additional\s+)?(?:reporting|writing|editing|compiled|produced)\s+(?:by|from)\b",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^by\s+[\w.'-]+(?:\s+[\w.'&-]+){0,6}$", re.IGNORECASE)
_PROMO = re.compile(
    r"\b(?:journalists|reporters|correspondents)\s+(?:report|cover|bring|deliver|provide)\b.*"
    r"\b(?:languages|countries|news)\b"
    r"|^we provide\b|^(?:follow|like) us on\b|^(?:sign up|subscribe)\b.*\b(?:newsletter|updates|alerts)\b"
    r"|^(?:support|donate to) (?:our|independent) journalism\b|^download (?:our|the) app\b"
    r"|\ball rights reserved\b|^(?:©|\(c\)|copyright\s*(?:©|\(c\)|\d{4}))"
    r"|^sign up (?:to|for)\b|^get (?:our|the) (?:free )?(?:\w+ )?newsletter|^enter your email|^subscribe(?: now| today)?$"
    r"|^already a subscriber|^click here to (?:subscribe|sign up)|^our standards\s*:"
    r"|^this (?:article|story) (?:was )?(?:originally|first) (?:published|appeared)\b",
    re.IGNORECASE,
)
_URL_KEYS = frozenset({"source", "url", "link", "canonical", "permalink", "original"})
_META_LINE = re.compile(
    r"^(?P<key>source|url|link|canonical|permalink|original|date|published|updated|posted|last updated"
    r"|first published|publication date)\s*:\s*(?P<value>\S.*)$",
    re.IGNORECASE,
)
_COOKIE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_COOKIE_ACT = re.compile(r"\b(?:accept|consent|privacy|we use|this (?:site|website)|manage)\b", re.IGNORECASE)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_IMAGE = re.compile(r"^!\[[^\]]*\]\([^)]*\)$")
_SENTENCE_END = (".", "!", "?", '"', "”", "’", "'", ")")
_MEDIA_REASONS = frozenset({"photo caption", "photo credit", "short link", "media placeholder"})


def _is_metadata_line(line: str) -> bool:
    """A stray "Source: https://..." or "Published: 2021-03-04 (updated)" line anywhere in the body."""
    match = _META_LINE.match(line)
    if not match:
        return False
    value = match["value"].strip()
    if metadata.is_url(value):
        return True
    return match["key"].lower() not in _URL_KEYS and len(value.split()) <= 12 and bool(
        metadata.parse_date(value) and not re.search(r"[.!?]\s+\w", value)
    )


def _line_reason(line: str) -> str | None:
    """Why a single line is boilerplate, judged by the line alone; None to keep it."""
    if _SIGNOFF.match(line) or _CREDITS.match(line):
        return "sign-off"
    if _is_metadata_line(line):
        return "metadata"
    bare = _BULLET.sub("", line).strip()
    lower = bare.lower().rstrip(":")
    if lower in _NAV_LINES or _NAV.match(bare):
        return "navigation"
    if _PLAYER.match(bare):
        return "media player"
    if _BLURB.match(bare):
        return "video blurb"
    if _RELATED.match(bare):
        return "related link"
    if _PLACEHOLDER.match(bare):
        return "media placeholder"
    if _MD_IMAGE.match(bare):
        return "image"
    if _LINK.match(bare):
        return "short link"
    if _CAPTION_START.match(bare):
        return "photo caption"
    if _CREDIT_LINE.match(bare) or _CREDIT_TAIL.search(bare):
        return "photo credit"
    if _is_dateline(bare):
        return "dateline"
    if _BYLINE.match(bare) and not bare.endswith(_SENTENCE_END):
        return "byline"
    if not bare.startswith(('"', "“")) and _PROMO.search(bare):
        return "promotion"
    if len(bare) < 400 and _COOKIE.search(bare) and _COOKIE_ACT.search(bare):
        return "cookie banner"
    return None


def _is_heading(line: str, max_words: int) -> bool:
    """A short line that reads like a headline: capitalised, no closing sentence punctuation."""
    words = line.split()
    return (
        0 < len(words) <= max_words
        and len(line) <= 160
        and (line[0].isupper() or line[0].isdigit())
        and not line.endswith((".", ",", ";", ":"))
    )


def _is_subheading(line: str) -> bool:
    """A section heading inside the body: shorter than a title and with no end punctuation."""
    return _is_heading(line, 10) and not line.endswith(_SENTENCE_END + ("!", "?"))


@dataclass
class _Cleaned:
    """The outcome of the line rules on one body."""

    title: str | None
    text: str
    dropped: tuple[DroppedLine, ...]
    lines: list[tuple[int, str, str | None]]  # (block, line, reason)


def _normalise(line: str) -> str:
    """NFC, one space between words, no zero-width characters."""
    line = unicodedata.normalize("NFC", line).replace("\u200b", "").replace("\ufeff", "")
    return re.sub(r"[ \t\u00a0\u2009\u202f]+", " ", line).strip()


def _split_blocks(body: str) -> list[tuple[int, str]]:
    """Non-empty normalised lines, each tagged with its blank-line separated block."""
    out: list[tuple[int, str]] = []
    for number, block in enumerate(re.split(r"\n[ \t\u00a0]*\n", body)):
        out.extend((number, line) for line in map(_normalise, block.split("\n")) if line)
    return out


def _clean(body: str, kind: str, known_title: str | None = None) -> _Cleaned:
    """Apply the boilerplate rules to a body; find the title line."""
    lines = _split_blocks(body)
    texts = [line for _, line in lines]
    blocks = [block for block, _ in lines]
    reasons = [_line_reason(line) for line in texts]
    headings = {i for i, line in enumerate(texts) if kind == "markdown" and _MD_HEADING.match(line)}
    _context_rules(blocks, texts, reasons)
    title = _take_title(texts, reasons, headings, kind, known_title)
    _subheadings(blocks, texts, reasons, headings)
    paragraphs: dict[int, list[str]] = {}
    for block, line, reason in zip(blocks, texts, reasons, strict=True):
        if reason is None:
            paragraphs.setdefault(block, []).append(_strip_markdown(line) if kind == "markdown" else line)
    text = "\n\n".join(" ".join(parts) for parts in paragraphs.values())
    dropped = tuple(DroppedLine(line, r) for line, r in zip(texts, reasons, strict=True) if r is not None)
    return _Cleaned(title, text, dropped, list(zip(blocks, texts, reasons, strict=True)))


def _context_rules(blocks: list[int], texts: list[str], reasons: list[str | None]) -> None:
    """Rules that need a line's neighbours: video titles and caption lines."""
    for i, reason in enumerate(reasons):
        # The line just above a player's "please wait" is the video's title.
        if reason == "media player" and i > 0 and blocks[i - 1] == blocks[i] and reasons[i - 1] is None:
            reasons[i - 1] = "video title"
    media_blocks = {b for b, r in zip(blocks, reasons, strict=True) if r in _MEDIA_REASONS}
    for i, line in enumerate(texts):
        # Beside an image credit, a line with no sentence punctuation is the image's caption.
        if reasons[i] is None and blocks[i] in media_blocks and not line.endswith(_SENTENCE_END):
            reasons[i] = "photo caption"


def _take_title(
    texts: list[str], reasons: list[str | None], headings: set[int], kind: str, known: str | None
) -> str | None:
    """Mark the first kept line as the title when it reads like a headline or repeats the known one."""
    first = next((i for i, r in enumerate(reasons) if r is None), None)
    if first is None:
        return None
    line = texts[first]
    plain = _strip_markdown(line).casefold()
    repeats = known is not None and _normalise(known).casefold() == plain
    # trafilatura's text has no headline of its own unless it repeats the page title.
    if repeats or first in headings or (kind != "html" and _is_heading(_MD_HEADING.sub("", line), 20)):
        reasons[first] = "title"
        return _strip_markdown(_MD_HEADING.sub("", line))
    return None


def _subheadings(blocks: list[int], texts: list[str], reasons: list[str | None], headings: set[int]) -> None:
    """Drop section headings: Markdown headings and lone headline-like lines."""
    kept: dict[int, list[int]] = {}
    for i, reason in enumerate(reasons):
        if reason is None:
            kept.setdefault(blocks[i], []).append(i)
    for members in kept.values():
        for i in members:
            if i in headings or (len(members) == 1 and _is_subheading(texts[i])):
                reasons[i] = "subheading"


def _strip_markdown(line: str) -> str:
    """Plain text of a Markdown line: no heading marks, link targets or emphasis."""
    line = _MD_HEADING.sub("", line)
    line = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)
    line = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", line)
    return re.sub(r"`([^`]*)`", r"\1", line)


def _lede_title(text: str) -> str:
    """A stand-in title from the first sentence when the source has no headline."""
    first = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    words = first.split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")


# --------------------------------------------------------------------------- outlet

_NAME = r"[A-Z][\w/&.'-]*(?:\s[A-Z][\w/&.'-]*){0,3}"
_PROMO_NAME = re.compile(
    rf"^(?P<name>{_NAME})(?:'s|’s)?\s+(?:journalists|reporters|correspondents)\s+(?:report|cover|bring|deliver|provide)\b"
)
_NAV_NAME = re.compile(
    rf"\b(?i:skip|go|jump) to (?i:more|other|all) (?P<name>{_NAME}) (?i:sites|websites|services)\b"
)
_COPYRIGHT_NAME = re.compile(
    rf"^(?i:(?:copyright\s*)?(?:©|\(c\))\s*(?:\d{{4}}(?:[-–]\d{{4}})?\s*)?|copyright\s+\d{{4}}(?:[-–]\d{{4}})?\s+)"
    rf"(?P<name>{_NAME})"
)
_WIRE_DATELINE = re.compile(r"^[A-Z][A-Z .,'-]{1,40}\((?P<name>[A-Za-z. ]{2,30})\)\s*[-–—]")
# Generic wire abbreviations and their long names; no outlet is named otherwise.
_WIRES = {
    "ap": "AP", "associated press": "AP", "afp": "AFP", "agence france-presse": "AFP",
    "agence france presse": "AFP", "reuters": "Reuters", "dpa": "dpa", "deutsche presse-agentur": "dpa",
}  # fmt: skip


def _wire(name: str) -> str | None:
    """The wire service a name stands for, if any."""
    key = re.sub(r"^the\s+", "", name.strip().lower())
    return _WIRES.get(key)


def _outlet(cleaned: _Cleaned) -> str | None:
    """The publisher named by self-promotion, navigation or copyright lines, else a wire."""
    texts = [line for _, line, _ in cleaned.lines]
    for pattern in (_PROMO_NAME, _NAV_NAME, _COPYRIGHT_NAME):
        for line in texts:
            match = pattern.search(_BULLET.sub("", line))
            # A name ends at a full stop: "© 2021 Valley Herald. All rights reserved."
            name = match["name"].split(". ")[0].strip(" .,;") if match else ""
            if name and not _wire(name):
                return name
    return _wire_outlet(cleaned.lines)


def _wire_outlet(lines: list[tuple[int, str, str | None]]) -> str | None:
    """Last resort: a wire named by a sign-off, a wire dateline or a photo credit."""
    for _, line, reason in lines:
        names: list[str] = []
        if reason == "sign-off" and not _CREDITS.match(line):
            names = re.split(r"\s*(?:,|/|&|\band\b)\s*", re.sub(r"^[-–—\s]+|^[a-z/]+\s*|[()]", "", line))
        elif reason in ("photo credit", "photo caption") and _CREDIT_TAIL.search(line):
            names = [line.rsplit("/", 1)[1]]
        elif reason is None and (match := _WIRE_DATELINE.match(line)):
            names = [match["name"]]
        wires = [w for w in map(_wire, names) if w]
        if wires:
            return wires[0]
    return None


# --------------------------------------------------------------------------- dates

_MONTH = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_MDY = re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+{_YEAR}\b)?")
_DMY = re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?![\w])(?:,?\s+{_YEAR}\b)?")
_NUMERIC = re.compile(rf"\b(?P<a>\d{{1,2}})[/.](?P<b>\d{{1,2}})[/.]{_YEAR}\b")
_ISO = re.compile(rf"\b{_YEAR}-(?P<m>\d{{2}})-(?P<d>\d{{2}})\b")
_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
_DATELINE_REST = re.compile(
    r"\b\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?|\b(?:GMT|UTC|CET|CEST|EST|EDT|ET|BST)\b"
    r"|\b(?:updated|published|posted|last|on|at)\b|\bby\s+[\w.'-]+(?:\s+[\w.'-]+){0,3}$",
    re.IGNORECASE,
)
_DATELINE_SPAN = 15  # a dateline counts only among the first lines of the source


@dataclass(frozen=True)
class _Mentions:
    """The date hints in a text."""

    full: list[dt.date]
    partial: list[tuple[int, int]]  # (month, day) without a year
    weekdays: set[int]
    latest_year: int | None  # the latest year named anywhere, even alone ("in June 2019")



def _make_date(year: int, month: int, day: int) -> dt.date | None:
    """A date, or None for an impossible one."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _numeric_date(a: int, b: int, year: int) -> dt.date | None:
    """A date from ``a/b/year``: day first unless that is impossible."""
    if a > 12:
        return _make_date(year, b, a)
    if b > 12:
        return _make_date(year, a, b)
    # Ambiguous: day-first is the more common reading outside the US.
    return _make_date(year, b, a)


def _mentions(text: str) -> _Mentions:
    """Full dates, month-day mentions and weekday names found in ``text``."""
    full: list[dt.date | None] = []
    partial: list[tuple[int, int]] = []
    for pattern in (_MDY, _DMY):
        for m in pattern.finditer(text):
            month, day = month_number(m["month"]), int(m["day"])
            if m["year"]:
                full.append(_make_date(int(m["year"]), month, day))
            elif _make_date(2000, month, day):  # 2000 is a leap year, so 29 Feb passes
                partial.append((month, day))
    full += [_numeric_date(int(m["a"]), int(m["b"]), int(m["year"])) for m in _NUMERIC.finditer(text)]
    full += [_make_date(int(m["year"]), int(m["m"]), int(m["d"])) for m in _ISO.finditer(text)]
    weekdays = {WEEKDAYS.index(m.group(1).lower()) for m in _WEEKDAY.finditer(text)}
    years = [int(y) for y in re.findall(r"(?<![\d.,])(?:19|20)\d{2}(?![\d.,]\d)", text)]
    return _Mentions([d for d in full if d], partial, weekdays, max(years, default=None))


def _is_dateline(line: str) -> bool:
    """A line that is only a date, maybe with a time and "by NAME"."""
    if len(line.split()) > 10:
        return False
    mentions = _mentions(line)
    if not mentions.full:
        return False
    rest = _NUMERIC.sub(" ", _ISO.sub(" ", _DMY.sub(" ", _MDY.sub(" ", line))))
    rest = _WEEKDAY.sub(" ", _DATELINE_REST.sub(" ", rest))
    return not re.search(r"\w", rest)


def _dateline_date(cleaned: _Cleaned) -> dt.date | None:
    """The date of a dateline among the first lines of the source."""
    for _, line, reason in cleaned.lines[:_DATELINE_SPAN]:
        if reason == "dateline":
            found = _mentions(line).full
            if found:
                return found[0]
    return None


def _nearest_year(month: int, day: int, centre: dt.date) -> dt.date | None:
    """The month-day in whichever of the centre's year and its neighbours lies nearest to it."""
    options = [d for y in (centre.year - 1, centre.year, centre.year + 1) if (d := _make_date(y, month, day))]
    return min(options, key=lambda d: abs((d - centre).days), default=None)


def _infer_date(raw: str, anchors: Sequence[dt.date]) -> dt.date | None:
    """The latest date the text mentions, moved on by weekdays named 1-3 days after it.

    Args:
        raw: the text including dropped lines (captions often carry the only full date).
        anchors: known dates of the other articles, to give years to month-day mentions
            and to ignore dates that lie well after the whole corpus (future events).
            Without anchors, month-day mentions take the latest year the text names.

    Returns:
        The inferred publication date, or None when the text has no usable date.
    """
    mentions = _mentions(raw)
    candidates = list(mentions.full)
    if anchors:
        centre = dt.date.fromordinal(int(statistics.median_low(d.toordinal() for d in anchors)))
        candidates += [d for m, day in mentions.partial if (d := _nearest_year(m, day, centre))]
        ceiling = max(anchors) + dt.timedelta(days=3)
        candidates = [d for d in candidates if d <= ceiling]
    elif mentions.latest_year:
        year = mentions.latest_year
        candidates += [d for m, day in mentions.partial if (d := _make_date(year, m, day))]
    if not candidates:
        return None
    base = max(candidates)
    later = [base + dt.timedelta(days=n) for n in (1, 2, 3)]
    named = [d for d in later if d.weekday() in mentions.weekdays]
    return max(named, default=base)


def _assign_dates(docs: list[_Doc]) -> None:
    """Date from text for the articles without metadata or dateline, using like articles for years.

    The anchors are the dated articles most like this one in words: in an
    inbox that mixes stories years apart, a "November 17" takes the year of
    its own story's coverage, not of whatever else arrived.
    """
    firm = {i: doc.published for i, doc in enumerate(docs) if doc.published}
    loose = {i: _infer_date(doc.raw, []) for i, doc in enumerate(docs) if i not in firm}
    words = [_content_words(doc.raw) for doc in docs]
    for i, doc in enumerate(docs):
        if i in firm:
            continue
        anchors = _like(i, firm, words) or _like(i, loose, words)
        found = _infer_date(doc.raw, anchors)
        if found:
            doc.published, doc.origins["published"] = found, "text"


def _like(i: int, dated: Mapping[int, dt.date | None], words: Sequence[frozenset[str]]) -> list[dt.date]:
    """Dates of the articles sharing the most words with article ``i`` (at least half the best overlap)."""
    overlaps = {j: len(words[i] & words[j]) for j, d in dated.items() if j != i and d}
    if not overlaps:
        return []
    best = max(overlaps.values())
    return [d for j, d in dated.items() if j in overlaps and d and overlaps[j] >= best / 2]


def _content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _ENGLISH)


# --------------------------------------------------------------------------- assembly

_ENGLISH = frozenset({
    "the", "of", "and", "to", "a", "in", "is", "was", "that", "for", "on", "with", "as", "by", "at",
    "it", "from", "he", "she", "they", "his", "her", "their", "its", "said", "be", "are", "were",
    "has", "have", "had", "not", "but", "or", "an", "this", "which", "who", "will", "would", "been",
    "after", "than", "also",
})  # fmt: skip
_MIN_WORDS_FOR_LANGUAGE = 30
_MIN_ENGLISH_SHARE = 0.15  # English prose runs at 0.3-0.5; other languages well under 0.1


def english_share(text: str) -> float:
    """The share of words in ``text`` that are common English function words.

    Args:
        text: any text.

    Returns:
        A number from 0 to 1; 1.0 for a text too short to judge.
    """
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < _MIN_WORDS_FOR_LANGUAGE:
        return 1.0
    return sum(word in _ENGLISH for word in words) / len(words)


def _prepare(source: _Source, settings: Settings) -> _Doc:
    """Clean one source and read its metadata, or what its URL, dateline and text say instead."""
    meta = source.meta
    cleaned = _clean(source.body, source.kind, meta.title)
    if len(cleaned.text) < settings.min_article_chars:
        raise _Skip(
            f"too little article text ({len(cleaned.text)} characters, minimum {settings.min_article_chars})"
        )
    share = english_share(cleaned.text)
    if share < _MIN_ENGLISH_SHARE:
        raise _Skip(
            f"does not look like English ({share:.0%} common English words); the models are English-only"
        )
    origins: dict[str, str] = {name: "metadata" for name, _ in meta.items()}
    title = meta.title or cleaned.title or _lede_title(cleaned.text)
    origins.setdefault("title", "text")
    outlet = meta.outlet
    if outlet is not None and metadata.is_domain(outlet) and (named := metadata.known_outlet(outlet)):
        # A site name that is only a host ("www.reuters.com", as extractors fill in) is the URL's word.
        outlet, origins["outlet"] = named, "url"
    if outlet is None and (outlet := metadata.outlet_from_url(meta.url)):
        origins["outlet"] = "url"
    if outlet is None and (outlet := _outlet(cleaned)):
        origins["outlet"] = "text"
    published = meta.published
    for origin, find in (
        ("url", lambda: metadata.date_from_url(meta.url)),
        ("dateline", lambda: _dateline_date(cleaned)),
        ("filename", lambda: _file_date(source.path)),
    ):
        if published is None and (published := find()):
            origins["published"] = origin
    dropped = tuple(DroppedLine(line, "metadata") for line in source.meta_lines) + cleaned.dropped
    return _Doc(
        source=source,
        title=title,
        outlet=outlet,
        text=cleaned.text,
        raw="\n".join(line for _, line, _ in cleaned.lines),
        dropped=dropped,
        published=published,
        url=meta.url,
        author=meta.author,
        origins=origins,
    )


def _file_date(path: str) -> dt.date | None:
    """The date in a source's file name; JSONL records ("feed.jsonl:3") have none of their own."""
    return None if re.search(r":\d+$", path) else metadata.date_from_filename(path)


def _to_article(doc: _Doc) -> Article:
    """The record for a prepared document."""
    return Article(
        id=article_id(doc.text),
        path=doc.source.path,
        title=doc.title,
        outlet=doc.outlet,
        published=doc.published,
        text=doc.text,
        dropped=doc.dropped,
        url=doc.url,
        published_from=doc.published_from,
        author=doc.author,
        provenance=tuple((name, doc.origins[name]) for name in _FIELDS if name in doc.origins),
    )


_FIELDS = ("title", "outlet", "url", "published", "author")


def newest_date(articles: Sequence[Article]) -> dt.date | None:
    """The date a brief on ``articles`` carries: the newest date the sources state outright.

    A date inferred from the text may be an event still to come ("the summit on
    2 December"), so inferred dates count only when no article states its date.

    Args:
        articles: the brief's articles.

    Returns:
        The newest metadata or URL date; else the newest dateline, file-name or
        inferred date; None when no article has a date.
    """
    explicit = [a.published for a in articles if a.published and a.published_from in EXPLICIT]
    dated = explicit or [a.published for a in articles if a.published]
    return max(dated, default=None)


def _dedupe(articles: list[Article]) -> list[Article]:
    """Keep the first of articles with the same id (the same clean text)."""
    seen: dict[str, Article] = {}
    for article in articles:
        if article.id in seen:
            logger.info("%s repeats %s; keeping the first", article.path, seen[article.id].path)
            continue
        seen[article.id] = article
    return list(seen.values())
