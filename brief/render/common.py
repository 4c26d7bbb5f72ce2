"""What every output shares: templates, the Jinja environment, the view, dates, marks, slugs.

Templates are Jinja2 files looked up in a user's folder first and the built-in
``templates/`` second. HTML is autoescaped and every undefined name is an error.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

import brief as _package
from brief.errors import RenderError
from brief.figures import course_text, display_value, qualifier
from brief.records import Article, Brief, Citation, Claim, Conflict, Fact, Figure

log = logging.getLogger(__name__)

HTML_TEMPLATE = "brief.html"
DIGEST_TEMPLATE = "digest.md.j2"
TIMELINE_TEMPLATE = "timeline.md.j2"

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


def render_template(env: jinja2.Environment, name: str, context: Mapping[str, Any]) -> str:
    """Render one template, turning any Jinja failure into a RenderError."""
    try:
        return env.get_template(name).render(**context)
    except Exception as exc:  # a broken template may raise anything; the CLI needs one error type.
        raise RenderError(f"template {name}: {type(exc).__name__}: {exc}") from exc

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


def cited_numbers(citations: Iterable[Citation], numbers: Mapping[str, int]) -> list[int]:
    """Sorted source numbers of some citations; unknown sources are logged and skipped."""
    ids = {c.source for c in citations}
    unknown = ids - numbers.keys()
    if unknown:
        log.warning("citations name %d source(s) not in the brief: %s", len(unknown), sorted(unknown))
    return sorted({numbers[i] for i in ids if i in numbers})


def long_date(day: dt.date | None) -> str:
    """``17 November 2015``, whatever the locale; empty for None."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}" if day else ""


def event_date(day: dt.date) -> str:
    """``Fri 13 Nov``: a timeline day as the page prints it."""
    return f"{day.strftime('%a')} {day.day} {_MONTHS[day.month - 1][:3]}"


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


def claim_view(claim: Claim, numbers: Mapping[str, int]) -> dict[str, Any]:
    return {
        "text": claim.text,
        "numbers": cited_numbers(claim.citations, numbers),
        "extractive": claim.method == "extractive",
        "method": claim.method,
    }


def source_view(article: Article, number: int) -> dict[str, Any]:
    return {
        "number": number,
        "outlet": article.outlet or Path(article.path).name or "Unknown outlet",
        "title": article.title or "(untitled)",
        "date": long_date(article.published),
        "path": article.path,
        "url": article.url or "",
    }


def figure_view(figure: Figure, numbers: Mapping[str, int], year: int) -> dict[str, Any]:
    return {
        "value": f"{qualifier(figure)} {display_value(figure)}" if qualifier(figure) else display_value(figure),
        "unit": figure.unit or "",
        "course": course_text(figure, year),
        "counts": figure.counts,
        "where": figure.where or "",
        "as_of": span_text(figure.as_of, year),
        "cumulative": figure.cumulative,
        "numbers": cited_numbers(figure.citations, numbers),
        "text": figure.text,
    }


def conflict_view(conflict: Conflict, numbers: Mapping[str, int], year: int) -> dict[str, Any]:
    where = f", {conflict.where}" if conflict.where else ""
    when = f" ({span_text(conflict.as_of, year)})" if conflict.as_of else ""
    return {
        "label": f"{conflict.counts}{where}{when}",
        "text": conflict.text,
        "figures": [figure_view(f, numbers, year) for f in conflict.values],
    }


def fact_view(fact: Fact, numbers: Mapping[str, int]) -> dict[str, Any]:
    return {
        "text": fact.text,
        "numbers": sorted({numbers[a] for a in fact.sources if a in numbers}),
        "quotes": [{"text": s.text, "number": numbers.get(s.article_id, 0)} for s in fact.sentences],
    }


def cited_ids(brief: Brief) -> set[str]:
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
    cited = cited_ids(brief)
    generated = _utc(brief.generated_at)
    return {
        "brief": brief,
        "date": long_date(brief.date),
        "date_iso": brief.date.isoformat(),
        "title": brief.title,
        "generated": generated.strftime("%Y-%m-%d %H:%M UTC"),
        "generated_iso": generated.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generator": GENERATOR,
        "lead": [claim_view(c, numbers) for c in brief.lead],
        "topics": [
            {"label": tb.topic.label, "keywords": list(tb.topic.keywords),
             "claims": [claim_view(c, numbers) for c in tb.summary]}
            for tb in brief.topics
        ],  # fmt: skip
        "since_last": [
            {"kind": ch.kind, "kind_label": _CHANGE_LABELS.get(ch.kind, ch.kind), "text": ch.text,
             "numbers": cited_numbers(ch.citations, numbers)}
            for ch in brief.since_last
        ],  # fmt: skip
        "conflicts": [conflict_view(k, numbers, year) for k in brief.conflicts],
        "figures": [figure_view(f, numbers, year) for f in brief.figures],
        "timeline": [
            {"date": event_date(e.date), "date_iso": e.date.isoformat(), "text": e.text,
             "numbers": cited_numbers(e.citations, numbers)}
            for e in brief.timeline
        ],  # fmt: skip
        "sources": [
            source_view(a, numbers[a.id])
            for a in brief.sources
            if not cited_sources_only or a.id in cited
        ],
        "omitted": list(brief.omitted),
    }

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
