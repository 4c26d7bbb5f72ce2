"""The brief as one self-contained web page, and the ``index.html`` that lists every brief.

The page holds the whole brief: what the one-page PDF printed, in the same
order, then under "More" whatever the PDF left out for space and the facts no
topic summarised. Every citation mark is a ``<details>`` element that opens
the cited sentences (quote, outlet, date, link) with no script at all. The
page loads nothing: its CSS is inlined, its fonts are the reader's own, and a
Content-Security-Policy forbids scripts and every fetch, so even a template
mistake could not make it run article text or call out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from brief.records import Article, Brief, Citation, Claim, Fact
from brief.render.common import (
    GENERATOR,
    cite_marks,
    conflict_view,
    environment,
    figure_view,
    long_date,
    render_template,
    source_numbers,
    span_text,
    view,
)
from brief.render.files import atomic_write

log = logging.getLogger(__name__)

WEB_TEMPLATE = "brief.web.html"
INDEX_TEMPLATE = "index.web.html"
INDEX_NAME = "index.html"
_CHANGE_LABELS = {"new_topic": "New topic", "new_fact": "New", "changed_figure": "Updated"}
# brief-DATE.json, or brief-DATE-STORY.json when a run writes one brief per story.
_BRIEF_JSON = re.compile(r"^brief-(\d{4}-\d{2}-\d{2})(?:-([a-z0-9][a-z0-9-]*))?\.json$")


def web_url(url: str | None) -> str:
    """``url`` if it is an absolute http(s) address, else ``""``.

    Only such addresses become links: ``javascript:``, ``data:``, ``file:`` and
    relative URLs from an article's metadata are shown as text, never followed.

    Args:
        url: a URL from an article's metadata.

    Returns:
        The URL as given, or the empty string.
    """
    text = (url or "").strip()
    # Browsers drop tabs and newlines inside URLs, which lets "java\tscript:" pass a naive check.
    if not text or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return ""
    parts = urlsplit(text)
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


@dataclass(frozen=True)
class _Sources:
    """The brief's articles by id, with the number each one's marks use."""

    numbers: Mapping[str, int]
    articles: Mapping[str, Article]

    @classmethod
    def of(cls, brief: Brief) -> _Sources:
        return cls(source_numbers(brief), {a.id: a for a in brief.sources})

    def mark(self, cited: Iterable[tuple[str, str]]) -> dict[str, Any] | None:
        """A mark for ``(source id, quoted sentence)`` pairs; None when no known source is cited."""
        quotes: dict[tuple[int, str], dict[str, Any]] = {}
        for source, text in cited:
            if source not in self.numbers:
                log.warning("a citation names source %s, which is not in the brief", source)
                continue
            number = self.numbers[source]
            shown = {"number": number, "quote": text, **_about(self.articles[source])}
            quotes.setdefault((number, text), shown)
        if not quotes:
            return None
        ordered = [quotes[k] for k in sorted(quotes)]
        return {"label": cite_marks(q["number"] for q in ordered), "quotes": ordered}

    def cite(self, citations: Iterable[Citation]) -> dict[str, Any] | None:
        """A mark for record citations."""
        return self.mark((c.source, c.quote) for c in citations)


def _about(article: Article) -> dict[str, str]:
    """How a quote or the source list names an article."""
    return {
        "outlet": article.outlet or Path(article.path).name or "Unknown outlet",
        "title": article.title or "(untitled)",
        "date": long_date(article.published),
        "url": web_url(article.url),
        "url_text": article.url or "",
    }


def _claim(claim: Claim, sources: _Sources) -> dict[str, Any]:
    extractive = claim.method == "extractive"
    return {"text": claim.text, "extractive": extractive, "mark": sources.cite(claim.citations)}


def _fact(fact: Fact, sources: _Sources) -> dict[str, Any]:
    return {"text": fact.text, "mark": sources.mark((s.article_id, s.text) for s in fact.sentences)}


def _when(day: object, year: int) -> str:
    """A timeline day for print: ``13 Nov``, with the year only when it differs."""
    if isinstance(day, dt.datetime):
        day = day.date()
    if isinstance(day, dt.date):
        return span_text(day.isoformat(), year)
    return span_text(str(day), year) if day else ""


def _sections(brief: Brief, sources: _Sources) -> dict[str, list[dict[str, Any]]]:
    """The parts of ``brief`` the page shows, each item with its citation mark."""
    year = brief.date.year
    numbers = sources.numbers
    figures = [{**figure_view(f, numbers, year), "mark": sources.cite(f.citations)} for f in brief.figures]
    conflicts = []
    for k in brief.conflicts:
        shown = conflict_view(k, numbers, year)
        pairs = zip(shown["figures"], k.values, strict=True)
        values = [{**v, "mark": sources.cite(f.citations)} for v, f in pairs]
        conflicts.append({**shown, "figures": values})
    # Briefs made before the timeline existed (or by custom pipelines) have none.
    events = getattr(brief, "timeline", ()) or ()
    return {
        "lead": [_claim(c, sources) for c in brief.lead],
        "since_last": [
            {"kind": ch.kind, "kind_label": _CHANGE_LABELS.get(ch.kind, ch.kind), "text": ch.text,
             "mark": sources.cite(ch.citations)}
            for ch in brief.since_last
        ],  # fmt: skip
        "topics": [
            {"id": tb.topic.id, "label": tb.topic.label, "keywords": list(tb.topic.keywords),
             "claims": [_claim(c, sources) for c in tb.summary], "continued": False}
            for tb in brief.topics
        ],  # fmt: skip
        "conflicts": conflicts,
        "figures": figures,
        "timeline": [
            {"when": _when(e.date, year), "date_iso": str(e.date), "text": e.text,
             "mark": sources.cite(e.citations)}
            for e in events
        ],  # fmt: skip
    }


def _missing(full: Sequence[Any], printed: Sequence[Any]) -> tuple[Any, ...]:
    """Items of ``full`` the printed brief lacks, in their order."""
    kept = list(printed)
    return tuple(item for item in full if item not in kept)


def left_out(full: Brief, printed: Brief) -> Brief:
    """The part of ``full`` that ``printed`` lacks, as a brief of its own.

    Args:
        full: the brief before the one-page fit.
        printed: the brief as the PDF printed it (see :func:`brief.render.fit_pdf`).

    Returns:
        ``full`` with only the key developments, changes, whole topics,
        conflicts, figures and timeline events the PDF left out. Summary
        sentences cut from printed topics are not in it (see :func:`web_view`).
    """
    kept = {tb.topic.id for tb in printed.topics}
    parts: dict[str, Any] = {
        "lead": _missing(full.lead, printed.lead),
        "since_last": _missing(full.since_last, printed.since_last),
        "topics": tuple(tb for tb in full.topics if tb.topic.id not in kept),
        "conflicts": _missing(full.conflicts, printed.conflicts),
        "figures": _missing(full.figures, printed.figures),
    }
    if hasattr(full, "timeline"):
        parts["timeline"] = _missing(full.timeline, getattr(printed, "timeline", ()))
    return dataclasses.replace(full, **parts)


def web_view(full: Brief, printed: Brief | None = None, stem: str | None = None) -> dict[str, Any]:
    """What ``brief.web.html`` sees: the printed brief, then what the PDF left out.

    Args:
        full: the brief before the one-page fit.
        printed: the brief as printed; None when nothing was cut.
        stem: the outputs' shared file name stem (``brief-2015-11-17``), to link the
            PDF, JSON and digests beside the page; None to link nothing.

    Returns:
        The values of :func:`brief.render.view` for ``full``, plus ``page`` (the
        printed parts with citation marks), ``more`` (the cut parts, the
        continued topics, the ``other`` facts and the pipeline's notes) and ``files``.
    """
    printed = full if printed is None else printed
    sources = _Sources.of(full)
    more = _sections(left_out(full, printed), sources)
    kept = {tb.topic.id: tb for tb in printed.topics}
    more["continued"] = [
        {"id": tb.topic.id, "label": tb.topic.label,
         "claims": [_claim(c, sources) for c in _missing(tb.summary, kept[tb.topic.id].summary)]}
        for tb in full.topics
        if tb.topic.id in kept and _missing(tb.summary, kept[tb.topic.id].summary)
    ]  # fmt: skip
    more["other"] = [_fact(f, sources) for f in full.other]
    # What the pipeline dropped before rendering has no content left to show: only its note.
    notes = list(full.omitted)
    cut = sum(len(v) for v in more.values())
    page = _sections(printed, sources)
    continued = {t["id"] for t in more["continued"]}
    for topic in page["topics"]:
        topic["continued"] = topic["id"] in continued
    base = view(full)
    return {
        **base,
        "page": page,
        "more": more,
        "more_count": cut,
        "notes": notes,
        "pdf_cuts": len(printed.omitted) - len(full.omitted),
        "sources": [
            {**_about(a), "number": sources.numbers[a.id]}
            for a in full.sources
            if sources.numbers.get(a.id) is not None
        ],  # fmt: skip
        # Relative links to the files write_all puts beside the page.
        "files": {} if stem is None else {"pdf": f"{stem}.pdf", "json": f"{stem}.json"},
    }


def page(
    full: Brief, printed: Brief | None = None, templates_dir: Path | None = None, stem: str | None = None
) -> str:
    """Render the web page of a brief, without writing anything.

    Args:
        full: the brief before the one-page fit.
        printed: the brief as the PDF printed it; None when nothing was cut.
        templates_dir: a user's templates folder, searched first.
        stem: the outputs' file name stem, to link the PDF and JSON beside the page.

    Returns:
        The HTML text.
    """
    return render_template(environment(templates_dir), WEB_TEMPLATE, web_view(full, printed, stem))


def html(brief: Brief, path: Path, templates_dir: Path | None = None, printed: Brief | None = None) -> Path:
    """Write the brief's web page atomically.

    Args:
        brief: the full brief.
        path: the HTML file to (re)place.
        templates_dir: a user's templates folder, searched first.
        printed: the brief as the PDF printed it, so the page can show what the PDF
            left out under "More"; None when nothing was cut.

    Returns:
        ``path``.
    """
    path = Path(path)
    atomic_write(path, page(brief, printed, templates_dir).encode("utf-8"))
    return path


# --- index.html --------------------------------------------------------------


def index_entry(
    stem: str, data: Mapping[str, Any], files: Iterable[str], digests: Iterable[str]
) -> dict[str, Any]:
    """One row of the index.

    Args:
        stem: the brief's file name stem (``brief-2015-11-17``).
        data: the brief's JSON (``date``, ``title``, ``sources``, ``topics``, ``story``).
        files: which of ``html``, ``pdf`` and ``json`` exist beside it.
        digests: the digest file names in ``digests/DATE/``.

    Returns:
        Display-ready values with relative links.

    Raises:
        KeyError, ValueError: ``data`` has no valid ``date``.
    """
    day = dt.date.fromisoformat(str(data["date"]))
    folder = stem.removeprefix("brief-")
    names, present = sorted(digests), set(files)
    story = data.get("story")
    return {
        "stem": stem,
        "date_iso": day.isoformat(),
        "date": long_date(day),
        "title": str(data.get("title") or ""),
        "story": str(story.get("title") or "") if isinstance(story, Mapping) else "",
        "sources": len(data.get("sources") or ()),
        # The JSON holds the topics the PDF printed; there is a digest for every topic.
        "topics": max(len(data.get("topics") or ()), len(names)),
        "files": {kind: quote(f"{stem}.{kind}") for kind in ("html", "pdf", "json") if kind in present},
        "digests": [
            {"name": name, "href": "/".join(quote(part) for part in ("digests", folder, name))}
            for name in names
        ],
    }


def index_entries(folder: Path, pending: Iterable[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """The briefs in ``folder``, newest first, read from their ``brief-*.json`` files.

    Args:
        folder: an output folder.
        pending: entries (from :func:`index_entry`) of briefs about to be written;
            each replaces the row its stem would have from the folder.

    Returns:
        One row per brief (see :func:`index_entry`); unreadable JSON files are
        logged and skipped.
    """
    folder = Path(folder)
    rows = {row["stem"]: dict(row) for row in pending}
    for path in sorted(folder.glob("brief-*.json")) if folder.is_dir() else ():
        if path.stem in rows or not _BRIEF_JSON.match(path.name):
            continue
        digest_dir = folder / "digests" / path.stem.removeprefix("brief-")
        files = [kind for kind in ("html", "pdf", "json") if path.with_suffix(f".{kind}").is_file()]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            digests = [p.name for p in digest_dir.glob("*.md")] if digest_dir.is_dir() else []
            rows[path.stem] = index_entry(path.stem, data, files, digests)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("index: skipping %s: %s", path.name, exc)
    return sorted(rows.values(), key=lambda row: (row["date_iso"], row["stem"]), reverse=True)


def index_page(entries: Sequence[Mapping[str, Any]], templates_dir: Path | None = None) -> str:
    """Render ``index.html`` for some entries of :func:`index_entries`.

    Args:
        entries: the briefs to list, in order.
        templates_dir: a user's templates folder, searched first.

    Returns:
        The HTML text.
    """
    context = {"entries": list(entries), "generator": GENERATOR}
    return render_template(environment(templates_dir), INDEX_TEMPLATE, context)
