"""What fits the page, decided before any model call.

The page has room for about ``page_words`` words of prose beside the key
figures and the source list. The plan spends them in order of importance: the
key developments and a few timeline lines first, then the topics' headings and
sentences, breadth first. A topic the page has no room for gets
no sentence written (its digest lists its facts); nothing the model writes is
cut for space afterwards unless the estimate was wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from brief.config import Settings
from brief.records import Topic
from brief.summarize import printable

# Words a printed line costs on average: a written sentence, a key development,
# a topic heading (with its gap), a timeline line.
SENTENCE_WORDS = 24
LEAD_WORDS = 22
HEADING_WORDS = 10
TIMELINE_WORDS = 25


@dataclass(frozen=True)
class PagePlan:
    """How much of each part the page prints."""

    lead: int
    sentences: dict[str, int] = field(default_factory=dict)
    timeline: int = 0

    def count(self, topic: Topic) -> int:
        """Sentences to write for ``topic`` (0: not on the page)."""
        return self.sentences.get(topic.id, 0)

    @property
    def on_page(self) -> list[str]:
        """Ids of the topics the page prints, in order."""
        return [tid for tid, n in self.sentences.items() if n > 0]


def page_plan(topics: Sequence[Topic], config: Settings) -> PagePlan:
    """Spend the page's words: key developments, the timeline, then topics breadth first.

    Every leading topic gets its first sentence before any topic gets a second:
    a reader needs each part of the story more than more of one part.

    Args:
        topics: the story's topics, most important first.
        config: ``page_words``, ``lead_sentences``, ``summary_sentences``, ``max_topics``, ``timeline_lines``.

    Returns:
        The plan; every topic it leaves out gets 0 sentences.
    """
    leading = [t for t in topics[: config.max_topics] if any(printable(f) for f in t.facts)]
    lead = min(config.lead_sentences, len(leading))
    budget = config.page_words - lead * LEAD_WORDS - config.timeline_lines * TIMELINE_WORDS
    # The key development of a leading topic uses its first fact or two.
    left = {t.id: sum(1 for f in t.facts if printable(f)) - (2 if rank < lead else 0) for rank, t in enumerate(leading)}
    sentences: dict[str, int] = {}
    for round_ in range(config.summary_sentences):
        for topic in leading:
            if sentences.get(topic.id, 0) != round_ or left[topic.id] <= round_:
                continue
            cost = SENTENCE_WORDS + (HEADING_WORDS if round_ == 0 else 0)
            if cost > budget:
                break
            sentences[topic.id] = round_ + 1
            budget -= cost
    ordered = {t.id: sentences[t.id] for t in leading if t.id in sentences}
    return PagePlan(lead, ordered, config.timeline_lines)
