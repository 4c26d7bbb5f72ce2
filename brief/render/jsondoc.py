"""The brief as JSON: every claim with its citations, offsets and checks."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from brief.figures import display_value
from brief.records import Brief, Citation, Claim, Fact, Figure, SetAside
from brief.render.common import source_numbers
from brief.render.files import atomic_write


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
        "value": f.value, "unit": f.unit, "display": display_value(f), "counts": f.counts, "where": f.where,
        "as_of": f.as_of, "cumulative": f.cumulative, "text": f.text,
        "course": [{"as_of": as_of, "value": value} for as_of, value in f.course],
        "citations": [_citation_json(x, numbers) for x in f.citations],
    }  # fmt: skip


def set_aside_json(s: SetAside) -> dict[str, Any]:
    """An article left out of a brief, with the story it went to (or ``"no story"``)."""
    return {"id": s.id, "title": s.title, "outlet": s.outlet, "story": s.story or "no story"}


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
        ``lead``, ``other``, ``figures``, ``conflicts``, ``timeline``, ``omitted``,
        ``since_last``, ``story``, ``set_aside``, ``models`` and ``settings``.
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
        "timeline": [
            {"date": e.date.isoformat(), "text": e.text,
             "citations": [_citation_json(x, numbers) for x in e.citations]}
            for e in brief.timeline
        ],  # fmt: skip
        "omitted": list(brief.omitted),
        "since_last": [
            {"kind": ch.kind, "text": ch.text,
             "citations": [_citation_json(x, numbers) for x in ch.citations]}
            for ch in brief.since_last
        ],  # fmt: skip
        "story": (
            {"id": brief.story.id, "slug": brief.story.slug, "title": brief.story.title,
             "articles": brief.story.articles}
            if brief.story else None
        ),  # fmt: skip
        # Articles of other stories: listed so a reader knows what was left out, never cited.
        "set_aside": [set_aside_json(s) for s in brief.set_aside],
        "models": _plain(brief.models),
        "settings": _plain(brief.settings),
    }


def json_bytes(brief: Brief) -> bytes:
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
    atomic_write(path, json_bytes(brief))
    return path
