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
from typing import Protocol

from brief import cluster, figures, ingest, sentences, timeline
from brief import stories as story_stage
from brief.config import Settings
from brief.embed import CachedEmbedder, Embedder, load_embedder
from brief.plan import PagePlan, page_plan
from brief.records import Article, Brief, Claim, Conflict, SetAside, Story, Topic, TopicBrief
from brief.runner import LocalRunner, Runner
from brief.summarize import (
    Summarizer,
    default_gate,
    distinct_labels,
    load_summarizer,
    summarize_topic,
)
from brief.synthesize import Lead, headline, key_developments, plain_title, without_repeats
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
    runner: Runner | None = None,
) -> Brief:
    """Read articles and make a verified, cited brief of their largest story.

    The articles are first grouped into stories (:mod:`brief.stories`); the
    brief covers the largest and lists the others under ``set_aside``. A folder
    of one story gives the brief of all its articles. :func:`build_stories`
    briefs another story, or every one.

    Args:
        paths: folders, article files or JSONL feeds.
        settings: settings (default: ``Settings.load()``).
        date: the brief's date (default: the newest article date, else today).
        title: the brief's title (default: the first topic's label).
        models: already-loaded models (default: load those ``settings`` names).
        progress: called as each step advances.
        runner: where each topic is summarised (default: in this process).

    Returns:
        The brief, ready for :mod:`brief.render`.
    """
    made = build_stories(paths, settings, date=date, title=title, models=models, runner=runner, progress=progress)
    return made.briefs[0]


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
    stored: StoredSummaries | None = None,
    runner: Runner | None = None,
) -> Brief:
    """The brief for articles already loaded (the nightly run's entry point).

    ``arrange`` may reorder, re-id or relabel the topics before they are
    summarised (the nightly run: stable topic ids, new facts first). Each
    topic's summary is taken from ``stored`` when it has one; the others are
    made by ``runner`` (default: in this process; a Ray runner spreads topics
    over its workers) and handed to ``stored`` as each arrives, here, so only
    this process touches the store. The brief is the same wherever it ran. A
    ``summarize`` hook instead stands in for :func:`summarize_topic`, in this process.
    """
    report = progress or (lambda step, done, total: None)
    split = sentences.split_all(articles)
    date = date or newest(articles) or dt.date.today()
    if models is None:
        models = runner.models if isinstance(runner, LocalRunner) else Models.load(config)
    runner = runner or LocalRunner(lambda: models)
    report("clustering", 0, 1)
    grouped = cluster.group(split, config, models.embedder)
    if arrange is not None:
        grouped = arrange(grouped)
    report("clustering", 1, 1)
    plan = page_plan(grouped.topics, config)
    report("key developments", 0, 1)
    lead = key_developments(_on_page(grouped.topics, plan), plan.lead, models.summarizer, models.gate, date)
    report("key developments", 1, 1)
    if summarize is not None:
        briefs = []
        report("summarising", 0, len(grouped.topics))
        for topic in grouped.topics:
            briefs.append(summarize(topic))
            report("summarising", len(briefs), len(grouped.topics))
    else:
        briefs = _summaries(grouped.topics, config, date, runner, stored, report, plan, lead)
    briefs = distinct_labels(briefs, {t.id: t.label for t in grouped.topics})
    found = figures.extract(split)
    outlets = {a.id: a.outlet for a in articles}
    disagreements = figures.conflicts(found, outlets)
    briefs = [_with_conflicts(b, disagreements) for b in briefs]
    printed = [c for b in briefs if plan.count(b.topic) for c in b.summary]
    story_headline = None if title else headline(lead, models.summarizer, models.gate)
    return Brief(
        date=date,
        title=title or story_headline or plain_title(grouped.topics) or "Situation brief",
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        sources=tuple(articles),
        topics=tuple(briefs),
        lead=without_repeats(lead.claims, printed),
        other=tuple(grouped.other),
        figures=tuple(figures.key_figures(found, date, outlets=outlets)),
        conflicts=tuple(disagreements),
        timeline=tuple(timeline.events([f for t in grouped.topics for f in t.facts], date)),
        models=models.names or {"summarizer": models.summarizer.name},
        settings=config.as_dict(),
    )


class StoredSummaries(Protocol):
    """Topic summaries kept between runs (the nightly state file)."""

    def get(self, topic: Topic) -> TopicBrief | None:
        """The kept summary of this topic (same facts, models, settings), else None."""
        ...

    def put(self, topic: Topic, fresh: TopicBrief) -> None:
        """Keep a summary made in this run."""
        ...


def _on_page(topics: Sequence[Topic], plan: PagePlan) -> list[Topic]:
    """The topics the plan prints, in order."""
    wanted = set(plan.on_page)
    return [t for t in topics if t.id in wanted]


def _summaries(
    topics: Sequence[Topic],
    config: Settings,
    date: dt.date,
    runner: Runner,
    stored: StoredSummaries | None,
    report: Progress,
    plan: PagePlan,
    lead: Lead,
) -> list[TopicBrief]:
    """Each topic's summary: the stored one, else one the runner makes (then stored), in topic order.

    Only topics on the page are written (``--full-digests`` writes the rest too);
    the others keep their facts for the digests at no model cost.
    """
    known = [stored.get(topic) if stored is not None else None for topic in topics]
    todo = [i for i, brief in enumerate(known) if brief is None]

    def keep(done: int, fresh: TopicBrief) -> None:
        # Store each summary as it arrives, so a run killed later keeps what it paid for.
        known[todo[done - 1]] = fresh
        if stored is not None:
            stored.put(topics[todo[done - 1]], fresh)
        report("summarising", done, len(todo))

    report("summarising", 0, len(todo))
    jobs = [TopicJob(topics[i], config, date, _wanted(topics[i], plan, config), lead.used) for i in todo]
    runner.map(summarize_job, jobs, done=keep)
    return [brief for brief in known if brief is not None]


@dataclass(frozen=True)
class TopicJob:
    """One topic to summarise and verify: the item a runner ships to a worker."""

    topic: Topic
    config: Settings
    date: dt.date
    count: int | None = None
    skip: frozenset[str] = frozenset()


def _wanted(topic: Topic, plan: PagePlan, config: Settings) -> int:
    """Sentences to write for a topic: the plan's, or the default for every topic with ``full_digests``."""
    return plan.count(topic) or (config.summary_sentences if config.full_digests else 0)


def summarize_job(models: Models, job: TopicJob) -> TopicBrief:
    """Runner task: one topic's verified summary, with the worker's models.

    Args:
        models: the models of the process the task runs in.
        job: the topic, the run's settings and the brief's date.

    Returns:
        The topic's :class:`TopicBrief`, as :func:`summarize_topic` makes it.
    """
    return summarize_topic(job.topic, models.summarizer, models.gate, job.config, job.date, job.count, job.skip)


# --- one brief per story ------------------------------------------------------------


@dataclass(frozen=True)
class StoryBriefs:
    """What a run made of a feed: every story found and a brief for each chosen one."""

    stories: tuple[Story, ...]
    briefs: tuple[Brief, ...]
    mode: str = "largest"

    @property
    def set_aside(self) -> tuple[SetAside, ...]:
        """The articles no brief covers, with the story each went to."""
        return story_stage.set_aside(self.stories, {b.story.id for b in self.briefs if b.story})


@dataclass(frozen=True)
class StoryJob:
    """One story to brief: the item a runner ships to a worker."""

    story: Story
    config: Settings
    set_aside: tuple[SetAside, ...]
    date: dt.date | None = None
    title: str | None = None


def brief_story(models: Models, job: StoryJob) -> Brief:
    """Runner task: the brief of one story, with the worker's models.

    Args:
        models: the models of the process the task runs in.
        job: the story, the run's settings, the articles set aside, date and title.

    Returns:
        The story's brief, carrying its :class:`~brief.records.StoryRef` and set-aside list.
    """
    made = brief_from_articles(job.story.articles, job.config, date=job.date, title=job.title, models=models)
    return replace(made, story=story_stage.ref(job.story), set_aside=job.set_aside)


def build_stories(
    paths: Sequence[str | Path],
    settings: Settings | None = None,
    *,
    stories: str = "largest",
    about: str | None = None,
    date: dt.date | None = None,
    title: str | None = None,
    models: Models | None = None,
    runner: Runner | None = None,
    progress: Progress | None = None,
) -> StoryBriefs:
    """Read articles, group them into stories and brief the chosen ones.

    Args:
        paths: folders, article files or JSONL feeds.
        settings: settings (default: ``Settings.load()``).
        stories: ``largest`` (one brief, the default) or ``all`` (one brief per story
            with at least ``min_story_articles`` articles).
        about: brief the one story nearest this text instead of the largest.
        date: every brief's date (default: each story's newest article date).
        title: every brief's title (default: "Situation brief"; with ``all``, the story's title).
        models: already-loaded models (default: load those ``settings`` names).
        runner: where the stories are briefed (default: in this process).
        progress: called as each step advances.

    Returns:
        The stories and their briefs.
    """
    config = settings or Settings.load()
    articles = ingest.load(paths, config)
    return stories_from_articles(articles, config, stories=stories, about=about, date=date, title=title,
                                 models=models, runner=runner, progress=progress)  # fmt: skip


def stories_from_articles(
    articles: Sequence[Article],
    config: Settings,
    *,
    stories: str = "largest",
    about: str | None = None,
    date: dt.date | None = None,
    title: str | None = None,
    models: Models | None = None,
    runner: Runner | None = None,
    progress: Progress | None = None,
) -> StoryBriefs:
    """:func:`build_stories` for articles already loaded.

    One chosen story is briefed here, with ``runner`` spreading its topics;
    several are mapped over ``runner`` as :func:`brief_story` tasks.
    """
    report = progress or (lambda step, done, total: None)
    if runner is None:
        # Loaded before any work, so a missing model fails at once, as it did before stories.
        loaded = models = models or Models.load(config)
        runner = LocalRunner(lambda: loaded)
    if models is not None:
        embedder = models.embedder
    else:
        embedder = CachedEmbedder(load_embedder(config.embedder, config.embed_batch_size))
    report("stories", 0, 1)
    found = story_stage.group(articles, config, embedder)
    chosen = story_stage.choose(found, mode=stories, about=about, embedder=embedder,
                                min_articles=config.min_story_articles)  # fmt: skip
    report("stories", 1, 1)
    log.info("%d articles in %d stories; briefing %s", len(articles), len(found), [s.slug for s in chosen])
    # Several briefs of one run need telling apart: each is titled by its story unless a title is given.
    jobs = [
        StoryJob(story, config, story_stage.set_aside(found, {story.id}), date,
                 title or (story.title if stories == "all" else None))
        for story in chosen
    ]  # fmt: skip
    if len(jobs) == 1:
        job = jobs[0]
        one = brief_from_articles(job.story.articles, config, date=date, title=job.title, models=models,
                                  runner=runner, progress=progress)  # fmt: skip
        made = [replace(one, story=story_stage.ref(job.story), set_aside=job.set_aside)]
    else:
        report("briefing stories", 0, len(jobs))
        made = runner.map(brief_story, jobs, done=lambda n, _: report("briefing stories", n, len(jobs)))
    return StoryBriefs(tuple(found), tuple(made), stories)


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
