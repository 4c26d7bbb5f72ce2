"""Where work runs: in process, and on a local Ray that this module starts.

Ray tests use the model-free models (hashing embedder, first-facts summariser,
constant judge), a local Ray started once for the module and one two-worker
runner shared by the tests (its workers reserve one of Ray's four logical CPUs
each, leaving room for the CLI test's own runner). Task functions defined here
are pickled by value, so Ray's workers need not import this test module.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from brief import nightly, render
from brief.cli import main
from brief.config import Settings
from brief.errors import InputError, ModelError
from brief.pipeline import Models, TopicJob, build, build_stories, summarize_job
from brief.runner import LocalRunner, RayRunner

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
QUAKE = ROOT / "tests" / "data" / "quake"
NIGHT_NEW = ROOT / "tests" / "data" / "nightly"
FAKE = {"summarizer": "first-facts", "embedder": "hashing", "judge": "constant-1.0", "threads": 1}
FAKE_ENV = {f"BRIEF_{k.upper()}": str(v) for k, v in FAKE.items()}
WORKERS = 2


def fake_settings(**changes: Any) -> Settings:
    """The model-free settings every test here uses (one thread: one Ray CPU per worker)."""
    return Settings.load(env={}, **{**FAKE, **changes})


def comparable(brief: Any) -> dict[str, Any]:
    """The brief's JSON, less the one field that differs between runs."""
    data = render.json_dump(brief)
    data.pop("generated_at")
    return data


@pytest.fixture(scope="module")
def ray_session() -> Iterator[Any]:
    """A local Ray for the tests of this module only (2 cores; 4 logical CPUs for two runners)."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2 * WORKERS, include_dashboard=False, log_to_driver=False,
             object_store_memory=200 * 1024**2)  # fmt: skip
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def two_workers(ray_session: Any) -> Iterator[RayRunner]:
    """A started Ray runner with two workers, stopped after the module's tests."""
    with RayRunner(fake_settings(), workers=WORKERS, cpus_per_worker=1) as runner:
        runner.start()
        yield runner


def worker_pids(runner: RayRunner) -> list[int]:
    """The process id of each of the runner's actors now (a restarted actor has a new one)."""
    return list(runner._ray.get([a.ready.remote() for a in runner.actors]))


# --- tasks (module level: Ray pickles them) -----------------------------------------


def where(models: Models, item: int) -> tuple[int, int, int]:
    """The item, the process it ran in, and the id of that process's models."""
    return item, os.getpid(), id(models)


def slow_first(models: Models, item: int) -> int:
    """The first item takes longest, so later ones finish first."""
    time.sleep(0.6 if item == 0 else 0.01)
    return item * item


def slow_square(models: Models, item: int) -> int:
    """A task slow enough to be caught running."""
    time.sleep(0.25)
    return item * item


def exit_once(models: Models, job: tuple[str, TopicJob]) -> Any:
    """Kill the worker process the first time any worker sees the marker, then summarise."""
    marker, topic_job = job
    try:
        os.unlink(marker)
    except FileNotFoundError:
        return summarize_job(models, topic_job)
    os._exit(1)


def fail_input(models: Models, item: int) -> int:
    """A task that fails on purpose, as the library does."""
    raise InputError(f"item {item} is unreadable")


def build_folder(models: Models, folder: str) -> dict[str, Any]:
    """One folder's brief (a story's unit of work), built with the worker's models."""
    return comparable(build([folder], fake_settings(), models=models))


# --- in process ---------------------------------------------------------------------


def test_local_runner_loads_once_and_reports_each_result_in_order() -> None:
    loads: list[int] = []

    def load() -> Models:
        loads.append(1)
        return Models.load(fake_settings())

    runner = LocalRunner(load)
    seen: list[tuple[int, int]] = []
    assert runner.map(slow_first, [3, 1, 2], done=lambda n, r: seen.append((n, r))) == [9, 1, 4]
    assert runner.map(slow_first, [5]) == [25]
    assert seen == [(1, 9), (2, 1), (3, 4)]
    assert loads == [1]


def test_default_run_never_imports_ray(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from brief.cli import main\n"
        f"main(['build', {str(SEEDS)!r}, {str(QUAKE)!r}, '--stories', 'all', '--out', {str(tmp_path)!r}, '-q'],\n"
        "     standalone_mode=False)\n"
        "print('ray' in sys.modules, 'brief.runner' in sys.modules)\n"
    )
    env = {**os.environ, **FAKE_ENV}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False,
                          env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]  # the runner ran (in process), Ray was never loaded
    assert len(list(tmp_path.glob("brief-*.json"))) == 2


@pytest.mark.parametrize("command", ["build", "nightly"])
def test_ray_option_without_ray_is_a_one_line_error(
    command: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # makes `import ray` fail as if it were not installed
    args = [command, str(SEEDS), "--out", str(tmp_path), "--ray", "local"]
    result = CliRunner().invoke(main, args, env=FAKE_ENV)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert "pip install -e '.[ray]'" in lines[0]
    assert not list(tmp_path.iterdir())


def test_a_cluster_address_nobody_listens_at_fails_at_once(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = ["build", str(SEEDS), "--out", str(tmp_path), "-q", "--ray", f"127.0.0.1:{port}"]
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", "from brief.cli import main; main()", *args], capture_output=True,
                          text=True, timeout=120, check=False, env={**os.environ, **FAKE_ENV})  # fmt: skip
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: cannot join Ray at '127.0.0.1:{port}': "), lines
    assert time.monotonic() - start < 60  # Ray alone would retry for minutes
    assert not list(tmp_path.iterdir())


# --- on Ray ---------------------------------------------------------------------------


def test_workers_load_models_once_and_results_keep_input_order(two_workers: RayRunner) -> None:
    got = two_workers.map(where, list(range(12)))
    assert [item for item, _, _ in got] == list(range(12))
    pids = {pid for _, pid, _ in got}
    assert pids <= set(worker_pids(two_workers)) and os.getpid() not in pids
    # One models object per worker process: loaded in __init__, not per task.
    assert len({(pid, models) for _, pid, models in got}) == len(pids)
    seen: list[int] = []
    assert two_workers.map(slow_first, [0, 1, 2, 3], done=lambda n, r: seen.append(r)) == [0, 1, 4, 9]
    assert seen == [0, 1, 4, 9]  # reported in input order although item 0 finished last


def test_ray_brief_equals_local_brief(two_workers: RayRunner) -> None:
    settings = fake_settings()
    local = build([SEEDS], settings)
    on_ray = build([SEEDS], settings, runner=two_workers)
    assert len(local.topics) >= 2
    assert comparable(on_ray) == comparable(local)


def test_a_worker_that_dies_mid_task_is_restarted_and_the_result_is_the_same(
    two_workers: RayRunner, tmp_path: Path
) -> None:
    settings = fake_settings()
    local = build([SEEDS], settings)
    jobs = [TopicJob(tb.topic, settings, local.date) for tb in local.topics]
    runner = LocalRunner(lambda: Models.load(settings))
    expected = runner.map(summarize_job, jobs)
    marker = tmp_path / "exit-once"
    marker.touch()
    before = set(worker_pids(two_workers))
    got = two_workers.map(exit_once, [(str(marker), job) for job in jobs])
    assert not marker.exists()  # one worker did exit
    assert got == expected
    assert len(set(worker_pids(two_workers)) - before) == 1  # the dead worker came back as a new process


def test_an_actor_killed_from_the_driver_is_restarted_and_its_tasks_rerun(two_workers: RayRunner) -> None:
    ray = two_workers._ray
    victim = two_workers.actors[0]
    first_pid = ray.get(victim.ready.remote())
    killer = threading.Timer(0.6, lambda: ray.kill(victim, no_restart=False))
    killer.start()
    try:
        got = two_workers.map(slow_square, list(range(12)))
    finally:
        killer.join()
    assert got == [i * i for i in range(12)]
    assert ray.get(victim.ready.remote()) != first_pid  # restarted in a new process


def test_a_task_error_comes_back_as_the_library_error(two_workers: RayRunner) -> None:
    with pytest.raises(InputError, match="item 1 is unreadable") as caught:
        two_workers.map(fail_input, [1, 2])
    assert type(caught.value) is InputError  # the library's own error, not Ray's wrapper


def test_a_model_that_cannot_load_is_the_library_error_not_a_crash(ray_session: Any) -> None:
    settings = fake_settings(summarizer=str(Path("no-such-folder") / "model.gguf"))
    with RayRunner(settings, workers=1, cpus_per_worker=1) as runner, pytest.raises(ModelError, match="no-such"):
        runner.map(where, [1])


def test_two_stories_at_once_give_the_briefs_each_gives_alone(two_workers: RayRunner) -> None:
    folders = [str(SEEDS), str(QUAKE)]
    alone = [build_folder(Models.load(fake_settings()), folder) for folder in folders]
    assert two_workers.map(build_folder, folders) == alone
    ids = [{s["id"] for s in brief["sources"]} for brief in alone]
    assert ids[0] and ids[1] and not ids[0] & ids[1]


def test_stories_all_on_ray_gives_the_local_briefs(two_workers: RayRunner) -> None:
    settings = fake_settings()
    local = build_stories([SEEDS, QUAKE], settings, stories="all")
    on_ray = build_stories([SEEDS, QUAKE], settings, stories="all", runner=two_workers)
    assert len(local.briefs) == 2  # two stories, so the stories themselves went to the workers
    assert [comparable(b) for b in on_ray.briefs] == [comparable(b) for b in local.briefs]


def test_nightly_on_ray_writes_what_a_local_night_writes(two_workers: RayRunner, tmp_path: Path) -> None:
    nights = [(dt.date(2015, 11, 17), [SEEDS]), (dt.date(2015, 11, 19), [SEEDS, NIGHT_NEW])]
    results: dict[str, list[dict[str, Any]]] = {}
    for name, runner in (("local", None), ("ray", two_workers)):
        # The same folders for both runs: the JSON records article paths and settings.
        shutil.rmtree(tmp_path / "run", ignore_errors=True)
        inbox = tmp_path / "run" / "inbox"
        inbox.mkdir(parents=True)
        settings = fake_settings(out_dir=tmp_path / "run" / "out")
        results[name] = []
        for night, folders in nights:
            for folder in folders:
                for path in sorted(folder.glob("*.txt")):
                    (inbox / path.name).write_bytes(path.read_bytes())
            done = nightly.run(inbox, settings, date=night, runner=runner)
            results[name].append({**comparable(done.brief), "cost": (done.summarized, done.reused)})
    assert results["ray"] == results["local"]
    assert results["ray"][1]["cost"][1] > 0  # the second night reused stored summaries on Ray too
    # The same night again: every summary is stored, so a fresh runner never starts a worker.
    idle = RayRunner(settings, workers=1, cpus_per_worker=1)
    again = nightly.run(inbox, settings, date=nights[-1][0], runner=idle)
    assert again.summarized == 0 and again.reused == len(again.brief.topics)
    assert idle.actors == []


def test_cli_build_with_ray_writes_the_local_json(ray_session: Any, tmp_path: Path) -> None:
    outputs = {}
    env = {**FAKE_ENV, "BRIEF_RAY_WORKERS": str(WORKERS)}  # the CPUs the shared runner leaves
    for name, extra in (("local", []), ("ray", ["--ray", "local"])):
        out = tmp_path / "out"  # one folder for both: the JSON records the settings
        shutil.rmtree(out, ignore_errors=True)
        result = CliRunner().invoke(main, ["build", str(SEEDS), "--out", str(out), "-q", *extra], env=env)
        assert result.exit_code == 0, result.output
        (written,) = out.glob("brief-*.json")
        data = json.loads(written.read_text(encoding="utf-8"))
        data.pop("generated_at")
        outputs[name] = data
    assert outputs["ray"] == outputs["local"]


@pytest.mark.slow
def test_seed_brief_with_the_real_models_on_ray_equals_the_local_one(
    ray_session: Any, real_models: Models, seed_brief: Any
) -> None:
    """The seeds' topics summarised on Ray with the real summariser and judge (a few minutes).

    One worker of ``threads`` CPUs: on two cores, two llama.cpp workers of two threads
    each would run several times slower than one.
    """
    settings = Settings.load()
    with RayRunner(settings, workers=1) as runner:
        on_ray = build([SEEDS], settings, models=real_models, runner=runner)
    assert without_scores(comparable(on_ray)) == without_scores(comparable(seed_brief))


def without_scores(data: Any) -> Any:
    """The JSON less judge scores: a worker's KV cache holds other prompts than the driver's, and a
    prompt evaluated from another cached prefix can move a probability in its last digits."""
    if isinstance(data, dict):
        return {k: without_scores(v) for k, v in data.items() if k != "entailment"}
    if isinstance(data, list):
        return [without_scores(v) for v in data]
    return data
