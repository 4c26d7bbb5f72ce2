"""Merge sentences that say the same thing into one fact with several sources.

Two sentences merge when their embeddings are very close, or fairly close with
most content words shared, and never when they report different numbers
("40 raids overnight" and "45 raids overnight" are two nights, not one fact).
Similarities are computed a block of rows at a time, so memory stays bounded
however many sentences there are.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from brief.numbers import numbers_in
from brief.records import Fact, Sentence

BLOCK_ROWS = 1024
# Share of the shorter sentence's content words that the longer must hold for a
# looser embedding match to count as the same statement.
MIN_WORD_CONTAINMENT = 0.5
# Neighbours kept per sentence when collecting similar pairs (bounds memory).
MAX_NEIGHBOURS = 32


@dataclass(frozen=True)
class FactSet:
    """Facts with one unit vector each (the mean of their sentences' vectors)."""

    facts: list[Fact]
    vectors: np.ndarray


def merge(
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    threshold: float = 0.85,
    floor: float = 0.75,
) -> FactSet:
    """Group near-duplicate sentences into facts.

    Pairs are joined strongest first, and a join that would put two different
    numbers into one fact is refused even when the two sentences are linked only
    through a third one that gives no number at all.

    Args:
        sentences: sentences of all articles, in reading order.
        vectors: unit-length embeddings, one row per sentence.
        threshold: cosine at or above which two sentences are the same statement.
        floor: cosine at or above which they are, if they also share most content words.

    Returns:
        The facts in order of first appearance, and their vectors.
    """
    n = len(sentences)
    if n == 0:
        return FactSet([], np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 0), dtype=np.float32))
    numbers = [numbers_in(s.text) for s in sentences]
    words = [content_words(s.text) for s in sentences]
    groups = _NumberSafeGroups(numbers)
    for i, j, similarity in sorted(similar_pairs(vectors, floor), key=lambda p: -p[2]):
        if _same_statement(similarity, numbers[i], numbers[j], words[i], words[j], threshold):
            groups.join(i, j)
    return _facts_from_labels(sentences, vectors, groups.labels())


def similar_pairs(
    vectors: np.ndarray, floor: float, max_neighbours: int = MAX_NEIGHBOURS
) -> list[tuple[int, int, float]]:
    """Pairs (i < j) whose cosine is at least ``floor``, found one block of rows at a time.

    Args:
        vectors: unit-length rows.
        floor: the lowest cosine kept.
        max_neighbours: at most this many closest rows are kept for each row, so
            a pile of copies of one text cannot make the list quadratic.

    Returns:
        ``(i, j, cosine)`` triples.
    """
    n = len(vectors)
    found_i, found_j, found_s = [], [], []
    for start in range(0, n, BLOCK_ROWS):
        block = vectors[start : start + BLOCK_ROWS] @ vectors.T
        rows = np.arange(block.shape[0])
        block[rows, start + rows] = -np.inf  # a row is not its own neighbour
        hits = block >= floor
        crowded = np.flatnonzero(hits.sum(axis=1) > max_neighbours)
        if len(crowded):  # only rows with too many hits pay for a partial sort
            top = np.argpartition(-block[crowded], max_neighbours - 1, axis=1)[:, :max_neighbours]
            kept = np.zeros((len(crowded), n), dtype=bool)
            np.put_along_axis(kept, top, True, axis=1)
            hits[crowded] &= kept
        local, cols = np.nonzero(hits)
        found_i.append(start + local)
        found_j.append(cols)
        found_s.append(block[local, cols])
    if not found_i:
        return []
    i, j, similarity = np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_s)
    low, high = np.minimum(i, j), np.maximum(i, j)
    _, first = np.unique(low.astype(np.int64) * n + high, return_index=True)
    # tolist() converts in C; a per-element int()/float() loop was the bulk of merge() at 200 articles.
    return list(zip(low[first].tolist(), high[first].tolist(), similarity[first].tolist(), strict=True))


class _NumberSafeGroups:
    """Union-find whose groups never hold two sentences with clashing numbers.

    Sentences with pairwise comparable number sets (one a subset of the other)
    form a chain under inclusion, so a group is kept as its distinct number sets
    and a join is allowed only if the union of both chains is still a chain.
    """

    def __init__(self, numbers: Sequence[frozenset[int]]) -> None:
        self.parent = list(range(len(numbers)))
        self.chains: dict[int, set[frozenset[int]]] = {i: {n} for i, n in enumerate(numbers)}

    def find(self, i: int) -> int:
        """The root of ``i``'s group."""
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int) -> bool:
        """Join the groups of ``i`` and ``j`` unless their numbers clash; True if joined."""
        a, b = self.find(i), self.find(j)
        if a == b:
            return True
        merged = self.chains[a] | self.chains[b]
        ordered = sorted(merged, key=len)
        if not all(x <= y for x, y in zip(ordered, ordered[1:])):
            return False
        self.parent[b] = a
        self.chains[a] = merged
        del self.chains[b]
        return True

    def labels(self) -> np.ndarray:
        """One group label per item."""
        return np.array([self.find(i) for i in range(len(self.parent))])


def content_words(text: str) -> frozenset[str]:
    """Lower-cased words of three letters or more that are not stop words."""
    return frozenset(w for w in re.findall(r"[a-z][a-z'-]{2,}", text.lower()) if w not in ENGLISH_STOP_WORDS)


def fact_id(text: str) -> str:
    """A stable id for a fact, from its normalised text."""
    normal = " ".join(re.findall(r"\w+", text.lower()))
    return hashlib.sha256(normal.encode()).hexdigest()[:12]


def _same_statement(
    similarity: float,
    numbers_a: frozenset[int],
    numbers_b: frozenset[int],
    words_a: frozenset[str],
    words_b: frozenset[str],
    threshold: float,
) -> bool:
    # One sentence may add detail (more numbers) to the other, but never a different number.
    if not (numbers_a <= numbers_b or numbers_b <= numbers_a):
        return False
    if similarity >= threshold:
        return True
    shorter = min(len(words_a), len(words_b))
    return shorter > 0 and len(words_a & words_b) / shorter >= MIN_WORD_CONTAINMENT


def _facts_from_labels(sentences: Sequence[Sentence], vectors: np.ndarray, labels: np.ndarray) -> FactSet:
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    facts, fact_vectors = [], []
    for members in groups.values():  # dict order is first appearance
        centre = vectors[members].mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-12)
        representative = members[int(np.argmax(vectors[members] @ centre))]
        text = sentences[representative].text
        facts.append(Fact(id=fact_id(text), text=text, sentences=tuple(sentences[m] for m in members)))
        fact_vectors.append(centre)
    return FactSet(facts, np.asarray(fact_vectors, dtype=np.float32))
