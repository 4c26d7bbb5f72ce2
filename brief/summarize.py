"""Condense each topic into a few short, cited sentences, one small model task at a time.

A 1.5B model on two cores writes poorly when asked for a whole summary at once
and makes things up when told to use its own words. It is asked instead for one
sentence at a time, from the one or two facts that sentence must carry: fuse
these facts into one sentence, or shorten this one. A fact already short enough
is printed as it is, at no cost. Nothing the model writes is trusted: every
sentence goes through :class:`brief.verify.Gate`, which computes its ``method``
from the text and falls back to the best source sentence when a check fails.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from brief.cluster import DEPENDENT_OPENERS, entities
from brief.config import Settings
from brief.embed import Embedder
from brief.facts import content_words
from brief.generate import TextModel
from brief.numbers import numbers_in
from brief.prompts import LABEL_ASK, SENTENCE_ASK, writer_messages
from brief.records import Claim, Fact, Topic, TopicBrief
from brief.verify import Gate

log = logging.getLogger(__name__)

# Replies are one sentence or one headline; a cap keeps a rambling reply cheap.
REPLY_TOKENS = 60
LABEL_WORDS = (2, 8)


@runtime_checkable
class Summarizer(Protocol):
    """Writes one sentence (or headline) from a few source sentences."""

    name: str

    def write(self, sources: Sequence[str], ask: str) -> str:
        """The reply to :func:`brief.prompts.writer_messages` for ``sources`` and ``ask``."""
        ...


class ModelSummarizer:
    """An instruction model (or a seq2seq summariser) asked for one sentence at a time."""

    def __init__(self, model: TextModel, max_new_tokens: int = REPLY_TOKENS) -> None:
        self.model = model
        self.name = model.name
        self.max_new_tokens = max_new_tokens
        self.calls = 0

    def write(self, sources: Sequence[str], ask: str) -> str:
        """Ask the model once; a seq2seq model gets the sources as plain text."""
        self.calls += 1
        if not self.model.chat:
            return self.model.complete([{"role": "user", "content": " ".join(sources)}], self.max_new_tokens)
        return self.model.complete(writer_messages(sources, ask), self.max_new_tokens, role="summarizer")


class FirstFactsSummarizer:
    """A model-free summariser for tests: restates its first source verbatim."""

    name = "first-facts"

    def __init__(self) -> None:
        self.calls = 0

    def write(self, sources: Sequence[str], ask: str) -> str:
        """The first source, unchanged."""
        self.calls += 1
        return sources[0] if sources else ""


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
    return ModelSummarizer(model, config.max_new_tokens)


def summarize_topic(
    topic: Topic,
    summarizer: Summarizer,
    gate: Gate,
    config: Settings,
    date: dt.date | None = None,
    count: int | None = None,
    skip: frozenset[str] = frozenset(),
) -> TopicBrief:
    """A topic's verified summary and a label that passed the same gate.

    Args:
        topic: the topic, most important fact first.
        summarizer: writes each sentence.
        gate: verifies each sentence and the label.
        config: settings (sentences per topic).
        date: the brief's date (kept for callers; the facts carry their own dates).
        count: sentences to write (default ``config.summary_sentences``); 0 writes
            nothing and costs nothing (a topic the page has no room for).
        skip: ids of facts another part of the page already states (the lead).

    Returns:
        The topic, relabelled, with its claims.
    """
    wanted = config.summary_sentences if count is None else count
    if wanted <= 0:
        central = central_facts(topic.facts, 1)
        return TopicBrief(replace(topic, label=label_from_fact(central[0].text)) if central else topic, ())
    facts = [f for f in topic.facts if f.id not in skip] or list(topic.facts)
    claims: list[Claim] = []
    for task in tasks_for(facts, wanted):
        claim = write_task(task, summarizer, gate)
        if claim is not None and all(claim.text != c.text for c in claims):
            claims.append(claim)
    # The label names what the section says, not the key development above it.
    label = topic_label(replace(topic, facts=tuple(facts)), summarizer, gate, config.model_labels)
    return TopicBrief(replace(topic, label=label), tuple(claims))


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


# --- labels -------------------------------------------------------------------------


def topic_label(topic: Topic, summarizer: Summarizer, gate: Gate, ask_model: bool = False) -> str:
    """A headline for the topic that is true: the central fact's main clause, or the model's.

    A label is a claim. The model's label (``ask_model``) is used only when it
    passes the lexical check and the judge against the topic's central facts;
    on the seeds and the corpus the judge refused nearly every headline-style
    label, so by default the label is built from the most central fact, whose
    words are the source's own.
    """
    central = central_facts(topic.facts) or list(topic.facts[:1])
    if not central:
        return topic.label
    if ask_model:
        label = clean_reply(summarizer.write([f.text for f in central], LABEL_ASK), first_sentence=True).rstrip(".")
        if LABEL_WORDS[0] <= len(label.split()) <= LABEL_WORDS[1] and gate.supports(label, central):
            return label[:1].upper() + label[1:]
    return label_from_fact(central[0].text)


def central_facts(facts: Sequence[Fact], count: int = 3) -> list[Fact]:
    """The facts a label is made from: printable ones in the topic's order, plain statements first.

    A label made from a quote says who spoke, not what happened.
    """
    return sorted((f for f in facts if printable(f)), key=lambda f: quote_share(f.text) > QUOTE_HEAVY)[:count]


def label_from_fact(text: str, limit: int = 9) -> str:
    """A label from a fact's main clause: who said it and when are dropped, then its words up to a break.

    "Officials said on Monday that rescuers pulled 41 people alive, ..." gives
    "Rescuers pulled 41 people alive".
    """
    whole = _LEADING_TIME.sub("", _DATELINE.sub("", text.strip()))
    # A sentence that opens with a quote is labelled by who said it: "..., Ana told parliament".
    whole = re.sub(r"^[\"“][^\"”]*[\"”]\s*,?\s*", "", whole) or whole
    candidates = [whole]
    reported = _REPORTED.match(whole)
    if reported:
        opener = re.match(r"[A-Za-z]+", reported.group("rest"))
        if not (opener and opener.group(0).lower() in DEPENDENT_OPENERS):
            candidates.insert(0, reported.group("rest"))
    # The reported clause when it stands on its own (not a bare quote), else the whole sentence's start.
    words = next((w for c in candidates if len(w := _first_clause(c)) >= 3), _first_clause(whole))[:limit]
    while len(words) > 2 and (words[-1].lower() in _TRAILING or re.search(r"['’]s$", words[-1])):
        words.pop()
    label = " ".join(words)
    return label[:1].upper() + label[1:]


def _first_clause(text: str) -> list[str]:
    clause = re.split(r",(?!\d)|;|:|[\"“(]| - | – | — |\bwho\b|\bwhich\b|\bafter\b|\bas\b|\bwhile\b", text, maxsplit=1)[0]
    return clause.strip().rstrip(".").split()


# "PARIS:", "Brussels (AP) —": where the story was filed, not what it says.
_DATELINE = re.compile(r"^[A-Z][A-Za-z .'’-]{1,30}(?:\s*\([A-Za-z. ]+\))?\s*(?::|—|–|--)\s+")
_LEADING_TIME = re.compile(r"^(?:on|by|late on|early on|in|since)\s+[A-Z]?\w+(?:\s+\d{1,2})?,\s+", re.I)
_REPORTED = re.compile(
    r"^[^,]{0,80}?\b(?:said|says|told \w+(?: \w+)?|announced|reported|confirmed|added|stated)"
    r"(?:\s+on\s+\w+(?:\s+\d{1,2})?|\s+\w+day)?(?:\s+that)?\s+(?P<rest>.+)$"
)
_TRAILING = frozenset("a an the of to and or in on at for with by from that its their his her".split())


def distinct_labels(briefs: Sequence[TopicBrief], fallback: dict[str, str]) -> list[TopicBrief]:
    """Give each topic a label that tells it apart from the others.

    A label made only of words the whole story shares ("the attacks") says
    nothing about the topic, and two topics must never share a label; such a
    label gives way to one built from the topic's central fact (``fallback``
    maps topic ids to the clustering label, used only when that is no help).
    """
    word_sets = [{w for f in b.topic.facts for w in content_words(f.text)} for b in briefs]
    event_words = {w for w in set().union(*word_sets) if sum(w in ws for ws in word_sets) * 2 >= len(word_sets) >= 2}
    used: set[str] = set()
    distinct = []
    for brief in briefs:
        label = brief.topic.label
        words = content_words(label)
        if label.lower() in used or (words and words <= event_words):
            central = central_facts(brief.topic.facts, 1)
            label = label_from_fact(central[0].text) if central else fallback.get(brief.topic.id, label)
        if label.lower() in used:
            label = f"{label} ({len(used) + 1})"
        used.add(label.lower())
        distinct.append(replace(brief, topic=replace(brief.topic, label=label)))
    return distinct


# --- writing a topic one small task at a time ----------------------------------------
#
# A 1.5B model on two cores writes poorly when asked for a whole summary at once and
# makes things up when told to use its own words. It is asked instead for one
# sentence at a time, from the one to three facts that sentence must carry. Every
# prompt opens with the same instruction, so llama.cpp's KV cache serves that part,
# and the judge continues the writer's own conversation, so it reads only its question.

# Words a printed sentence may take; a source sentence this short is printed as it is.
SHORT_ENOUGH = 16
MAX_SENTENCE_WORDS = 24
MIN_PRINTABLE_WORDS = 6
FUSE_OVERLAP = (0.3, 0.6)
QUOTE_HEAVY = 0.3
# What a new name or number is worth against one more outlet carrying a fact.
NOVELTY_WEIGHT = 0.5
# What standing in an article's opening counts for, and how far the opening reaches.
LEDE_WEIGHT = 1.5
LEDE_SENTENCES = 6
# Sentences about the reporting itself, not the news.
ABOUT_REPORTING = re.compile(
    r"\b(?:on condition of anonymity|declined to comment|did not (?:immediately )?respond|could not be reached|"
    r"not authori[sz]ed to (?:speak|discuss)|contributed to this report)\b",
    re.I,
)
# Two quotations in a row: two sentences the splitter missed, or a quote without its speaker.
GLUED_QUOTES = re.compile(r"[.!?,][\"”’]\s+[\"“]")
METADATA = re.compile(r"^\s*(?:title|source|date|url|published|updated|outlet|headline|author|by)\s*:|https?://", re.I)
ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|according to|stated|added|warned|wrote|announced|asked|tweeted|declared|continued|"
    r"explained|noted|insisted|argued|posted|testified|quoted|saying)\b",
    re.I,
)


def clean_reply(reply: str, first_sentence: bool = False) -> str:
    """The first line of a reply, without bullets, labels or wrapping quotes (or only its first sentence)."""
    line = next((ln.strip() for ln in reply.splitlines() if ln.strip()), "")
    if first_sentence:
        line = re.split(r"(?<=[a-z0-9)])[.!?]\s+(?=[A-Z])", line, maxsplit=1)[0]
    line = re.sub(r"^(?:[-*•]|\d+[.)]|(?:sentence|headline|answer|rewrite)\s*:)\s*", "", line, flags=re.I)
    if len(line) > 1 and line[0] in "\"“'" and line[-1] in "\"”'":
        line = line[1:-1].strip()
    # The tokenizer spells initialisms "U. S."; the sources write "U.S.".
    return re.sub(r"\b([A-Z])\. (?=[A-Z]\.)", r"\1.", line)


def quote_share(text: str) -> float:
    """The share of a sentence's characters inside quotation marks."""
    return sum(len(q) for q in re.findall(r"[\"“][^\"”]*[\"”]", text)) / max(len(text), 1)


def printable(fact: Fact) -> bool:
    """Whether a fact can stand on the page alone.

    Not a header line, a fragment, a question, a sentence whose subject is a
    pronoun from the sentence before ("He added that ..."), or a quote without
    a named speaker.
    """
    text = fact.text.strip()
    if len(text.split()) < MIN_PRINTABLE_WORDS or METADATA.search(text) or text.endswith("?"):
        return False
    if ABOUT_REPORTING.search(text) or GLUED_QUOTES.search(text):
        return False
    opener = re.match(r"[A-Za-z]+", text)
    if opener and opener.group(0).lower() in DEPENDENT_OPENERS:
        return False
    if quote_share(text) > 0.3 and not (ATTRIBUTION.search(text) and entities(_unquoted(text))):
        return False
    return bool(re.search(r"[.!][\'\"’”)]*$", text))


@dataclass(frozen=True)
class Task:
    """One printed sentence to write: the facts it must carry (one to three) and its length."""

    facts: tuple[Fact, ...]
    words: int

    @property
    def needs_model(self) -> bool:
        """A single short fact is printed as it is, at no cost."""
        return len(self.facts) > 1 or len(self.facts[0].text.split()) > SHORT_ENOUGH


def _unquoted(text: str) -> str:
    return re.sub(r"[\"“][^\"”]*[\"”]", " ", text)


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / max(min(len(a), len(b)), 1)


def tasks_for(facts: Sequence[Fact], count: int, fuse: bool = True) -> list[Task]:
    """The sentences a topic prints: its most important printable facts, each fused with a related one.

    Args:
        facts: the topic's facts, most important first.
        count: how many sentences the page has room for.
        fuse: whether to pair facts (False: one fact per sentence).

    Returns:
        Up to ``count`` tasks, most important first; no fact is used twice and
        no two tasks say the same thing.
    """
    pool = [f for f in facts if printable(f)]
    words = {f.id: content_words(f.text) for f in pool}
    used: set[str] = set()
    said: set[str] = set()
    tasks: list[Task] = []
    while len(tasks) < count:
        fresh = [f for f in pool if f.id not in used and all(_overlap(words[f.id], words[u]) < FUSE_OVERLAP[1] for u in used)]
        if not fresh:
            break
        fact = min(fresh, key=lambda f: _rank(f, said, pool.index(f)))
        used.add(fact.id)
        partner = _partner(fact, pool, words, used) if fuse else None
        if partner is not None:
            used.add(partner.id)
        chosen = (fact, partner) if partner is not None else (fact,)
        said.update(d for f in chosen for d in details(f.text))
        tasks.append(Task(chosen, MAX_SENTENCE_WORDS if partner else min(SHORT_ENOUGH + 2, MAX_SENTENCE_WORDS)))
    return tasks


def details(text: str) -> set[str]:
    """The names and numbers a sentence states: what a reader learns from it."""
    return {n.lower() for n in entities(text)} | {str(n) for n in numbers_in(text)}


def _rank(fact: Fact, said: set[str], order: int) -> tuple[bool, float, int]:
    """Plain statements before quotes; then outlets, what it adds and where it stands; then the topic's order.

    A fact one outlet reports with three names and a number nobody else gives
    can matter more than a second outlet's echo of what is already printed;
    and news is written most important first, so a fact some outlet put in
    its opening sentences counts for more.
    """
    novelty = len(details(fact.text) - said)
    score = len(fact.sources) + NOVELTY_WEIGHT * novelty + LEDE_WEIGHT * lede_share(fact)
    return quote_share(fact.text) > QUOTE_HEAVY, -score, order


def lede_share(fact: Fact) -> float:
    """1 for a fact in some article's first sentences, falling to 0 by its sixth."""
    first = min(s.index for s in fact.sentences)
    return max(0.0, 1.0 - first / LEDE_SENTENCES)


def _partner(fact: Fact, pool: Sequence[Fact], words: dict[str, frozenset[str]], used: set[str]) -> Fact | None:
    """The related fact that adds most to ``fact``: same subject (a shared name), not a repeat.

    Two facts that each carry numbers are never fused: a 1.5B model joins
    "168 raids one night" and "128 homes searched" into one false event.
    """
    best, best_overlap = None, FUSE_OVERLAP[0]
    names = set(entities(fact.text))
    counted = bool(numbers_in(fact.text))
    for other in pool:
        if other.id in used or len(fact.text.split()) + len(other.text.split()) > 70:
            continue
        if not names & set(entities(other.text)) or (counted and numbers_in(other.text)):
            continue
        if any(_overlap(words[other.id], words[u]) >= FUSE_OVERLAP[1] for u in used):
            continue
        overlap = _overlap(words[fact.id], words[other.id])
        if best_overlap <= overlap < FUSE_OVERLAP[1]:
            best, best_overlap = other, overlap
    return best


def write_task(task: Task, summarizer: Summarizer, gate: Gate) -> Claim | None:
    """Write one task's sentence and gate it; a fact short enough is printed as it is."""
    if not task.needs_model:
        return gate.verbatim(task.facts[0])
    ask = SENTENCE_ASK.format(words=task.words)
    text = clean_reply(summarizer.write([f.text for f in task.facts], ask))
    dropped = numbers_in(" ".join(f.text for f in task.facts)) - numbers_in(text)
    if dropped:
        # A condensed sentence keeps every figure its facts give ("Article 42", "128 raids").
        return replace(gate.verbatim(task.facts[0]), method="extractive", checks=("verbatim", "rejected: dropped a number"))
    verdict = gate.check(text, task.facts, task.facts)
    return verdict.claim if verdict else None
