"""Markdown digests: one file per topic, with every fact and the sentences behind it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from brief.records import Brief
from brief.render.common import (
    DIGEST_TEMPLATE,
    TIMELINE_TEMPLATE,
    claim_view,
    environment,
    fact_view,
    long_date,
    render_template,
    slug,
    source_numbers,
    source_view,
    view,
)
from brief.render.files import atomic_write


def _digest_view(brief: Brief, index: int, printed: set[str] | None) -> dict[str, Any]:
    """What ``digest.md.j2`` sees for topic number ``index`` (0-based)."""
    numbers = source_numbers(brief)
    tb = brief.topics[index]
    facts = [fact_view(f, numbers) for f in tb.topic.facts]
    claims = [claim_view(c, numbers) for c in tb.summary]
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
            "sources": [source_view(a, numbers[a.id]) for a in brief.sources if numbers[a.id] in used],
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
        text = render_template(env, DIGEST_TEMPLATE, _digest_view(brief, i, shown))
        out.append((f"{i + 1:02d}-{slug(tb.topic.label)}.md", text))
    if brief.timeline:
        out.append(("00-timeline.md", render_template(env, TIMELINE_TEMPLATE, view(brief))))
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
