"""Benchmark encoding and clustering: the seeds, then a synthetic 20,000-sentence input.

Usage: python bench/cluster.py [--sentences 20000] [--encode 2000]

Encoding 20,000 sentences with the real model takes minutes on two cores, so
the large run encodes ``--encode`` synthetic sentences and tiles their vectors,
each copy with a little Gaussian noise, to ``--sentences`` rows for the
merging and clustering part. The output says so.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from brief.cluster import group_vectors  # noqa: E402
from brief.config import Settings  # noqa: E402
from brief.embed import load_embedder  # noqa: E402
from brief.ingest import load  # noqa: E402
from brief.records import Sentence  # noqa: E402
from brief.sentences import split_all  # noqa: E402


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(seed_sentences: list[Sentence], count: int, articles: int = 400) -> list[Sentence]:
    """New sentences made by joining clauses of different seed sentences and shuffling a few words."""
    rng = random.Random(0)
    clauses = [c.strip() for s in seed_sentences for c in re.split(r"[,;—]| -- ", s.text) if len(c.split()) >= 4]
    out: list[Sentence] = []
    for n in range(count):
        words = f"{rng.choice(clauses)}, {rng.choice(clauses)}".split()
        for _ in range(2):
            i, j = rng.randrange(len(words)), rng.randrange(len(words))
            words[i], words[j] = words[j], words[i]
        text = " ".join(words).rstrip(".") + "."
        article = n * articles // count
        out.append(Sentence(f"syn{article:04d}", n, 0, len(text), text))
    return out


def run(label: str, sentences: list[Sentence], vectors: np.ndarray, settings: Settings) -> None:
    """Cluster and print time, topic count and peak memory."""
    start = time.perf_counter()
    found = group_vectors(sentences, vectors, settings)
    seconds = time.perf_counter() - start
    facts = sum(len(t.facts) for t in found.topics) + len(found.other)
    print(
        f"{label}: {len(sentences)} sentences -> {facts} facts -> {len(found.topics)} topics, "
        f"{len(found.other)} other; clustering {seconds:.2f} s; peak RSS {peak_rss_mib():.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=20_000)
    parser.add_argument("--encode", type=int, default=2_000, help="synthetic sentences actually encoded")
    args = parser.parse_args()
    settings = Settings()

    start = time.perf_counter()
    embedder = load_embedder(settings.embedder, settings.embed_batch_size)
    print(f"model load: {time.perf_counter() - start:.1f} s")

    seeds = split_all(load([ROOT / "seeds"], settings))
    start = time.perf_counter()
    seed_vectors = embedder.encode([s.text for s in seeds])
    seconds = time.perf_counter() - start
    print(f"seeds: encoded {len(seeds)} sentences in {seconds:.2f} s ({len(seeds) / seconds:.0f} sentences/s)")
    run("seeds", seeds, seed_vectors, settings)

    made = synthetic(seeds, args.sentences)
    encoded = made[: min(args.encode, len(made))]
    start = time.perf_counter()
    base = embedder.encode([s.text for s in encoded])
    seconds = time.perf_counter() - start
    print(
        f"synthetic: encoded {len(encoded)} sentences in {seconds:.1f} s ({len(encoded) / seconds:.0f} sentences/s); "
        f"{args.sentences} would take about {args.sentences / len(encoded) * seconds / 60:.1f} min"
    )
    rng = np.random.default_rng(0)
    tiled = np.resize(base, (len(made), base.shape[1])) + rng.normal(0, 0.02, (len(made), base.shape[1]))
    tiled = (tiled / np.linalg.norm(tiled, axis=1, keepdims=True)).astype(np.float32)
    print(
        f"synthetic: clustering uses the {len(encoded)} encoded vectors tiled to {len(made)} rows "
        f"with Gaussian noise (sd 0.02), not {len(made)} real encodings"
    )
    run("synthetic", made, tiled, settings)


if __name__ == "__main__":
    main()
