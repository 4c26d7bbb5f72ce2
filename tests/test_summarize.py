"""Summaries written one small task at a time, and the gate around a (fake) model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from brief.config import Settings
from brief.embed import HashingEmbedder
from brief.facts import fact_id
from brief.generate import Accounting
from brief.prompts import LABEL_ASK, judge_messages, writer_messages
from brief.records import Fact, Sentence, Topic, TopicBrief
from brief.summarize import (
    FirstFactsSummarizer,
    ModelSummarizer,
    Task,
    clean_reply,
    distinct_labels,
    label_from_fact,
    printable,
    summarize_topic,
    tasks_for,
    write_task,
)
from brief.verify import ConstantJudge, Gate

DAY = dt.date(2021, 3, 9)


def make_fact(text: str, article: str = "a1", index: int = 0) -> Fact:
    return Fact(fact_id(text), text, (Sentence(article, index, 0, len(text), text, DAY),))


FACTS = [
    make_fact("Rescue teams pulled 41 people alive from collapsed buildings in the port city of Velmar on Monday.", "a1", 0),
    make_fact("The regional governor said rescue teams in Velmar were still searching collapsed buildings for survivors.", "a2", 3),
    make_fact("Officials in the regional capital, Ostrava Nova, ordered all schools and public offices closed until Friday across the whole province.", "a3", 5),
    make_fact("Three aftershocks shook the coast overnight, the national seismology centre said.", "a1", 2),
]
TOPIC = Topic("t1", "Rescue · Velmar", ("rescue", "velmar"), tuple(FACTS), 3.0)


class ScriptedModel:
    """A chat model that answers each writing prompt from a script and records every prompt."""

    chat = True
    name = "scripted"

    def __init__(self, replies: Sequence[str], yes: float = 1.0) -> None:
        self.replies = list(replies)
        self.yes = yes
        self.prompts: list[Sequence[dict[str, str]]] = []
        self.judged: list[Sequence[dict[str, str]]] = []
        self.usage = Accounting()

    def complete(self, messages: Sequence[dict[str, str]], max_tokens: int, role: str = "summarizer") -> str:
        self.prompts.append(messages)
        return self.replies.pop(0) if self.replies else ""

    def yes_probability(self, messages: Sequence[dict[str, str]], role: str = "judge") -> float:
        self.judged.append(messages)
        return self.yes


def gate(score: float = 1.0) -> Gate:
    return Gate(ConstantJudge(score), HashingEmbedder(), threshold=0.65)


def test_metadata_lines_fragments_questions_and_bare_quotes_are_not_printable() -> None:
    assert printable(FACTS[0])
    assert not printable(make_fact("Source: https://example.org/2021/03/09/quake Date: 2021-03-09"))
    assert not printable(make_fact("People are wailing, crying."))
    assert not printable(make_fact('"We have lost everything we had in this world, everything," .'))
    assert not printable(make_fact("Will the government rebuild the old town before winter comes?"))
    assert not printable(make_fact('The judge said it was "in your own soul." "I know you see them at night," he said.'))
    assert printable(make_fact('"We have lost everything," said Ana Petrov, a shopkeeper in the old town.'))


def test_tasks_pair_related_facts_and_never_reuse_or_repeat_one() -> None:
    tasks = tasks_for(FACTS, 3)
    used = [f.id for t in tasks for f in t.facts]
    assert len(used) == len(set(used))
    assert tasks[0].facts[0] is FACTS[0]
    assert FACTS[1] in tasks[0].facts  # shares the rescue in Velmar: fused with the first
    assert all(t.words <= 24 for t in tasks)


def test_facts_that_each_carry_numbers_or_share_no_name_are_not_fused() -> None:
    counted = make_fact("The governor of Velmar said 300 homes were damaged in the port city on Monday.", "a2", 4)
    unrelated = make_fact("Rescue teams pulled survivors alive from collapsed buildings in the hill villages.", "a3", 1)
    assert tasks_for([FACTS[0], counted], 1)[0].facts == (FACTS[0],)
    assert tasks_for([FACTS[0], unrelated], 1)[0].facts == (FACTS[0],)


def test_sentences_that_lean_on_the_one_before_are_not_printable() -> None:
    assert not printable(make_fact("He said rescue teams were still searching collapsed buildings in Velmar."))
    assert not printable(make_fact("It was the third aftershock to hit the coast of Velmar since Monday."))
    assert not printable(make_fact('"We have to accept that and the country has to understand," he said.'))


def test_quotes_give_way_to_plain_statements() -> None:
    quote = make_fact('"Everything is gone, the whole street is gone," said Ana Petrov, a shopkeeper in Velmar.', "a4", 1)
    tasks = tasks_for([quote, FACTS[2]], 1)
    assert tasks[0].facts[0] is FACTS[2]


def test_a_short_fact_is_printed_as_it_is_without_a_model_call() -> None:
    short = make_fact("Three aftershocks shook the coast overnight.", "a1", 2)
    model = ScriptedModel(["should not be asked"])
    claim = write_task(Task((short,), 18), ModelSummarizer(model), gate())
    assert claim is not None and claim.text == short.text and claim.method == "verbatim"
    assert model.prompts == []


def test_a_fused_sentence_passes_the_gate_and_its_method_is_computed() -> None:
    fused = "Rescue teams pulled 41 people alive from collapsed buildings in Velmar and were still searching for survivors."
    model = ScriptedModel([f"Sentence: {fused}"])
    claim = write_task(Task((FACTS[0], FACTS[1]), 24), ModelSummarizer(model), gate())
    assert claim is not None and claim.text == fused
    assert claim.method == "abstractive"
    assert {c.source for c in claim.citations} == {"a1", "a2"}
    # The prompt opens with the fixed instruction and lists both sources.
    assert model.prompts[0] == writer_messages([FACTS[0].text, FACTS[1].text], "One sentence of at most 24 words:")


def test_inventions_fall_back_to_the_source_sentence() -> None:
    invented = [
        "Rescue teams pulled 412 people alive from collapsed buildings in Velmar on Monday.",  # a number
        "Prime Minister Rask said rescue teams pulled 41 people alive in Velmar on Monday.",  # a name
    ]
    for text in invented:
        claim = write_task(Task((FACTS[0],), 18), ModelSummarizer(ScriptedModel([text])), gate())
        assert claim is not None and claim.method == "extractive" and claim.text == FACTS[0].text


def test_a_sentence_the_judge_rejects_is_not_printed_as_written() -> None:
    text = "Rescue teams in Velmar pulled 41 people from buildings on Monday."
    claim = write_task(Task((FACTS[0],), 18), ModelSummarizer(ScriptedModel([text])), gate(score=0.2))
    assert claim is not None and claim.method == "extractive" and "entailment 0.20" in claim.checks[-1]


def test_the_judges_prompt_opens_like_the_writers_so_the_kv_cache_serves_it() -> None:
    judged = judge_messages("A claim.", ["Source one.", "Source two."])
    written = writer_messages(["Source one.", "Source two."], "One sentence of at most 18 words:")
    assert judged[0] == written[0]
    shared = written[1]["content"].split("Rewrite")[0]
    assert judged[1]["content"].startswith(shared + "Claim: A claim.")
    assert judged[1]["content"].endswith("Otherwise answer YES.")


def test_topic_summary_writes_the_planned_count_skips_the_leads_facts_and_gates_the_label() -> None:
    model = ScriptedModel(
        ["Officials ordered schools closed until Friday across the province.", "Schools closed across the province"]
    )
    brief = summarize_topic(TOPIC, ModelSummarizer(model), gate(), Settings(model_labels=True), DAY, count=2,
                            skip=frozenset({FACTS[0].id, FACTS[1].id}))
    assert all(c.source != "a2" for claim in brief.summary for c in claim.citations)
    assert sorted(c.method for c in brief.summary) == ["abstractive", "verbatim"]
    assert FACTS[3].text in [c.text for c in brief.summary]  # short enough: printed as it is
    assert brief.topic.label == "Schools closed across the province"  # from the facts the section prints
    assert model.prompts[-1][1]["content"].endswith(LABEL_ASK)


def test_a_label_naming_what_no_source_says_is_refused() -> None:
    model = ScriptedModel(["Officials ordered schools closed until Friday.", "Kremlin rescue"])
    brief = summarize_topic(TOPIC, ModelSummarizer(model), gate(), Settings(model_labels=True), DAY, count=1)
    assert "Kremlin" not in brief.topic.label
    assert brief.topic.label == label_from_fact(FACTS[0].text)
    assert " · " not in brief.topic.label


def test_a_topic_with_no_room_costs_no_call() -> None:
    model = ScriptedModel(["x"])
    brief = summarize_topic(TOPIC, ModelSummarizer(model), gate(), Settings(), DAY, count=0)
    assert brief.summary == () and model.prompts == []
    assert " · " not in brief.topic.label


def test_replies_are_cleaned_of_bullets_labels_and_wrapping_quotes() -> None:
    assert clean_reply('Sentence: "Schools closed."\nExtra chatter') == "Schools closed."
    assert clean_reply("- Schools closed.") == "Schools closed."
    assert clean_reply("\n\n") == ""


def test_label_from_a_fact_is_its_main_clause_up_to_a_break() -> None:
    assert label_from_fact("Rescue teams pulled 41 people alive, officials said.") == "Rescue teams pulled 41 people alive"
    said = "The governor said on Monday that rescue teams had pulled 41 people alive from the rubble of the old town."
    assert label_from_fact(said).startswith("Rescue teams had pulled 41 people alive")
    assert label_from_fact("On Monday, officials ordered schools closed across the province.") == (
        "Officials ordered schools closed across the province"
    )
    assert label_from_fact('The mayor said "we will rebuild every house" in the town.') == "The mayor said"
    assert not label_from_fact("One two three four five six seven eight nine of ten.").endswith("of")


def test_a_default_run_asks_no_model_for_labels() -> None:
    model = ScriptedModel(["Officials ordered all schools and public offices closed until Friday."])
    brief = summarize_topic(TOPIC, ModelSummarizer(model), gate(), Settings(), DAY, count=1)
    assert len(model.prompts) <= 1 and all(not p[1]["content"].endswith(LABEL_ASK) for p in model.prompts)
    assert brief.topic.label == label_from_fact(FACTS[0].text)


def test_fake_summariser_restates_its_first_source() -> None:
    assert FirstFactsSummarizer().write(["a b c", "d"], "x") == "a b c"


def test_labels_that_repeat_or_name_only_the_whole_event_give_way() -> None:
    def topic_brief(topic_id: str, label: str, text: str) -> TopicBrief:
        facts = (make_fact(f"The quake in the capital region: {text}"),)
        return TopicBrief(Topic(topic_id, label, (), facts), ())

    briefs = [
        topic_brief("a", "Capital Quake", "rescuers searched homes overnight."),
        topic_brief("b", "Rescue work", "ministers pledged military support."),
        topic_brief("c", "Rescue work", "jets dropped supplies at a camp."),
    ]
    labels = [b.topic.label for b in distinct_labels(briefs, {})]
    assert labels[1] == "Rescue work"
    assert len({label.lower() for label in labels}) == 3
    assert labels[0] == "Rescuers searched homes overnight"


def test_a_fact_from_an_articles_opening_outranks_one_from_its_tail() -> None:
    tail = make_fact("Officials in Velmar said the port would reopen to ships once the harbour walls were checked.", "a5", 14)
    lede = make_fact("Officials in Velmar said the coastal road to the capital was closed by landslides and rubble.", "a6", 0)
    assert tasks_for([tail, lede], 1, fuse=False)[0].facts == (lede,)


def test_a_rewrite_that_drops_a_number_falls_back_to_its_source() -> None:
    dropped = "Rescue teams pulled people alive from collapsed buildings in the port city of Velmar on Monday."
    claim = write_task(Task((FACTS[0],), 18), ModelSummarizer(ScriptedModel([dropped])), gate())
    assert claim is not None and claim.method == "extractive" and claim.text == FACTS[0].text
    assert claim.checks[-1] == "rejected: dropped a number"
