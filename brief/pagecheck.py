"""How a printed page reads: the measures of the development-corpus bench and its tests.

A story of the corpus is a folder of articles with the facts a reader must
find (``facts.json``), its key quantities (``figures.json``) and its look-alike
numbers and true disagreements (``traps.json``), all written before any brief
was built. The page is read back from the PDF with pdftotext, as a reader sees
it, and set against the first-sentences baseline at the same length.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from brief import ingest, render, sentences
from brief.config import Settings
from brief.facts import content_words
from brief.pipeline import Models, brief_from_articles
from brief.quality import load_key_facts, printed_claims, recall_in
from brief.records import Article, Brief, Claim

METADATA_LINE = re.compile(r"\b(?:title|source|date|url|published|outlet|headline|author|by)\s*:|https?://", re.IGNORECASE)
DOUBLED_QUOTES = re.compile(r"[\"“”]\s*[\"“”]|''")
SPEAKER = re.compile(
    r"\b(?:said|says|told|according to|stated|added|warned|wrote|announced|asked|tweeted|continued|explained|"
    r"noted|insisted|argued|testified)\b",
    re.IGNORECASE,
)
KEYWORD_PAIR = re.compile(r"^[^·]+ · [^·]+$")


@dataclass
class StoryRow:
    """How one story's printed page reads (see :func:`measure_story`)."""

    story: str
    articles: int
    words: int
    recall: float
    baseline: float
    junk: int
    false_conflicts: int
    missed_conflicts: int
    figures_found: int
    figures_expected: int
    keyword_labels: int
    abstractive: float
    compression: float
    wall_s: float
    junk_items: tuple[str, ...] = ()


def pdf_text(path: Path) -> str:
    """The PDF's text as a reader sees it (pdftotext), with hyphenated line breaks joined."""
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    out = re.sub(r"-\n\s*", "-", out)
    return re.sub(r"\s+", " ", out)


def split_units(text: str) -> list[str]:
    """Sentences of the page's text (a citation mark or a line break never joins two facts' terms)."""
    import pysbd

    return [s for s in pysbd.Segmenter(language="en", clean=False).segment(text) if s.strip()]


def baseline(articles: list[Article], words: int) -> list[str]:
    """Each article's first sentences, taken round robin, near-duplicates dropped, up to ``words`` words."""
    per_article = [[s.text for s in sentences.split(a)] for a in articles]
    chosen: list[str] = []
    seen: list[set[str]] = []
    total, depth = 0, 0
    while total < words and any(depth < len(s) for s in per_article):
        for texts in per_article:
            if depth >= len(texts) or total >= words:
                continue
            text = texts[depth]
            bag = content_words(text)
            if any(len(bag & other) >= 0.6 * max(min(len(bag), len(other)), 1) for other in seen):
                continue
            seen.append(bag)
            chosen.append(text)
            total += len(text.split())
        depth += 1
    return chosen


def abstractive_share(claims: list[Claim]) -> float:
    """Share of printed topic sentences that fuse or reword their sources (not copies, not fallbacks)."""
    written = [c for c in claims if c.method != "conflict"]
    return sum(1 for c in written if c.method == "abstractive" and not _copied(c)) / max(len(written), 1)


def _copied(claim: Claim) -> bool:
    """A claim whose text is one of its cited sentences (older briefs called copies abstractive)."""
    return any(claim.text.strip() == x.quote.strip() for x in claim.citations)


def compression(claims: list[Claim]) -> float:
    """Printed words over the words of the distinct statements they cite (outlets' near-copies count once)."""
    printed = sum(len(c.text.split()) for c in claims if c.method != "conflict")
    distinct: list[tuple[frozenset[str], int]] = []
    for quote in dict.fromkeys(x.quote for c in claims if c.method != "conflict" for x in c.citations):
        words = content_words(quote)
        if not any(len(words & seen) >= 0.6 * max(min(len(words), len(seen)), 1) for seen, _ in distinct):
            distinct.append((words, len(quote.split())))
    return printed / max(sum(n for _, n in distinct), 1)


def content_length(printed: Brief) -> int:
    """Words the page states: title, key developments, labels, summaries, timeline, figures, conflicts."""
    texts = [printed.title, *(c.text for c in printed_claims(printed)), *(t.topic.label for t in printed.topics)]
    texts += [e.text for e in getattr(printed, "timeline", ())]
    texts += [f"{f.value} {f.counts} {f.where or ''}" for f in printed.figures]
    texts += [c.text for c in printed.conflicts]
    return sum(len(t.split()) for t in texts)


def junk(printed: Brief) -> list[str]:
    """Printed sentences a reader would call junk."""
    found = []
    for claim in printed_claims(printed):
        text = claim.text
        if claim.method == "conflict":
            continue
        if METADATA_LINE.search(text):
            found.append(f"metadata: {text}")
        elif len(text.split()) < 6:
            found.append(f"fragment: {text}")
        elif DOUBLED_QUOTES.search(text):
            found.append(f"doubled quotes: {text}")
        elif _mostly_quote(text) and not SPEAKER.search(text):
            found.append(f"quote without speaker: {text}")
    return found


def _mostly_quote(text: str) -> bool:
    quoted = sum(len(m) for m in re.findall(r"[\"“]([^\"”]+)[\"”]", text))
    return quoted >= 0.6 * len(text)


def conflict_counts(printed: Brief, traps: dict[str, object]) -> tuple[int, int]:
    """(false conflicts shown, true conflicts missed) against traps.json."""
    true = traps.get("conflicts", []) if traps else []
    assert isinstance(true, list)
    true_values = [{_number(v) for v in t.get("values", [])} - {None} for t in true]
    shown = [{float(f.value) for f in c.values} for c in printed.conflicts]
    false = sum(1 for values in shown if not any(len(values & t) >= 2 for t in true_values))
    missed = sum(1 for t in true_values if not any(len(values & t) >= 2 for values in shown))
    return false, missed


def _number(value: object) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    match = re.search(r"\d[\d,.]*", str(value))
    return float(match.group(0).replace(",", "").rstrip(".")) if match else None


def figures_found(made: Brief, expected: list[dict[str, object]]) -> int:
    """Expected key figures (by value, within 1%) among the brief's key figures."""
    values = [float(f.value) for f in made.figures]
    targets = {float(e["value"]) for e in expected if isinstance(e.get("value"), int | float)}  # type: ignore[arg-type]
    return sum(1 for t in targets if any(abs(v - t) <= 0.01 * max(abs(t), 1) for v in values))


def _load_json(path: Path) -> dict[str, object]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def measure_story(
    folder: Path, config: Settings, models: Models, facts_file: Path | None = None, keep: Path | None = None
) -> StoryRow:
    """Build, render and measure one story of the development corpus.

    Args:
        folder: a story folder (``articles/`` with ``facts.json``, ``figures.json``,
            ``traps.json`` beside it) or a plain folder of articles.
        config: settings.
        models: loaded models.
        facts_file: the key facts (default ``folder/facts.json``).
        keep: write the story's outputs under ``keep/<folder name>`` too.

    Returns:
        The story's row.
    """
    source = folder / "articles" if (folder / "articles").exists() else folder
    facts_file = facts_file or folder / "facts.json"
    started = time.perf_counter()
    articles = ingest.load([source], config)
    made = brief_from_articles(articles, config, models=models)
    out = Path(tempfile.mkdtemp(prefix="brief-bench-"))
    printed = render.pdf(made, out / "brief.pdf")
    wall = time.perf_counter() - started
    text = pdf_text(out / "brief.pdf")
    # The page's text less the source list; its length is what the page says, not its template.
    heading = [m.start() for m in re.finditer(r"\bsources\b", text, flags=re.IGNORECASE)]
    page = text[: heading[-1]] if heading else text
    if keep:
        render.write_all(made, keep / folder.name)
    words = content_length(printed)
    key_facts = load_key_facts(facts_file) if facts_file.exists() else []
    figures_file = _load_json(folder / "figures.json")
    expected = figures_file.get("figures", []) if figures_file else []
    assert isinstance(expected, list)
    false, missed = conflict_counts(printed, _load_json(folder / "traps.json"))
    bad = junk(printed)
    summary = [c for t in printed.topics for c in t.summary]
    return StoryRow(
        story=folder.name,
        articles=len(articles),
        words=words,
        recall=recall_in(split_units(page), key_facts),
        baseline=recall_in(baseline(articles, words), key_facts),
        junk=len(bad),
        false_conflicts=false,
        missed_conflicts=missed,
        figures_found=figures_found(made, expected),
        figures_expected=len({e.get("value") for e in expected}),
        keyword_labels=sum(1 for t in printed.topics if KEYWORD_PAIR.match(t.topic.label)),
        abstractive=round(abstractive_share(summary), 2),
        compression=round(compression(summary), 2),
        wall_s=round(wall, 1),
        junk_items=tuple(bad),
    )
