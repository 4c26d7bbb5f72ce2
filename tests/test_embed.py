"""Tests for brief.embed: the hashing embedder, the cache, and the packaged model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from brief.embed import CachedEmbedder, HashingEmbedder, load_embedder, resolve_embedder, text_key
from brief.errors import ModelError


class CountingEmbedder:
    """Records every text it is asked to encode."""

    def __init__(self) -> None:
        self.name = "counting"
        self.seen: list[str] = []
        self.inner = HashingEmbedder(32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return self.inner.encode(texts)


def test_hashing_vectors_are_unit_length_and_deterministic() -> None:
    embedder = HashingEmbedder(64)
    vectors = embedder.encode(["Police raided homes overnight.", "EU ministers met in Brussels."])
    assert vectors.shape == (2, 64)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.array_equal(vectors, HashingEmbedder(64).encode(["Police raided homes overnight.", "EU ministers met in Brussels."]))


def test_cache_encodes_each_text_once() -> None:
    inner = CountingEmbedder()
    cached = CachedEmbedder(inner)
    first = cached.encode(["a b c", "d e f", "a b c"])
    second = cached.encode(["d e f", "g h i"])
    assert inner.seen == ["a b c", "d e f", "g h i"]
    assert cached.encoded == 3
    assert np.array_equal(first[0], first[2])
    assert np.array_equal(first[1], second[0])


def test_cache_accepts_an_external_mapping() -> None:
    store: dict[str, bytes] = {}
    CachedEmbedder(CountingEmbedder(), store).encode(["kept across runs"])
    inner = CountingEmbedder()
    CachedEmbedder(inner, store).encode(["kept across runs"])
    assert inner.seen == []
    assert text_key("counting", "kept across runs") in store


def test_missing_local_model_folder_is_a_one_line_model_error(tmp_path: object) -> None:
    missing = f"{tmp_path}/no-such-model"
    with pytest.raises(ModelError) as caught:
        load_embedder(missing)
    assert "no-such-model" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_hub_ids_are_passed_through() -> None:
    assert resolve_embedder("sentence-transformers/all-mpnet-base-v2") == "sentence-transformers/all-mpnet-base-v2"


@pytest.mark.slow
def test_packaged_model_loads_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    from pathlib import Path

    assert Path(resolve_embedder("all-MiniLM-L6-v2")).is_dir()
    embedder = load_embedder("all-MiniLM-L6-v2")
    vectors = embedder.encode(["France asked its EU partners for help.", "Rescuers searched the rubble."])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(vectors[0] @ vectors[1]) < 0.5
