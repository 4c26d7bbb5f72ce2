"""Stories: a mixed folder is grouped into stories before any topic is formed.

Model-free throughout: the hashing embedder, the first-facts summariser and a
constant judge. The mixed inbox is the seeds (5 articles), the quake test story
(6) and three short articles about an unrelated corporate scandal written here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from brief import ingest, nightly, render, stories
from brief.cli import main
from brief.config import Settings
from brief.embed import HashingEmbedder
from brief.errors import InputError
from brief.pipeline import Models, brief_from_articles, brief_story, build, build_stories
from brief.records import Article, Story, StoryRef
from brief.store import MIGRATIONS, Store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
QUAKE = ROOT / "tests" / "data" / "quake"
NIGHT2_NEWS = ROOT / "tests" / "data" / "nightly"
FAKE = {"summarizer": "first-facts", "embedder": "hashing", "judge": "constant-1.0"}
FAKE_ENV = {"BRIEF_SUMMARIZER": "first-facts", "BRIEF_EMBEDDER": "hashing", "BRIEF_JUDGE": "constant-1.0"}

SCANDAL = {
    "scandal_1.txt": (
        "Title: Norvik Holdings admits inflating profits for three years\nSource: Market Ledger\n"
        "Date: 2024-03-11\n\n"
        "Norvik Holdings admitted on Monday that its accounting department inflated reported profits for "
        "three years, wiping a third off the company's share price within an hour of the statement.\n\n"
        "The board said an internal audit found revenue booked before contracts were signed, and that the "
        "chief financial officer had been suspended while auditors review the accounts.\n"
    ),
    "scandal_2.txt": (
        "Title: Regulator opens fraud inquiry into Norvik Holdings accounts\nSource: Finance Daily\n"
        "Date: 2024-03-12\n\n"
        "The securities regulator opened a fraud inquiry into Norvik Holdings on Tuesday, a day after the "
        "company admitted that its accounting department had inflated profits and booked revenue early.\n\n"
        "Shareholders have filed two lawsuits against the board, and the auditors said they had withdrawn "
        "their opinion on the last three annual accounts.\n"
    ),
    "scandal_3.txt": (
        "Title: Norvik Holdings chief executive resigns over accounting scandal\nSource: Business Wire Today\n"
        "Date: 2024-03-13\n\n"
        "The chief executive of Norvik Holdings resigned on Wednesday as the accounting scandal over inflated "
        "profits deepened and the company's shares fell again.\n\n"
        "The board named an interim chief executive and said the suspended chief financial officer would not "
        "return; the regulator's fraud inquiry into the accounts continues.\n"
    ),
}


def fake_settings(**changes: Any) -> Settings:
    """Model-free settings (hashing embedder, first-facts summariser, constant judge)."""
    return Settings.load(env={}, **FAKE, **changes)


def copy_articles(target: Path, *folders: Path) -> Path:
    """Copy the article files of ``folders`` into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        for path in sorted(folder.glob("*.txt")):
            shutil.copy(path, target / path.name)
    return target


def write_scandal(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name, text in SCANDAL.items():
        (target / name).write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder: the seeds, the quake and the scandal."""
    return write_scandal(copy_articles(tmp_path_factory.mktemp("mixed") / "inbox", SEEDS, QUAKE))


def ids_of(*folders: Path, settings: Settings | None = None) -> set[str]:
    return {a.id for a in ingest.load(list(folders), settings or fake_settings())}


@pytest.fixture(scope="module")
def truth(mixed: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """The article ids of each true story."""
    return {
        "seeds": ids_of(SEEDS),
        "quake": ids_of(QUAKE),
        "scandal": ids_of(write_scandal(tmp_path_factory.mktemp("scandal"))),
    }


def cited_sources(data: dict[str, Any]) -> set[str]:
    """Every source id a brief's JSON cites anywhere."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "quote" in node and "source" in node:
                found.add(node["source"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: v for k, v in data.items() if k != "set_aside"})
    return found


# --- grouping ----------------------------------------------------------------------


def test_mixed_folder_groups_into_the_true_stories(mixed: Path, truth: dict[str, set[str]]) -> None:
    config = fake_settings()
    found = stories.group(ingest.load([mixed], config), config, HashingEmbedder())
    assert {frozenset(a.id for a in s.articles) for s in found} == set(map(frozenset, truth.values()))
    assert [len(s.articles) for s in found] == [6, 5, 3]  # largest first
    assert len({s.slug for s in found}) == 3
    assert all(s.slug and s.slug == render.slug(s.slug) for s in found)


def article(day: int | None, name: str) -> Article:
    published = dt.date(2024, 1, day) if day else None
    return Article(name, name, name, None, published, "x " * 120)


def test_time_window_keeps_articles_far_apart_out_of_one_story() -> None:
    same = np.ones((2, 2))
    assert len(set(stories.cluster_articles(same, [dt.date(2024, 1, 1), dt.date(2024, 1, 5)], 0.5, 7))) == 1
    assert len(set(stories.cluster_articles(same, [dt.date(2024, 1, 1), dt.date(2024, 1, 20)], 0.5, 7))) == 2
    assert len(set(stories.cluster_articles(same, [dt.date(2024, 1, 1), None], 0.5, 7))) == 1
    # A story that goes on for weeks still grows through the articles in between.
    days = [dt.date(2024, 1, 1), dt.date(2024, 1, 7), dt.date(2024, 1, 13)]
    assert len(set(stories.cluster_articles(np.ones((3, 3)), days, 0.5, 7))) == 1


def test_a_date_guessed_from_the_text_does_not_split_a_story() -> None:
    stated = dataclasses.replace(article(1, "a"), published_from="metadata")
    guessed = dataclasses.replace(article(1, "b"), published=dt.date(2019, 5, 5), published_from="text")
    assert stories.stated_date(stated) == dt.date(2024, 1, 1) and stories.stated_date(guessed) is None
    found = stories.group_similar([stated, guessed], np.ones((2, 2)), fake_settings())
    assert len(found) == 1


def test_different_subjects_do_not_merge_and_similar_ones_do() -> None:
    vectors = np.array([[1.0, 0.0], [0.99, 0.14], [0.0, 1.0]])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = stories.cluster_articles(vectors @ vectors.T, [None] * 3, 0.5, 7)
    assert labels[0] == labels[1] != labels[2]


def test_slugs_are_made_unique_against_each_other_and_stored_ones() -> None:
    made = [Story(f"s{i}", "floods", "Floods", ()) for i in range(3)]
    assert [s.slug for s in stories.with_unique_slugs(made)] == ["floods", "floods-2", "floods-3"]
    assert [s.slug for s in stories.with_unique_slugs(made[:1], {"floods"})] == ["floods-2"]


def test_choose_all_needs_a_big_enough_story() -> None:
    small = [Story("a", "a", "A", (article(1, "x"), article(1, "y")))]
    with pytest.raises(InputError, match="min_story_articles"):
        stories.choose(small, mode="all", min_articles=3)
    assert stories.choose(small, mode="largest") == small
    with pytest.raises(ValueError):
        stories.choose(small, mode="every")


def test_keep_ids_matches_stored_stories_by_shared_articles() -> None:
    a, b, c, d = (article(1, n) for n in "abcd")
    tonight = [Story("new1", "fresh-title", "Fresh title", (a, b, c)), Story("new2", "old", "Other", (d,))]
    stored = [StoryRef("kept", "old", "Old title", 2)]
    kept = stories.keep_ids(tonight, stored, {"kept": frozenset({"a", "b"})})
    assert (kept[0].id, kept[0].slug) == ("kept", "old")
    # The unmatched story may not take a slug a stored story holds.
    assert kept[1].id == "new2" and kept[1].slug == "old-2"


# --- briefs ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def largest(mixed: Path) -> Any:
    return build_stories([mixed], fake_settings())


def test_largest_story_gets_the_brief_and_the_rest_is_set_aside(largest: Any, truth: dict[str, set[str]]) -> None:
    assert len(largest.briefs) == 1
    made = largest.briefs[0]
    assert {a.id for a in made.sources} == truth["quake"]
    assert made.story is not None and made.story.articles == 6
    aside = {s.id: s for s in made.set_aside}
    assert set(aside) == truth["seeds"] | truth["scandal"]
    seeds_slug = next(s.slug for s in largest.stories if {a.id for a in s.articles} == truth["seeds"])
    assert {aside[i].story for i in truth["seeds"]} == {seeds_slug}
    data = render.json_dump(made)
    assert cited_sources(data) and cited_sources(data) <= truth["quake"]
    assert {t for topic in data["topics"] for f in topic["facts"] for t in f["sources"]} <= truth["quake"]
    assert {e["id"] for e in data["set_aside"]} == set(aside)
    assert data["story"]["slug"] == made.story.slug
    assert {e["story"] for e in data["set_aside"]} == {seeds_slug, largest.stories[2].slug}


def test_a_lone_article_went_to_no_story(tmp_path: Path) -> None:
    inbox = write_scandal(copy_articles(tmp_path / "inbox", QUAKE))
    (inbox / "scandal_2.txt").unlink()
    (inbox / "scandal_3.txt").unlink()
    made = build_stories([inbox], fake_settings())
    data = render.json_dump(made.briefs[0])
    assert [e["story"] for e in data["set_aside"]] == ["no story"]


def test_about_picks_the_story_nearest_the_query(mixed: Path, truth: dict[str, set[str]]) -> None:
    config = fake_settings()
    found = stories.group(ingest.load([mixed], config), config, HashingEmbedder())
    cases = {
        "earthquake rescue and aftershocks": "quake",
        "France asks EU allies for military help after the attacks": "seeds",
        "accounting scandal, inflated profits and a fraud inquiry": "scandal",
    }
    for query, expected in cases.items():
        chosen = stories.choose(found, about=query, embedder=HashingEmbedder(), min_articles=3)
        assert {a.id for a in chosen[0].articles} == truth[expected], query
    made = build_stories([mixed], config, about="France asks EU allies for military help")
    assert {a.id for a in made.briefs[0].sources} == truth["seeds"]


def test_one_story_folder_gives_the_same_json_as_before() -> None:
    config = fake_settings()
    # Before stories, a run briefed every article it read.
    before = render.json_dump(brief_from_articles(ingest.load([SEEDS], config), config))
    made = build_stories([SEEDS], config)
    assert len(made.stories) == 1 and len(made.briefs) == 1
    after = render.json_dump(made.briefs[0])
    assert after["set_aside"] == []
    assert after["story"]["articles"] == len(before["sources"])
    for data in (before, after):
        for key in ("generated_at", "set_aside", "story"):
            data.pop(key)
    assert after == before


def test_one_story_folder_writes_the_same_files(tmp_path: Path) -> None:
    config = fake_settings()
    made = build_stories([QUAKE], config)
    written, index = render.write_stories(made.briefs, tmp_path / "now", index=False)
    assert index is None
    render.write_all(brief_from_articles(ingest.load([QUAKE], config), config), tmp_path / "before")
    names = [sorted(str(p.relative_to(tmp_path / d)) for p in (tmp_path / d).rglob("*")) for d in ("now", "before")]
    assert names[0] == names[1]
    day = made.briefs[0].date.isoformat()
    assert f"brief-{day}.pdf" in names[0] and written[0]["digests"] == tmp_path / "now" / "digests" / day


class RecordingRunner:
    """Runs tasks in process and remembers what it was asked to map."""

    def __init__(self, models: Models) -> None:
        self.models = models
        self.calls: list[tuple[Callable[..., Any], int]] = []

    def map(self, task: Callable[[Models, Any], Any], items: Sequence[Any], done: Any = None) -> list[Any]:
        self.calls.append((task, len(items)))
        out = []
        for n, item in enumerate(items, 1):
            out.append(task(self.models, item))
            if done is not None:
                done(n, out[-1])
        return out


def test_build_briefs_the_largest_story(mixed: Path, truth: dict[str, set[str]]) -> None:
    made = build([mixed], fake_settings())
    assert {a.id for a in made.sources} == truth["quake"]
    assert {s.id for s in made.set_aside} == truth["seeds"] | truth["scandal"]


def test_all_stories_are_briefed_through_the_runner(mixed: Path, truth: dict[str, set[str]]) -> None:
    config = fake_settings()
    runner = RecordingRunner(Models.load(config))
    made = build_stories([mixed], config, stories="all", runner=runner)
    assert runner.calls == [(brief_story, 3)]
    assert [{a.id for a in b.sources} for b in made.briefs] == [truth["quake"], truth["seeds"], truth["scandal"]]
    for made_brief in made.briefs:
        assert made_brief.story is not None and made_brief.title == made_brief.story.title
        assert {s.id for s in made_brief.set_aside}.isdisjoint(a.id for a in made_brief.sources)
    assert made.set_aside == ()
    smaller = build_stories([mixed], config.replace(min_story_articles=4), stories="all")
    assert len(smaller.briefs) == 2
    assert {s.id for s in smaller.set_aside} == truth["scandal"]


# --- the command line ------------------------------------------------------------


def test_cli_stories_all_writes_one_brief_per_story_and_an_index(mixed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(mixed), "--stories", "all", "--out", str(out), "-q"],
                                env=FAKE_ENV)  # fmt: skip
    assert result.exit_code == 0, result.output
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    assert len(index["stories"]) == 3 and index["set_aside"] == []
    seen: set[str] = set()
    for entry in index["stories"]:
        files = {kind: out / name for kind, name in entry["files"].items()}
        assert files["pdf"].name == f"brief-{entry['date']}-{entry['slug']}.pdf"
        assert files["pdf"].read_bytes().startswith(b"%PDF")
        assert files["digests"].name == f"{entry['date']}-{entry['slug']}" and files["digests"].is_dir()
        data = json.loads(files["json"].read_text(encoding="utf-8"))
        assert data["story"]["slug"] == entry["slug"] and data["title"] == entry["title"]
        assert [s["id"] for s in data["sources"]] == entry["articles"]
        assert cited_sources(data) <= set(entry["articles"])
        seen |= set(entry["articles"])
    assert len(seen) == 14
    assert not list(out.glob("brief-????-??-??.json"))


def test_cli_default_and_about(mixed: Path, tmp_path: Path, truth: dict[str, set[str]]) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(mixed), "--out", str(tmp_path / "a"),
                                  "--about", "accounting scandal and fraud inquiry"], env=FAKE_ENV)  # fmt: skip
    assert result.exit_code == 0, result.output
    printed = result.stdout.split()
    assert [Path(p).suffix for p in printed] == [".pdf", ".html", ".json", ""]  # one brief, no index
    assert not (tmp_path / "a" / "index.json").exists()
    data = json.loads(Path(printed[2]).read_text(encoding="utf-8"))
    assert {s["id"] for s in data["sources"]} == truth["scandal"]
    assert len(data["set_aside"]) == 11


def test_cli_rejects_bad_story_options(mixed: Path) -> None:
    runner = CliRunner()
    both = runner.invoke(main, ["build", str(mixed), "--stories", "all", "--about", "x"], env=FAKE_ENV)
    assert both.exit_code == 2 and "--about" in both.output
    bad = runner.invoke(main, ["build", str(mixed), "--stories", "every"], env=FAKE_ENV)
    assert bad.exit_code == 2
    helped = runner.invoke(main, ["build", "--help"])
    assert "--stories" in helped.output and "--about" in helped.output and "Example:" in helped.output
    assert "--about" in runner.invoke(main, ["nightly", "--help"]).output


# --- nightly -----------------------------------------------------------------------


def test_nightly_keeps_story_ids_and_slugs(tmp_path: Path, truth: dict[str, set[str]]) -> None:
    config = fake_settings(out_dir=tmp_path / "out")
    inbox = copy_articles(tmp_path / "inbox", SEEDS, QUAKE)
    first = nightly.run(inbox, config, dt.date(2015, 11, 17))
    assert first.brief.story is not None
    assert {a.id for a in first.brief.sources} == truth["quake"]  # 6 quake articles beat 5 seeds
    with Store.open(config.out_dir / "brief.db", lock=False) as store:
        refs, members = store.stories()
    before = {frozenset(members[r.id]): r for r in refs}
    seeds_before = before[frozenset(truth["seeds"])]
    assert before[frozenset(truth["quake"])].id == first.brief.story.id
    assert {s.story for s in first.brief.set_aside} == {seeds_before.slug}

    copy_articles(inbox, NIGHT2_NEWS)
    second = nightly.run(inbox, config, dt.date(2015, 11, 19))
    assert second.brief.story is not None
    # The seeds' story grew to 8 articles: it is now the largest, and it is the same story.
    assert (second.brief.story.id, second.brief.story.slug) == (seeds_before.id, seeds_before.slug)
    assert second.brief.story.articles == 8
    assert {s.story for s in second.brief.set_aside} == {first.brief.story.slug}
    data = json.loads(second.paths["json"].read_text(encoding="utf-8"))
    assert data["story"]["id"] == seeds_before.id

    third = nightly.run(inbox, config, dt.date(2015, 11, 20), about="earthquake rescue and aftershocks")
    assert third.brief.story is not None
    assert (third.brief.story.id, third.brief.story.slug) == (first.brief.story.id, first.brief.story.slug)
    with Store.open(config.out_dir / "brief.db", lock=False) as store:
        assert "0003_stories" in store.schema()
        assert len(store.stories()[0]) == 2


def test_brief_story_task_is_a_module_level_function() -> None:
    # A runner may ship the task to another process: it must be importable by name.
    assert brief_story.__module__ == "brief.pipeline" and "<" not in brief_story.__qualname__


def test_nightly_stories_all_writes_a_brief_per_story_and_keeps_their_slugs(
    tmp_path: Path, truth: dict[str, set[str]]
) -> None:
    config = fake_settings(out_dir=tmp_path / "out")
    inbox = write_scandal(copy_articles(tmp_path / "inbox", SEEDS, QUAKE))
    first = nightly.run(inbox, config, dt.date(2015, 11, 17), stories_mode="all")
    assert first.index is not None
    index = json.loads(first.index.read_text(encoding="utf-8"))
    nights1 = [first, *first.more]
    assert [n.brief.story.slug for n in nights1 if n.brief.story] == [e["slug"] for e in index["stories"]]
    assert {frozenset(a.id for a in n.brief.sources) for n in nights1} == set(map(frozenset, truth.values()))
    for each in nights1:
        assert each.paths["pdf"].name == f"brief-2015-11-17-{each.brief.story.slug}.pdf"  # type: ignore[union-attr]

    copy_articles(inbox, NIGHT2_NEWS)
    second = nightly.run(inbox, config, dt.date(2015, 11, 19), stories_mode="all")
    nights2 = {n.brief.story.id: n for n in (second, *second.more) if n.brief.story}
    assert {i: n.brief.story.slug for i, n in nights2.items()} == {  # type: ignore[union-attr]
        n.brief.story.id: n.brief.story.slug for n in nights1 if n.brief.story
    }
    seeds = next(n for n in nights2.values() if truth["seeds"] <= {a.id for a in n.brief.sources})
    quake = next(n for n in nights2.values() if truth["quake"] == {a.id for a in n.brief.sources})
    # Each story is compared with its own last brief: only the seeds' story has news.
    assert len(seeds.new_articles) == 3 and seeds.brief.since_last
    assert {c.source for ch in seeds.brief.since_last for c in ch.citations} == set(seeds.new_articles)
    assert quake.new_articles == () and quake.brief.since_last == ()
    with Store.open(config.out_dir / "brief.db", lock=False) as store:
        assert len(store.history()) == 6


def test_a_state_file_from_before_stories_keeps_its_briefs(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Store.open(path, migrations=[m for m in MIGRATIONS if m[0] < "0005"]) as old, old.transaction() as conn:
        conn.execute("INSERT INTO briefs (date, path, json_path, n_articles, n_topics, topics, other_keys, "
                     "created_at) VALUES ('2020-05-01', 'b.pdf', 'b.json', 4, 0, '[]', '[]', 'then')")
        conn.execute("INSERT INTO brief_figures (date, position, counts, place, as_of, value, cumulative, text, "
                     "citations) VALUES ('2020-05-01', 0, 'injured', 'Town', NULL, 41, 0, '41 injured', '[]')")
    with Store.open(path) as store:
        assert "0005_briefs_per_story" in store.schema()
        record = store.previous_brief(before=dt.date(2020, 5, 2), story="s0123456789ab")
        assert record is not None and record.story_id == "" and record.n_articles == 4
        assert [f.value for f in store.figures(record.date, record.story_id)] == [41]
