"""Condense each topic into a few cited sentences, and lead the brief with the best of them.

The summariser sees a topic's most important facts, numbered, with their dates
and how many outlets carry them, and returns sentences that each name the facts
they restate. Nothing it writes is trusted: every sentence goes through
:class:`brief.verify.Gate` before it becomes a :class:`~brief.records.Claim`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from brief.config import Settings
from brief.embed import Embedder
from brief.facts import content_words
from brief.generate import TextModel
from brief.records import Claim, Fact, Topic, TopicBrief
from brief.verify import Gate, Verdict, lexical_check

log = logging.getLogger(__name__)

SYSTEM = (
    "You are a news editor writing a morning situation brief for analysts. You only restate what the "
    "numbered source sentences say. Never add a name, number, place, date or cause that is not in the "
    "sentences you cite, and never combine details from different sentences into one claim they do not make."
)
TOPIC_TASK = (
    "Brief date: {date}. Source sentences about one topic (id [date, outlets]: text):\n{facts}\n\n"
    "Write up to {count} short sentences that summarise the most important developments, most important "
    "first, one or two facts per sentence, each under 30 words. After each sentence, list in brackets the "
    "ids of the source sentences it restates. Keep numbers exactly as the sources give them, with the day "
    "or night they refer to. First give a label: a 2-5 word headline naming what sets this topic apart "
    "from the rest of the story (not the event as a whole), using words from the sources.\n\n"
    "Reply in exactly this format and nothing else:\n"
    "LABEL: <headline>\n- <sentence> [S1, S2]\n- <sentence> [S3]"
)
LABEL_LINE = re.compile(r"^\W*label\W*:\s*(?P<label>.+?)\s*$", re.I)
CITED_LINE = re.compile(r"^\s*(?:[-*•]|\d+[.)])?\s*(?P<text>.+?)\s*(?P<ids>(?:[\[(]\s*S?\d+(?:\s*[,;]\s*S?\d+)*\s*[\])]\s*)*)$")


@dataclass(frozen=True)
class Draft:
    """A sentence the summariser proposed, and the indexes of the facts it says it restates."""

    text: str
    cited: tuple[int, ...]


@dataclass(frozen=True)
class Drafts:
    """A summariser's proposal for one topic: its sentences and a label (may be empty)."""

    sentences: list[Draft]
    label: str = ""


@runtime_checkable
class Summarizer(Protocol):
    """Proposes cited sentences for a list of facts."""

    name: str

    def summarize(self, facts: Sequence[Fact], count: int, date: dt.date) -> Drafts:
        """Up to ``count`` sentences about ``facts``, for a brief dated ``date``."""
        ...

    def fits(self, facts: Sequence[Fact], date: dt.date) -> bool:
        """Whether one prompt with ``facts`` fits the model's context."""
        ...


class ModelSummarizer:
    """An instruction model asked for JSON sentences citing fact ids (or a seq2seq summary)."""

    def __init__(self, model: TextModel, max_new_tokens: int = 400, context_tokens: int = 4096) -> None:
        self.model = model
        self.name = model.name
        self.max_new_tokens = max_new_tokens
        self.context_tokens = context_tokens
        self.calls = 0

    def summarize(self, facts: Sequence[Fact], count: int, date: dt.date) -> Drafts:
        """Ask the model once; parse its JSON, ignoring ids it invented."""
        self.calls += 1
        prompt = self._prompt(facts, count, date)
        reply = self.model.complete(prompt, self.max_new_tokens)
        if not self.model.chat:
            return Drafts([Draft(s, ()) for s in split_plain(reply)][:count])
        return parse_reply(reply, len(facts), count)

    def fits(self, facts: Sequence[Fact], date: dt.date) -> bool:
        """Estimate the prompt's tokens (about four characters a token) against the context."""
        counter: Callable[[str], int] = getattr(self.model, "count_tokens", lambda text: len(text) // 4)
        prompt = self._prompt(facts, 4, date)
        used = sum(counter(m["content"]) for m in prompt) + 64
        return used + self.max_new_tokens <= self.context_tokens

    def _prompt(self, facts: Sequence[Fact], count: int, date: dt.date) -> list[dict[str, str]]:
        if not self.model.chat:
            return [{"role": "user", "content": " ".join(f.text for f in facts)}]
        content = TOPIC_TASK.format(date=date.isoformat(), facts=numbered(facts), count=count)
        return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": content}]


class FirstFactsSummarizer:
    """A model-free summariser for tests: restates the first facts verbatim."""

    name = "first-facts"

    def __init__(self) -> None:
        self.calls = 0

    def summarize(self, facts: Sequence[Fact], count: int, date: dt.date) -> Drafts:
        """The first ``count`` facts, each citing itself."""
        self.calls += 1
        return Drafts([Draft(f.text, (i,)) for i, f in enumerate(facts[:count])])

    def fits(self, facts: Sequence[Fact], date: dt.date) -> bool:
        """Always fits."""
        return True


def numbered(facts: Sequence[Fact]) -> str:
    """Facts as prompt lines: ``S1 [2015-11-17, 3 outlets]: text``."""
    lines = []
    for number, fact in enumerate(facts, 1):
        when = fact.published.isoformat() if fact.published else "undated"
        outlets = len(fact.sources)
        lines.append(f"S{number} [{when}, {outlets} outlet{'s' if outlets != 1 else ''}]: {fact.text}")
    return "\n".join(lines)


def parse_reply(reply: str, fact_count: int, count: int) -> Drafts:
    """Drafts from the model's reply lines; ids it invented are dropped, odd lines ignored.

    Args:
        reply: ``LABEL: ...`` then one ``- sentence [S1, S2]`` line per sentence.
        fact_count: how many facts were shown (valid ids are S1..S<fact_count>).
        count: the most sentences to keep.

    Returns:
        The drafts and the label ("" when none was given).
    """
    label, drafts, structured = "", [], []
    for line in reply.splitlines():
        if not label and (match := LABEL_LINE.match(line)):
            label = match.group("label").strip().strip("\"'*")
            continue
        match = CITED_LINE.match(line)
        text = match.group("text").strip() if match else ""
        if len(text.split()) < 3:
            continue
        ids = [int(n) - 1 for n in re.findall(r"\d+", match.group("ids"))] if match else []
        drafts.append(Draft(text, tuple(i for i in dict.fromkeys(ids) if 0 <= i < fact_count)))
        # Chatter ("Sure! Here it is.") has neither a bullet nor ids; listed lines do.
        structured.append(bool(ids) or bool(re.match(r"\s*(?:[-*•]|\d+[.)])", line)))
    if any(structured):
        drafts = [d for d, listed in zip(drafts, structured, strict=True) if listed]
    return Drafts(drafts[:count], label)


def split_plain(text: str) -> list[str]:
    """Sentences of a plain-text summary (seq2seq models)."""
    import pysbd

    return [s.strip() for s in pysbd.Segmenter(language="en", clean=False).segment(text) if s.strip()]


def parts(facts: Sequence[Fact], summarizer: Summarizer, date: dt.date) -> Iterator[list[Fact]]:
    """Consecutive runs of facts that each fit one prompt."""
    current: list[Fact] = []
    for fact in facts:
        if current and not summarizer.fits([*current, fact], date):
            yield current
            current = []
        current.append(fact)
    if current:
        yield current


def settings_facts(topic: Topic, config: Settings) -> list[Fact]:
    """The facts a topic's summary is written from: the most important ones."""
    return list(topic.facts[: config.facts_per_prompt])


def load_summarizer(config: Settings) -> Summarizer:
    """The summariser a setting names: the packaged GGUF, a .gguf file, a folder or a hub id.

    ``first-facts`` names the model-free summariser, for tests and dry runs.
    """
    from brief.generate import load_text_model
    from brief.models import resolve_generator

    if config.summarizer == FirstFactsSummarizer.name:
        return FirstFactsSummarizer()

    source = resolve_generator(config.summarizer, config.cache_dir)
    model = load_text_model(source, config.context_tokens, config.threads, config.seed)
    return ModelSummarizer(model, config.max_new_tokens, config.context_tokens)


def summarize_topic(topic: Topic, summarizer: Summarizer, gate: Gate, config: Settings, date: dt.date) -> TopicBrief:
    """A topic's verified summary, written in parts and condensed when its facts overflow one prompt.

    Args:
        topic: the topic, most important fact first.
        summarizer: proposes sentences.
        gate: verifies each proposal.
        config: settings (sentences per topic, facts per prompt).
        date: the brief's date, which the prompt states.

    Returns:
        The topic, relabelled when the summariser's label checks out, with its claims.
    """
    facts = settings_facts(topic, config)
    chunks = list(parts(facts, summarizer, date))
    if len(chunks) > 1:
        partial = [v for chunk in chunks for v in _verified(summarizer.summarize(chunk, config.summary_sentences, date), chunk, gate)]
        facts = [Fact(id=f"part{i}", text=v.claim.text, sentences=v.evidence) for i, v in enumerate(partial)]
    drafts = summarizer.summarize(facts, config.summary_sentences, date)
    verdicts = _verified(drafts, facts, gate)
    label = drafts.label if _label_ok(drafts.label, topic) else topic.label
    return TopicBrief(replace(topic, label=label), tuple(v.claim for v in verdicts))


def topics(
    found: Sequence[Topic],
    config: Settings,
    date: dt.date | None = None,
    summarizer: Summarizer | None = None,
    gate: Gate | None = None,
) -> list[TopicBrief]:
    """Summarise every topic (the library's summarising entry point).

    Args:
        found: topics, most important first.
        config: settings.
        date: the brief's date (default: the newest fact date, else today).
        summarizer: a summariser to use instead of the one ``config`` names.
        gate: a verification gate to use instead of the default (judge + embedder from ``config``).

    Returns:
        One verified :class:`TopicBrief` per topic.
    """
    date = date or newest_date(found) or dt.date.today()
    if summarizer is None:
        summarizer = load_summarizer(config)
    gate = gate or default_gate(config, summarizer)
    return [summarize_topic(topic, summarizer, gate, config, date) for topic in found]


def lead(briefs: Sequence[TopicBrief], count: int) -> tuple[Claim, ...]:
    """The "key developments" lead: the first verified sentence of each leading topic.

    Built from claims that already passed the gate, so the lead costs no model
    call and can say nothing the topic sections do not.
    """
    firsts = [next((c for c in b.summary if c.method != "conflict"), None) for b in briefs]
    return tuple(c for c in firsts if c is not None)[:count]


def default_gate(config: Settings, summarizer: Summarizer, embedder: Embedder | None = None) -> Gate:
    """The gate ``config`` describes: its judge (sharing the summariser's model) and embedder."""
    from brief.embed import CachedEmbedder, load_embedder
    from brief.verify import load_judge

    judge = load_judge(config, getattr(summarizer, "model", None))
    embedder = embedder or CachedEmbedder(load_embedder(config.embedder, config.embed_batch_size))
    return Gate(judge, embedder, config.judge_threshold)


def newest_date(found: Sequence[Topic]) -> dt.date | None:
    """The newest article date among the topics' sentences."""
    dates = [s.published for t in found for f in t.facts for s in f.sentences if s.published]
    return max(dates) if dates else None


def _verified(drafts: Drafts, facts: Sequence[Fact], gate: Gate) -> list[Verdict]:
    """Gate each draft; drop repeats (two drafts that fell back to the same source sentence)."""
    verdicts: list[Verdict] = []
    seen: set[str] = set()
    for draft in drafts.sentences:
        verdict = gate.check(draft.text, [facts[i] for i in draft.cited], facts)
        if verdict is not None and verdict.claim.text not in seen:
            seen.add(verdict.claim.text)
            verdicts.append(verdict)
    return verdicts


def distinct_labels(briefs: Sequence[TopicBrief], fallback: dict[str, str]) -> list[TopicBrief]:
    """Give each topic a label that tells it apart from the others.

    A model label made only of words the whole story shares ("the attacks")
    says nothing about the topic, and two topics must never share a label; such
    labels give way to the clustering label in ``fallback`` (by topic id).
    """
    word_sets = [{w for f in b.topic.facts for w in content_words(f.text)} for b in briefs]
    event_words = {w for w in set().union(*word_sets) if sum(w in ws for ws in word_sets) * 2 >= len(word_sets) >= 2}
    used: set[str] = set()
    distinct = []
    for brief in briefs:
        label = brief.topic.label
        words = content_words(label)
        if label.lower() in used or (words and words <= event_words):
            label = fallback.get(brief.topic.id, label)
        if label.lower() in used:
            label = f"{label} ({len(used) + 1})"
        used.add(label.lower())
        distinct.append(replace(brief, topic=replace(brief.topic, label=label)))
    return distinct


def _label_ok(label: str, topic: Topic) -> bool:
    """A model label is used only if short and every name and number in it is in the topic."""
    words = label.split()
    if not 1 <= len(words) <= 8:
        return False
    return lexical_check(label, [s for f in topic.facts for s in f.sentences]).passed
