"""Dated events in order, resolved against each article's date."""

from __future__ import annotations

import datetime as dt

from brief.facts import fact_id
from brief.records import Fact, Sentence
from brief.timeline import events, printed_line

TUESDAY = dt.date(2021, 3, 9)


def fact(text: str, published: dt.date = TUESDAY, article: str = "a1") -> Fact:
    return Fact(fact_id(text), text, (Sentence(article, 0, 0, len(text), text, published),))


def test_events_are_resolved_to_their_day_and_ordered() -> None:
    found = events(
        [
            fact("Police arrested three men in the port city on Sunday, prosecutors said."),
            fact("A magnitude 6.1 earthquake struck the coast on Saturday."),
            fact("The minister said on Monday that aid would follow."),  # a statement, not an event
            fact("Rescue teams will search the old town on Friday."),  # after the brief's date
        ],
        TUESDAY,
    )
    assert [(e.date, e.text.split()[0]) for e in found] == [(dt.date(2021, 3, 6), "A"), (dt.date(2021, 3, 7), "Police")]
    assert printed_line(found[0]).startswith("Sat 6 Mar: A magnitude")
    assert found[0].citations[0].quote == found[0].text


def test_one_event_a_day_the_one_most_outlets_carry() -> None:
    single = fact("Floods destroyed 300 homes in the valley on Monday.")
    text = "Floods swept away a bridge in the valley on Monday."
    carried = Fact(fact_id(text), text, tuple(Sentence(a, 0, 0, len(text), text, TUESDAY) for a in ("a1", "a2")))
    found = events([single, carried], TUESDAY)
    assert [e.text for e in found] == [text]
    assert len(found[0].citations) == 2


def test_undated_sentences_are_not_events() -> None:
    assert events([fact("A magnitude 6.1 earthquake struck the coast.")], TUESDAY) == []
