"""Session-scoped fixtures for tests that need the real embedding model.

The model loads once per session and each corpus is embedded once; tests that
use these are marked ``slow``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from brief.records import Sentence

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Embedded:
    """A corpus split into sentences, with one real-model vector per sentence."""

    sentences: list[Sentence]
    vectors: np.ndarray


def _embed(embedder: object, folder: Path) -> Embedded:
    from brief.ingest import load
    from brief.sentences import split_all

    sentences = split_all(load([folder]))
    return Embedded(sentences, embedder.encode([s.text for s in sentences]))  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def real_embedder() -> object:
    """The packaged all-MiniLM-L6-v2, loaded offline once."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from brief.embed import load_embedder

    return load_embedder("all-MiniLM-L6-v2")


@pytest.fixture(scope="session")
def seeds_embedded(real_embedder: object) -> Embedded:
    """The five seed articles, split and embedded with the real model."""
    return _embed(real_embedder, ROOT / "seeds")


@pytest.fixture(scope="session")
def quake_embedded(real_embedder: object) -> Embedded:
    """Six short articles about an invented earthquake (tests/data/quake)."""
    return _embed(real_embedder, ROOT / "tests" / "data" / "quake")
