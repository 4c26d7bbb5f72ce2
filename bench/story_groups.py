"""Measure story grouping: every development story, the seeds and the quake mixed into one inbox.

Usage: python bench/story_groups.py [--embedder all-MiniLM-L6-v2] [--tile 1000] [--embed-all]

For each candidate ``story_distance`` (and ``story_names_weight``: 0 is the
embedding of title + lead alone) it prints, over the true stories (one per
folder; tests/data/nightly belongs to the seeds' story): how many are
*complete* (all their articles in one group), how many are *pure* (that group
holds no other article), and pairwise precision and recall (pairs of articles
put together that belong together). The defaults in ``brief/config.py`` are
where every story is complete and pure with the widest margin on either side.
Then it times grouping ``--tile`` articles: the corpus copied with fresh ids
(and, in a second run, each copy's dates shifted three days, so the time
window constrains the merges).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import itertools
import os
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from brief.config import Settings
from brief.embed import CachedEmbedder, load_embedder
from brief.ingest import load
from brief.records import Article
from brief.stories import article_vectors, group_similar, similarity

DISTANCES = (0.6, 0.65, 0.7, 0.725, 0.75, 0.775, 0.8, 0.825, 0.85, 0.875, 0.9, 0.95)
WEIGHTS = (0.0, 0.5, 0.7, 0.8)


def corpus() -> list[tuple[str, Path]]:
    """(true story, folder) for every development story, the seeds and the quake."""
    folders = [(p.parent.name, p) for p in sorted((ROOT / "tests" / "data" / "stories").glob("*/articles"))]
    data = ROOT / "tests" / "data"
    return [*folders, ("seeds", ROOT / "seeds"), ("seeds", data / "nightly"), ("quake", data / "quake")]


def load_mixed(settings: Settings) -> tuple[list[Article], list[str]]:
    """Every article of every folder, and the true story of each."""
    articles: list[Article] = []
    truth: list[str] = []
    for name, folder in corpus():
        loaded = load([folder], settings)
        articles += loaded
        truth += [name] * len(loaded)
    return articles, truth


def scores(labels: list[str], truth: list[str]) -> dict[str, float]:
    """Complete and pure stories, pairwise precision and recall."""
    stories = sorted(set(truth))
    complete = pure = 0
    for story in stories:
        groups = {labels[i] for i, t in enumerate(truth) if t == story}
        if len(groups) == 1:
            complete += 1
            group = groups.pop()
            pure += all(truth[i] == story for i, g in enumerate(labels) if g == group)
    together = {(i, j) for i, j in itertools.combinations(range(len(truth)), 2) if labels[i] == labels[j]}
    same = {(i, j) for i, j in itertools.combinations(range(len(truth)), 2) if truth[i] == truth[j]}
    return {
        "stories": len(stories),
        "groups": len(set(labels)),
        "complete": complete,
        "pure": pure,
        "precision": len(together & same) / len(together) if together else 1.0,
        "recall": len(together & same) / len(same) if same else 1.0,
    }


def labels_of(articles: list[Article], similar: np.ndarray, settings: Settings) -> list[str]:
    """The story id each article was put in."""
    home = {}
    for story in group_similar(articles, similar, settings):
        home.update(dict.fromkeys((a.id for a in story.articles), story.id))
    return [home[a.id] for a in articles]


def tiled(articles: list[Article], count: int, shift_days: int) -> list[Article]:
    """``count`` articles: copies of the corpus with fresh ids, each copy's dates shifted."""
    out: list[Article] = []
    for copy in itertools.count():
        for article in articles:
            if len(out) == count:
                return out
            day = article.published + dt.timedelta(days=copy * shift_days) if article.published else None
            out.append(dataclasses.replace(article, id=f"{article.id}-{copy}", published=day))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="all-MiniLM-L6-v2")
    parser.add_argument("--tile", type=int, default=1000)
    parser.add_argument("--embed-all", action="store_true", help="also time grouping with every text embedded")
    args = parser.parse_args()
    settings = Settings.load(embedder=args.embedder)
    articles, truth = load_mixed(settings)
    print(f"{len(articles)} articles, {len(set(truth))} true stories: "
          + ", ".join(f"{k} {v}" for k, v in sorted(Counter(truth).items())))
    embedder = CachedEmbedder(load_embedder(args.embedder))
    started = time.perf_counter()
    article_vectors(articles, embedder)  # fills the cache: the similarities below reuse the vectors
    embed_s = time.perf_counter() - started
    similar = {w: similarity(articles, embedder, w) for w in WEIGHTS}
    print(f"embedding {len(articles)} titles + leads with {args.embedder}: {embed_s:.1f} s")
    # Each folder alone must stay one story too: the names' IDF then comes from one story only.
    folders = [load([folder], settings) for _, folder in corpus()]
    alone_similar = [similarity(own, embedder, settings.story_names_weight) for own in folders]
    print(f"\ncomplete / pure stories (of {len(set(truth))}) per story_distance and story_names_weight; "
          f"last column: folders ({len(folders)}) kept whole when grouped alone, names {settings.story_names_weight}")
    print("\n| story_distance | " + " | ".join(f"names {w}" for w in WEIGHTS) + " | alone |")
    print("|---|" + "---|" * (len(WEIGHTS) + 1))
    for distance in DISTANCES:
        at = settings.replace(story_distance=distance)
        whole = sum(len(group_similar(own, sim, at)) == 1 for own, sim in zip(folders, alone_similar, strict=True))
        cells = []
        for w in WEIGHTS:
            got = scores(labels_of(articles, similar[w], settings.replace(story_distance=distance)), truth)
            mark = " **ok**" if got["complete"] == got["pure"] == got["stories"] else ""
            cells.append(f"{got['complete']}/{got['pure']} ({got['groups']} groups){mark}")
        print(f"| {distance:.3f} | " + " | ".join(cells) + f" | {whole}/{len(folders)} |")
    chosen = scores(labels_of(articles, similarity(articles, embedder, settings.story_names_weight), settings), truth)
    print(f"\ndefaults story_distance={settings.story_distance} story_names_weight={settings.story_names_weight}: "
          f"{chosen['complete']}/{chosen['stories']} complete, {chosen['pure']}/{chosen['stories']} pure, "
          f"pair precision {chosen['precision']:.0%}, recall {chosen['recall']:.0%}")
    for shift in (0, 3):
        many = tiled(articles, args.tile, shift)
        started = time.perf_counter()
        found = group_similar(many, similarity(many, embedder, settings.story_names_weight), settings)
        took = time.perf_counter() - started
        print(f"grouping {len(many)} articles (dates shifted {shift} days per copy; titles + leads cached): "
              f"{took:.2f} s, {len(found)} stories (embedding them afresh: about "
              f"{embed_s / len(articles) * len(many):.0f} s more)")
    if args.embed_all:
        # Every copy's title is made unique, so each title + lead is embedded afresh: the whole cost.
        many = [dataclasses.replace(a, title=f"{a.title} ({a.id})") for a in tiled(articles, args.tile, 0)]
        started = time.perf_counter()
        found = group_similar(many, similarity(many, embedder, settings.story_names_weight), settings)
        print(f"grouping {len(many)} articles, each title + lead embedded afresh: "
              f"{time.perf_counter() - started:.1f} s, {len(found)} stories")


if __name__ == "__main__":
    main()
