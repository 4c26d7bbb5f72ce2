"""Measures of how far a brief can be trusted, for the quality benchmark and tests.

Each figure is computed from the brief alone (plus a judge for citation
precision and an optional list of key facts for recall), so the same numbers
can be checked on coverage the developers have never seen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from brief.records import Brief, Claim, Sentence
from brief.verify import Judge, lexical_check

# Methods whose text the model wrote (a verbatim or extractive sentence is its own source).
WRITTEN = ("abstractive", "near-verbatim")


@dataclass(frozen=True)
class Quality:
    """The trust figures of one brief."""

    printed: int
    cited_share: float
    unsupported: int
    unsupported_items: tuple[str, ...]
    extractive_share: float
    citation_precision: float | None
    key_fact_recall: float | None
    topics: int

    def as_dict(self) -> dict[str, object]:
        """Plain values for JSON."""
        return asdict(self)


def printed_claims(brief: Brief) -> list[Claim]:
    """Every sentence the brief prints: the lead and each topic's summary."""
    return [*brief.lead, *(c for t in brief.topics for c in t.summary)]


def measure(
    brief: Brief, judge: Judge | None = None, key_facts: Sequence[dict[str, object]] = (), threshold: float = 0.65
) -> Quality:
    """Compute the trust figures of ``brief``.

    Args:
        brief: the brief to measure.
        judge: scores whether each claim's cited sentences entail it (None: skip).
        key_facts: facts a reader must find, each ``{"fact": str, "any_of": [[term, ...], ...]}``.
        threshold: the entailment score that counts as supported (the gate's).

    Returns:
        The figures; ``unsupported`` must be 0.
    """
    claims = printed_claims(brief)
    sentences = {(s.article_id, s.index): s for s in _sentences(brief)}
    unsupported = [
        f"{item} in {c.text[:60]!r}" for c in claims if c.method in WRITTEN for item in _missing(c, sentences)
    ]
    count = max(len(claims), 1)
    return Quality(
        printed=len(claims),
        cited_share=sum(1 for c in claims if c.citations) / count,
        unsupported=len(unsupported),
        unsupported_items=tuple(unsupported),
        extractive_share=sum(1 for c in claims if c.method == "extractive") / count,
        citation_precision=_precision(claims, judge, threshold) if judge else None,
        key_fact_recall=recall(claims, key_facts) if key_facts else None,
        topics=len(brief.topics),
    )


def recall(claims: Sequence[Claim], key_facts: Sequence[dict[str, object]]) -> float:
    """Share of key facts that some printed sentence states (all terms of one alternative present)."""
    return recall_in([c.text for c in claims], key_facts)


def recall_in(texts: Sequence[str], key_facts: Sequence[dict[str, object]]) -> float:
    """Share of key facts whose terms of one alternative all appear in one of ``texts``."""
    lowered = [t.lower() for t in texts]
    found = 0
    for fact in key_facts:
        alternatives = fact["any_of"]
        assert isinstance(alternatives, list)
        if any(all(term.lower() in text for term in terms) for terms in alternatives for text in lowered):
            found += 1
    return found / max(len(key_facts), 1)


def load_key_facts(path: Path) -> list[dict[str, object]]:
    """Key facts from a JSON file (a list of ``{"fact", "any_of"}`` objects)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return list(data["facts"] if isinstance(data, dict) else data)


def _sentences(brief: Brief) -> list[Sentence]:
    from brief.sentences import split_all

    return split_all(brief.sources)


def _missing(claim: Claim, sentences: dict[tuple[str, int], Sentence]) -> tuple[str, ...]:
    cited = [sentences[(c.source, c.sentence)] for c in claim.citations if (c.source, c.sentence) in sentences]
    return lexical_check(claim.text, cited).missing


def _precision(claims: Sequence[Claim], judge: Judge, threshold: float) -> float:
    """Share of claims whose own citations entail them (verbatim claims count as entailed)."""
    checked = [c for c in claims if c.method == "abstractive"]
    if not checked:
        return 1.0
    passed = sum(1 for c in checked if judge.entailment(c.text, _quotes(c)) >= threshold)
    return passed / len(checked)


def _quotes(claim: Claim) -> list[str]:
    return list(dict.fromkeys(re.sub(r"\s+", " ", c.quote) for c in claim.citations))[:3]
