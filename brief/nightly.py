"""The nightly run: new coverage in, the day's brief and what changed since the last one out.

A night reads an inbox (a folder or a JSONL feed), stores the articles it has
not seen before (by content hash) and builds the brief over every stored
article, the event as it stands, weighted to what is new: topics with new
facts come first and new facts lead their topics. The state file makes a night
pay only for what is new: sentence vectors are looked up before the model is
asked, and a topic whose facts have not changed keeps its stored summary.
Topics keep their id and label across nights when they continue.

Crash safety: every store write is one transaction per stage (articles,
vectors, each topic summary), the outputs are written atomically after all the
work is done, and the brief is recorded only once its files exist. A run killed
at any point therefore leaves either nothing or finished work behind, and the
next run with the same inbox and date picks up what is stored and finishes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from brief import cluster, ingest, render, sentences, stories
from brief.config import Settings
from brief.embed import CachedEmbedder, Embedder, load_embedder
from brief.figures import CASUALTIES, display_value, qualifier
from brief.pipeline import Models, Progress, brief_from_articles
from brief.records import Article, Brief, Change, Citation, Fact, Figure, Sentence, Story, Topic, TopicBrief
from brief.runner import Runner
from brief.store import BriefRecord, EmbeddingTable, Store, TopicRecord, state_path
from brief.verify import Gate

log = logging.getLogger(__name__)

# A topic continues a previous one when this share of their known sentences is shared (Jaccard).
MATCH_MIN = 0.3
# Test hook: ``BRIEF_TEST_PAUSE_AT=STEP:DONE`` makes the run print a line to stderr
# and sleep when progress reports ``STEP`` with ``DONE`` items done, so a test can
# kill it at a known point (e.g. ``ingest:1`` inside the article transaction,
# ``summarising:1`` after the first topic summary is stored, ``rendering:0``
# before any output is written, ``rendering:1`` after the outputs, before the
# brief is recorded). Unset in normal use.
PAUSE_ENV = "BRIEF_TEST_PAUSE_AT"
PAUSE_SECONDS = 60.0
# Settings that change what a topic summary says; the cache key includes them.
SUMMARY_SETTINGS = (
    "summary_sentences", "model_labels", "judge_threshold", "context_tokens", "max_new_tokens", "seed",
)  # fmt: skip


@dataclass(frozen=True)
class NightResult:
    """What one nightly run did."""

    brief: Brief
    paths: dict[str, Path]
    state_file: Path
    new_articles: tuple[str, ...]
    encoded: int
    summarized: int
    reused: int
    # With --stories all: the other stories' nights, and OUT/index.json listing every brief.
    more: tuple[NightResult, ...] = ()
    index: Path | None = None

    @property
    def summary(self) -> str:
        """One line for the log: the date, the size of the brief and what changed."""
        kinds = [c.kind for c in self.brief.since_last]
        brief = self.brief
        return (
            f"{brief.date.isoformat()}: {len(brief.sources)} articles ({len(self.new_articles)} new), "
            f"{len(self.brief.topics)} topics ({kinds.count('new_topic')} new), "
            f"{kinds.count('new_fact')} new facts, {kinds.count('changed_figure')} changed figures; "
            f"{self.summarized} topics summarised, {self.reused} reused"
        )


def run(
    inbox: Path,
    config: Settings,
    date: dt.date | None = None,
    models: Models | None = None,
    progress: Progress | None = None,
    runner: Runner | None = None,
    about: str | None = None,
    stories_mode: str = "largest",
) -> NightResult:
    """Run one night: store what is new in ``inbox``, write the day's brief, record it.

    Args:
        inbox: a folder of articles or a JSONL feed.
        config: settings; ``state_file`` (default ``OUT_DIR/brief.db``), ``out_dir``
            and ``templates_dir`` say where state and outputs go.
        date: the night (default: today). Only articles first seen on or before it count.
        models: already-loaded models (default: load those ``config`` names); the
            embedder is wrapped so vectors are kept in the state file.
        progress: called with (step, done, total) as the run advances.
        runner: where new topic summaries are made (default: in this process); the
            state file is read and written here only, whatever the runner.
        about: brief the stored story nearest this text (default: the largest story).
        stories_mode: ``largest`` (one brief) or ``all``: a brief per story with at least
            ``min_story_articles`` articles, files named by the story's slug, and ``OUT/index.json``.

    Returns:
        The brief, the written paths and what the night cost; with ``all``, the first
        story's, the other stories' under ``more`` and the index under ``index``.

    Raises:
        StateLocked: another run holds the state file.
        StateError: the state file is corrupt or from a newer version.
        InputError, ModelError, RenderError: as for ``brief build``.
    """
    night = date or dt.date.today()
    report = _pausing(progress, os.environ.get(PAUSE_ENV))
    with Store.open(state_path(config)) as store:
        _ingest(store, inbox, config, night, report)
        stored = store.articles(until=night)
        table = store.embeddings()
        ready, cached = _with_store(models, config, table)
        every_article = [a for a, _ in stored]
        chosen, every = _stories(store, every_article, config, cached, night, stories_mode, about, report)
        results = [
            _story_night(store, story, every, stored, config, night, ready, table, report, runner,
                         slugged=stories_mode == "all")
            for story in chosen
        ]  # fmt: skip
        index = None
        if stories_mode == "all":
            entries = [render.story_entry(r.brief, r.paths, config.out_dir) for r in results]
            aside = stories.set_aside(every, {s.id for s in chosen})
            index = render.write_index(config.out_dir, entries, [render.set_aside_json(a) for a in aside])
    done = [replace(r, encoded=cached.encoded) for r in results]
    return replace(done[0], more=tuple(done[1:]), index=index)


def _story_night(
    store: Store, story: Story, every: Sequence[Story], stored: Sequence[tuple[Article, dt.date]],
    config: Settings, night: dt.date, ready: Models, table: EmbeddingTable, report: Progress,
    runner: Runner | None, slugged: bool,
) -> NightResult:
    """One story's night: its brief over its stored articles, new first; written and recorded."""
    members = {a.id for a in story.articles}
    stored = [(a, seen) for a, seen in stored if a.id in members]
    articles = [a for a, _ in stored]
    previous = store.previous_brief(before=night, story=story.id)
    new_ids = frozenset(a.id for a, seen in stored if previous is None or seen > previous.date)
    report("embedding", 0, 1)
    ready.embedder.encode([s.text for s in sentences.split_all(articles)])
    table.flush()
    report("embedding", 1, 1)
    counter = _Counter()
    brief = brief_from_articles(
        articles, config, date=night, models=ready, progress=report,
        arrange=lambda found: arrange(found, new_ids, previous, config.topic_min_size, config.max_topics),
        stored=StoredSummaries(store, ready, config, counter), runner=runner,
        title=story.title if slugged else None,
    )  # fmt: skip
    table.flush()
    brief = _with_changes(_keep_labels(brief, previous), store, previous, new_ids)
    brief = replace(brief, story=stories.ref(story), set_aside=stories.set_aside(every, {story.id}))
    report("rendering", 0, 1)
    paths = render.write_all(brief, config.out_dir, config.templates_dir, name=story.slug if slugged else None)
    report("rendering", 1, 1)
    store.record_brief(brief, paths)
    report("recording", 1, 1)
    return NightResult(
        brief, paths, state_path(config), tuple(a.id for a in articles if a.id in new_ids),
        0, counter.summarized, counter.reused,
    )  # fmt: skip


def _stories(
    store: Store, articles: Sequence[Article], config: Settings, embedder: Embedder, night: dt.date,
    mode: str, about: str | None, report: Progress,
) -> tuple[list[Story], list[Story]]:
    """Group the stored articles into stories that keep their stored ids and slugs; those to brief.

    Returns:
        The stories tonight's briefs cover, and every story (stored in the state file).
    """
    report("stories", 0, 1)
    found = stories.keep_ids(stories.group(articles, config, embedder), *store.stories())
    chosen = stories.choose(found, mode=mode, about=about, embedder=embedder,
                            min_articles=config.min_story_articles)  # fmt: skip
    store.put_stories(found, night)
    report("stories", 1, 1)
    log.info("%d stored articles in %d stories; tonight's briefs: %s", len(articles), len(found),
             ", ".join(s.slug for s in chosen))  # fmt: skip
    return chosen, found


def _ingest(store: Store, inbox: Path, config: Settings, night: dt.date, report: Progress) -> None:
    """Store the inbox's articles the state file lacks, with their sentences (one transaction)."""
    loaded = ingest.load([inbox], config)
    known = store.article_ids()
    fresh = [(a, sentences.split(a)) for a in loaded if a.id not in known]
    store.add_articles(fresh, night, each=lambda done, total: report("ingest", done, total))
    log.info("%d of %d articles in %s are new", len(fresh), len(loaded), inbox)


def _with_changes(brief: Brief, store: Store, previous: BriefRecord | None, new_ids: frozenset[str]) -> Brief:
    """The brief with its "since the last brief" list (empty on the first night)."""
    if previous is None:
        return brief
    published = {a.id: a.published for a in brief.sources}
    changes = since_last(brief, previous, store.figures(previous.date, previous.story_id), new_ids, published)
    return replace(brief, since_last=changes)


# --- topics: stable ids, what is new first ---------------------------------------


def arrange(
    grouped: cluster.Topics,
    new_ids: Collection[str],
    previous: BriefRecord | None,
    min_size: int = 1,
    max_topics: int | None = None,
) -> cluster.Topics:
    """Keep last night's topics as they were, add what is new, and put what is new first.

    Clustering everything again moves some old facts between topics as new
    coverage shifts the picture; a reader wants topics that stay put, and a
    topic whose facts are unchanged keeps its stored summary. So a fact that
    last night's brief placed in a topic stays in that topic (same id and
    label), and one it left out stays out unless new articles now back it. New
    facts go where tonight's clustering puts them: into the old topic that
    tonight's cluster continues (:func:`match_topics`), else into a new topic.

    Args:
        grouped: tonight's topics, most important first, and the leftover facts.
        new_ids: ids of the articles that are new since the previous brief.
        previous: the previous brief's record, or None on the first night.
        min_size: a new topic left with fewer facts is dropped (its facts join the leftovers).
        max_topics: at most this many topics are kept; the rest join the leftovers.

    Returns:
        Topics with stable ids and labels, those with new facts first, then by
        importance; new facts first within each topic, most corroborated next.
    """
    topics = list(grouped.topics)
    matches = match_topics(topics, new_ids, previous.topics) if previous else {}
    homes = _homes(previous) if previous else {}
    placed: dict[str | None, list[Fact]] = {None: []}
    for now, facts in [*enumerate(t.facts for t in topics), (None, grouped.other)]:
        tonight = None if now is None else matches.get(now, topics[now].id)
        for fact in facts:
            placed.setdefault(_place(fact, tonight, homes, new_ids), []).append(fact)
    shapes = {t.id: t for t in previous.topics} if previous else {}
    shapes.update({matches.get(i, t.id): t for i, t in enumerate(topics)})
    arranged: list[Topic] = []
    for topic_id, facts in placed.items():
        if topic_id is None:
            continue
        continues = previous is not None and any(t.id == topic_id for t in previous.topics)
        if not continues and len(facts) < max(min_size, 1):
            placed[None] += facts
            continue
        ordered = tuple(sorted(facts, key=lambda f: (not is_new_fact(f, new_ids), -len(f.sources))))
        arranged.append(_shaped(shapes[topic_id], topic_id, ordered, previous))
    arranged.sort(key=lambda t: (not any(is_new_fact(f, new_ids) for f in t.facts), -t.score))
    kept = arranged[:max_topics] if max_topics else arranged
    leftovers = placed[None] + [f for t in arranged[len(kept) :] for f in t.facts]
    return cluster.Topics(kept, leftovers)


OUTSIDE = ""  # the "home" of a sentence that was in no topic of the previous brief


def _homes(previous: BriefRecord) -> dict[str, str]:
    """Sentence key -> the previous topic that held it (``OUTSIDE`` for none)."""
    homes = {key: OUTSIDE for key in previous.other_keys}
    for topic in previous.topics:
        homes.update(dict.fromkeys(topic.sentence_keys, topic.id))
    return homes


def _place(fact: Fact, tonight: str | None, homes: Mapping[str, str], new_ids: Collection[str]) -> str | None:
    """The topic id a fact goes to: its old topic, else where tonight's clustering put it."""
    known = [homes[s.key] for s in fact.sentences if s.article_id not in new_ids and s.key in homes]
    if not known:
        return tonight
    home = Counter(known).most_common(1)[0][0]
    if home == OUTSIDE:
        # An old leftover that new coverage now backs may join a topic; otherwise it stays out.
        return tonight if len(known) < len(fact.sentences) else None
    return home


def _shaped(
    shape: Topic | TopicRecord, topic_id: str, facts: tuple[Fact, ...], previous: BriefRecord | None
) -> Topic:
    """A topic with the given facts, its old label when it continues one."""
    labels = {t.id: t.label for t in previous.topics} if previous else {}
    return Topic(
        id=topic_id,
        label=labels.get(topic_id, shape.label),
        keywords=tuple(shape.keywords),
        facts=facts,
        score=shape.score,
    )


def match_topics(
    topics: Sequence[Topic], new_ids: Collection[str], previous: Sequence[TopicRecord]
) -> dict[int, str]:
    """Which previous topic each of tonight's topics continues.

    Args:
        topics: tonight's topics.
        new_ids: ids of the new articles (their sentences are left out of the overlap).
        previous: the previous brief's topics.

    Returns:
        Index of tonight's topic -> id of the previous topic it continues.
    """
    scored: list[tuple[float, int, int]] = []
    for i, topic in enumerate(topics):
        known = {s.key for f in topic.facts for s in f.sentences if s.article_id not in new_ids}
        for j, old in enumerate(previous):
            before = set(old.sentence_keys)
            union = known | before
            score = len(known & before) / len(union) if union else 0.0
            if score >= MATCH_MIN:
                scored.append((score, i, j))
    matches: dict[int, str] = {}
    used: set[int] = set()
    for _, i, j in sorted(scored, key=lambda x: (-x[0], x[1], x[2])):
        if i not in matches and j not in used:
            matches[i] = previous[j].id
            used.add(j)
    return matches


def is_new_fact(fact: Fact, new_ids: Collection[str]) -> bool:
    """Whether every sentence of a fact comes from a new article."""
    return bool(fact.sentences) and all(s.article_id in new_ids for s in fact.sentences)


def _keep_labels(brief: Brief, previous: BriefRecord | None) -> Brief:
    """A continuing topic keeps last night's label even when its summary was written afresh."""
    if previous is None:
        return brief
    labels = {t.id: t.label for t in previous.topics}
    topics = tuple(
        replace(tb, topic=replace(tb.topic, label=labels[tb.topic.id])) if tb.topic.id in labels else tb
        for tb in brief.topics
    )
    return replace(brief, topics=topics)


# --- summaries from the store --------------------------------------------------


@dataclass
class _Counter:
    """Topics summarised tonight and topics whose stored summary was reused."""

    summarized: int = 0
    reused: int = 0


def summary_key(topic: Topic, models: Models, config: Settings) -> str:
    """The cache key of a topic summary: its facts, the models and the settings that shape it.

    Args:
        topic: the topic.
        models: the models (names of embedder, summariser and judge).
        config: settings.

    Returns:
        A hex digest; the same facts summarised by the same models agree.
    """
    data = {
        "facts": sorted(f.id for f in topic.facts),
        "summarizer": models.summarizer.name,
        "judge": getattr(models.gate.judge, "name", ""),
        "embedder": models.embedder.name,
        "settings": {name: getattr(config, name) for name in SUMMARY_SETTINGS},
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class StoredSummaries:
    """Topic summaries in the state file, keyed by :func:`summary_key`; used in the driver only."""

    def __init__(self, store: Store, models: Models, config: Settings, counter: _Counter) -> None:
        self.store, self.models, self.config, self.counter = store, models, config, counter

    def get(self, topic: Topic) -> TopicBrief | None:
        """The stored summary of a topic whose facts are unchanged, else None."""
        stored = self.store.summary(summary_key(topic, self.models, self.config))
        if stored is None:
            return None
        self.counter.reused += 1
        label, claims = stored
        return TopicBrief(replace(topic, label=label), claims)

    def put(self, topic: Topic, fresh: TopicBrief) -> None:
        """Store a summary made tonight (one transaction)."""
        self.store.put_summary(summary_key(topic, self.models, self.config), fresh.topic.label, fresh.summary)
        self.counter.summarized += 1


def _with_store(
    models: Models | None, config: Settings, table: EmbeddingTable
) -> tuple[Models, CachedEmbedder]:
    """Models whose embedder reads and writes vectors in the state file."""
    if models is None:
        cached = CachedEmbedder(load_embedder(config.embedder, config.embed_batch_size), table)
        return Models.load(config, embedder=cached), cached
    cached = CachedEmbedder(models.embedder, table)
    gate = Gate(models.gate.judge, cached, models.gate.threshold, models.gate.evidence_limit)
    return Models(cached, models.summarizer, gate, dict(models.names)), cached


# --- since the last brief ------------------------------------------------------


def since_last(
    brief: Brief,
    previous: BriefRecord,
    previous_figures: Sequence[Figure],
    new_ids: Collection[str],
    published: Mapping[str, dt.date | None],
) -> tuple[Change, ...]:
    """What is new since the previous brief: changed figures, new topics, new facts.

    Args:
        brief: tonight's brief (topics with stable ids).
        previous: the previous brief's record.
        previous_figures: its key figures.
        new_ids: ids of the articles new since then.
        published: each article's date, to tell the latest report of a figure.

    Returns:
        Changed figures first; then new topics (a topic no previous one continues,
        with a new article in it), each told by its label and its first new fact;
        then every other fact only new articles tell, in topic order, leftovers
        last. Each cites new articles only.
    """
    changes = changed_figures(brief.figures, previous_figures, new_ids, published)
    old_topics = {t.id for t in previous.topics}
    headlines: set[str] = set()
    for tb in brief.topics:
        fresh = [f for f in tb.topic.facts if any(s.article_id in new_ids for s in f.sentences)]
        if tb.topic.id not in old_topics and fresh:
            headlines.add(fresh[0].id)
            text = f"{tb.topic.label}: {fresh[0].text}"
            changes.append(Change("new_topic", text, _new_citations(fresh[:1], new_ids)))
    for fact in [*(f for tb in brief.topics for f in tb.topic.facts), *brief.other]:
        if is_new_fact(fact, new_ids) and fact.id not in headlines:
            changes.append(Change("new_fact", fact.text, _new_citations([fact], new_ids)))
    return tuple(changes)


def changed_figures(
    figures: Sequence[Figure],
    previous: Sequence[Figure],
    new_ids: Collection[str],
    published: Mapping[str, dt.date | None],
) -> list[Change]:
    """Key figures a new article revised: the latest reading differs from last brief's.

    Figures are compared per (what is counted, unit, where, running total or not). A
    casualty count or a running total is one number that gets revised; any
    other count (raids in a night) is compared only for the same day or night,
    since a new night's count is a new reading, not a revision.

    Args:
        figures: tonight's key figures.
        previous: the previous brief's key figures.
        new_ids: ids of the new articles; only a figure they report can change.
        published: article dates, to pick each side's latest report.

    Returns:
        One ``changed_figure`` change per revised quantity, e.g. "killed in X: 40 -> 41".
    """
    changes: list[Change] = []
    for key, latest in _latest(figures, published).items():
        before = _latest(previous, published).get(key)
        cited = tuple(c for c in latest.citations if c.source in new_ids)
        if before is None or not cited or before.value == latest.value:
            continue
        counts, _, where, cumulative = key
        if not (counts in CASUALTIES or cumulative or before.as_of == latest.as_of):
            continue
        place = f" in {where}" if where else ""
        text = f"{counts}{place}: {_reading(before)} -> {_reading(latest)}"
        changes.append(Change("changed_figure", text, cited))
    return changes


_Quantity = tuple[str, str | None, str | None, bool]  # what a figure counts, unit, where, running total or not


def _latest(figures: Sequence[Figure], published: Mapping[str, dt.date | None]) -> dict[_Quantity, Figure]:
    """The most recently reported figure per quantity."""
    best: dict[_Quantity, Figure] = {}
    for figure in figures:
        key = (figure.counts, figure.unit, figure.where, figure.cumulative)
        if key not in best or _reported(figure, published) > _reported(best[key], published):
            best[key] = figure
    return best


def _reported(figure: Figure, published: Mapping[str, dt.date | None]) -> tuple[dt.date, str]:
    """When a figure was last reported (its newest citing article), then its own time."""
    days = [d for c in figure.citations if (d := published.get(c.source))]
    return max(days, default=dt.date.min), figure.as_of or ""


def _reading(figure: Figure) -> str:
    hedge = qualifier(figure)
    return f"{hedge} {display_value(figure)}" if hedge else display_value(figure)


def _new_citations(facts: Sequence[Fact], new_ids: Collection[str]) -> tuple[Citation, ...]:
    """Citations of the facts' sentences from new articles, each fact's representative first."""
    chosen: list[Sentence] = []
    for fact in facts:
        fresh = [s for s in fact.sentences if s.article_id in new_ids]
        chosen += sorted(fresh, key=lambda s: s.text != fact.text)
    return tuple(Citation.of(s) for s in dict.fromkeys(chosen))


# --- test hook -------------------------------------------------------------------


def _pausing(progress: Progress | None, spec: str | None) -> Progress:
    """``progress``, plus the :data:`PAUSE_ENV` test hook when ``spec`` names a point."""
    inner = progress or (lambda step, done, total: None)
    if not spec:
        return inner
    step, _, count = spec.partition(":")
    at = int(count or 1)

    def report(name: str, done: int, total: int) -> None:
        inner(name, done, total)
        if name == step and done == at:
            # Straight to stderr, not the log: the test waits for this exact line.
            sys.stderr.write(f"brief: test pause at {spec}\n")
            sys.stderr.flush()
            time.sleep(PAUSE_SECONDS)

    return report
