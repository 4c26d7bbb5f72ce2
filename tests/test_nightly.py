"""Nightly runs: night 1 is the seeds, night 2 adds three articles from the following days.

Models are the model-free test ones (hashing embedder, first-facts summariser,
constant judge), wrapped to count what they are asked to do. The kill tests run
``brief nightly`` in a subprocess and SIGKILL it at named points.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from brief import nightly, stories
from brief.config import Settings
from brief.embed import HashingEmbedder
from brief.nightly import NightResult, is_new_fact
from brief.pipeline import Models
from brief.prompts import HEADLINE_ASK, SENTENCE_ASK
from brief.records import Fact
from brief.store import StateLocked, Store
from brief.summarize import FirstFactsSummarizer
from brief.synthesize import LEAD_WORDS
from brief.verify import ConstantJudge, Gate

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
NEW = ROOT / "tests" / "data" / "nightly"
NIGHT1 = dt.date(2015, 11, 17)
NIGHT2 = dt.date(2015, 11, 19)
FAKE_MODELS = {"BRIEF_EMBEDDER": "hashing", "BRIEF_SUMMARIZER": "first-facts", "BRIEF_JUDGE": "constant-1.0"}


class CountingEmbedder(HashingEmbedder):
    """The hashing embedder, remembering every text it was asked to encode."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += list(texts)
        return super().encode(texts)


class RecordingSummarizer(FirstFactsSummarizer):
    """The first-facts summariser, remembering the sources of each topic call (sentences and labels).

    Key developments and the headline are written each night across the story;
    they are left out, since only topic summaries are stored between nights.
    """

    def __init__(self) -> None:
        super().__init__()
        self.topic_calls: list[frozenset[str]] = []

    def write(self, sources: Sequence[str], ask: str) -> str:
        if ask != SENTENCE_ASK.format(words=LEAD_WORDS) and not ask.startswith(HEADLINE_ASK.split("{")[0]):
            self.topic_calls.append(frozenset(sources))
        return super().write(sources, ask)


def fake_models() -> Models:
    embedder = CountingEmbedder()
    gate = Gate(ConstantJudge(1.0), embedder, 0.5)
    return Models(embedder, RecordingSummarizer(), gate, {"embedder": embedder.name})


def fill(inbox: Path, *folders: Path) -> Path:
    """Copy the article files of ``folders`` into ``inbox``."""
    inbox.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        for path in sorted(folder.glob("*.txt")):
            shutil.copy(path, inbox / path.name)
    return inbox


@dataclass
class Nights:
    config: Settings
    inbox: Path
    first: NightResult
    second: NightResult
    models: list[Models] = field(default_factory=list)

    @property
    def embedder2(self) -> CountingEmbedder:
        return self.models[1].embedder  # type: ignore[return-value]

    @property
    def summarizer2(self) -> RecordingSummarizer:
        return self.models[1].summarizer  # type: ignore[return-value]


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> Nights:
    """Night 1 on the seeds, night 2 on the seeds plus the three new articles."""
    root = tmp_path_factory.mktemp("nights")
    config = Settings(out_dir=root / "out")
    inbox = fill(root / "inbox", SEEDS)
    models = [fake_models(), fake_models()]
    first = nightly.run(inbox, config, NIGHT1, models[0])
    fill(inbox, NEW)
    second = nightly.run(inbox, config, NIGHT2, models[1])
    return Nights(config, inbox, first, second, models)


def new_article_ids(nights: Nights) -> set[str]:
    return set(nights.second.new_articles)


def json_without_time(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("generated_at")
    return data


# --- night 1 and night 2 ----------------------------------------------------------


def test_the_new_articles_are_the_three_written_for_night_two(nights: Nights) -> None:
    by_id = {a.id: Path(a.path).name for a in nights.second.brief.sources}
    assert sorted(by_id[i] for i in new_article_ids(nights)) == sorted(p.name for p in NEW.glob("*.txt"))
    assert len(nights.second.brief.sources) == len(list(SEEDS.glob("*.txt"))) + 3
    assert nights.first.brief.since_last == ()


def test_since_last_names_the_revised_toll_with_old_and_new_values(nights: Nights) -> None:
    toll = next(a.id for a in nights.second.brief.sources if a.path.endswith("005_toll_revised.txt"))
    changed = [c for c in nights.second.brief.since_last if c.kind == "changed_figure"]
    assert [c.text for c in changed] == ["killed in Paris: at least 129 -> 130"]
    assert {c.source for c in changed[0].citations} == {toll}
    assert "130" in changed[0].citations[0].quote


def test_since_last_names_exactly_the_new_facts_citing_only_new_articles(nights: Nights) -> None:
    brief, new_ids = nights.second.brief, new_article_ids(nights)
    for change in brief.since_last:
        assert change.citations, change
        assert {c.source for c in change.citations} <= new_ids, change.text
    # Every fact told only by the new articles is reported once: as a new fact, or as a new topic's headline.
    every_fact = [f for tb in brief.topics for f in tb.topic.facts] + list(brief.other)
    expected = sorted(f.text for f in every_fact if is_new_fact(f, new_ids))
    headlines = [c.text for c in brief.since_last if c.kind == "new_topic"]
    reported = [c.text for c in brief.since_last if c.kind == "new_fact"]
    reported += [f for f in expected for h in headlines if h.endswith(": " + f)]
    assert sorted(reported) == expected
    # The three developments are there, and all three new articles are cited.
    texts = " ".join(c.text for c in brief.since_last)
    assert "raided an apartment in the northern Paris suburb of Saint-Denis" in texts
    assert "arrested a new suspect" in texts or "Molenbeek" in texts
    assert {c.source for ch in brief.since_last for c in ch.citations} == new_ids


def test_a_repeat_of_an_old_fact_is_not_new(nights: Nights) -> None:
    repeated = "Islamic State has claimed responsibility for the attacks"
    assert not any(repeated in c.text for c in nights.second.brief.since_last)


def test_night_two_does_not_re_encode_night_one(nights: Nights) -> None:
    night1_texts = set(nights.models[0].embedder.texts)  # type: ignore[attr-defined]
    encoded = nights.embedder2.texts
    new_ids = new_article_ids(nights)
    new_texts = {s.text for f in _all_facts(nights) for s in f.sentences if s.article_id in new_ids}
    # Stories are grouped by each article's title and lead: a new article's is encoded once too.
    new_texts |= {stories.story_text(a) for a in nights.second.brief.sources if a.id in new_ids}
    assert encoded, "night 2 encoded nothing"
    assert not set(encoded) & night1_texts
    assert set(encoded) <= new_texts
    assert nights.second.encoded == len(set(encoded))


def test_night_two_does_not_re_summarise_unchanged_topics(nights: Nights) -> None:
    night1_sets = {frozenset(f.id for f in tb.topic.facts) for tb in nights.first.brief.topics}
    night2_sets = [frozenset(f.id for f in tb.topic.facts) for tb in nights.second.brief.topics]
    changed = [s for s in night2_sets if s not in night1_sets]
    assert len(changed) == nights.second.summarized
    assert nights.second.reused == len(night2_sets) - len(changed) >= 1
    # Every topic call of night two wrote from the facts of a topic that changed.
    texts = {tb.topic.id: {f.text for f in tb.topic.facts} for tb in nights.second.brief.topics}
    changed_texts = [texts[tb.topic.id] for tb in nights.second.brief.topics
                     if frozenset(f.id for f in tb.topic.facts) not in night1_sets]
    assert all(any(call <= t for t in changed_texts) for call in nights.summarizer2.topic_calls)


def test_topics_keep_their_ids_and_labels_across_nights(nights: Nights) -> None:
    before = {tb.topic.id: tb.topic.label for tb in nights.first.brief.topics}
    after = {tb.topic.id: tb.topic.label for tb in nights.second.brief.topics}
    continuing = set(before) & set(after)
    assert len(continuing) >= len(after) - 1
    assert all(before[i] == after[i] for i in continuing)


def test_what_is_new_comes_first(nights: Nights) -> None:
    new_ids = new_article_ids(nights)
    topics = nights.second.brief.topics
    with_new = [any(is_new_fact(f, new_ids) for f in tb.topic.facts) for tb in topics]
    assert with_new[0] and with_new == sorted(with_new, reverse=True)
    for tb in topics:
        flags = [is_new_fact(f, new_ids) for f in tb.topic.facts]
        assert flags == sorted(flags, reverse=True)


def test_the_state_file_remembers_both_briefs(nights: Nights) -> None:
    with Store.open(nights.second.state_file, lock=False) as store:
        history = store.history()
        assert [(r.date, r.n_articles) for r in history] == [(NIGHT1, 5), (NIGHT2, 8)]
        assert history[-1].path == nights.second.paths["pdf"]
        assert store.figures(NIGHT2) == list(nights.second.brief.figures)
    assert nights.second.paths["pdf"].is_file() and nights.second.paths["json"].is_file()


def test_running_the_same_night_again_changes_nothing(nights: Nights) -> None:
    before = json_without_time(nights.second.paths["json"])
    with Store.open(nights.second.state_file, lock=False) as store:
        counts = store.counts()
    models = fake_models()
    again = nightly.run(nights.inbox, nights.config, NIGHT2, models)
    assert json_without_time(again.paths["json"]) == before
    assert again.brief.since_last == nights.second.brief.since_last
    calls = models.summarizer.topic_calls  # type: ignore[attr-defined]
    assert (again.encoded, again.summarized, calls) == (0, 0, [])
    with Store.open(nights.second.state_file, lock=False) as store:
        assert store.counts() == counts


def test_a_run_refuses_while_another_holds_the_lock(nights: Nights) -> None:
    with Store.open(nights.second.state_file):
        with pytest.raises(StateLocked, match="holds the lock"):
            nightly.run(nights.inbox, nights.config, NIGHT2, fake_models())


def _all_facts(nights: Nights) -> list[Fact]:
    brief = nights.second.brief
    return [f for tb in brief.topics for f in tb.topic.facts] + list(brief.other)


# --- the command line, kills and reruns ---------------------------------------------


def brief_cli(cwd: Path, *args: str, pause: str | None = None) -> subprocess.Popen[str]:
    """Start ``brief ARGS`` in ``cwd`` with the fake models (and a test pause point)."""
    env = {**os.environ, **FAKE_MODELS}
    env.pop("BRIEF_TEST_PAUSE_AT", None)
    if pause:
        env["BRIEF_TEST_PAUSE_AT"] = pause
    command = [sys.executable, "-c", "from brief.cli import main; main()", *args]
    pipe = subprocess.PIPE
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=pipe, stderr=pipe, text=True)


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=240)
    return process.returncode, out, err


def night_args(night: dt.date) -> list[str]:
    return ["nightly", "inbox", "--out", "out", "--date", night.isoformat(), "--quiet"]


@pytest.fixture(scope="module")
def after_night1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder where ``brief nightly`` ran night 1 and night 2's articles have arrived."""
    case = tmp_path_factory.mktemp("cli-night1")
    fill(case / "inbox", SEEDS)
    code, out, err = finish(brief_cli(case, *night_args(NIGHT1)))
    assert (code, out, err) == (0, "", "")
    fill(case / "inbox", NEW)
    return case


@pytest.fixture(scope="module")
def reference(after_night1: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Night 2 run without interruption."""
    case = tmp_path_factory.mktemp("cli-reference") / "case"
    shutil.copytree(after_night1, case)
    code, out, err = finish(brief_cli(case, *night_args(NIGHT2)))
    assert (code, out, err) == (0, "", "")
    return case


def outputs(case: Path) -> dict[str, Any]:
    """Everything a night wrote, comparable between runs (the JSON without its timestamp)."""
    digests = case / "out" / "digests" / NIGHT2.isoformat()
    with Store.open(case / "out" / "brief.db", lock=False) as store:
        counts = store.counts()
        history = [(r.date, r.n_articles, r.n_topics, str(r.path)) for r in store.history()]
    return {
        "json": json_without_time(case / "out" / f"brief-{NIGHT2.isoformat()}.json"),
        "digests": {p.name: p.read_text(encoding="utf-8") for p in sorted(digests.iterdir())},
        "pdf": (case / "out" / f"brief-{NIGHT2.isoformat()}.pdf").read_bytes()[:5],
        "rows": counts,
        "history": history,
    }


@pytest.mark.parametrize("pause", ["ingest:1", "summarising:1", "rendering:0", "rendering:1"])
def test_a_run_killed_at_any_point_finishes_when_run_again(
    pause: str, after_night1: Path, reference: Path, tmp_path: Path
) -> None:
    case = tmp_path / "case"
    shutil.copytree(after_night1, case)
    with Store.open(case / "out" / "brief.db", lock=False) as store:
        before = store.counts()
    running = brief_cli(case, *night_args(NIGHT2), pause=pause)
    assert running.stderr is not None
    line = running.stderr.readline()
    assert line.strip() == f"brief: test pause at {pause}", line + running.stderr.read()
    running.send_signal(signal.SIGKILL)
    running.communicate(timeout=30)
    assert running.returncode == -signal.SIGKILL

    with Store.open(case / "out" / "brief.db", lock=False) as store:
        killed = store.counts()
        assert [r.date for r in store.history()] == [NIGHT1]  # night 2 not recorded yet
    if pause == "ingest:1":
        assert killed["articles"] == before["articles"]  # the article transaction was rolled back
    if pause == "summarising:1":
        assert killed["summaries"] == before["summaries"] + 1  # the first new summary was kept
    if pause == "rendering:1":
        assert (case / "out" / f"brief-{NIGHT2.isoformat()}.json").is_file()

    code, out, err = finish(brief_cli(case, *night_args(NIGHT2)))
    assert (code, out, err) == (0, "", "")
    assert outputs(case) == outputs(reference)


def test_cli_prints_paths_and_a_summary_and_history_lists_briefs(reference: Path) -> None:
    code, out, err = finish(brief_cli(reference, *night_args(NIGHT2)[:-1]))  # without --quiet
    assert code == 0, err
    lines = out.splitlines()
    assert lines[:4] == [
        "out/brief-2015-11-19.pdf", "out/brief-2015-11-19.html", "out/brief-2015-11-19.json", "out/digests/2015-11-19"
    ]
    assert lines[4].startswith("2015-11-19: 8 articles (3 new), ") and "1 changed figures" in lines[4]
    code, out, err = finish(brief_cli(reference, "history", "--state", "out/brief.db"))
    assert code == 0, err
    rows = [line.split("  ") for line in out.splitlines()]
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("2015-11-17", "5 articles", "out/brief-2015-11-17.pdf"),
        ("2015-11-19", "8 articles", "out/brief-2015-11-19.pdf"),
    ]
    assert all(r[2].endswith(" topics") and int(r[2].split()[0]) > 0 for r in rows)


def test_cli_exits_3_while_another_run_holds_the_lock(reference: Path) -> None:
    with Store.open(reference / "out" / "brief.db"):
        code, out, err = finish(brief_cli(reference, *night_args(NIGHT2)))
    assert (code, out) == (3, "")
    assert "another brief nightly run holds the lock" in err


def test_cli_exits_1_on_a_missing_inbox_and_2_on_bad_usage(tmp_path: Path) -> None:
    code, _, err = finish(brief_cli(tmp_path, "nightly", "no-such-inbox", "--out", "out", "--quiet"))
    assert code == 1 and err.startswith("Error:")
    code, _, _ = finish(brief_cli(tmp_path, "nightly", "inbox", "--date", "yesterday"))
    assert code == 2
