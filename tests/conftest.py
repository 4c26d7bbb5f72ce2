"""Shared fixtures; each group lives in its own module and is imported here."""

from __future__ import annotations

import pytest
from fixtures_brief import sample_brief as _sample_brief

from brief.records import Brief


@pytest.fixture
def sample_brief() -> Brief:
    """A realistic hand-built five-topic brief (see tests/fixtures_brief.py)."""
    return _sample_brief()
from fixtures_embed import quake_embedded, real_embedder, seeds_embedded  # noqa: E402,F401
from fixtures_seed_brief import real_models, seed_brief  # noqa: E402,F401
