"""Tests for brief.facts: near-duplicate sentences become one fact with several sources."""

from __future__ import annotations

import numpy as np
import pytest

from brief.facts import content_words, merge, numbers_in, similar_pairs
from brief.records import Fact, Sentence


def _sentences(*texts: tuple[str, str]) -> list[Sentence]:
    return [Sentence(article, i, 0, len(text), text) for i, (article, text) in enumerate(texts)]


def _fact_with(facts: list[Fact], needle: str) -> Fact:
    matches = [f for f in facts if any(needle in s.text for s in f.sentences)]
    assert len(matches) == 1, f"{needle!r} is in {len(matches)} facts"
    return matches[0]


def test_numbers_in_reads_digits_and_words() -> None:
    assert numbers_in("Police staged 128 raids and made twenty-three arrests") == frozenset({128, 23})
    assert numbers_in("About 1,800 were hurt; magnitude 7.1") == frozenset({1800, 7.1})
    assert numbers_in("No numbers here") == frozenset()


def test_content_words_drop_stop_words() -> None:
    assert content_words("The police said they raided the homes") == frozenset({"police", "said", "raided", "homes"})


def test_identical_sentences_from_two_articles_are_one_fact() -> None:
    sentences = _sentences(("a", "Rescuers pulled a girl alive."), ("b", "Rescuers pulled a girl alive."))
    vectors = np.array([[1.0, 0.0], [1.0, 0.0]], dtype=np.float32)
    facts = merge(sentences, vectors).facts
    assert len(facts) == 1
    assert facts[0].sources == ("a", "b")


def test_different_numbers_never_merge_even_through_a_third_sentence() -> None:
    sentences = _sentences(
        ("a", "Police staged 128 raids overnight."),
        ("b", "Police staged raids overnight."),
        ("c", "Police staged 168 raids overnight."),
    )
    vectors = np.array([[1.0, 0.0], [0.999, 0.045], [0.998, 0.063]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    facts = merge(sentences, vectors).facts
    home = {s.text: f.id for f in facts for s in f.sentences}
    assert home["Police staged 128 raids overnight."] != home["Police staged 168 raids overnight."]
    assert len(facts) == 2


def test_looser_match_needs_shared_words() -> None:
    sentences = _sentences(
        ("a", "The search yielded no arrests at all."),
        ("b", "Prosecutors found no evidence in the operation."),
    )
    angle = np.arccos(0.8)
    vectors = np.array([[1.0, 0.0], [np.cos(angle), np.sin(angle)]], dtype=np.float32)
    assert len(merge(sentences, vectors, threshold=0.85, floor=0.75).facts) == 2
    same_words = _sentences(("a", "The search yielded no arrests."), ("b", "The search yielded no arrests, police said."))
    assert len(merge(same_words, vectors, threshold=0.85, floor=0.75).facts) == 1


def test_similar_pairs_is_bounded_per_row() -> None:
    vectors = np.ones((300, 4), dtype=np.float32) / 2.0
    pairs = similar_pairs(vectors, 0.5, max_neighbours=5)
    assert len(pairs) <= 300 * 5
    assert all(i < j for i, j, _ in pairs)
    # Copies still chain into one fact even though each row keeps 5 neighbours.
    sentences = [Sentence(f"a{i}", 0, 0, 4, "same") for i in range(300)]
    assert len(merge(sentences, vectors).facts) == 1


def test_empty_input() -> None:
    assert merge([], np.zeros((0, 8), dtype=np.float32)).facts == []


@pytest.mark.slow
def test_seed_wire_copies_merge(seeds_embedded: object) -> None:
    facts = merge(seeds_embedded.sentences, seeds_embedded.vectors).facts  # type: ignore[attr-defined]
    copied = _fact_with(facts, "came to public attention last year by boasting")
    assert len(copied.sources) >= 2


@pytest.mark.slow
def test_seed_raid_counts_of_two_nights_stay_apart(seeds_embedded: object) -> None:
    facts = merge(seeds_embedded.sentences, seeds_embedded.vectors).facts  # type: ignore[attr-defined]
    first = _fact_with(facts, "128 raids overnight")
    second = _fact_with(facts, "168 raids overnight")
    assert first.id != second.id
    assert any("128 police raids overnight" in s.text for s in first.sentences)
    assert len(first.sources) == 3


@pytest.mark.slow
def test_seed_quote_in_three_outlets_is_one_fact(seeds_embedded: object) -> None:
    facts = merge(seeds_embedded.sentences, seeds_embedded.vectors).facts  # type: ignore[attr-defined]
    fact = _fact_with(facts, "either by taking part")
    assert len(fact.sources) == 3
    assert all("either by taking part" in s.text for s in fact.sentences)
