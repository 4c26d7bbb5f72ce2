"""Summaries: prompts, parsing, fitting to context, and the gate around a (fake) model."""

from __future__ import annotations

import datetime as dt
import json
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
    response_schema,
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
    """A chat model that replies with a fixed JSON text and records its prompts."""

    chat = True
    name = "scripted"

    def __init__(self, reply: dict[str, Any]) -> None:
        self.reply = json.dumps(reply)
        self.prompts: list[Sequence[dict[str, str]]] = []

    def complete(self, messages: Sequence[dict[str, str]], schema: dict[str, Any] | None, max_tokens: int) -> str:
        self.prompts.append(messages)
        return self.reply

    def yes_probability(self, messages: Sequence[dict[str, str]]) -> float:
        return 1.0


def gate() -> Gate:
    return Gate(ConstantJudge(1.0), HashingEmbedder(), threshold=0.65)


def test_prompt_numbers_facts_with_date_and_outlets_and_no_double_quotes() -> None:
    lines = numbered(FACTS).splitlines()
    assert lines[0].startswith("S1 [2015-11-17, 1 outlet]: Police carried out 128 raids")
    assert '"' not in lines[0] and "'in the early hours.'" in lines[0]


def test_schema_only_allows_ids_that_were_shown() -> None:
    schema = response_schema(3, 2)
    items = schema["properties"]["sentences"]
    assert items["maxItems"] == 2
    assert items["items"]["properties"]["sources"]["items"]["enum"] == ["S1", "S2", "S3"]


def test_parse_reply_drops_invented_ids_and_tolerates_garbage() -> None:
    reply = json.dumps({"label": "Police raids", "sentences": [{"text": "A b c d e.", "sources": ["S2", "S9", "S2"]}]})
    drafts = parse_reply(reply, fact_count=3, count=3)
    assert drafts.label == "Police raids"
    assert drafts.sentences[0].cited == (1,)
    assert parse_reply("not json", 3, 3).sentences == []


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
