"""How the per-story work scales on Ray: 1 and 2 workers against a sequential run.

Each story of the development corpus (tests/data/stories/*/articles) and seeds/
is one unit of work, as in ``brief build --stories all --ray ...``: one task
builds one story's brief with the worker's models. The bench prints the wall
time of each way of running, the startup cost of the workers (each loads the
models once), and each story's own cost (measured inside the task).

``--embeddings`` also times encoding every sentence of the corpus in process
against Ray Data ``map_batches`` over two actors (needs ``pip install
'ray[data]==2.60.0'``), to see whether spreading the embedder pays.

Usage:
    .venv/bin/python bench/ray_scale.py            # model-free stand-ins (seconds)
    .venv/bin/python bench/ray_scale.py --real     # the packaged models (many minutes)
    .venv/bin/python bench/ray_scale.py --embeddings --no-stories --embedder all-MiniLM-L6-v2
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from brief.config import Settings
from brief.pipeline import Models, build
from brief.runner import LocalRunner, RayRunner, import_ray

FAKE: dict[str, Any] = {"summarizer": "first-facts", "embedder": "hashing", "judge": "constant-1.0"}


def story_folders() -> list[Path]:
    """Every development-corpus story's articles folder, and the seeds."""
    found = sorted(p for p in (ROOT / "tests" / "data" / "stories").glob("*/articles") if p.is_dir())
    return [*found, ROOT / "seeds"]


def brief_story(models: Models, job: tuple[str, Settings]) -> tuple[str, int, int, float]:
    """Runner task: one story's brief; its name, articles, topics and seconds in the worker."""
    folder, settings = job
    start = time.perf_counter()
    made = build([folder], settings, models=models)
    name = Path(folder).parent.name if Path(folder).name == "articles" else Path(folder).name
    return name, len(made.sources), len(made.topics), time.perf_counter() - start


def timed_run(
    name: str, runner: Any, folders: list[Path], settings: Settings
) -> tuple[float, list[tuple[str, int, int, float]]]:
    """Map the stories over ``runner`` after one untimed story per worker (lazy imports); wall time, results."""
    runner.map(brief_story, [(str(folders[-1]), settings)] * max(1, len(getattr(runner, "actors", []))))
    start = time.perf_counter()
    results = runner.map(brief_story, [(str(f), settings) for f in folders])
    wall = time.perf_counter() - start
    costs = [r[3] for r in results]
    print(f"{name:<22} wall {wall:7.2f} s   per story: mean {statistics.mean(costs):6.2f} s, "
          f"max {max(costs):6.2f} s, sum {sum(costs):7.2f} s")  # fmt: skip
    return wall, results


def bench_stories(settings: Settings, folders: list[Path], cores: int) -> None:
    """Sequential, then Ray with 1 and 2 workers (each worker ``threads`` = cores / workers)."""
    print(f"{len(folders)} stories; models: {settings.summarizer} / {settings.embedder}; {cores} cores\n")
    start = time.perf_counter()
    local = LocalRunner(lambda: Models.load(settings))
    local.models  # noqa: B018 - load outside the timed map, like the workers' startup
    print(f"{'local: model load':<22} {time.perf_counter() - start:7.2f} s")
    wall_local, results = timed_run("local, sequential", local, folders, settings)
    ray = import_ray()
    ray.init(num_cpus=cores, include_dashboard=False, log_to_driver=False)
    try:
        for workers in (1, 2):
            threads = max(1, cores // workers)
            config = settings.replace(threads=threads)
            start = time.perf_counter()
            with RayRunner(config, workers=workers, cpus_per_worker=threads) as runner:
                runner.start()
                print(f"{f'ray x{workers}: start':<22} {time.perf_counter() - start:7.2f} s "
                      f"({workers} workers x {threads} threads, models loaded once each)")  # fmt: skip
                wall, _ = timed_run(f"ray x{workers}", runner, folders, config)
                if workers == 2:
                    one_story_topics(local, runner, folders, settings, config)
            print(f"{'':<22} speed-up over sequential: {wall_local / wall:.2f}x")
    finally:
        ray.shutdown()
    print("\nper story (sequential run): name, articles, topics, seconds")
    for name, articles, topics, seconds in results:
        print(f"  {name:<32} {articles:>3} {topics:>3} {seconds:7.2f}")


def one_story_topics(
    local: LocalRunner, runner: RayRunner, folders: list[Path], settings: Settings, config: Settings
) -> None:
    """The largest story alone: its topics summarised in process, then on the Ray workers."""
    largest = max(folders, key=lambda f: len(list(f.iterdir())))
    for where, run in (("in process", lambda: build([largest], settings, models=local.models)),
                       ("on ray x2", lambda: build([largest], config, models=local.models, runner=runner))):
        start = time.perf_counter()
        made = run()
        print(f"{'one story, topics ' + where:<30} {time.perf_counter() - start:6.2f} s ({len(made.topics)} topics)")


class _Encode:
    """Ray Data callable: one embedder per actor, a batch of texts to vectors."""

    def __init__(self, name: str) -> None:
        from brief.embed import load_embedder

        self.embedder = load_embedder(name)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        return {"vector": list(self.embedder.encode(list(batch["text"])))}


def bench_embeddings(settings: Settings, folders: list[Path], cores: int) -> None:
    """Every sentence of the corpus: in process, then Ray Data map_batches over two actors."""
    from brief import ingest, sentences
    from brief.embed import load_embedder

    texts = [s.text for s in sentences.split_all(ingest.load([str(f) for f in folders], settings))]
    start = time.perf_counter()
    embedder = load_embedder(settings.embedder, settings.embed_batch_size)
    loaded = time.perf_counter()
    embedder.encode(texts)
    done = time.perf_counter()
    print(f"\nembeddings, {len(texts)} sentences, {settings.embedder}:")
    print(f"  in process: load {loaded - start:6.2f} s, encode {done - loaded:6.2f} s")
    import torch

    # Ray gives each actor one CPU and one torch thread: the fair in-process comparison.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    start = time.perf_counter()
    embedder.encode(texts)
    print(f"  in process, 1 torch thread (default {threads}): encode {time.perf_counter() - start:6.2f} s")
    torch.set_num_threads(threads)
    ray = import_ray()
    try:
        import ray.data
    except ImportError:
        print("  Ray Data: not installed (pip install 'ray[data]==2.60.0'); skipped")
        return
    ray.init(num_cpus=cores, include_dashboard=False, log_to_driver=False)
    try:
        start = time.perf_counter()
        data = ray.data.from_items([{"text": t} for t in texts])
        out = data.map_batches(_Encode, fn_constructor_args=(settings.embedder,), batch_size=settings.embed_batch_size,
                               concurrency=2, num_cpus=max(1, cores // 2)).take_all()  # fmt: skip
        print(f"  Ray Data, 2 actors: {time.perf_counter() - start:6.2f} s in all "
              f"(actor start, model load and encode), {len(out)} vectors")  # fmt: skip
    finally:
        ray.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", action="store_true", help="the packaged models instead of the stand-ins")
    parser.add_argument("--embeddings", action="store_true", help="also time embeddings on Ray Data")
    parser.add_argument("--embedder", help="the embedder to time (default: the run's)")
    parser.add_argument("--no-stories", action="store_true", help="skip the per-story bench")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 2, help="CPUs Ray may use")
    args = parser.parse_args()
    settings = Settings.load() if args.real else Settings.load(env={}, **FAKE)
    folders = story_folders()
    if not args.no_stories:
        bench_stories(settings, folders, args.cores)
    if args.embedder:
        settings = settings.replace(embedder=args.embedder)
    if args.embeddings:
        bench_embeddings(settings, folders, args.cores)


if __name__ == "__main__":
    main()
