"""The one-page PDF: a safe WeasyPrint fetcher and the cuts that fit a brief on one page.

WeasyPrint only ever reads files that lie inside the template folders, so
nothing an article says (an ``<img src=...>`` in its text, say) can make the
renderer touch the network or the disk.

The PDF is always one page: when the brief does not fit, the least important
content is left out step by step (see :func:`fit_pdf`) and each cut is noted
in the fitted brief's ``omitted``.
"""

from __future__ import annotations

import dataclasses
import logging
import mimetypes
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import jinja2
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

from brief.errors import RenderError
from brief.figures import display_value
from brief.records import Brief
from brief.render.common import (
    HTML_TEMPLATE,
    cited_ids,
    environment,
    render_template,
    template_roots,
    view,
)
from brief.render.files import atomic_write

log = logging.getLogger(__name__)

# Below this many kept items a cut stops; later, harsher cuts go further.
SUMMARY_KEEP = 2
TOPICS_KEEP = 2
FIGURES_KEEP = 6
CONFLICTS_KEEP = 2
SINCE_KEEP = 3
LEAD_KEEP = 3
TIMELINE_KEEP = 3

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


def _drop_head(brief: Brief, name: str, keep: int) -> Iterator[Brief]:
    """Drop the first (oldest) items of the tuple field ``name`` while more than ``keep`` remain."""
    while len(getattr(brief, name)) > keep:
        brief = dataclasses.replace(brief, **{name: getattr(brief, name)[1:]})
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
        lambda b: _drop_head(b, "timeline", 1),
        lambda b: _trim_summaries(b, SUMMARY_KEEP),
        # The timeline gives way before any topic does.
        lambda b: _drop_head(b, "timeline", 0),
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
    if any(a.id not in cited_ids(current) for a in current.sources):
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
        notes.append(f"figure {display_value(figure)} {figure.counts}{where} left out for space")
    if cut.cited_sources_only:
        cited = cited_ids(cut.brief)
        unlisted = sum(1 for a in full.sources if a.id not in cited)
        notes.append(f"{_plural(unlisted, 'uncited source')} left out of the source list for space")
    return tuple(notes)


def _with_notes(full: Brief, cut: _Cut) -> _Cut:
    """``cut`` with its notes appended to the brief's ``omitted``."""
    notes = (*full.omitted, *_describe_cuts(full, cut))
    return dataclasses.replace(cut, brief=dataclasses.replace(cut.brief, omitted=notes))


def _layout(cut: _Cut, env: jinja2.Environment, fetcher: TemplateFetcher) -> Document:
    """Lay out one state of the brief (any number of pages)."""
    html = render_template(env, HTML_TEMPLATE, view(cut.brief, cut.cited_sources_only))
    base_url = fetcher.roots[0].as_uri() + "/"
    try:
        return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
    except Exception as exc:  # WeasyPrint raises many kinds; the CLI needs one.
        raise RenderError(f"cannot lay out the brief: {type(exc).__name__}: {exc}") from exc


def printable_part(brief: Brief) -> Brief:
    """What the page may print: topics with a written summary, the newest timeline lines.

    A topic the plan left without a summary lives in the digests only; the
    JSON keeps the whole timeline (see :func:`brief.render.outputs.write_all`).
    """
    written = tuple(tb for tb in brief.topics if tb.summary)
    lines = int(brief.settings.get("timeline_lines", TIMELINE_KEEP) or 0)  # type: ignore[call-overload]
    notes = brief.omitted
    if len(written) < len(brief.topics):
        left = len(brief.topics) - len(written)
        notes += (f"{_plural(left, 'topic')} without room on the page (in the digests)",)
    return dataclasses.replace(
        brief, topics=written, timeline=brief.timeline[-lines:] if lines > 0 else (), omitted=notes
    )


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
    brief = printable_part(brief)
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
