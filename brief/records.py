"""The records that pass between stages.

Every stage takes and returns these small dataclasses; none of them imports a
stage, so any module may import this one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from brief.quantities import display


@dataclass(frozen=True)
class DroppedLine:
    """A line that ingest removed from an article, kept so a user can audit it."""

    text: str
    reason: str


@dataclass(frozen=True)
class Article:
    """One article with clean body text and what is known about where it came from.

    ``id`` is a hash of the clean text, so the same article re-published under
    another file name is recognised as the same article.
    """

    id: str
    path: str
    title: str
    outlet: str | None
    published: dt.date | None
    text: str
    dropped: tuple[DroppedLine, ...] = ()
    url: str | None = None
    # Where the date came from: "metadata", "url", "dateline", "filename", "text" (inferred) or None.
    published_from: str | None = None
    author: str | None = None
    # (field, origin) for title, outlet, url, published, author: where ingest found each value.
    provenance: tuple[tuple[str, str], ...] = ()

    def origin(self, name: str) -> str | None:
        """Where field ``name`` came from ("metadata", "url", "dateline", "filename", "text"), or None."""
        return dict(self.provenance).get(name)


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article's clean text, located by character offsets."""

    article_id: str
    index: int
    start: int
    end: int
    text: str
    published: dt.date | None = None

    @property
    def key(self) -> str:
        """A stable identifier for the sentence: ``article_id:index``."""
        return f"{self.article_id}:{self.index}"


@dataclass(frozen=True)
class Fact:
    """One statement, carried by one or more sentences from different articles."""

    id: str
    text: str
    sentences: tuple[Sentence, ...]

    @property
    def sources(self) -> tuple[str, ...]:
        """The distinct articles that carry this fact, in first-seen order."""
        return tuple(dict.fromkeys(s.article_id for s in self.sentences))

    @property
    def published(self) -> dt.date | None:
        """The earliest known date among the supporting sentences."""
        dates = [s.published for s in self.sentences if s.published]
        return min(dates) if dates else None


@dataclass(frozen=True)
class Topic:
    """A group of facts about one subject, most important fact first."""

    id: str
    label: str
    keywords: tuple[str, ...]
    facts: tuple[Fact, ...]
    score: float = 0.0

    @property
    def sources(self) -> tuple[str, ...]:
        """The distinct articles that carry any fact of the topic."""
        return tuple(dict.fromkeys(a for f in self.facts for a in f.sources))


@dataclass(frozen=True)
class Citation:
    """A pointer to the exact source sentence that supports a claim."""

    source: str
    sentence: int
    start: int
    end: int
    quote: str

    @classmethod
    def of(cls, sentence: Sentence) -> Citation:
        """Cite a sentence verbatim."""
        return cls(sentence.article_id, sentence.index, sentence.start, sentence.end, sentence.text)


# Computed from the text, never declared by a prompt: "verbatim" (a source sentence as is),
# "near-verbatim" (light edits), "abstractive" (fused or reworded, passed the judge),
# "extractive" (a source sentence put back after a failed check), "conflict" (a templated
# "sources differ" sentence built from the figures themselves).
Method = Literal["verbatim", "near-verbatim", "abstractive", "extractive", "conflict"]


@dataclass(frozen=True)
class Claim:
    """A printed sentence with the citations that were checked to support it."""

    text: str
    citations: tuple[Citation, ...]
    method: Method
    entailment: float | None = None
    checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figure:
    """A number reported by a source, with what it counts, where and when.

    ``as_of`` is an ISO date, or ``START/END`` for a night or a span. ``value`` is
    an int for whole numbers; ``unit`` is a currency code ("EUR", "USD"), "%",
    "magnitude", or None for a plain count. ``course`` is a tally's readings over
    the days, oldest first, as (as_of, value): a death toll that rose.
    """

    value: float
    counts: str
    where: str | None
    as_of: str | None
    citations: tuple[Citation, ...]
    cumulative: bool = False
    text: str = ""
    unit: str | None = None
    course: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Conflict:
    """Sources that give different values for the same quantity, place and time."""

    counts: str
    where: str | None
    as_of: str | None
    values: tuple[Figure, ...]

    @property
    def text(self) -> str:
        """A one-line statement of the disagreement."""
        shown = " vs ".join(display(f.value, f.unit) for f in self.values)
        place = f" in {self.where}" if self.where else ""
        when = f" ({self.as_of})" if self.as_of else ""
        return f"Sources differ on {self.counts}{place}{when}: {shown}."


@dataclass(frozen=True)
class TopicBrief:
    """A topic with its verified summary."""

    topic: Topic
    summary: tuple[Claim, ...]


@dataclass(frozen=True)
class Event:
    """Something that happened on a day, as a source sentence states it."""

    date: dt.date
    text: str
    citations: tuple[Citation, ...]


ChangeKind = Literal["new_topic", "new_fact", "changed_figure"]


@dataclass(frozen=True)
class Change:
    """One thing that is new since the previous brief."""

    kind: ChangeKind
    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Story:
    """Articles about one event, grouped before any topic is formed (see :mod:`brief.stories`)."""

    id: str
    slug: str
    title: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class StoryRef:
    """The story a brief covers: its id, slug, title and how many articles it holds."""

    id: str
    slug: str
    title: str
    articles: int


@dataclass(frozen=True)
class SetAside:
    """An article a brief leaves out because it belongs to another story (``story``: its slug) or none."""

    id: str
    title: str
    outlet: str | None
    story: str | None


@dataclass(frozen=True)
class Brief:
    """Everything one dated brief says, and what it was made with."""

    date: dt.date
    title: str
    generated_at: dt.datetime
    sources: tuple[Article, ...]
    topics: tuple[TopicBrief, ...]
    lead: tuple[Claim, ...] = ()
    other: tuple[Fact, ...] = ()
    figures: tuple[Figure, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    omitted: tuple[str, ...] = ()
    since_last: tuple[Change, ...] = ()
    timeline: tuple[Event, ...] = ()
    models: dict[str, str] = field(default_factory=dict)
    settings: dict[str, object] = field(default_factory=dict)
    # The story this brief covers (None when articles were not grouped) and the articles it left out.
    story: StoryRef | None = None
    set_aside: tuple[SetAside, ...] = ()
