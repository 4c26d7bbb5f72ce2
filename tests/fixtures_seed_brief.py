"""The seed brief built once per test session with the real models (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from brief.config import Settings
from brief.pipeline import Models, build
from brief.records import Brief

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="session")
def real_models() -> Models:
    """The packaged embedder, summariser and judge."""
    return Models.load(Settings.load())


@pytest.fixture(scope="session")
def seed_brief(real_models: Models) -> Brief:
    """The brief for seeds/ with the real models: about two to four minutes on 2 cores."""
    return build([SEEDS], Settings.load(), models=real_models)
