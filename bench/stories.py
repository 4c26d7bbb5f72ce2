"""The development-corpus bench: one row per story, as a reader sees each page.

Usage: python bench/stories.py [STORY_DIR ...] [--fake] [--json] [--keep DIR]

Builds the brief of every story under tests/data/stories/ (or the folders
given) plus the seeds, with the real models loaded once, renders the PDF, reads
its text back with pdftotext, and prints per story:

- recall: key facts (facts.json) stated by one sentence of the PDF's text;
- base: the same for the first-sentences baseline (each article's first
  sentences, round robin, near-duplicates dropped) at the page's word count;
- junk: printed lines that are metadata, fragments under 6 words, quotes with
  no speaker, or doubled quote marks;
- false / missed: conflicts the page shows that traps.json does not list as
  true disagreements, and true ones it does not show;
- figures: key figures of figures.json found among the brief's figures;
- pairs: topic labels that are keyword pairs ("X · Y");
- abstr: share of printed topic sentences that fuse or reword their sources;
- compr: printed topic words over the words of the source sentences they cite;
- wall: seconds to build and render the story.

``--fake`` uses the model-free stand-ins to check the harness in seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from brief.config import Settings
from brief.pagecheck import StoryRow, measure_story
from brief.pipeline import Models

STORIES = ROOT / "tests" / "data" / "stories"
SEEDS = ROOT / "seeds"
SEED_FACTS = ROOT / "tests" / "data" / "seed_facts.json"


def print_table(rows: list[StoryRow]) -> None:
    """The table a closing note quotes."""
    print("| story | art | words | recall | base | junk | false | missed | figures | pairs | abstr | compr | wall s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r.story} | {r.articles} | {r.words} | {r.recall:.0%} | {r.baseline:.0%} | {r.junk} | "
            f"{r.false_conflicts} | {r.missed_conflicts} | {r.figures_found}/{r.figures_expected} | "
            f"{r.keyword_labels} | {r.abstractive:.0%} | {r.compression:.2f} | {r.wall_s} |"
        )
    for r in rows:
        for item in r.junk_items:
            print(f"  junk in {r.story}: {item}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stories", nargs="*", type=Path, help="story folders (default: every one, plus the seeds)")
    parser.add_argument("--fake", action="store_true", help="model-free stand-ins, to check the harness")
    parser.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    parser.add_argument("--keep", type=Path, help="write each story's outputs under this folder")
    args = parser.parse_args()
    folders = args.stories or [*sorted(p for p in STORIES.iterdir() if (p / "facts.json").exists()), SEEDS]
    overrides = {"summarizer": "first-facts", "embedder": "hashing", "judge": "constant-1.0"} if args.fake else {}
    config = Settings.load(**overrides)
    models = Models.load(config)
    rows = []
    for folder in folders:
        facts = SEED_FACTS if folder.resolve() == SEEDS.resolve() else None
        rows.append(measure_story(folder, config, models, facts, args.keep))
        print(f"done {folder.name} in {rows[-1].wall_s} s", file=sys.stderr)
    if args.json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
    else:
        print_table(rows)


if __name__ == "__main__":
    main()
