"""Score labelled (claim, evidence) pairs with the judge and pick an entailment threshold.

Usage: python bench/judge_calibration.py [PAIRS.jsonl] [--cold]

Prints each pair's P(YES), then, for each candidate threshold, how many false
claims would pass and how many true ones would fall back to extractive. The
default threshold in brief.config is chosen from this table: no false claim
passes, as few true ones as possible are lost.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from brief.config import Settings
from brief.prompts import SENTENCE_ASK
from brief.summarize import load_summarizer
from brief.verify import load_judge


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    # As in a build, the writer has just read the same sources, so the judge's prompt
    # is evaluated from a cached prefix; --cold scores each pair from an empty cache.
    after_writer = "--cold" not in sys.argv
    pairs_file = Path(args[0] if args else "tests/data/judge_pairs.jsonl")
    pairs = [json.loads(line) for line in pairs_file.read_text().splitlines() if line.strip()]
    config = Settings.load()
    summarizer = load_summarizer(config)
    judge = load_judge(config, summarizer.model)  # type: ignore[attr-defined]
    scored = []
    started = time.perf_counter()
    for pair in pairs:
        if after_writer:
            summarizer.write(pair["evidence"], SENTENCE_ASK.format(words=24))
        score = judge.entailment(pair["claim"], pair["evidence"])
        scored.append((score, pair["label"]))
        print(f"{score:5.3f}  {'true ' if pair['label'] else 'FALSE'}  {pair['claim'][:90]}")
    elapsed = time.perf_counter() - started
    order = "after the writer" if after_writer else "cold"
    print(f"\n{len(pairs)} pairs, {elapsed / len(pairs):.2f} s per pair (judge: {judge.name}, {order})")
    print("threshold  false-passed  true-rejected")
    for threshold in (0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8):
        false_passed = sum(1 for s, label in scored if not label and s >= threshold)
        true_rejected = sum(1 for s, label in scored if label and s < threshold)
        print(f"{threshold:9.2f}  {false_passed:12d}  {true_rejected:13d}")


if __name__ == "__main__":
    main()
