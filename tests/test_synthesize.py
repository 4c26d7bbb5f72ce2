"""Key developments across the story, the headline, and no repeats between lead and sections."""

from __future__ import annotations

import datetime as dt

from test_summarize import DAY, ScriptedModel, gate, make_fact

from brief.prompts import HEADLINE_ASK
from brief.records import Claim, Topic
from brief.summarize import FirstFactsSummarizer, ModelSummarizer
from brief.synthesize import headline, key_developments, plain_title, similarity, without_repeats

OLD = dt.date(2021, 3, 6)


def topic(tid: str, *texts: str, day: dt.date = DAY) -> Topic:
    facts = []
    for i, text in enumerate(texts):
        fact = make_fact(text, f"{tid}-a{i}", i)
        sentence = fact.sentences[0]
        facts.append(type(fact)(fact.id, fact.text, (type(sentence)(**{**vars(sentence), "published": day}),)))
    return Topic(tid, tid, (), tuple(facts), 1.0)


QUAKE = topic("quake", "A magnitude 6.1 earthquake struck the coast of Velmar province early on Monday, officials said.")
AID = topic("aid", "The government released 20 million euros in emergency aid for Velmar on Tuesday.", day=OLD)
SCHOOLS = topic("schools", "Schools across the province will stay closed until Friday, the education ministry said.")


def test_one_key_development_per_leading_topic_newest_first_and_their_facts_reserved() -> None:
    lead = key_developments([AID, QUAKE, SCHOOLS], 2, FirstFactsSummarizer(), gate(), DAY)
    assert [c.text for c in lead.claims] == [QUAKE.facts[0].text, AID.facts[0].text]
    assert lead.used == {QUAKE.facts[0].id, AID.facts[0].id}


def test_key_developments_that_repeat_a_section_sentence_are_dropped() -> None:
    lead = (Claim("A strong earthquake struck the coast of Velmar province on Monday.", (), "abstractive"),
            Claim("Aid of 20 million euros was released.", (), "abstractive"))
    section = [Claim("A strong earthquake struck the coast of Velmar province early on Monday.", (), "abstractive")]
    assert similarity(lead[0].text, section[0].text) >= 0.8
    assert without_repeats(lead, section) == (lead[1],)


def test_the_headline_is_written_from_the_lead_and_gated() -> None:
    lead = key_developments([QUAKE, AID], 2, FirstFactsSummarizer(), gate(), DAY)
    good = ScriptedModel(["Magnitude 6.1 earthquake strikes Velmar coast"])
    assert headline(lead, ModelSummarizer(good), gate()) == "Magnitude 6.1 earthquake strikes Velmar coast"
    assert good.prompts[0][1]["content"].endswith(HEADLINE_ASK.format(words=12))
    invented = ScriptedModel(["Magnitude 7.4 earthquake strikes Velmar coast"])
    assert headline(lead, ModelSummarizer(invented), gate()) is None
    doubted = ScriptedModel(["Earthquake strikes Velmar coast"])
    assert headline(lead, ModelSummarizer(doubted), gate(score=0.1)) is None


def test_the_plain_title_is_a_clause_that_stands_as_a_headline() -> None:
    said = topic("said", "A security source was quoted by Reuters as saying the siege was over on Saturday.")
    assert plain_title([said, SCHOOLS]) == "Schools across the province will stay closed until Friday"
    assert plain_title([said]) is None
    phrase = topic("phrase", "Of the 181 passengers and crew on board, two survived, officials said on Monday.")
    assert plain_title([phrase]) is None
    assert plain_title([AID]) is None  # its main clause runs past twelve words: cut, it would read as cut off


def test_a_long_source_sentence_put_back_after_a_failed_check_does_not_lead() -> None:
    long_fact = topic(
        "long",
        "The regional governor said on Monday that rescue teams from four neighbouring provinces had joined local "
        "volunteers and soldiers searching the collapsed stone buildings of the old town of Velmar through the cold "
        "night for survivors of the earthquake.",
    )
    rewrite = ScriptedModel(["Rescue teams from four provinces searched the old town of Velmar for survivors."])
    lead = key_developments([long_fact, QUAKE], 2, ModelSummarizer(rewrite), gate(score=0.1), DAY)
    assert [c.text for c in lead.claims] == [QUAKE.facts[0].text]
    assert long_fact.facts[0].id not in lead.used
