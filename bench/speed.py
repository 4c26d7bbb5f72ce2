"""Where a brief's time goes: wall time per stage, model tokens per role, and the model floor.

Usage: python bench/speed.py FOLDER [--json] [--summarizer NAME] [--judge NAME] [--embedder NAME]

Builds the brief of FOLDER the way ``brief build`` does (models loaded once,
ingest, :func:`brief.pipeline.brief_from_articles`, :func:`brief.render.write_all`
into a temporary folder) and prints:

- the wall time of each stage: model load, ingest, each step the pipeline
  reports through its progress callback, the time between and after them
  (page plan, figures, headline) and render;
- per model role (summarizer, judge, ...) the calls, tokens read (evaluated),
  tokens served from the KV cache, tokens written, and seconds, as the backend
  counted them (:class:`brief.generate.Accounting`);
- the prefill and generation rates of the same model in the same run, timed on
  a fixed calibration prompt (about 500 tokens read, 64 written) after the
  build; its tokens are not counted in the roles;
- the model floor, tokens read / prefill rate + tokens written / generation
  rate: what the model calls cost at best, whatever the design around them;
- wall / floor, where wall is the build's wall time WITHOUT model load (ingest
  to rendered files): how much time goes to anything but reading and writing tokens;
- tokens_printed: tokens of model-written text that reaches the page (claims
  whose method is abstractive or near-verbatim in the printed brief, plus the
  title when it is not a topic label), to set against tokens written;
- peak RSS of the process.

``--json`` prints one object with the keys ``wall_s``, ``floor_s``, ``ratio``,
``tokens_read``, ``tokens_cached``, ``tokens_written``, ``tokens_printed``,
``calls``, ``peak_rss_mb``, ``stages``, ``roles`` and ``rates`` (the load
average at the end of the run is in ``rates``: the machine is shared, rates
drop when it is busy). Settings come from ``Settings.load()``, so
``BRIEF_THREADS`` and the other ``BRIEF_*`` variables apply.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from brief import ingest, render
from brief.config import Settings
from brief.generate import Accounting, TextModel, Usage
from brief.pipeline import Models, brief_from_articles

# Methods whose text the model wrote (see brief.records.Method); verbatim and extractive
# sentences are the sources' own words, conflicts are templated.
WRITTEN_METHODS = ("abstractive", "near-verbatim")
CALIBRATION_WRITE = 64
# Plain, event-free prose for the calibration prompt (about 500 tokens once repeated):
# its content does not matter, only that it reads like news text.
CALIBRATION_TEXT = (
    "The city council met on Tuesday evening to discuss the budget for the coming year. Members "
    "debated how much money should go to road repairs, public libraries and the water network, "
    "which engineers say needs new pipes in several districts. A report prepared by the finance "
    "office warned that costs for energy and materials had risen faster than expected, and that "
    "some projects would have to wait unless new revenue was found. Residents who spoke at the "
    "meeting asked for longer library hours and safer crossings near schools. The mayor said a "
    "final vote would take place next month after a further round of consultations. "
)


@dataclass
class StageClock:
    """Wall time of each stage, from explicit marks and from the pipeline's progress reports.

    A reported step starts at its first report and ends at the report where
    ``done == total``; time between two steps, and after the last one until the
    pipeline returns, is kept under its own name so that the stages add up.
    """

    stages: dict[str, float] = field(default_factory=dict)
    _open: dict[str, float] = field(default_factory=dict)
    _last_end: float | None = None
    _steps: int = 0

    def timed(self, name: str, started: float) -> None:
        """Record a stage timed by the caller, from ``started`` until now."""
        self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - started

    def pipeline_started(self) -> None:
        """The pipeline call begins: what precedes its first report is its own stage (sentences)."""
        self._last_end = time.perf_counter()

    def progress(self, step: str, done: int, total: int) -> None:
        """The pipeline's progress callback."""
        now = time.perf_counter()
        if step not in self._open and step not in self.stages:
            self._gap(now, "between steps" if self._steps else "sentences")
            self._open[step] = now
            self._steps += 1
        if done >= total and step in self._open:
            self.stages[step] = now - self._open.pop(step)
            self._last_end = now

    def pipeline_done(self) -> None:
        """The pipeline returned: the rest since the last step is the finishing work."""
        self._gap(time.perf_counter(), "figures, headline (after the last step)")

    def _gap(self, now: float, name: str) -> None:
        if self._last_end is not None and not self._open:
            self.stages[name] = self.stages.get(name, 0.0) + now - self._last_end
            self._last_end = None


def text_models(models: Models) -> list[TextModel]:
    """The distinct loaded text models behind the summariser and the judge (often one object)."""
    found: dict[int, TextModel] = {}
    for holder in (models.summarizer, getattr(models.gate, "judge", None)):
        model = getattr(holder, "model", None)
        if isinstance(model, TextModel):
            found.setdefault(id(model), model)
    return list(found.values())


def merged_roles(accountings: Iterable[Accounting]) -> dict[str, Usage]:
    """Per-role usage summed over several models' accounts.

    Args:
        accountings: the ``usage`` of each model.

    Returns:
        One :class:`Usage` per role name.
    """
    merged: dict[str, Usage] = {}
    for account in accountings:
        for name, usage in account.roles.items():
            _add(merged.setdefault(name, Usage()), usage)
    return merged


def total_usage(roles: dict[str, Usage]) -> Usage:
    """All roles together."""
    total = Usage()
    for usage in roles.values():
        _add(total, usage)
    return total


def _add(into: Usage, usage: Usage) -> None:
    into.calls += usage.calls
    into.tokens_read += usage.tokens_read
    into.tokens_cached += usage.tokens_cached
    into.tokens_written += usage.tokens_written
    into.seconds += usage.seconds


def calibrate(model: TextModel) -> dict[str, float]:
    """Prefill and generation rates of ``model``, timed on a fixed prompt, kept out of its roles.

    The prompt is read once through ``yes_probability`` (prefill only); ``complete``
    on the same prompt then finds it in the KV cache and times mostly generation.

    Args:
        model: a loaded text model.

    Returns:
        ``prefill_tok_s``, ``generation_tok_s`` and the token counts they come from.
    """
    messages = [
        {"role": "system", "content": "You are a careful writer."},
        {
            "role": "user",
            "content": CALIBRATION_TEXT * 4 + "\nRetell the text above in your own words, at length.",
        },
    ]
    model.yes_probability(messages, role="calibration read")
    model.complete(messages, CALIBRATION_WRITE, role="calibration write")
    read = model.usage.roles.pop("calibration read")
    write = model.usage.roles.pop("calibration write")
    return {
        "prefill_tok_s": read.tokens_read / read.seconds,
        "generation_tok_s": write.tokens_written / write.seconds,
        "calibration_read": read.tokens_read,
        "calibration_written": write.tokens_written,
    }


def model_floor(read: int, written: int, rates: dict[str, float]) -> float:
    """Seconds the model needs at best: tokens read / prefill rate + tokens written / generation rate."""
    return read / rates["prefill_tok_s"] + written / rates["generation_tok_s"]


def printed_model_text(printed: dict[str, Any]) -> list[str]:
    """The model-written text of a printed brief (its JSON form): written claims, and a written title.

    Args:
        printed: :func:`brief.render.json_dump` of the brief as the PDF prints it.

    Returns:
        The texts, lead first, then topic by topic, then the title if the model wrote it.
    """
    claims = [*printed["lead"], *(c for topic in printed["topics"] for c in topic["summary"])]
    texts = [c["text"] for c in claims if c["method"] in WRITTEN_METHODS]
    labels = {topic["label"] for topic in printed["topics"]}
    if printed["title"] not in labels and printed["title"] != "Situation brief":
        texts.append(printed["title"])
    return texts


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(folder: Path, settings: Settings) -> dict[str, Any]:
    """Build, render and measure the brief of ``folder``.

    Args:
        folder: the articles.
        settings: the run's settings (models, threads).

    Returns:
        The figures, under the keys the ``--json`` output documents.
    """
    clock = StageClock()
    started = time.perf_counter()
    models = Models.load(settings)
    clock.timed("model load", started)

    build_started = time.perf_counter()
    started = time.perf_counter()
    articles = ingest.load([folder], settings)
    clock.timed("ingest", started)
    clock.pipeline_started()
    made = brief_from_articles(articles, settings, models=models, progress=clock.progress)
    clock.pipeline_done()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="brief-speed-") as out:
        written = render.write_all(made, Path(out))
        printed = json.loads(Path(written["json"]).read_text(encoding="utf-8"))
    clock.timed("render", started)
    wall = time.perf_counter() - build_started

    loaded = text_models(models)
    roles = merged_roles(m.usage for m in loaded)
    total = total_usage(roles)
    rates: dict[str, float] = calibrate(loaded[0]) if loaded else {}
    floor = model_floor(total.tokens_read, total.tokens_written, rates) if rates else 0.0
    counter = getattr(loaded[0], "count_tokens", None) if loaded else None
    texts = printed_model_text(printed)
    rates["load_avg_1min"] = os.getloadavg()[0]
    return {
        "wall_s": round(wall, 2),
        "floor_s": round(floor, 2),
        "ratio": round(wall / floor, 2) if floor else None,
        "tokens_read": total.tokens_read,
        "tokens_cached": total.tokens_cached,
        "tokens_written": total.tokens_written,
        "tokens_printed": sum(counter(t) for t in texts) if counter else None,
        "calls": total.calls,
        "peak_rss_mb": round(peak_rss_mb()),
        "stages": {name: round(seconds, 2) for name, seconds in clock.stages.items()},
        "roles": {
            name: {k: round(v, 2) if isinstance(v, float) else v for k, v in vars(u).items()}
            for name, u in roles.items()
        },
        "rates": {k: round(v, 1) for k, v in rates.items()},
        "articles": len(articles),
        "summarizer": models.names.get("summarizer", ""),
    }


def report(figures: dict[str, Any], folder: Path, threads: int) -> str:
    """The human-readable table."""
    lines = [(f"brief speed: {folder} ({figures['articles']} articles), summarizer {figures['summarizer']}, "
             f"threads {threads}, load average {figures['rates']['load_avg_1min']}"), "",
             f"{'stage':44}{'seconds':>8}"]  # fmt: skip
    for name, seconds in figures["stages"].items():
        note = "  (not in wall)" if name == "model load" else ""
        lines.append(f"{name:44}{seconds:8.2f}{note}")
    lines.append(f"{'wall (ingest to rendered files, no model load)':44}{figures['wall_s']:8.2f}")
    lines += ["", f"{'role':14}{'calls':>7}{'read':>8}{'cached':>8}{'written':>9}{'seconds':>9}"]
    for name, u in figures["roles"].items():
        lines.append(f"{name:14}{u['calls']:7d}{u['tokens_read']:8d}{u['tokens_cached']:8d}"
                     f"{u['tokens_written']:9d}{u['seconds']:9.1f}")  # fmt: skip
    lines.append(f"{'all':14}{figures['calls']:7d}{figures['tokens_read']:8d}{figures['tokens_cached']:8d}"
                 f"{figures['tokens_written']:9d}")  # fmt: skip
    rates = figures["rates"]
    if "prefill_tok_s" in rates:
        lines += [
            "",
            (
                f"rates (calibration, same run): prefill {rates['prefill_tok_s']} tok/s "
                f"({rates['calibration_read']:.0f} read), generation {rates['generation_tok_s']} tok/s "
                f"({rates['calibration_written']:.0f} written)"
            ),
            (
                f"model floor: {figures['floor_s']} s (read / prefill + written / generation); "
                f"wall / floor = {figures['ratio']}"
            ),
            (
                f"tokens printed (model-written text on the page): {figures['tokens_printed']} "
                f"of {figures['tokens_written']} written"
            ),
        ]
    else:
        lines += ["", "no text model loaded: no rates, no floor"]
    lines.append(f"peak RSS: {figures['peak_rss_mb']} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--summarizer", help="a summariser setting (default: the packaged model)")
    parser.add_argument("--embedder", help="an embedder setting (default: the packaged model)")
    parser.add_argument("--judge", help="a judge setting (default: the summariser's model)")
    args = parser.parse_args(argv)
    settings = Settings.load(summarizer=args.summarizer, embedder=args.embedder, judge=args.judge)
    figures = run(args.folder, settings)
    if args.json:
        keys = ("wall_s", "floor_s", "ratio", "tokens_read", "tokens_cached", "tokens_written",
                "tokens_printed", "calls", "peak_rss_mb", "stages", "roles", "rates")  # fmt: skip
        print(json.dumps({k: figures[k] for k in keys}, indent=2))
    else:
        print(report(figures, args.folder, settings.threads))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
