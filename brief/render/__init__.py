"""Render a :class:`~brief.records.Brief`: a one-page PDF, Markdown digests and JSON.

One module an output: ``common`` (templates, Jinja environment, the view the
templates see, dates, marks, slugs), ``pdfdoc`` (the safe fetcher and the
one-page fit), ``htmldoc`` (the web page and ``index.html``), ``mddoc``
(digests), ``jsondoc`` (JSON), ``files`` (atomic writes) and ``outputs`` (a
day's files written together). Every file is
written atomically. The names below are the package's public face:
``from brief import render; render.write_all(...)``.
"""

from __future__ import annotations

from brief.render.common import (
    DIGEST_TEMPLATE,
    GENERATOR,
    HTML_TEMPLATE,
    builtin_templates,
    cite_marks,
    environment,
    long_date,
    md_escape,
    slug,
    source_numbers,
    span_text,
    template_roots,
    view,
)
from brief.render.files import atomic_write, write_folder
from brief.render.htmldoc import html, index_entries, index_page, web_url, web_view
from brief.render.jsondoc import json_dump, set_aside_json, write_json
from brief.render.mddoc import digests, markdown
from brief.render.outputs import story_entry, write_all, write_index, write_stories
from brief.render.pdfdoc import (
    CONFLICTS_KEEP,
    FIGURES_KEEP,
    LEAD_KEEP,
    SINCE_KEEP,
    SUMMARY_KEEP,
    TOPICS_KEEP,
    FittedPdf,
    TemplateFetcher,
    fit_pdf,
    pdf,
)

__all__ = [
    "CONFLICTS_KEEP",
    "DIGEST_TEMPLATE",
    "FIGURES_KEEP",
    "GENERATOR",
    "HTML_TEMPLATE",
    "LEAD_KEEP",
    "SINCE_KEEP",
    "SUMMARY_KEEP",
    "TOPICS_KEEP",
    "FittedPdf",
    "TemplateFetcher",
    "atomic_write",
    "builtin_templates",
    "cite_marks",
    "digests",
    "environment",
    "fit_pdf",
    "html",
    "index_entries",
    "index_page",
    "json_dump",
    "long_date",
    "markdown",
    "md_escape",
    "pdf",
    "set_aside_json",
    "slug",
    "source_numbers",
    "span_text",
    "story_entry",
    "template_roots",
    "view",
    "web_url",
    "web_view",
    "write_all",
    "write_folder",
    "write_index",
    "write_json",
    "write_stories",
]
