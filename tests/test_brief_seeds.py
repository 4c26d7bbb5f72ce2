"""End to end on the seed articles with the real models: the targets of the summary issue."""

from __future__ import annotations

import re

import pytest
from fixtures_seed_brief import SEEDS

from brief import render
from brief.pipeline import Models
from brief.quality import load_key_facts, measure, printed_claims
from brief.records import Brief

pytestmark = pytest.mark.slow
KEY_FACTS = SEEDS.parent / "tests" / "data" / "seed_facts.json"


def topic_holding(brief: Brief, pattern: str) -> set[str]:
    """Ids of topics with a fact sentence matching ``pattern``."""
    return {
        t.topic.id
        for t in brief.topics
        for f in t.topic.facts
        for s in f.sentences
        if re.search(pattern, s.text, re.I)
    }


def test_every_printed_sentence_is_cited_and_nothing_unsupported(seed_brief: Brief) -> None:
    quality = measure(seed_brief)
    assert quality.printed >= 10
    assert quality.cited_share == 1.0
    assert quality.unsupported == 0, quality.unsupported_items


def test_fallbacks_stay_within_what_the_strict_judge_was_measured_to_cost(seed_brief: Brief) -> None:
    """The judge's threshold (0.65) passes no false claim of tests/data/judge_pairs.jsonl, and it sends
    most rewrites of the seeds back to their source sentence: 8 of 12 printed sentences when measured."""
    assert measure(seed_brief).extractive_share <= 0.75


def test_citation_precision_by_the_judge(seed_brief: Brief, real_models: Models) -> None:
    precision = measure(seed_brief, real_models.gate.judge, threshold=0.65).citation_precision
    assert precision is not None and precision >= 0.95


def test_every_expected_topic_is_summarised(seed_brief: Brief) -> None:
    expected = {
        "EU request": r"Article 42|mutual assistance clause|never-before-used",
        "Raqqa strikes": r"Raqqa",
        "raids": r"\braids overnight",
        "suspects": r"Abaaoud",
        "diplomacy": r"Kerry",
    }
    summarised = {t.topic.id for t in seed_brief.topics if t.summary}
    for name, pattern in expected.items():
        assert topic_holding(seed_brief, pattern) & summarised, f"no summarised topic about the {name}"
    # 0.7 before facts from articles' openings ranked higher; that lifted five corpus stories by one to four
    # key facts each and cost the seeds one (bench/stories.py), so the seeds' floor is 0.6.
    assert measure(seed_brief, key_facts=load_key_facts(KEY_FACTS)).key_fact_recall >= 0.6


def test_citations_quote_their_source_exactly(seed_brief: Brief) -> None:
    texts = {a.id: a.text for a in seed_brief.sources}
    for claim in printed_claims(seed_brief):
        for citation in claim.citations:
            assert texts[citation.source][citation.start : citation.end] == citation.quote


def test_figures_keep_nights_counts_and_other_events_apart(seed_brief: Brief) -> None:
    assert seed_brief.conflicts == ()
    killed = {f.value for f in seed_brief.figures if f.counts == "killed"}
    assert 129 in killed and not killed & {191, 224, 43}
    raids = {f.value: f.as_of for f in seed_brief.figures if f.counts == "raids"}
    if 128 in raids and 168 in raids:
        assert raids[128] != raids[168]
    printed = " ".join(c.text for c in printed_claims(seed_brief))
    assert not re.search(r"\b191\b", printed) or "Madrid" in printed


def test_the_real_brief_renders_on_one_page(seed_brief: Brief, tmp_path) -> None:
    from pypdf import PdfReader

    paths = render.write_all(seed_brief, tmp_path)
    reader = PdfReader(paths["pdf"])
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "17 November 2015" in text
