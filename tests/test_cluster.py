"""Tests for brief.cluster: topics, second-pass joining, labels, and the `topics` command."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import numpy as np
import pytest
from click.testing import CliRunner

import brief.cluster as cluster
from brief.cli import main
from brief.config import Settings
from brief.embed import HashingEmbedder
from brief.records import Sentence

STORIES = {
    "rescue": "rescuers dug rubble searching survivors trapped collapsed buildings dogs cameras crews volunteers",
    "aid": "governments pledged emergency aid money tents blankets medical supplies donors appeal funds",
    "quake": "seismologists measured aftershocks magnitude depth fault shaking tremor institute epicentre scale",
}


def _story_sentences(articles: int = 3, per_story: int = 4) -> list[Sentence]:
    """Articles that each tell every story in a few sentences of shuffled story words."""
    rng = np.random.default_rng(0)
    sentences: list[Sentence] = []
    for a in range(articles):
        index = 0
        for words in STORIES.values():
            vocabulary = words.split()
            for _ in range(per_story):
                text = " ".join(rng.choice(vocabulary, size=5, replace=False)) + "."
                sentences.append(Sentence(f"art{a}", index, 0, len(text), text))
                index += 1
    return sentences


def _topic_of(found: cluster.Topics) -> dict[str, int | str]:
    return {s.key: k for k, t in enumerate(found.topics) for f in t.facts for s in f.sentences}


def test_topics_follow_stories_with_the_hashing_embedder() -> None:
    sentences = _story_sentences()
    found = cluster.group(sentences, Settings(context_weight=0.0), HashingEmbedder(512))
    home = _topic_of(found)
    for words in STORIES.values():
        keys = {s.key for s in sentences if s.text.split()[0] in words.split()}
        assert keys
        assert len({home.get(k, "other") for k in keys}) == 1
    assert len(found.topics) == 3
    assert all(len(t.sources) == 3 for t in found.topics)
    assert [t.score for t in found.topics] == sorted((t.score for t in found.topics), reverse=True)


def test_topics_returns_the_topics_of_group() -> None:
    sentences = _story_sentences()
    settings = Settings(context_weight=0.0)
    assert [t.id for t in cluster.topics(sentences, settings, HashingEmbedder(512))] == [
        t.id for t in cluster.group(sentences, settings, HashingEmbedder(512)).topics
    ]


def test_too_few_facts_are_all_other() -> None:
    sentences = _story_sentences(articles=1, per_story=1)[:2]
    found = cluster.group(sentences, Settings(), HashingEmbedder())
    assert found.topics == []
    assert len(found.other) == 2


def test_single_source_groups_are_not_topics() -> None:
    sentences = [s for s in _story_sentences() if s.article_id == "art0"]
    found = cluster.group(sentences, Settings(context_weight=0.0), HashingEmbedder(512))
    assert found.topics == []


def test_max_topics_sends_the_rest_to_other() -> None:
    sentences = _story_sentences()
    found = cluster.group(sentences, Settings(context_weight=0.0, max_topics=1), HashingEmbedder(512))
    assert len(found.topics) == 1
    in_topic = {s.key for f in found.topics[0].facts for s in f.sentences}
    in_other = {s.key for f in found.other for s in f.sentences}
    assert in_topic.isdisjoint(in_other)
    assert in_topic | in_other == {s.key for s in sentences}


def test_micro_clusters_above_the_direct_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster, "DIRECT_LIMIT", 6)
    rng = np.random.default_rng(1)
    centres = np.eye(3, 16, dtype=np.float32)
    vectors = np.repeat(centres, 20, axis=0) + rng.normal(0, 0.05, (60, 16)).astype(np.float32)
    labels = cluster.cluster_labels(cluster._unit_rows(vectors), 0.5)
    assert len(set(labels)) == 3
    assert all(len(set(labels[k * 20 : (k + 1) * 20])) == 1 for k in range(3))


def test_dependent_sentences() -> None:
    assert cluster.is_dependent('"We will end this," he said.')
    assert cluster.is_dependent("He added that the search went on.")
    assert cluster.is_dependent('Kerry said: "we have to step up our efforts to hit them at the core."')
    assert not cluster.is_dependent("Police raided 128 homes overnight, the minister said.")


def test_dependent_sentences_lean_on_their_neighbours() -> None:
    def own_share(middle: str) -> float:
        sentences = [Sentence("a", i, 0, 1, t) for i, t in enumerate(["One story.", middle, "Two story."])]
        return float(cluster.in_context(sentences, np.eye(3, dtype=np.float32), 0.3)["a:1"][1])

    assert own_share('"Quote," he said.') < own_share("Police raided homes.") - 0.1


def test_entities() -> None:
    found = cluster.entities("On Monday, Prime Minister Tomas Albani met U.S. envoys and the Red Cross in Castel Ardo.")
    assert "Tomas Albani" in " ".join(found)
    assert "U.S." in found
    assert "Red Cross" in found
    assert "Castel Ardo" in found
    assert "Monday" not in " ".join(found)
    assert cluster.entities("ROMEVILLE, March 3 - The quake struck.") == []


def test_keywords_skip_news_filler_words() -> None:
    groups = [
        [_fact("Rescuers said they searched rubble, officials told reporters.")] * 2,
        [_fact("Donors said they pledged aid money, officials told reporters.")] * 2,
    ]
    keywords = cluster.topic_keywords(groups)
    assert not {"said", "told"} & {w for ks in keywords for k in ks for w in k.split()}
    assert "rubble" in " ".join(keywords[0])


def test_labels_pair_a_name_with_a_phrase() -> None:
    facts = [_fact("Red Cross appeals for emergency aid."), _fact("The Red Cross sent emergency aid to camps.")]
    assert cluster.topic_label(facts, ("emergency aid", "camps")) == "Red Cross · emergency aid"
    assert cluster.topic_label([_fact("aid arrived.")], ("aid", "arrived")) == "Aid, Arrived"


def test_topics_command_json_shape(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEF_EMBEDDER", "hashing")
    result = CliRunner().invoke(main, ["topics", "seeds", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"topics", "other"}
    facts = [f for t in data["topics"] for f in t["facts"]] + data["other"]
    assert facts
    for topic in data["topics"]:
        assert {"id", "label", "keywords", "score", "facts"} <= set(topic)
    for fact in facts:
        assert {"id", "text", "sources", "sentences"} <= set(fact)
        assert {s["source"] for s in fact["sentences"]} == set(fact["sources"])
        assert all({"source", "sentence", "text"} == set(s) for s in fact["sentences"])


def test_topics_command_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEF_EMBEDDER", "hashing")
    result = CliRunner().invoke(main, ["topics", "seeds"])
    assert result.exit_code == 0, result.output
    assert "keywords:" in result.output and "sources:" in result.output


def _fact(text: str) -> cluster.Fact:
    return cluster.Fact(id=text[:8], text=text, sentences=(Sentence("a", 0, 0, len(text), text),))


# The real model on real coverage ------------------------------------------------------------

SEED_TOPICS: dict[str, Callable[[str], object]] = {
    "EU mutual assistance": lambda t: re.search(r"Article 42|mutual assistance clause|never-before-used", t),
    "strikes on the stronghold": lambda t: re.search(r"Raqqa", t) and re.search(r"strike|jets", t),
    "overnight raids": lambda t: re.search(r"\b1[26]8 (police )?raids|raids overnight", t),
    "mastermind": lambda t: re.search(r"Abaaoud", t) and re.search(r"mastermind|architect", t),
    "diplomacy": lambda t: (re.search(r"Kerry", t) and re.search(r"\bmet\b", t) and "Hollande" in t)
    or re.search(r"Putin.{0,40}Obama|Obama.{0,40}Putin", t),
}

QUAKE_TOPICS: dict[str, Callable[[str], object]] = {
    "toll": lambda t: "412" in t,
    "rescue": lambda t: re.search(r"girl.*alive", t),
    "aid": lambda t: "20 million euros" in t,
    "aftershocks": lambda t: re.search(r"aftershock", t) and not re.search(r"Families", t),
}


def _assert_topics(embedded: object, expected: dict[str, Callable[[str], object]]) -> cluster.Topics:
    found = cluster.group_vectors(embedded.sentences, embedded.vectors, Settings())  # type: ignore[attr-defined]
    home = _topic_of(found)
    homes = {}
    for name, matches in expected.items():
        keys = [s.key for s in embedded.sentences if matches(s.text)]  # type: ignore[attr-defined]
        assert len(keys) >= 2, name
        places = {home.get(k, "other") for k in keys}
        assert len(places) == 1 and "other" not in places, f"{name}: {places}"
        homes[name] = places.pop()
    assert len(set(homes.values())) == len(expected), homes
    return found


@pytest.mark.slow
def test_seed_topics(seeds_embedded: object) -> None:
    found = _assert_topics(seeds_embedded, SEED_TOPICS)
    assert 5 <= len(found.topics) <= Settings().max_topics
    assert all(len(t.sources) >= 2 for t in found.topics)


@pytest.mark.slow
def test_seed_quotes_do_not_form_a_topic_of_their_own(seeds_embedded: object) -> None:
    found = cluster.group_vectors(seeds_embedded.sentences, seeds_embedded.vectors, Settings())  # type: ignore[attr-defined]
    for topic in found.topics:
        quoted = sum(cluster.is_dependent(f.text) for f in topic.facts)
        assert quoted < len(topic.facts) / 2, topic.label


@pytest.mark.slow
def test_seed_topics_cluster_in_a_few_seconds(seeds_embedded: object) -> None:
    import time

    start = time.perf_counter()
    cluster.group_vectors(seeds_embedded.sentences, seeds_embedded.vectors, Settings())  # type: ignore[attr-defined]
    assert time.perf_counter() - start < 5.0


@pytest.mark.slow
def test_earthquake_topics(quake_embedded: object) -> None:
    found = _assert_topics(quake_embedded, QUAKE_TOPICS)
    labels = " ".join(t.label.lower() + " " + " ".join(t.keywords) for t in found.topics)
    for word in ("aid", "rescue", "aftershocks"):
        assert word in labels
