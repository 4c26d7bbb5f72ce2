"""Render a :class:`~brief.records.Brief`: a one-page PDF, Markdown digests and JSON.

Templates are Jinja2 files looked up in a user's folder first and the built-in
``templates/`` second. HTML is autoescaped and every undefined name is an error.
WeasyPrint only ever reads files that lie inside those template folders, so
nothing an article says (an ``<img src=...>`` in its text, say) can make the
renderer touch the network or the disk.

The PDF is always one page: when the brief does not fit, the least important
content is left out step by step (see :func:`fit_pdf`) and each cut is noted
in the fitted brief's ``omitted``. Every file is written atomically.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import mimetypes
import os
import re
import shutil
import tempfile
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

import brief as _package
from brief.errors import RenderError
from brief.records import Article, Brief, Citation, Claim, Conflict, Fact, Figure

log = logging.getLogger(__name__)

HTML_TEMPLATE = "brief.html"
DIGEST_TEMPLATE = "digest.md.j2"
# Below this many kept items a cut stops; later, harsher cuts go further.
SUMMARY_KEEP = 2
TOPICS_KEEP = 2
FIGURES_KEEP = 6
CONFLICTS_KEEP = 2
SINCE_KEEP = 3
LEAD_KEEP = 3

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_CHANGE_LABELS = {"new_topic": "New topic", "new_fact": "New", "changed_figure": "Updated"}
_MD_SPECIAL = re.compile(r"([\\`*_<>\[\]|])")
_MD_LINE_START = re.compile(r"^([#+\-=])")


def _version() -> str:
    try:
        return metadata.version("brief")
    except metadata.PackageNotFoundError:
        return "0.1.0"


GENERATOR = f"brief {_version()}"


# --- templates -------------------------------------------------------------


def builtin_templates() -> Path:
    """The templates shipped with brief.

    Returns:
        ``brief/_templates`` inside an installed wheel, else the checkout's ``templates/``.

    Raises:
        RenderError: neither folder holds the brief template.
    """
    package = Path(_package.__file__).resolve().parent
    for candidate in (package / "_templates", package.parent / "templates"):
        if (candidate / HTML_TEMPLATE).is_file():
            return candidate
    raise RenderError(f"built-in templates not found next to {package}")


def template_roots(templates_dir: Path | None = None) -> tuple[Path, ...]:
    """The folders templates and their assets are read from, user's first.

    Args:
        templates_dir: a user's folder whose files override the built-in ones.

    Returns:
        Resolved folders, most preferred first.

    Raises:
        RenderError: ``templates_dir`` is given but is not a folder.
    """
    roots = [builtin_templates()]
    if templates_dir is not None:
        user = Path(templates_dir).expanduser().resolve()
        if not user.is_dir():
            raise RenderError(f"templates folder {templates_dir} does not exist")
        if user != roots[0]:
            roots.insert(0, user)
    return tuple(roots)


def environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """A Jinja environment for brief's templates.

    Sandboxed, because a templates folder may come from someone else; HTML is
    autoescaped by file name (``*.html``), undefined names raise.

    Args:
        templates_dir: a user's folder searched before the built-in templates.

    Returns:
        The environment, with the ``md`` and ``cite`` filters.
    """
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(r)) for r in template_roots(templates_dir)])
    env = SandboxedEnvironment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["cite"] = cite_marks
    return env


def md_escape(text: object) -> str:
    """Make text inert in Markdown: it prints as itself, never as markup.

    Whitespace (newlines included) collapses to single spaces, so a value can
    never start a new block such as a heading, list or quote.

    Args:
        text: any value; ``None`` becomes the empty string.

    Returns:
        The escaped one-line text.
    """
    flat = " ".join(("" if text is None else str(text)).split())
    flat = _MD_SPECIAL.sub(r"\\\1", flat)
    return _MD_LINE_START.sub(r"\\\1", flat)


def cite_marks(numbers: Iterable[int]) -> str:
    """Citation numbers as a compact mark body: ``1,3`` or ``1–4,7``.

    Args:
        numbers: source numbers, in any order, duplicates allowed.

    Returns:
        Runs of three or more consecutive numbers as an en-dash range, others comma-separated.
    """
    ordered = sorted(set(numbers))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{ordered[i]}–{ordered[j]}")
        else:
            parts.extend(str(n) for n in ordered[i : j + 1])
        i = j + 1
    return ",".join(parts)


def _render_template(env: jinja2.Environment, name: str, context: Mapping[str, Any]) -> str:
    """Render one template, turning any Jinja failure into a RenderError."""
    try:
        return env.get_template(name).render(**context)
    except Exception as exc:  # a broken template may raise anything; the CLI needs one error type.
        raise RenderError(f"template {name}: {type(exc).__name__}: {exc}") from exc


# --- the URL fetcher -------------------------------------------------------


class TemplateFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves files from the template folders only.

    A ``file:`` URL is taken relative to whichever folder it lies in and then
    looked up in every folder, user's first, so a user folder that only
    overrides ``brief.css`` still gets the built-in fonts. Anything else
    (http, https, data, other files, symlinks leading out) raises, which
    WeasyPrint reports as a failed resource and renders without.
    """

    def __init__(self, roots: Sequence[Path]) -> None:
        """Serve from ``roots``, most preferred first.

        Args:
            roots: template folders.
        """
        super().__init__(timeout=1, allowed_protocols=("file",), allow_redirects=False)
        self.roots = tuple(Path(r).resolve() for r in roots)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """Serve ``url`` if it names a file inside a template folder.

        Args:
            url: the absolute URL WeasyPrint wants.
            headers: ignored; nothing goes over a network.

        Returns:
            The file's bytes with a content type guessed from its name.

        Raises:
            RenderError: the URL is not a file inside a template folder.
        """
        path = self.resolve(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    def resolve(self, url: str) -> Path:
        """The template file ``url`` names.

        Args:
            url: an absolute URL.

        Returns:
            A resolved path inside one of the roots.

        Raises:
            RenderError: any other URL.
        """
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise RenderError(f"refused to fetch {url[:80]!r}: only template files may be loaded")
        asked = Path(os.path.normpath(url2pathname(unquote(parts.path))))
        relative = self._relative(asked)
        if relative is not None:
            for root in self.roots:
                candidate = (root / relative).resolve()
                # resolve() follows symlinks, so a link pointing out of the folder fails here.
                if candidate.is_relative_to(root) and candidate.is_file():
                    return candidate
        raise RenderError(f"refused to fetch {url[:80]!r}: not a file in the templates folders")

    def _relative(self, asked: Path) -> Path | None:
        """``asked`` relative to the first root it lies under, if any."""
        for root in self.roots:
            if asked.is_relative_to(root):
                return asked.relative_to(root)
        return None


# --- the view the templates see --------------------------------------------


def source_numbers(brief: Brief) -> dict[str, int]:
    """The 1-based number each source's citation marks use.

    Args:
        brief: the brief.

    Returns:
        Article id to its position in ``brief.sources``.
    """
    numbers: dict[str, int] = {}
    for number, article in enumerate(brief.sources, start=1):
        numbers.setdefault(article.id, number)
    return numbers


def _cited(citations: Iterable[Citation], numbers: Mapping[str, int]) -> list[int]:
    """Sorted source numbers of some citations; unknown sources are logged and skipped."""
    ids = {c.source for c in citations}
    unknown = ids - numbers.keys()
    if unknown:
        log.warning("citations name %d source(s) not in the brief: %s", len(unknown), sorted(unknown))
    return sorted({numbers[i] for i in ids if i in numbers})


def long_date(day: dt.date | None) -> str:
    """``17 November 2015``, whatever the locale; empty for None."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}" if day else ""


def _short_date(day: dt.date, year: int | None) -> str:
    """``17 Nov``, with the year when it is not ``year``."""
    text = f"{day.day} {_MONTHS[day.month - 1][:3]}"
    return text if day.year == year else f"{text} {day.year}"


def span_text(as_of: str | None, year: int | None = None) -> str:
    """A figure's ``as_of`` for print: ``17 Nov``, ``13–14 Nov``; unparsable text as is.

    Args:
        as_of: an ISO date or ``START/END``.
        year: the brief's year, left out of dates that fall in it.

    Returns:
        The short form, or ``""`` for None.
    """
    if not as_of:
        return ""
    try:
        days = [dt.date.fromisoformat(p.strip()) for p in as_of.split("/")]
    except ValueError:
        return as_of
    if len(days) == 1 or days[0] == days[-1]:
        return _short_date(days[0], year)
    first, last = days[0], days[-1]
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{_short_date(last, year)}"
    return f"{_short_date(first, year)} – {_short_date(last, year)}"


def _utc(moment: dt.datetime) -> dt.datetime:
    """A datetime in UTC; naive ones are taken to be UTC already."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _claim_view(claim: Claim, numbers: Mapping[str, int]) -> dict[str, Any]:
    return {
        "text": claim.text,
        "numbers": _cited(claim.citations, numbers),
        "extractive": claim.method == "extractive",
        "method": claim.method,
    }


def _source_view(article: Article, number: int) -> dict[str, Any]:
    return {
        "number": number,
        "outlet": article.outlet or Path(article.path).name or "Unknown outlet",
        "title": article.title or "(untitled)",
        "date": long_date(article.published),
        "path": article.path,
        "url": article.url or "",
    }


def _figure_view(figure: Figure, numbers: Mapping[str, int], year: int) -> dict[str, Any]:
    return {
        "value": f"{figure.value:,}",
        "counts": figure.counts,
        "where": figure.where or "",
        "as_of": span_text(figure.as_of, year),
        "cumulative": figure.cumulative,
        "numbers": _cited(figure.citations, numbers),
        "text": figure.text,
    }


def _conflict_view(conflict: Conflict, numbers: Mapping[str, int], year: int) -> dict[str, Any]:
    where = f", {conflict.where}" if conflict.where else ""
    when = f" ({span_text(conflict.as_of, year)})" if conflict.as_of else ""
    return {
        "label": f"{conflict.counts}{where}{when}",
        "text": conflict.text,
        "figures": [_figure_view(f, numbers, year) for f in conflict.values],
    }


def _fact_view(fact: Fact, numbers: Mapping[str, int]) -> dict[str, Any]:
    return {
        "text": fact.text,
        "numbers": sorted({numbers[a] for a in fact.sources if a in numbers}),
        "quotes": [{"text": s.text, "number": numbers.get(s.article_id, 0)} for s in fact.sentences],
    }


def _cited_ids(brief: Brief) -> set[str]:
    """Every article some printed item cites."""
    citations: list[Citation] = [c for claim in brief.lead for c in claim.citations]
    citations += [c for tb in brief.topics for claim in tb.summary for c in claim.citations]
    citations += [c for f in brief.figures for c in f.citations]
    citations += [c for k in brief.conflicts for f in k.values for c in f.citations]
    citations += [c for ch in brief.since_last for c in ch.citations]
    return {c.source for c in citations}


def view(brief: Brief, cited_sources_only: bool = False) -> dict[str, Any]:
    """What ``brief.html`` sees: display-ready text, numbers and marks.

    Args:
        brief: the brief to show.
        cited_sources_only: list only the sources something printed cites (a space cut).

    Returns:
        A dict of plain values; ``brief`` itself is included for custom templates.
    """
    numbers = source_numbers(brief)
    year = brief.date.year
    cited = _cited_ids(brief)
    generated = _utc(brief.generated_at)
    return {
        "brief": brief,
        "date": long_date(brief.date),
        "date_iso": brief.date.isoformat(),
        "title": brief.title,
        "generated": generated.strftime("%Y-%m-%d %H:%M UTC"),
        "generated_iso": generated.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generator": GENERATOR,
        "lead": [_claim_view(c, numbers) for c in brief.lead],
        "topics": [
            {"label": tb.topic.label, "keywords": list(tb.topic.keywords),
             "claims": [_claim_view(c, numbers) for c in tb.summary]}
            for tb in brief.topics
        ],  # fmt: skip
        "since_last": [
            {"kind": ch.kind, "kind_label": _CHANGE_LABELS.get(ch.kind, ch.kind), "text": ch.text,
             "numbers": _cited(ch.citations, numbers)}
            for ch in brief.since_last
        ],  # fmt: skip
        "conflicts": [_conflict_view(k, numbers, year) for k in brief.conflicts],
        "figures": [_figure_view(f, numbers, year) for f in brief.figures],
        "sources": [
            _source_view(a, numbers[a.id])
            for a in brief.sources
            if not cited_sources_only or a.id in cited
        ],
        "omitted": list(brief.omitted),
    }


# --- one page --------------------------------------------------------------


@dataclass(frozen=True)
class _Cut:
    """One state of the brief on its way to fitting a page."""

    brief: Brief
    cited_sources_only: bool = False


@dataclass(frozen=True)
class FittedPdf:
    """A brief laid out on one page.

    ``brief`` is what was printed: the input less what was cut, each cut
    described in ``brief.omitted``.
    """

    brief: Brief
    data: bytes
    renders: int


def _trim_summaries(brief: Brief, keep: int) -> Iterator[Brief]:
    """Drop last summary sentences, lowest-ranked topic first, one round at a time."""
    while any(len(tb.summary) > keep for tb in brief.topics):
        for i in reversed(range(len(brief.topics))):
            tb = brief.topics[i]
            if len(tb.summary) > keep:
                shorter = dataclasses.replace(tb, summary=tb.summary[:-1])
                topics = (*brief.topics[:i], shorter, *brief.topics[i + 1 :])
                brief = dataclasses.replace(brief, topics=topics)
                yield brief


def _drop_tail(brief: Brief, name: str, keep: int) -> Iterator[Brief]:
    """Drop the last items of the tuple field ``name`` while more than ``keep`` remain."""
    while len(getattr(brief, name)) > keep:
        brief = dataclasses.replace(brief, **{name: getattr(brief, name)[:-1]})
        yield brief


def _shrinks(brief: Brief) -> Iterator[_Cut]:
    """Ever smaller versions of ``brief``, least important content going first.

    Order: summary sentences of low-ranked topics (down to two each), whole
    low-ranked topics (down to two), figures beyond six, changes and conflicts
    beyond a few, lead beyond three, uncited sources from the list; then the
    same again down to the bare minimum: one topic of one sentence. Topics are
    ranked by their order in ``brief.topics`` (cluster puts the most important
    first). ``other``
    facts are never printed, so cutting them would gain nothing.
    """
    steps: list[Callable[[Brief], Iterator[Brief]]] = [
        lambda b: _trim_summaries(b, SUMMARY_KEEP),
        lambda b: _drop_tail(b, "topics", TOPICS_KEEP),
        lambda b: _drop_tail(b, "figures", FIGURES_KEEP),
        lambda b: _drop_tail(b, "since_last", SINCE_KEEP),
        lambda b: _drop_tail(b, "conflicts", CONFLICTS_KEEP),
        lambda b: _drop_tail(b, "lead", LEAD_KEEP),
    ]
    last_resort: list[Callable[[Brief], Iterator[Brief]]] = [
        lambda b: _drop_tail(b, "figures", 0),
        lambda b: _trim_summaries(b, 1),
        lambda b: _drop_tail(b, "topics", 1),
        lambda b: _drop_tail(b, "since_last", 0),
        lambda b: _drop_tail(b, "lead", 1),
        lambda b: _drop_tail(b, "conflicts", 0),
    ]
    current = brief
    for step in steps:
        for current in step(current):
            yield _Cut(current)
    if any(a.id not in _cited_ids(current) for a in current.sources):
        yield _Cut(current, cited_sources_only=True)
    for step in last_resort:
        for current in step(current):
            yield _Cut(current, cited_sources_only=True)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _describe_cuts(full: Brief, cut: _Cut) -> tuple[str, ...]:
    """Human-readable lines for what ``cut`` leaves out of ``full``, one per item."""
    kept = {tb.topic.id: tb for tb in cut.brief.topics}
    notes = []
    for tb in full.topics:
        label = tb.topic.label
        if tb.topic.id not in kept:
            notes.append(f"topic '{label}' ({_plural(len(tb.topic.facts), 'fact')}) left out for space")
        elif (gone := len(tb.summary) - len(kept[tb.topic.id].summary)) > 0:
            notes.append(f"{_plural(gone, 'summary sentence')} of topic '{label}' left out for space")
    for name, what in (("lead", "key development"), ("since_last", "change"), ("conflicts", "conflict")):
        for item in getattr(full, name)[len(getattr(cut.brief, name)) :]:
            notes.append(f"{what} '{item.text}' left out for space")
    for figure in full.figures[len(cut.brief.figures) :]:
        where = f" in {figure.where}" if figure.where else ""
        notes.append(f"figure {figure.value:,} {figure.counts}{where} left out for space")
    if cut.cited_sources_only:
        cited = _cited_ids(cut.brief)
        unlisted = sum(1 for a in full.sources if a.id not in cited)
        notes.append(f"{_plural(unlisted, 'uncited source')} left out of the source list for space")
    return tuple(notes)


def _with_notes(full: Brief, cut: _Cut) -> _Cut:
    """``cut`` with its notes appended to the brief's ``omitted``."""
    notes = (*full.omitted, *_describe_cuts(full, cut))
    return dataclasses.replace(cut, brief=dataclasses.replace(cut.brief, omitted=notes))


def _layout(cut: _Cut, env: jinja2.Environment, fetcher: TemplateFetcher) -> Document:
    """Lay out one state of the brief (any number of pages)."""
    html = _render_template(env, HTML_TEMPLATE, view(cut.brief, cut.cited_sources_only))
    base_url = fetcher.roots[0].as_uri() + "/"
    try:
        return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
    except Exception as exc:  # WeasyPrint raises many kinds; the CLI needs one.
        raise RenderError(f"cannot lay out the brief: {type(exc).__name__}: {exc}") from exc


def fit_pdf(brief: Brief, templates_dir: Path | None = None) -> FittedPdf:
    """Lay the brief out on exactly one page, cutting content until it fits.

    The cuts form one ordered list (see ``_shrinks``); the fewest that fit are
    found by binary search, so a long brief costs a handful of layouts.

    Args:
        brief: the brief to print.
        templates_dir: a user's templates folder, searched first.

    Returns:
        The printed brief (with its cuts in ``omitted``) and the PDF bytes.

    Raises:
        RenderError: a template fails, or even the smallest brief needs two pages.
    """
    env = environment(templates_dir)
    fetcher = TemplateFetcher(template_roots(templates_dir))
    first = _layout(_Cut(brief), env, fetcher)
    if len(first.pages) == 1:
        return FittedPdf(brief, first.write_pdf(), 1)
    # Each cut carries its own notes so the page can say how much it leaves out.
    cuts = [_with_notes(brief, c) for c in _shrinks(brief)]
    log.info("brief needs %d pages; trying up to %d cuts", len(first.pages), len(cuts))
    if not cuts:
        raise RenderError(f"the brief needs {len(first.pages)} pages and there is nothing left to cut")
    renders = 1
    lo, hi = 0, len(cuts) - 1
    best: Document | None = None
    best_index = len(cuts) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        document = _layout(cuts[mid], env, fetcher)
        renders += 1
        if len(document.pages) == 1:
            best, best_index, hi = document, mid, mid - 1
        else:
            lo = mid + 1
    if best is None:
        raise RenderError("the brief does not fit on one page even with everything optional left out")
    fitted = cuts[best_index].brief
    log.info("fitted on one page after %d cut(s), %d layouts", best_index + 1, renders)
    return FittedPdf(fitted, best.write_pdf(), renders)


def pdf(brief: Brief, path: Path, templates_dir: Path | None = None) -> Brief:
    """Write the one-page PDF brief.

    Args:
        brief: the brief to print.
        path: where the PDF goes (replaced atomically).
        templates_dir: a user's templates folder, searched first.

    Returns:
        The brief as printed: ``brief`` less whatever was cut to fit one page,
        each cut described in ``omitted``.
    """
    fitted = fit_pdf(brief, templates_dir)
    atomic_write(Path(path), fitted.data)
    return fitted.brief


# --- Markdown digests ------------------------------------------------------


def slug(text: str, limit: int = 60) -> str:
    """A file-name-safe slug: ASCII lowercase words joined by hyphens.

    Args:
        text: a topic label.
        limit: the longest slug to return (cut at a word boundary when possible).

    Returns:
        The slug, or ``"topic"`` when nothing usable is left.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    return out or (words[0][:limit] if words else "topic")


def _digest_view(brief: Brief, index: int, printed: set[str] | None) -> dict[str, Any]:
    """What ``digest.md.j2`` sees for topic number ``index`` (0-based)."""
    numbers = source_numbers(brief)
    tb = brief.topics[index]
    facts = [_fact_view(f, numbers) for f in tb.topic.facts]
    claims = [_claim_view(c, numbers) for c in tb.summary]
    used = {n for f in facts for n in f["numbers"]} | {n for c in claims for n in c["numbers"]}
    used |= {q["number"] for f in facts for q in f["quotes"]}
    return {
        "brief": brief,
        "title": brief.title,
        "date": long_date(brief.date),
        "number": index + 1,
        "total": len(brief.topics),
        "topic": {
            "id": tb.topic.id,
            "label": tb.topic.label,
            "keywords": list(tb.topic.keywords),
            "claims": claims,
            "facts": facts,
            "sources": [_source_view(a, numbers[a.id]) for a in brief.sources if numbers[a.id] in used],
            "printed": True if printed is None else tb.topic.id in printed,
        },
    }


def digests(
    brief: Brief, templates_dir: Path | None = None, printed: Brief | None = None
) -> list[tuple[str, str]]:
    """Render one Markdown digest per topic, without writing anything.

    Args:
        brief: the full brief (all topics, before any cut for space).
        templates_dir: a user's templates folder, searched first.
        printed: the brief as printed, to flag topics the PDF left out.

    Returns:
        ``(file name, Markdown text)`` pairs, in topic order.
    """
    env = environment(templates_dir)
    shown = None if printed is None else {tb.topic.id for tb in printed.topics}
    out = []
    for i, tb in enumerate(brief.topics):
        text = _render_template(env, DIGEST_TEMPLATE, _digest_view(brief, i, shown))
        out.append((f"{i + 1:02d}-{slug(tb.topic.label)}.md", text))
    return out


def markdown(
    brief: Brief, folder: Path, templates_dir: Path | None = None, printed: Brief | None = None
) -> list[Path]:
    """Write one Markdown digest per topic: ``folder/NN-topic-slug.md``.

    Each file is written atomically; other files in ``folder`` are left alone
    (:func:`write_all` replaces a whole dated folder instead).

    Args:
        brief: the full brief.
        folder: where the digests go (created if missing).
        templates_dir: a user's templates folder, searched first.
        printed: the brief as printed, to flag topics the PDF left out.

    Returns:
        The files written, in topic order.
    """
    folder = Path(folder)
    paths = []
    for name, text in digests(brief, templates_dir, printed):
        path = folder / name
        atomic_write(path, text.encode("utf-8"))
        paths.append(path)
    return paths


# --- JSON ------------------------------------------------------------------


def _citation_json(c: Citation, numbers: Mapping[str, int]) -> dict[str, Any]:
    return {
        "source": c.source, "number": numbers.get(c.source), "sentence": c.sentence,
        "start": c.start, "end": c.end, "quote": c.quote,
    }  # fmt: skip


def _claim_json(c: Claim, numbers: Mapping[str, int]) -> dict[str, Any]:
    return {
        "text": c.text, "method": c.method, "entailment": c.entailment, "checks": list(c.checks),
        "citations": [_citation_json(x, numbers) for x in c.citations],
    }  # fmt: skip


def _fact_json(f: Fact) -> dict[str, Any]:
    return {
        "id": f.id, "text": f.text, "sources": list(f.sources),
        "sentences": [
            {"source": s.article_id, "sentence": s.index, "start": s.start, "end": s.end, "text": s.text}
            for s in f.sentences
        ],
    }  # fmt: skip


def _figure_json(f: Figure, numbers: Mapping[str, int]) -> dict[str, Any]:
    return {
        "value": f.value, "counts": f.counts, "where": f.where, "as_of": f.as_of,
        "cumulative": f.cumulative, "text": f.text,
        "citations": [_citation_json(x, numbers) for x in f.citations],
    }  # fmt: skip


def _plain(value: Any) -> Any:
    """JSON-friendly copy of settings-like values (paths, dates, tuples)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def json_dump(brief: Brief) -> dict[str, Any]:
    """The brief as plain JSON-ready data.

    Args:
        brief: the brief (normally the printed one, from :func:`pdf`).

    Returns:
        A dict with ``date``, ``title``, ``generated_at``, ``sources``, ``topics``,
        ``lead``, ``other``, ``figures``, ``conflicts``, ``omitted``,
        ``since_last``, ``models`` and ``settings``.
    """
    numbers = source_numbers(brief)
    return {
        "date": brief.date.isoformat(),
        "title": brief.title,
        "generated_at": brief.generated_at.isoformat(),
        "sources": [
            {"id": a.id, "path": a.path, "outlet": a.outlet, "title": a.title,
             "published": a.published.isoformat() if a.published else None,
             "published_from": a.published_from, "url": a.url, "number": numbers[a.id]}
            for a in brief.sources
        ],  # fmt: skip
        "topics": [
            {"id": tb.topic.id, "label": tb.topic.label, "keywords": list(tb.topic.keywords),
             "score": tb.topic.score, "summary": [_claim_json(c, numbers) for c in tb.summary],
             "facts": [_fact_json(f) for f in tb.topic.facts]}
            for tb in brief.topics
        ],  # fmt: skip
        "lead": [_claim_json(c, numbers) for c in brief.lead],
        "other": [_fact_json(f) for f in brief.other],
        "figures": [_figure_json(f, numbers) for f in brief.figures],
        "conflicts": [
            {"counts": k.counts, "where": k.where, "as_of": k.as_of, "text": k.text,
             "values": [_figure_json(f, numbers) for f in k.values]}
            for k in brief.conflicts
        ],  # fmt: skip
        "omitted": list(brief.omitted),
        "since_last": [
            {"kind": ch.kind, "text": ch.text,
             "citations": [_citation_json(x, numbers) for x in ch.citations]}
            for ch in brief.since_last
        ],  # fmt: skip
        "models": _plain(brief.models),
        "settings": _plain(brief.settings),
    }


def _json_bytes(brief: Brief) -> bytes:
    return (json.dumps(json_dump(brief), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_json(brief: Brief, path: Path) -> Path:
    """Write :func:`json_dump` of the brief atomically.

    Args:
        brief: the brief.
        path: the JSON file to (re)place.

    Returns:
        ``path``.
    """
    path = Path(path)
    atomic_write(path, _json_bytes(brief))
    return path


# --- all outputs -----------------------------------------------------------


def write_all(brief: Brief, out_dir: Path, templates_dir: Path | None = None) -> dict[str, Path]:
    """Write a day's outputs: ``brief-DATE.pdf``, ``brief-DATE.json``, ``digests/DATE/``.

    Everything is rendered in memory before the first byte is written, so a
    failing template or layout leaves yesterday's files exactly as they were.
    The JSON describes the brief as printed; the digests cover every topic.

    Args:
        brief: the full brief.
        out_dir: the output folder (created if missing).
        templates_dir: a user's templates folder, searched first.

    Returns:
        Paths under the keys ``pdf``, ``json`` and ``digests`` (the folder).
    """
    out_dir = Path(out_dir)
    stamp = brief.date.isoformat()
    fitted = fit_pdf(brief, templates_dir)
    pages = digests(brief, templates_dir, printed=fitted.brief)
    json_data = _json_bytes(fitted.brief)

    paths = {
        "pdf": out_dir / f"brief-{stamp}.pdf",
        "json": out_dir / f"brief-{stamp}.json",
        "digests": out_dir / "digests" / stamp,
    }
    write_folder(paths["digests"], pages)
    atomic_write(paths["json"], json_data)
    atomic_write(paths["pdf"], fitted.data)
    return paths


# --- atomic files ----------------------------------------------------------


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so readers see the old file or the new, never half.

    Args:
        path: the file to (re)place; its folder is created if missing.
        data: the complete new contents.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def write_folder(folder: Path, files: Sequence[tuple[str, str]]) -> None:
    """Replace ``folder`` with one holding exactly ``files``.

    The new folder is written and synced beside the old one, then swapped in
    with two renames; the old one is deleted only once the new one is in place.

    Args:
        folder: the folder to (re)place.
        files: ``(file name, text)`` pairs.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".tmp"))
    try:
        for name, text in files:
            atomic_write(tmp / name, text.encode("utf-8"))
        os.chmod(tmp, 0o755)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = folder.parent / f".{folder.name}.{uuid.uuid4().hex[:8]}.old"
    had_old = folder.exists()
    if had_old:
        os.replace(folder, old)
    try:
        os.replace(tmp, folder)
    except BaseException:
        if had_old:
            os.replace(old, folder)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(folder.parent)
    shutil.rmtree(old, ignore_errors=True)
