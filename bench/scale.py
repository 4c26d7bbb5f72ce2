"""How the model-free part of a build grows with the number of articles.

Usage: python bench/scale.py [--articles 200] [--also 100] [--profile FILE] [--embedder hashing]

Tiles the development corpus (tests/data/stories/*/articles, 65 articles) into
a temporary folder until it holds ``--articles`` articles. Each copy after the
first changes a few function words on every line ("the" becomes "this", "and"
becomes "plus", ...) and ends with a copy line, so every copy has its own
content hash and most of its sentences differ from the original's by a word:
wire copy carried by several outlets looks like that, and the embedder pays for
every distinct sentence as it would on a real feed.

It then times, with the packaged embedder, the model-free summariser and a
constant judge (``Settings.load(summarizer="first-facts", judge="constant-1.0")``):
model load (not in the total), ingest, stories, sentences, embeddings (every
distinct sentence, through the run's cache), clustering (facts and topics, the
embeddings already cached), figures (extraction, conflicts, key figures), the
rest of the build (:func:`brief.pipeline.brief_from_articles` with the
embeddings cached: it repeats sentences, clustering and figures, which is why
those are not added again) and render. The total is what one ``brief build``
of all the articles as one story would take without the LLM.

``--also N`` repeats the run at N articles first so the growth between the two
sizes shows: time doubling with twice the articles is linear, fourfold is
quadratic. ``--profile FILE`` writes a cProfile of one more, untimed build and render at
the largest size.

The LLM's cost does not grow with the articles: the page plan
(:mod:`brief.plan`) fixes how many topics and sentences are written before any
model call, so the model is asked for the same number of sentences at 65 or
6,500 articles; the bench prints the summariser's task count at each size.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from brief import cluster, figures, ingest, render, sentences
from brief import stories as story_stage
from brief.config import Settings
from brief.pipeline import Models, brief_from_articles, newest

CORPUS = ROOT / "tests" / "data" / "stories"
TARGET_S = 300.0
T = TypeVar("T")
# Copy k swaps these words for the k-th replacement (cycling), keeping sentences readable.
SWAPS = (
    (r"\bthe\b", ("this", "that", "its", "their", "our")),
    (r"\band\b", ("plus", "as well as", "and also", "along with", "with")),
    (r"\bsaid\b", ("stated", "told reporters", "added", "reported", "noted")),
)


def tile(target: int, folder: Path, settings: Settings) -> int:
    """Write copies of the corpus files into ``folder`` until they hold ``target`` articles.

    Args:
        target: articles wanted.
        folder: an empty folder.
        settings: ingest settings (to count each file's articles).

    Returns:
        The number of articles written (``target``, or a little more when a
        JSONL feed's last file carries several).
    """
    files = sorted(p for p in CORPUS.glob("*/articles/*") if p.is_file())
    per_file = {p: len(ingest.load([p], settings)) for p in files}
    written, copy = 0, 0
    while written < target:
        for path in files:
            if written >= target or not per_file[path]:
                continue
            name = f"{copy:02d}_{path.parent.parent.name}_{path.name}"
            (folder / name).write_text(variant(path.read_text(encoding="utf-8"), copy, path.suffix), "utf-8")
            written += per_file[path]
        copy += 1
    return written


def variant(text: str, copy: int, suffix: str) -> str:
    """Copy number ``copy`` of a file's text (copy 0 is the text itself).

    Args:
        text: the file's text.
        copy: which copy.
        suffix: the file's extension (where the copy line goes depends on the format).

    Returns:
        The changed text.
    """
    if copy == 0:
        return text
    for pattern, words in SWAPS:
        text = re.sub(pattern, words[(copy - 1) % len(words)], text)
    note = f"This is copy {copy} of the article for a scale test."
    if suffix == ".jsonl":
        # Every line is one article: change its text field, keep the line valid JSON.
        return "\n".join(re.sub(r'("(?:text|html)": ")', rf"\1{note} ", line, count=1)
                         for line in text.splitlines())  # fmt: skip
    if suffix in (".html", ".htm"):
        return text.replace("</body>", f"<p>{note}</p></body>", 1)
    return text.rstrip("\n") + f"\n\n{note}\n"


def timed(stages: dict[str, float], name: str, work: Callable[[], T]) -> T:
    """Run ``work`` and add its wall time to ``stages[name]``."""
    started = time.perf_counter()
    result = work()
    stages[name] = stages.get(name, 0.0) + time.perf_counter() - started
    return result


def run(count: int, settings: Settings, profile: Path | None = None) -> dict[str, Any]:
    """Time each stage on ``count`` tiled articles.

    Args:
        count: articles.
        settings: model-free summariser and judge, the packaged embedder.
        profile: write a cProfile of the build here.

    Returns:
        Seconds per stage, the total, and the sizes seen.
    """
    stages: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="brief-scale-") as tmp:
        inbox, out = Path(tmp) / "inbox", Path(tmp) / "out"
        inbox.mkdir()
        tile(count, inbox, settings)
        models = timed(stages, "model load", lambda: Models.load(settings))
        articles = timed(stages, "ingest", lambda: ingest.load([inbox], settings))
        found = timed(stages, "stories", lambda: story_stage.group(articles, settings, models.embedder))
        split = timed(stages, "sentences", lambda: sentences.split_all(articles))
        timed(stages, "embeddings", lambda: models.embedder.encode([s.text for s in split]))
        grouped = timed(stages, "clustering", lambda: cluster.group(split, settings, models.embedder))
        date = newest(articles)
        outlets = {a.id: a.outlet for a in articles}

        def figure_stage() -> int:
            found_figures = figures.extract(split)
            figures.conflicts(found_figures, outlets)
            if date is not None:
                figures.key_figures(found_figures, date, outlets=outlets)
            return len(found_figures)

        figure_count = timed(stages, "figures", figure_stage)
        calls_before = getattr(models.summarizer, "calls", 0)
        made = timed(
            stages,
            "build (embeddings cached)",
            lambda: brief_from_articles(articles, settings, models=models),
        )
        tasks = getattr(models.summarizer, "calls", 0) - calls_before
        timed(stages, "render", lambda: render.write_all(made, out))
        if profile:
            # An extra, untimed pass: the profiler slows Python code two- to threefold.
            profiler = cProfile.Profile()
            profiler.runcall(
                lambda: render.write_all(brief_from_articles(articles, settings, models=models), out)
            )
            profiler.dump_stats(str(profile))
    in_total = ("ingest", "stories", "embeddings", "build (embeddings cached)", "render")
    return {
        "articles": len(articles),
        "stories": len(found),
        "sentences": len(split),
        "facts": sum(len(t.facts) for t in grouped.topics) + len(grouped.other),
        "topics": len(grouped.topics),
        "figures": figure_count,
        "summariser tasks": tasks,
        "stages": stages,
        "total": sum(stages[name] for name in in_total),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def report(runs: list[dict[str, Any]]) -> str:
    """One column per run, one row per stage, and the growth between the first and last run."""
    names = list(runs[-1]["stages"])
    head = f"{'':34}" + "".join(f"{r['articles']:>10} art" for r in runs)
    growth = len(runs) > 1
    lines = [head + ("   growth" if growth else "")]
    for key in ("stories", "sentences", "facts", "topics", "figures", "summariser tasks"):
        lines.append(f"{key:34}" + "".join(f"{r[key]:14d}" for r in runs))
    lines.append("seconds")
    for name in names:
        row = [r["stages"].get(name, 0.0) for r in runs]
        note = "  (not in total)" if name == "model load" else ""
        if name in ("sentences", "clustering", "figures"):
            note = "  (repeated inside build)"
        ratio = f"{row[-1] / row[0]:9.1f}x" if growth and row[0] > 0.05 else ""
        lines.append(f"  {name:32}" + "".join(f"{v:14.2f}" for v in row) + ratio + note)
    totals = [r["total"] for r in runs]
    ratio = f"{totals[-1] / totals[0]:9.1f}x" if growth else ""
    lines.append(f"  {'total (build without the LLM)':32}" + "".join(f"{v:14.2f}" for v in totals) + ratio)
    last = runs[-1]
    verdict = "under" if last["total"] < TARGET_S else "OVER"
    lines += [
        f"peak RSS {last['peak_rss_mb']:.0f} MB; load average {os.getloadavg()[0]:.1f} (2 cores, shared)",
        f"{last['articles']} articles: {last['total']:.0f} s without the LLM, {verdict} the {TARGET_S:.0f} s target.",
        (
            "The LLM's cost grows with the printed topics, not the articles: the page plan fixes the tasks "
            "(summariser tasks above) before any model call."
        ),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--also", type=int, action="append", default=[], help="a smaller size to run first")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the largest build here")
    parser.add_argument(
        "--embedder", help="an embedder setting (default: the packaged model; hashing: no model)"
    )
    args = parser.parse_args(argv)
    settings = Settings.load(summarizer="first-facts", judge="constant-1.0", embedder=args.embedder)
    sizes = sorted(set(args.also)) + [args.articles]
    runs = [run(n, settings, args.profile if n == args.articles else None) for n in sizes]
    print(report(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
