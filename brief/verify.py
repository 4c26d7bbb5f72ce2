"""The gate every generated sentence passes before it is printed.

Two checks, in order:

1. Lexical: every number, date, weekday and capitalised name in the sentence
   appears in the sentences it cites. Names match up to a small edit distance
   (transliterations such as a dropped or swapped letter), numbers match as
   values whether written in digits or words, and dates match the dates the
   cited sentences state or imply ("overnight" in an article of the 17th means
   the night of the 16th to the 17th).
2. Entailment: a :class:`Judge` scores whether the cited sentences, and only
   those, entail the sentence.

A sentence that fails is not printed as it was: the caller replaces it with its
best supporting source sentence, verbatim, marked extractive.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Protocol, runtime_checkable

from brief.config import Settings
from brief.dates import WEEKDAYS, is_month, last_weekday, month_number
from brief.embed import Embedder
from brief.errors import ModelError
from brief.generate import TextModel, load_text_model
from brief.models import resolve_generator
from brief.numbers import numbers_in
from brief.prompts import judge_messages
from brief.records import Citation, Claim, Fact, Sentence

log = logging.getLogger(__name__)

# Word-sequence similarity at which a generated sentence is a copy of its source.
NEAR_VERBATIM = 0.92
# A copy that adds or drops one of these says something else, however close the words.
NEGATIONS = frozenset("not no never nor yet without neither cannot t".split())
NIGHT_WORDS = re.compile(r"\b(overnight|last night|during the night)\b", re.I)
# Capitalised words that are not names: sentence openers and function words.
NOT_NAMES = frozenset(
    "a an the this that these those it its in on at by for from with and but or as after before during "
    "since while when where who which what he she they we i his her their our there here then also "
    "meanwhile however earlier later today yesterday tonight".split()
)



@runtime_checkable
class Judge(Protocol):
    """Scores how strongly some evidence sentences entail a claim, from 0 to 1."""

    name: str

    def entailment(self, claim: str, evidence: Sequence[str]) -> float:
        """Probability that ``evidence`` entails ``claim``."""
        ...


class ModelJudge:
    """An instruction model asked YES/NO about one claim against its cited sentences only.

    Showing it the whole topic instead lets it say "supported" to claims that
    mix facts from different sentences, so it only ever sees the citations. The
    prompt opens like the writer's (see :mod:`brief.prompts`): right after the
    writer's call, the KV cache holds all but the claim and the question.
    """

    def __init__(self, model: TextModel) -> None:
        self.model = model
        self.name = model.name
        self.calls = 0

    def entailment(self, claim: str, evidence: Sequence[str]) -> float:
        """P(YES) from the model's first reply token."""
        self.calls += 1
        return self.model.yes_probability(judge_messages(claim, evidence), role="judge")


class CrossEncoderJudge:
    """An NLI cross-encoder (e.g. an nli-deberta-v3 model a user has) as the judge."""

    def __init__(self, location: str) -> None:
        from sentence_transformers import CrossEncoder

        self._model = CrossEncoder(location, device="cpu")
        self.name = location
        labels = {v.lower(): int(k) for k, v in self._model.config.id2label.items()}
        self._entailment_index = labels.get("entailment", 1)

    def entailment(self, claim: str, evidence: Sequence[str]) -> float:
        """Softmax probability of the entailment label for (evidence, claim)."""
        scores = self._model.predict([(" ".join(evidence), claim)], apply_softmax=True)
        return float(scores[0][self._entailment_index])


class ConstantJudge:
    """A model-free judge for tests: gives every claim the same score."""

    def __init__(self, score: float = 1.0) -> None:
        self.score = score
        self.name = f"constant-{score}"
        self.calls = 0

    def entailment(self, claim: str, evidence: Sequence[str]) -> float:
        """The fixed score."""
        self.calls += 1
        return self.score


def load_judge(config: Settings, summarizer_model: TextModel | None) -> Judge:
    """The judge a setting names; by default the summariser's own model.

    Args:
        config: settings; ``judge`` is None (use the summariser), ``constant-SCORE``,
            an NLI cross-encoder folder or id, or any instruction model the summariser accepts.
        summarizer_model: the already-loaded summariser model, shared to save memory.

    Returns:
        A judge.
    """
    if config.judge is None:
        if summarizer_model is None or not summarizer_model.chat:
            raise ModelError("the summariser cannot judge entailment; set --judge to an instruction or NLI model")
        return ModelJudge(summarizer_model)
    if config.judge.startswith("constant-"):
        return ConstantJudge(float(config.judge.split("-", 1)[1]))
    if _is_cross_encoder(config.judge):
        return CrossEncoderJudge(config.judge)
    source = resolve_generator(config.judge, config.cache_dir)
    return ModelJudge(load_text_model(source, config.context_tokens, config.threads, config.seed))


def _is_cross_encoder(location: str) -> bool:
    config_file = Path(location).expanduser() / "config.json"
    if not config_file.is_file():
        return False
    architectures = json.loads(config_file.read_text(encoding="utf-8")).get("architectures") or []
    return any(a.endswith("ForSequenceClassification") for a in architectures)


@dataclass(frozen=True)
class LexicalResult:
    """What the lexical check found in a claim that its evidence does not hold."""

    missing: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """True when nothing is missing."""
        return not self.missing


def lexical_check(claim: str, evidence: Sequence[Sentence]) -> LexicalResult:
    """Find numbers, dates and names in ``claim`` that no evidence sentence holds.

    Args:
        claim: the generated sentence.
        evidence: the sentences it cites, with their articles' dates.

    Returns:
        The unsupported items, each as ``"kind value"`` (empty when all are supported).
    """
    text = " ".join(s.text for s in evidence)
    claim_dates, claim_rest = _dates_and_rest(claim)
    evidence_dates = _evidence_dates(evidence)
    missing = [f"date {d}" for d in claim_dates if not _date_supported(d, evidence_dates)]
    missing += [f"weekday {w}" for w in _weekdays(claim) if not _weekday_supported(w, text, evidence_dates)]
    evidence_numbers = numbers_in(text) | {d.day for d in evidence_dates} | {d.year for d in evidence_dates}
    missing += [f"number {n}" for n in sorted(numbers_in(claim_rest) - evidence_numbers)]
    evidence_words = _words(text)
    missing += [f"name {n}" for n in _names(claim) if not _name_supported(n, evidence_words)]
    return LexicalResult(tuple(missing))


def _dates_and_rest(text: str) -> tuple[list[tuple[int | None, int, int | None]], str]:
    """Month-day mentions as (year, month, day), and the text without them."""
    found: list[tuple[int | None, int, int | None]] = []
    month = r"(?P<m>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
    patterns = [
        rf"\b(?P<d1>\d{{1,2}})(?:\s*(?:-|–|to|and)\s*(?P<d2>\d{{1,2}}))?\s+{month}(?:,?\s+(?P<y>\d{{4}}))?",
        rf"\b{month}\s+(?P<d1>\d{{1,2}})(?:\s*(?:-|–|to|and)\s*(?P<d2>\d{{1,2}}))?(?:,?\s+(?P<y>\d{{4}}))?\b",
    ]
    rest = text
    for pattern in patterns:
        for match in re.finditer(pattern, rest, re.I):
            month = month_number(match.group("m"))
            year = int(match.group("y")) if match.group("y") else None
            for day in (match.group("d1"), match.group("d2")):
                if day and 1 <= int(day) <= 31:
                    found.append((year, month, int(day)))
        rest = re.sub(pattern, " ", rest, flags=re.I)
    return found, rest


def _evidence_dates(evidence: Sequence[Sentence]) -> set[dt.date]:
    """Dates evidence states or implies: explicit ones, article dates, nights, weekdays."""
    dates: set[dt.date] = set()
    for sentence in evidence:
        anchor = sentence.published
        for year, month, day in _dates_and_rest(sentence.text)[0]:
            resolved_year = year or (anchor.year if anchor else None)
            if resolved_year and day:
                try:
                    dates.add(dt.date(resolved_year, month, day))
                except ValueError:
                    continue
        if anchor:
            dates.add(anchor)
            if NIGHT_WORDS.search(sentence.text):
                dates.add(anchor - dt.timedelta(days=1))
            dates |= {last_weekday(anchor, w) for w in _weekdays(sentence.text)}
    return dates


def _date_supported(date: tuple[int | None, int, int | None], evidence: set[dt.date]) -> bool:
    year, month, day = date
    return any(d.month == month and d.day == day and (year is None or d.year == year) for d in evidence)


def _weekdays(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z]+", text.lower()) if w in WEEKDAYS]


def _weekday_supported(weekday: str, evidence_text: str, evidence_dates: set[dt.date]) -> bool:
    if weekday in evidence_text.lower():
        return True
    return any(WEEKDAYS[d.weekday()] == weekday for d in evidence_dates)


def _names(text: str) -> list[str]:
    """Capitalised words that are not months, weekdays or sentence openers."""
    names = []
    for word in re.findall(r"\b[A-Z][\w'’.-]*[\w]|\b[A-Z]\b", text):
        plain = _normal(word)
        if plain in NOT_NAMES or is_month(plain) or plain in WEEKDAYS or not plain:
            continue
        names.append(word)
    return names


def _words(text: str) -> set[str]:
    words = {_normal(w) for w in re.findall(r"[\w'’.-]+", text)}
    return words | {part for w in words for part in w.split("-") if part}


def _normal(word: str) -> str:
    """Lower case without dots, possessives or hyphen ends ("U.S." -> "us", "EU's" -> "eu")."""
    word = re.sub(r"['’]s$", "", word.lower())
    return word.replace(".", "").strip("-'’")


def _name_supported(name: str, evidence_words: set[str]) -> bool:
    target = _normal(name)
    parts = [p for p in re.split(r"-", target) if p] or [target]
    return all(any(_close(part, word) for word in evidence_words) for part in parts)


def _close(a: str, b: str) -> bool:
    """Same word, a plural/demonym ending, or a transliteration a letter or two away."""
    if a == b:
        return True
    shorter = min(len(a), len(b))
    if shorter >= 4 and (a.startswith(b) or b.startswith(a)) and abs(len(a) - len(b)) <= 2:
        return True
    allowed = 1 if shorter >= 5 else 0
    if shorter >= 7:
        allowed = 2
    return allowed > 0 and abs(len(a) - len(b)) <= allowed and _edit_distance(a, b) <= allowed


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def unique_texts(sentences: Iterable[Sentence], limit: int) -> list[str]:
    """Distinct sentence texts, first seen first, at most ``limit``."""
    return list(dict.fromkeys(s.text for s in sentences))[:limit]


@dataclass(frozen=True)
class Verdict:
    """A printed claim and the source sentences it was checked against."""

    claim: Claim
    evidence: tuple[Sentence, ...]


class Gate:
    """Checks a draft against the facts it cites, and repairs or replaces it.

    Args:
        judge: scores entailment of a claim by its cited sentences.
        embedder: aligns a draft with the facts most like it, when its own
            citations are missing or do not hold what it says.
        threshold: the lowest entailment score printed as abstractive.
    """

    def __init__(self, judge: Judge, embedder: Embedder, threshold: float, evidence_limit: int = 3) -> None:
        self.judge = judge
        self.embedder = embedder
        self.threshold = threshold
        self.evidence_limit = evidence_limit

    def check(self, text: str, cited: Sequence[Fact], pool: Sequence[Fact]) -> Verdict | None:
        """Verify ``text``; returns the claim as written, an extractive stand-in, or None.

        Args:
            text: the generated sentence.
            cited: the facts the summariser was given or says it restates.
            pool: all facts it was shown, to align with when ``cited`` falls short.

        Returns:
            A verdict whose claim is the sentence itself when both checks pass
            (its ``method`` computed from the text: verbatim, near-verbatim or
            abstractive), else its best supporting fact verbatim, marked
            extractive; None when nothing supports it.
        """
        ranked = self._ranked(text, pool)
        if not complete_sentence(text):
            return self._extractive(text, [*cited, *ranked], "not a complete sentence")
        facts, lexical = self._aligned(text, list(cited) or ranked[:1], ranked)
        if lexical.passed:
            if any(text.strip() == s.text.strip() for f in facts for s in f.sentences):
                return Verdict(Claim(text, _citations(facts), "verbatim", None, ("lexical", "verbatim")), _sentences(facts))
            copied = _copied_from(text, facts)
            if copied is not None:
                claim = Claim(text, _citations(facts), "near-verbatim", None, ("lexical", f"near-verbatim {copied:.2f}"))
                return Verdict(claim, _sentences(facts))
            score = self.judge.entailment(text, [f.text for f in facts[: self.evidence_limit]])
            if score >= self.threshold:
                claim = Claim(text, _citations(facts), "abstractive", round(score, 3), ("lexical", "entailment"))
                return Verdict(claim, _sentences(facts))
            reason = f"entailment {score:.2f} < {self.threshold}"
        else:
            reason = "unsupported " + ", ".join(lexical.missing)
        return self._extractive(text, [*facts, *ranked], reason)

    def supports(self, text: str, facts: Sequence[Fact], shown: Sequence[str] | None = None) -> bool:
        """Whether a phrase that need not be a sentence (a label, a headline) is supported.

        Args:
            text: the phrase.
            facts: every fact it may rest on; its names and numbers must be in their sentences.
            shown: what the writer was shown (default: the first facts), which the judge reads.
        """
        if not lexical_check(text, _sentences(facts)).passed:
            return False
        evidence = list(shown) if shown is not None else [f.text for f in facts[: self.evidence_limit]]
        return self.judge.entailment(text, evidence) >= self.threshold

    @staticmethod
    def verbatim(fact: Fact) -> Claim:
        """A fact printed as its sources write it: nothing to check."""
        return Claim(fact.text, _citations([fact]), "verbatim", None, ("verbatim",))

    def _aligned(self, text: str, facts: list[Fact], ranked: Sequence[Fact]) -> tuple[list[Fact], LexicalResult]:
        """Add the most similar facts that hold what the cited ones lack, up to the evidence limit.

        Summarisers often cite one sentence for a claim that joins two; the
        claim may still be true if a similar fact holds the missing name.
        """
        result = lexical_check(text, _sentences(facts))
        for candidate in ranked[: self.evidence_limit + 2]:
            if result.passed or len(facts) >= self.evidence_limit:
                break
            if candidate in facts:
                continue
            trial = lexical_check(text, _sentences([*facts, candidate]))
            if len(trial.missing) < len(result.missing):
                facts, result = [*facts, candidate], trial
        return facts, result

    def _ranked(self, text: str, pool: Sequence[Fact]) -> list[Fact]:
        """Facts of the pool most like ``text`` first."""
        if not pool:
            return []
        vectors = self.embedder.encode([text, *(f.text for f in pool)])
        similarity = vectors[1:] @ vectors[0]
        return [pool[i] for i in sorted(range(len(pool)), key=lambda i: -float(similarity[i]))]

    def _extractive(self, text: str, candidates: Sequence[Fact], reason: str) -> Verdict | None:
        if not candidates:
            return None
        best = candidates[0]
        log.info("replaced %r with a source sentence (%s)", text[:60], reason)
        claim = Claim(best.text, _citations([best]), "extractive", None, ("verbatim", f"rejected: {reason}"))
        return Verdict(claim, best.sentences)


def _copied_from(text: str, facts: Sequence[Fact]) -> float | None:
    """How closely ``text`` copies one cited sentence, when it is a near-verbatim copy.

    A sentence that repeats its source word for word, give or take a few words,
    says what the source says; asking the judge about it costs seconds and adds
    nothing. Only whole-sentence copies count, not fragments that could drop a "not".
    """
    words = _tokens(text)
    ratios = [
        SequenceMatcher(None, words, _tokens(s.text)).ratio()
        for f in facts
        for s in f.sentences
        if NEGATIONS.intersection(words) == NEGATIONS.intersection(_tokens(s.text))
    ]
    best = max(ratios, default=0.0)
    return best if best >= NEAR_VERBATIM else None


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def complete_sentence(text: str) -> bool:
    """At least five words, ending as a sentence ends (a JSON string cut at a quote does not)."""
    return len(text.split()) >= 5 and bool(re.search(r"[.!?][\'\"’”)]*$", text.strip()))


def _sentences(facts: Sequence[Fact]) -> tuple[Sentence, ...]:
    return tuple(s for f in facts for s in f.sentences)


def _citations(facts: Sequence[Fact]) -> tuple[Citation, ...]:
    """Every outlet's sentence for each fact, the representative sentence first."""
    ordered: list[Sentence] = []
    for fact in facts:
        ordered += sorted(fact.sentences, key=lambda s: s.text != fact.text)
    return tuple(Citation.of(s) for s in dict.fromkeys(ordered))
