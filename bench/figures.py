"""The figures bench: extraction, key figures and conflicts against the development corpus.

Usage: python bench/figures.py [STORY_DIR ...] [--verbose]

For every story under tests/data/stories/ (or the folders given) it reads the
articles (ingest + sentences only, no models), runs ``figures.extract``,
``key_figures`` and ``conflicts``, and prints per story:

- found: figures.json values (each distinct value with its unit) among all extracted figures;
- key: the same among the key figures (a toll's course counts: each day it shows);
- rows: how many key-figure rows the story gets;
- conflicts: how many "Sources differ" the story gets;
- false: shown conflicts that traps.json does not list as true disagreements;
- traps: lookalikes (different days, places, running counts) shown as a conflict;
- missed: true conflicts of traps.json not shown.

A conflict matches a listed one when it shows at least two of its values. ``--verbose``
adds each story's missed figures, key rows and conflicts.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from brief import figures, ingest, sentences  # noqa: E402
from brief.config import Settings  # noqa: E402
from brief.pipeline import newest  # noqa: E402
from brief.records import Conflict, Figure  # noqa: E402

STORIES = ROOT / "tests" / "data" / "stories"


@dataclass(frozen=True)
class Row:
    """One story's numbers."""

    story: str
    articles: int
    expected: int
    found: int
    key: int
    rows: int
    conflicts: int
    false: int
    traps: int
    missed: int
    notes: tuple[str, ...] = ()


def _number(value: object) -> float | None:
    """A value of the corpus files as a float: 41000, "2,012", "€6.5bn" is not read (units apart)."""
    if isinstance(value, int | float):
        return float(value)
    match = re.search(r"\d[\d,]*(?:\.\d+)?", str(value))
    return float(match.group(0).replace(",", "")) if match else None


def _close(a: float, b: float) -> bool:
    """Equal within 1% (a money figure written "$2.1bn" against 2,100,000,000)."""
    return abs(a - b) <= 0.01 * max(abs(b), 1)


def _values(found: list[Figure], with_course: bool = False) -> list[tuple[float, str | None]]:
    """(value, unit) of each figure; a key figure's course values too when asked."""
    out = [(abs(float(f.value)), f.unit) for f in found]
    if with_course:
        out += [(abs(float(v)), f.unit) for f in found for _, v in f.course]
    return out


def _has(values: list[tuple[float, str | None]], value: float, unit: str | None) -> bool:
    """Whether a value of the same kind (money, %, count) is among ``values``."""
    money = unit not in (None, "%", "magnitude")
    return any(
        _close(v, value) and ((u not in (None, "%", "magnitude")) == money and (u == unit or money))
        for v, u in values
    )


def _shown(conflict: Conflict) -> set[float]:
    return {float(f.value) for f in conflict.values}


def _matches(shown: set[float], listed: list[object]) -> bool:
    """A conflict shows at least two values of a listed group."""
    wanted = [v for v in (_number(x) for x in listed) if v is not None]
    return sum(1 for w in set(wanted) if any(_close(s, w) for s in shown)) >= 2


def bench_story(folder: Path, config: Settings) -> Row:
    """Extract, pick and compare one story's figures."""
    source = folder / "articles" if (folder / "articles").exists() else folder
    articles = ingest.load([source], config)
    found = figures.extract(sentences.split_all(articles))
    outlets = {a.id: a.outlet for a in articles}
    date = newest(articles)
    assert date is not None, f"{folder.name}: no article date"
    key = figures.key_figures(found, date, outlets=outlets)
    shown = figures.conflicts(found, outlets)
    expected_file = json.loads((folder / "figures.json").read_text(encoding="utf-8"))
    traps = json.loads((folder / "traps.json").read_text(encoding="utf-8"))
    expected = {
        (v, e.get("unit"))
        for e in expected_file.get("figures", [])
        if (v := _number(e.get("value"))) is not None
    }
    all_values, key_values = _values(found), _values(key, with_course=True)
    true = [t.get("values", []) for t in traps.get("conflicts", [])]
    lookalikes = [t.get("values", []) for t in traps.get("lookalikes", [])]
    false = [c for c in shown if not any(_matches(_shown(c), t) for t in true)]
    notes = [f"missed figure: {v:g} {u or ''}".rstrip() for v, u in sorted(expected, key=str)
             if not _has(all_values, v, u)]  # fmt: skip
    notes += [f"key row: {figures.label(f)} ({f.as_of}) {figures.course_text(f)}".rstrip() for f in key]
    notes += [f"conflict{' (false)' if c in false else ''}: {c.text}" for c in shown]
    return Row(
        story=folder.name,
        articles=len(articles),
        expected=len(expected),
        found=sum(1 for v, u in expected if _has(all_values, v, u)),
        key=sum(1 for v, u in expected if _has(key_values, v, u)),
        rows=len(key),
        conflicts=len(shown),
        false=len(false),
        traps=sum(1 for c in false if any(_matches(_shown(c), t) for t in lookalikes)),
        missed=sum(1 for t in true if not any(_matches(_shown(c), t) for c in shown)),
        notes=tuple(notes),
    )


def main(argv: list[str] | None = None) -> int:
    """Print the table (and, with ``--verbose``, each story's details)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stories", nargs="*", type=Path)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    folders = args.stories or sorted(p for p in STORIES.iterdir() if (p / "figures.json").exists())
    config = Settings.load()
    rows = [bench_story(folder, config) for folder in folders]
    head = f"{'story':32} {'arts':>4} {'found':>9} {'key':>9} {'rows':>4} {'confl':>5} {'false':>5} {'traps':>5} {'missed':>6}"
    print(head)
    for r in rows:
        print(f"{r.story:32} {r.articles:4d} {r.found:4d}/{r.expected:<4d} {r.key:4d}/{r.expected:<4d} {r.rows:4d} "
              f"{r.conflicts:5d} {r.false:5d} {r.traps:5d} {r.missed:6d}")  # fmt: skip
    total = sum(r.expected for r in rows)
    print(f"{'total':32} {sum(r.articles for r in rows):4d} {sum(r.found for r in rows):4d}/{total:<4d} "
          f"{sum(r.key for r in rows):4d}/{total:<4d} {sum(r.rows for r in rows):4d} "
          f"{sum(r.conflicts for r in rows):5d} {sum(r.false for r in rows):5d} {sum(r.traps for r in rows):5d} "
          f"{sum(r.missed for r in rows):6d}")  # fmt: skip
    if args.verbose:
        for r in rows:
            print(f"\n## {r.story}")
            for note in r.notes:
                print(f"  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
