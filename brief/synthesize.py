"""What the brief says first: its key developments and its headline.

Key developments are written across the whole story: one sentence for each of
the leading topics, from the facts that matter most today, through the same
small writing task and the same gate as every topic sentence. The facts a key
development uses are left to it, so no section repeats it; the sections carry
the detail. The headline is written from the verified key developments and
checked like any claim.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from brief.prompts import HEADLINE_ASK
from brief.records import Claim, Fact, Topic
from brief.summarize import (
    ATTRIBUTION,
    LABEL_WORDS,
    QUOTE_HEAVY,
    Summarizer,
    Task,
    clean_reply,
    label_from_fact,
    printable,
    quote_share,
    tasks_for,
    write_task,
)
from brief.verify import Gate

LEAD_WORDS = 22
HEADLINE_WORDS = 12
# Word-sequence similarity above which a key development repeats a section sentence.
REPEAT_SIMILARITY = 0.8


@dataclass(frozen=True)
class Lead:
    """The key developments, the facts each rests on, and their ids (which the sections then leave out)."""

    claims: tuple[Claim, ...]
    used: frozenset[str]
    facts: tuple[tuple[Fact, ...], ...]


def key_developments(
    topics: Sequence[Topic], count: int, summarizer: Summarizer, gate: Gate, date: dt.date
) -> Lead:
    """One verified sentence for each of the first ``count`` topics, the most important and newest first.

    Args:
        topics: the topics on the page, most important first.
        count: how many key developments the page has room for.
        summarizer: writes each sentence.
        gate: verifies it.
        date: the brief's date; what the newest coverage reports leads.

    Returns:
        The lead's claims and the ids of the facts they rest on.
    """
    written: list[tuple[int, int, Claim, tuple[Fact, ...]]] = []
    used: set[str] = set()
    for rank, topic in enumerate(topics[:count]):
        tasks = tasks_for([f for f in topic.facts if f.id not in used], 1)
        if not tasks:
            continue
        task = Task(tasks[0].facts, LEAD_WORDS)
        claim = write_task(task, summarizer, gate)
        # A key development says what matters in a line; a long source sentence put back
        # after a failed check is left to the topic's section instead.
        if claim is None or (claim.method == "extractive" and len(claim.text.split()) > LEAD_WORDS * 1.5):
            continue
        used.update(f.id for f in task.facts)
        recent = 0 if _newest(task.facts) >= date - dt.timedelta(days=1) else 1
        written.append((recent, rank, claim, task.facts))
    written.sort(key=lambda item: (item[0], item[1]))
    return Lead(tuple(c for _, _, c, _ in written), frozenset(used), tuple(facts for *_, facts in written))


def _newest(facts: Sequence[Fact]) -> dt.date:
    days = [s.published for f in facts for s in f.sentences if s.published]
    return max(days) if days else dt.date.min


def without_repeats(lead: Sequence[Claim], sections: Sequence[Claim]) -> tuple[Claim, ...]:
    """The key developments that no printed section sentence repeats (similarity under 0.8)."""
    return tuple(c for c in lead if all(similarity(c.text, s.text) < REPEAT_SIMILARITY for s in sections))


def similarity(a: str, b: str) -> float:
    """Word-sequence similarity of two sentences (difflib's ratio over lower-cased words)."""
    return SequenceMatcher(None, _words(a), _words(b)).ratio()


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def headline(lead: Lead, summarizer: Summarizer, gate: Gate, attempts: int = 2) -> str | None:
    """A one-line headline of the story, written from its most important key development and checked.

    Written from one key development at a time, most important first: from
    several at once the model merged them into claims none of them makes
    ("authorities capture suspects" from "have yet to announce the capture").

    Returns:
        The first headline that passes the gate, or None.
    """
    ask = HEADLINE_ASK.format(words=HEADLINE_WORDS)
    for claim, facts in list(zip(lead.claims, lead.facts, strict=True))[:attempts]:
        text = clean_reply(summarizer.write([claim.text], ask), first_sentence=True).rstrip(".")
        if LABEL_WORDS[0] <= len(text.split()) <= HEADLINE_WORDS + 2 and gate.supports(text, facts, [claim.text]):
            return text[:1].upper() + text[1:]
    return None


# Words a headline cannot end on: it would read as cut off.
DANGLING = frozenset("a an the of to and or in on at for with by from that when if because while than but as".split())


# A clause that opens on these is a phrase ("Of the 181 passengers on board"), not a statement.
OPENERS = frozenset("of in at for with from by on after before during among".split())


def plain_title(topics: Sequence[Topic], facts_per_topic: int = 2) -> str | None:
    """A title with no model: the main clause of the story's most important plain statement.

    Used when no written headline passed the gate. Topics are taken in order of
    importance and a clause is kept only if it stands as a headline: five
    words or more, no "said", not ending on a word that needs more after it.
    """
    for topic in topics:
        plain = [f for f in topic.facts if printable(f) and quote_share(f.text) <= QUOTE_HEAVY]
        for fact in plain[:facts_per_topic]:
            # The whole clause, or nothing: a clause cut at the word limit reads as cut off.
            text = label_from_fact(fact.text, limit=HEADLINE_WORDS + 1)
            words = text.split()
            whole = len(words) <= HEADLINE_WORDS
            framed = words[0].lower() not in OPENERS and words[-1].lower() not in DANGLING
            if whole and framed and len(words) >= 5 and not ATTRIBUTION.search(text):
                return text
    return None
