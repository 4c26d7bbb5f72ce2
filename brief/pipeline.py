"""The whole run: articles in, a verified :class:`~brief.records.Brief` out.

``build`` is the library's front door. Each step is a call into the stage
module that owns it; this module only wires them together and reports progress.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from brief import cluster, figures, ingest, sentences
from brief.config import Settings
from brief.embed import CachedEmbedder, Embedder, load_embedder
from brief.records import Article, Brief, Claim, Conflict, Topic, TopicBrief
from brief.summarize import (
    Summarizer,
    default_gate,
    distinct_labels,
    lead,
    load_summarizer,
    summarize_topic,
)
from brief.verify import Gate

log = logging.getLogger(__name__)

# Called with (step name, items done, items in all); the CLI draws it as a progress bar.
Progress = Callable[[str, int, int], None]


@dataclass
class Models:
    """The models a run uses, loaded once and shared between stages."""

    embedder: Embedder
    summarizer: Summarizer
    gate: Gate
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, config: Settings, embedder: Embedder | None = None) -> Models:
        """Load the models ``config`` names (the packaged defaults unless overridden)."""
        embedder = embedder or CachedEmbedder(load_embedder(config.embedder, config.embed_batch_size))
        summarizer = load_summarizer(config)
        gate = default_gate(config, summarizer, embedder)
        names = {"embedder": config.embedder, "summarizer": summarizer.name, "judge": gate.judge.name}
        return cls(embedder, summarizer, gate, names)


def build(
    paths: Sequence[str | Path],
    settings: Settings | None = None,
    *,
    date: dt.date | None = None,
    title: str | None = None,
    models: Models | None = None,
    progress: Progress | None = None,
) -> Brief:
    """Read articles and make a verified, cited brief.

    Args:
        paths: folders, article files or JSONL feeds.
        settings: settings (default: ``Settings.load()``).
        date: the brief's date (default: the newest article date, else today).
        title: the brief's title (default: the first topic's label).
        models: already-loaded models (default: load those ``settings`` names).
        progress: called as each step advances.

    Returns:
        The brief, ready for :mod:`brief.render`.
    """
    config = settings or Settings.load()
    articles = ingest.load(paths, config)
    return brief_from_articles(articles, config, date=date, title=title, models=models, progress=progress)


def brief_from_articles(
    articles: Sequence[Article],
    config: Settings,
    *,
    date: dt.date | None = None,
    title: str | None = None,
    models: Models | None = None,
    progress: Progress | None = None,
    arrange: Callable[[cluster.Topics], cluster.Topics] | None = None,
    summarize: Callable[[Topic], TopicBrief] | None = None,
) -> Brief:
    """The brief for articles already loaded (the nightly run's entry point).

    ``arrange`` may reorder, re-id or relabel the topics before they are
    summarised, and ``summarize`` may stand in for :func:`summarize_topic` (the
    nightly run uses both: stable topic ids, new facts first, stored summaries).
    """
    report = progress or (lambda step, done, total: None)
    split = sentences.split_all(articles)
    date = date or newest(articles) or dt.date.today()
    models = models or Models.load(config)
    report("clustering", 0, 1)
    grouped = cluster.group(split, config, models.embedder)
    if arrange is not None:
        grouped = arrange(grouped)
    report("clustering", 1, 1)
    briefs: list[TopicBrief] = []
    for done, topic in enumerate(grouped.topics):
        report("summarising", done, len(grouped.topics))
        if summarize is not None:
            briefs.append(summarize(topic))
        else:
            briefs.append(summarize_topic(topic, models.summarizer, models.gate, config, date))
    report("summarising", len(grouped.topics), len(grouped.topics))
    briefs = distinct_labels(briefs, {t.id: t.label for t in grouped.topics})
    found = figures.extract(split)
    outlets = {a.id: a.outlet for a in articles}
    disagreements = figures.conflicts(found, outlets)
    briefs = [_with_conflicts(b, disagreements) for b in briefs]
    lead_claims = lead(briefs, config.lead_sentences)
    return Brief(
        date=date,
        title=title or "Situation brief",
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        sources=tuple(articles),
        topics=tuple(briefs),
        lead=lead_claims,
        other=tuple(grouped.other),
        figures=tuple(figures.key_figures(found, date, outlets=outlets)),
        conflicts=tuple(disagreements),
        models=models.names or {"summarizer": models.summarizer.name},
        settings=config.as_dict(),
    )


def newest(articles: Sequence[Article]) -> dt.date | None:
    """The brief's date: the newest date an article states (metadata, URL), else the newest inferred one."""
    return ingest.newest_date(articles)


def _with_conflicts(brief: TopicBrief, disagreements: Sequence[Conflict]) -> TopicBrief:
    """Add a "sources differ" sentence to the topic whose facts hold a conflict's figures.

    A summary may state one of the values; the reader must also see the other.
    """
    located = {(s.article_id, s.index) for f in brief.topic.facts for s in f.sentences}
    notes = []
    for conflict in disagreements:
        cited = [c for v in conflict.values for c in v.citations]
        if any((c.source, c.sentence) in located for c in cited):
            notes.append(Claim(conflict.text, tuple(dict.fromkeys(cited)), "conflict", None, ("conflict",)))
    return replace(brief, summary=brief.summary + tuple(notes)) if notes else brief
