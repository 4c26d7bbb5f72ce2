"""Dated events, in order: what happened on which day, each cited.

An event is a fact whose sentence says something was done (killed, struck,
arrested, voted, crashed ...) on a day its words name ("on Sunday",
"overnight", "on 6 February"), resolved against its article's date with the
same time code the figures use. What someone said on a day is not an event of
that day. One event a day is kept: the one most outlets carry.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from brief.figures import event_days
from brief.records import Citation, Event, Fact

EVENT_VERBS = re.compile(
    r"\b(?:killed|kill|struck|strikes?|hit|attacked|arrested|detained|raided|raids|launched|fired|crashed|"
    r"collapsed|erupted|flooded|evacuated|died|rescued|signed|voted|elected|won|resigned|charged|convicted|"
    r"sentenced|approved|invoked|seized|captured|bombed|exploded|shot|stormed|released|declared|began|opened|"
    r"closed|landed|sank|derailed|injured|wounded|destroyed|freed|ended|suspended|banned|indicted|ruled|"
    r"filed|fled|announced|agreed|met|held|took place|broke out|swept|burned|shook)\b",
    re.I,
)
MAX_EVENT_WORDS = 40
SHORT_LINE = 25


def events(facts: Iterable[Fact], brief_date: dt.date) -> list[Event]:
    """One event per day named by the facts, oldest first, none after the brief's date.

    Args:
        facts: every fact of the story.
        brief_date: the brief's date; later days are predictions, not events.

    Returns:
        The timeline.
    """
    by_day: dict[dt.date, list[Fact]] = {}
    for fact in facts:
        if not _is_event(fact.text):
            continue
        for day in _days(fact):
            if day <= brief_date:
                by_day.setdefault(day, []).append(fact)
    timeline = []
    for day in sorted(by_day):
        # A line the reader takes in at a glance beats a long one; then what most outlets carry.
        best = min(by_day[day], key=lambda f: (len(f.text.split()) > SHORT_LINE, -len(f.sources), len(f.text), f.id))
        timeline.append(Event(day, best.text, _citations(best)))
    return timeline


def _is_event(text: str) -> bool:
    words = len(text.split())
    return 6 <= words <= MAX_EVENT_WORDS and bool(EVENT_VERBS.search(text)) and not text.strip().startswith(("\"", "“"))


def _days(fact: Fact) -> set[dt.date]:
    """The days the fact's sentences name; a sentence naming two days is ambiguous and left out."""
    days: set[dt.date] = set()
    for sentence in fact.sentences:
        named = set(event_days(sentence.text, sentence.published))
        if len(named) == 1:
            days |= named
    return days if len(days) == 1 else set()


def _citations(fact: Fact) -> tuple[Citation, ...]:
    return tuple(Citation.of(s) for s in fact.sentences)


def printed_line(event: Event) -> str:
    """``Fri 13 Nov: text`` as the page and the digests print it."""
    return f"{event.date.strftime('%a')} {event.date.day} {event.date.strftime('%b')}: {event.text}"


def on_page(timeline: Sequence[Event], room: int) -> list[Event]:
    """The newest ``room`` events, oldest first (the page has space for a few lines)."""
    return list(timeline[-room:]) if room > 0 else []
