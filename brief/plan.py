"""What fits the page, decided before any model call.

The page has room for about ``page_words`` words of prose beside the key
figures and the source list. The plan spends them in order of importance: the
key developments first, then each topic's heading and sentences, most important
topic first, then a few timeline lines. A topic the page has no room for gets
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
TIMELINE_WORDS = 18


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
    """Spend the page's words: key developments, then topics in order, then the timeline.

    Args:
        topics: the story's topics, most important first.
        config: ``page_words``, ``lead_sentences``, ``summary_sentences``, ``max_topics``, ``timeline_lines``.

    Returns:
        The plan; every topic it leaves out gets 0 sentences.
    """
    leading = [t for t in topics[: config.max_topics] if any(printable(f) for f in t.facts)]
    lead = min(config.lead_sentences, len(leading))
    budget = config.page_words - lead * LEAD_WORDS - config.timeline_lines * TIMELINE_WORDS
    sentences: dict[str, int] = {}
    for rank, topic in enumerate(leading):
        # The key development of a leading topic uses its first fact or two.
        left = sum(1 for f in topic.facts if printable(f)) - (2 if rank < lead else 0)
        room = (budget - HEADING_WORDS) // SENTENCE_WORDS
        count = min(config.summary_sentences, max(left, 1 if rank < lead else 0), room)
        if count <= 0:
            break
        sentences[topic.id] = count
        budget -= HEADING_WORDS + count * SENTENCE_WORDS
    return PagePlan(lead, sentences, config.timeline_lines)
