"""Quality and speed of a brief built with the real models.

Usage: python bench/quality.py FOLDER [--facts FILE] [--json]

Builds the brief for FOLDER (model load + cluster + summarise + verify), then
prints: share of printed sentences with citations, citation precision (the
cited sentences entail the sentence, by the judge), numbers/names not found in
their citations (must be 0), share of extractive fallbacks, key-fact recall
(given a facts file such as tests/data/seed_facts.json), where the time went,
and peak memory.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from brief import ingest
from brief.config import Settings
from brief.pipeline import Models, brief_from_articles
from brief.quality import load_key_facts, measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--facts", type=Path, help="key facts JSON for recall")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()

    config = Settings.load()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    models = Models.load(config)
    timings["load models"] = time.perf_counter() - started
    articles = ingest.load([args.folder], config)
    marks: dict[str, float] = {}

    def progress(step: str, done: int, total: int) -> None:
        marks.setdefault(f"{step} start", time.perf_counter())
        if done >= total:
            marks[f"{step} end"] = time.perf_counter()

    begun = time.perf_counter()
    brief = brief_from_articles(articles, config, models=models, progress=progress)
    timings["total build"] = time.perf_counter() - begun
    for step in ("clustering", "summarising"):
        if f"{step} end" in marks:
            timings[step] = marks[f"{step} end"] - marks[f"{step} start"]
    timings["end to end"] = time.perf_counter() - started
    quality = measure(
        brief, models.gate.judge, load_key_facts(args.facts) if args.facts else (), config.judge_threshold
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    calls = {"summariser calls": getattr(models.summarizer, "calls", None), "judge calls": getattr(models.gate.judge, "calls", None)}
    report = {"quality": quality.as_dict(), "seconds": timings, "peak_rss_mb": round(peak_mb), **calls}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"articles {len(articles)}, topics {quality.topics}, printed sentences {quality.printed}")
    print(f"cited share           {quality.cited_share:.2f}")
    print(f"citation precision    {quality.citation_precision if quality.citation_precision is None else round(quality.citation_precision, 2)}")
    print(f"unsupported items     {quality.unsupported}  {list(quality.unsupported_items)}")
    print(f"extractive share      {quality.extractive_share:.2f}")
    print(f"key-fact recall       {quality.key_fact_recall}")
    for name, seconds in timings.items():
        print(f"time {name:<16} {seconds:7.1f} s")
    print(f"summariser calls {calls['summariser calls']}, judge calls {calls['judge calls']}")
    print(f"peak RSS              {peak_mb:.0f} MB")
    for topic in brief.topics:
        print(f"\n## {topic.topic.label}")
        for claim in topic.summary:
            print(f"- [{claim.method}, {claim.entailment}] {claim.text}")


if __name__ == "__main__":
    main()
