"""Every story of the development corpus with the real models: the floors bench/stories.py measured (slow).

Each story's page is read back from its PDF, as a reader sees it. FLOORS holds,
per story, the key-fact recall measured with the defaults (bench/stories.py,
2 threads) less one key fact, since another thread count may word a sentence
differently; and the first-sentences baseline the page must match where it did.
No page may print a keyword-pair label, and junk lines and false conflicts may
not rise above what was measured (zero on every story but the two named).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from brief.config import Settings
from brief.pagecheck import StoryRow, measure_story
from brief.pipeline import Models

pytestmark = pytest.mark.slow
STORIES = Path(__file__).parent / "data" / "stories"
# story: (measured recall less one key fact, whether the page matched the first sentences)
FLOORS = {
    "algeria-hostage-crisis-2013": (0.61, True),
    "jeju-air-crash-2024": (0.53, True),
    "morocco-quake-2023": (0.66, True),
    "mpox-emergency-2024": (0.54, True),
    "murdaugh-verdict-2023": (0.46, True),
    "nato-vilnius-summit-2023": (0.42, True),
    "nigeria-election-2023": (0.49, True),
    # The first sentences of these articles state the key facts better than the page does (43% vs 64%).
    "svb-collapse-2023": (0.36, False),
}
# What a page may still print that it should not, as measured: one false conflict in Algeria
# (attackers 18 vs 32 the same day, counted differently), nothing else.
ALLOWED_FALSE_CONFLICTS = {"algeria-hostage-crisis-2013": 1}


@pytest.fixture(scope="module", params=sorted(FLOORS))
def row(request: pytest.FixtureRequest, real_models: Models) -> StoryRow:
    """One story built, rendered and measured (about a minute and a half each on 2 cores)."""
    return measure_story(STORIES / request.param, Settings.load(), real_models)


def test_every_corpus_story_has_a_floor() -> None:
    assert set(FLOORS) == {p.name for p in STORIES.iterdir() if (p / "facts.json").exists()}


def test_the_page_states_the_key_facts_at_least_as_well_as_the_first_sentences(row: StoryRow) -> None:
    floor, matches_baseline = FLOORS[row.story]
    assert row.recall >= floor
    # One key fact of slack, as for the floor: the baseline was matched or beaten when measured.
    if matches_baseline:
        assert row.recall >= row.baseline - 0.08, f"{row.story}: page {row.recall:.0%} < {row.baseline:.0%}"


def test_no_junk_line_no_keyword_label_and_no_new_false_conflict(row: StoryRow) -> None:
    assert row.junk == 0, row.junk_items
    assert row.false_conflicts <= ALLOWED_FALSE_CONFLICTS.get(row.story, 0)
    assert row.keyword_labels == 0
