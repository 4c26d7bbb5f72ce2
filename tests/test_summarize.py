"""Summaries: prompts, parsing, fitting to context, and the gate around a (fake) model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from brief.config import Settings
from brief.embed import HashingEmbedder
from brief.facts import fact_id
from brief.records import Fact, Sentence, Topic
from brief.summarize import (
    ModelSummarizer,
    lead,
    numbered,
    parse_reply,
    parts,
    summarize_topic,
)
from brief.verify import ConstantJudge, Gate

DAY = dt.date(2015, 11, 17)


def make_fact(text: str, article: str = "a1", index: int = 0) -> Fact:
    return Fact(fact_id(text), text, (Sentence(article, index, 0, len(text), text, DAY),))


FACTS = [
    make_fact('Police carried out 128 raids overnight, the interior minister said "in the early hours."', "a1", 0),
    make_fact("The defence minister asked EU partners for help in other operations.", "a2", 3),
    make_fact("Belgian police detained two people in Brussels on terrorism charges.", "a3", 5),
]
TOPIC = Topic("t1", "Raids, arrests", ("raids", "police"), tuple(FACTS), 3.0)


class ScriptedModel:
    """A chat model that replies in the line format with fixed content, and records its prompts."""

    chat = True
    name = "scripted"

    def __init__(self, reply: dict[str, Any]) -> None:
        lines = [f"LABEL: {reply['label']}"]
        lines += [f"- {s['text']} [{', '.join(s['sources'])}]" for s in reply["sentences"]]
        self.reply = "\n".join(lines)
        self.prompts: list[Sequence[dict[str, str]]] = []

    def complete(self, messages: Sequence[dict[str, str]], max_tokens: int) -> str:
        self.prompts.append(messages)
        return self.reply

    def yes_probability(self, messages: Sequence[dict[str, str]]) -> float:
        return 1.0


def gate() -> Gate:
    return Gate(ConstantJudge(1.0), HashingEmbedder(), threshold=0.65)


def test_prompt_numbers_facts_with_date_and_outlets() -> None:
    lines = numbered(FACTS).splitlines()
    assert lines[0].startswith("S1 [2015-11-17, 1 outlet]: Police carried out 128 raids")
    assert len(lines) == 3


def test_parse_reply_drops_invented_ids_and_tolerates_odd_lines() -> None:
    reply = "Sure! Here it is.\nLABEL: **Police raids**\n- Police raided homes overnight. [S2, S9, S2]\n\n2) Two men were held (S1)\nok"
    drafts = parse_reply(reply, fact_count=3, count=3)
    assert drafts.label == "Police raids"
    assert [d.cited for d in drafts.sentences] == [(1,), (0,)]
    assert drafts.sentences[0].text == "Police raided homes overnight."
    assert parse_reply("", 3, 3).sentences == []


def test_parse_reply_keeps_at_most_count_sentences() -> None:
    reply = "\n".join(f"- Sentence number {n} is here. [S1]" for n in range(6))
    assert len(parse_reply(reply, 1, 3).sentences) == 3


def test_model_summary_passes_the_gate_and_keeps_a_checked_label() -> None:
    model = ScriptedModel(
        {"label": "Police raids", "sentences": [{"text": "Police carried out 128 raids overnight.", "sources": ["S1"]}]}
    )
    brief = summarize_topic(TOPIC, ModelSummarizer(model), gate(), Settings(), DAY)
    assert brief.topic.label == "Police raids"
    assert [c.method for c in brief.summary] == ["abstractive"]
    assert brief.summary[0].citations[0].source == "a1"


def test_fake_summariser_inventions_never_reach_the_summary() -> None:
    invented = [
        "Police carried out 412 raids overnight.",  # a number no source gives
        "Prime Minister Valls said police carried out 128 raids overnight.",  # a name no source gives
        "Police carried out 128 raids on the night of 12-13 November.",  # the wrong night
    ]
    model = ScriptedModel({"label": "Kremlin raids", "sentences": [{"text": t, "sources": ["S1"]} for t in invented]})
    brief = summarize_topic(TOPIC, ModelSummarizer(model), gate(), Settings(summary_sentences=3), DAY)
    printed = " ".join(c.text for c in brief.summary)
    assert "412" not in printed and "Valls" not in printed and "12-13" not in printed
    assert all(c.method == "extractive" for c in brief.summary)
    # The three fall back to the same source sentence, which is printed once.
    assert [c.text for c in brief.summary] == [FACTS[0].text]
    assert brief.topic.label == "Raids, arrests"  # "Kremlin" is in no source: the label is refused


def test_long_topics_are_summarised_in_parts_then_condensed() -> None:
    model = ScriptedModel({"label": "x", "sentences": [{"text": "Police carried out 128 raids overnight.", "sources": ["S1"]}]})
    summarizer = ModelSummarizer(model, max_new_tokens=10, context_tokens=10 + 64 + 150)
    assert len(list(parts(FACTS, summarizer, DAY))) > 1
    brief = summarize_topic(TOPIC, summarizer, gate(), Settings(), DAY)
    assert len(model.prompts) == len(list(parts(FACTS, summarizer, DAY))) + 1
    assert brief.summary and brief.summary[0].citations[0].source == "a1"


def test_lead_takes_the_first_verified_sentence_of_each_leading_topic() -> None:
    model = ScriptedModel({"label": "x", "sentences": [{"text": "Police carried out 128 raids overnight.", "sources": ["S1"]}]})
    briefs = [summarize_topic(TOPIC, ModelSummarizer(model), gate(), Settings(), DAY)] * 5
    assert [c.text for c in lead(briefs, 4)] == ["Police carried out 128 raids overnight."] * 4


def test_labels_that_repeat_or_name_only_the_whole_event_give_way() -> None:
    from brief.records import TopicBrief
    from brief.summarize import distinct_labels

    def topic_brief(topic_id: str, label: str, text: str) -> TopicBrief:
        facts = (make_fact(f"The attacks in the capital: {text}"),)
        return TopicBrief(Topic(topic_id, label, (), facts), ())

    briefs = [
        topic_brief("a", "Capital Attacks", "police raided homes overnight."),
        topic_brief("b", "Police raids", "ministers pledged military support."),
        topic_brief("c", "Police raids", "jets struck a training camp."),
    ]
    labels = [b.topic.label for b in distinct_labels(briefs, {"a": "Raids · homes", "b": "b-kw", "c": "Strikes · camp"})]
    assert labels == ["Raids · homes", "Police raids", "Strikes · camp"]
