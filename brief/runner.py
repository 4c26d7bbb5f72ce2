"""Where per-story and per-topic work runs.

The pipeline says *what* to map ("summarise each of these topics"); a
:class:`Runner` says *where*. A task is a module-level function
``task(models, item) -> result`` so that it can be shipped to another process;
the runner supplies the loaded models, and always returns results in the order
of ``items``, whichever worker finished first.

:class:`LocalRunner` runs everything in this process. :class:`RayRunner` keeps
a pool of Ray actors, each of which loads the models once, and hands items to
whichever actor is free. This is the only module that imports Ray, and only
inside :class:`RayRunner` and its helpers, so a run without ``--ray`` never
loads it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar

from brief.errors import BriefError, ConfigError

if TYPE_CHECKING:
    from brief.config import Settings
    from brief.pipeline import Models

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Called with (items finished so far, the latest result) as results arrive in input order,
# so a caller can keep each result (and draw progress) before the whole map is done.
Done = Callable[[int, Any], None]

INSTALL_HINT = "pip install -e '.[ray]' (or pip install ray==2.60.0)"
# How often Ray restarts a worker that died (OOM killer, lost node) and re-sends its task.
RESTARTS = 3
# Seconds to wait for a cluster address to answer before giving up.
CONNECT_TIMEOUT = 10.0


class Runner(Protocol):
    """Maps a task over items, giving each call the run's loaded models."""

    def map(self, task: Callable[[Models, T], R], items: Sequence[T], done: Done | None = None) -> list[R]:
        """``[task(models, item) for item in items]``, wherever it runs, in input order."""
        ...


class LocalRunner:
    """Runs every task in this process, loading the models at most once."""

    def __init__(self, load: Callable[[], Models]) -> None:
        self._load = load
        self._models: Models | None = None

    @property
    def models(self) -> Models:
        """The models, loaded on first use."""
        if self._models is None:
            self._models = self._load()
        return self._models

    def map(self, task: Callable[[Models, T], R], items: Sequence[T], done: Done | None = None) -> list[R]:
        """Run ``task`` on each item in turn.

        Args:
            task: a function of (models, item).
            items: the items.
            done: called with (count finished, result) after each item.

        Returns:
            The results, in the order of ``items``.
        """
        results: list[R] = []
        for item in items:
            results.append(task(self.models, item))
            if done is not None:
                done(len(results), results[-1])
        return results


class ModelWorker:
    """What each Ray actor holds: the run's models, loaded once when the actor starts.

    A plain class so that this module needs no Ray to import; :class:`RayRunner`
    turns it into an actor. Ray re-runs ``__init__`` when it restarts a dead actor.
    """

    def __init__(self, settings: Settings) -> None:
        from brief.pipeline import Models

        self.pid = os.getpid()
        self.models: Models | None = None
        # A model that cannot load is the user's error, not a crash: keep it for ready() to
        # raise, rather than die and have Ray restart the actor to fail the same way again.
        self.error: BriefError | None = None
        try:
            self.models = Models.load(settings)
        except BriefError as exc:
            self.error = exc

    def run(self, task: Callable[[Models, T], R], item: T) -> R:
        """``task(models, item)`` with this worker's models."""
        return task(self._loaded(), item)

    def ready(self) -> int:
        """The worker's process id, once its models are loaded.

        Raises:
            BriefError: the models could not be loaded.
        """
        self._loaded()
        return self.pid

    def _loaded(self) -> Models:
        if self.models is None:
            raise self.error or BriefError("the worker has no models")
        return self.models


class RayRunner:
    """Runs tasks on a pool of Ray actors that each load the models once.

    Items go to whichever actor is free (``ray.util.ActorPool``), and results
    come back in input order. An actor that dies mid-task (killed, out of
    memory, its node lost) is restarted by Ray, which loads its models again
    and re-sends the unfinished task; tasks are pure functions of their item,
    so the result is the same.

    Ray and the actors start on the first :meth:`map` (or :meth:`start`), so a
    run that has nothing to send (every summary stored) never starts them. Use
    it as a context manager, or call :meth:`close`, to stop the actors and the
    embedded Ray this runner started, if any.
    """

    def __init__(
        self,
        settings: Settings,
        address: str = "local",
        *,
        workers: int | None = None,
        cpus_per_worker: float | None = None,
        restarts: int = RESTARTS,
    ) -> None:
        """Check that Ray is installed and remember how to start the actors.

        Args:
            settings: the run's settings; every actor loads ``Models.load(settings)``.
            address: ``local`` (start an embedded Ray on this machine), ``auto`` (join
                the cluster this machine belongs to) or a cluster address
                (``HOST:6379`` or ``ray://HOST:10001``). Ignored when Ray is already
                initialised in this process (a caller that started it owns it).
            workers: how many actors (default: ``settings.ray_workers``, else as many as
                the cluster's CPUs allow at ``cpus_per_worker`` each).
            cpus_per_worker: CPUs Ray reserves for each actor (default:
                ``settings.threads``, the threads a model uses).
            restarts: how often a dead actor is restarted and its task retried.

        Raises:
            ConfigError: Ray is not installed, or nothing listens at ``address``.
        """
        self._ray = import_ray()
        if not self._ray.is_initialized():
            _check_reachable(address)
        self.settings = settings
        self.address = address
        self.workers = workers or settings.ray_workers or None
        self.cpus = float(cpus_per_worker if cpus_per_worker is not None else max(settings.threads, 1))
        self.restarts = restarts
        self.actors: list[Any] = []
        self.pids: list[int] = []
        self.started_ray = False

    def start(self) -> RayRunner:
        """Start (or join) Ray and the actors, and wait until each has loaded its models.

        Returns:
            This runner.

        Raises:
            ConfigError: the cluster cannot be reached.
            BriefError: an actor could not load the models.
        """
        if self.actors:
            return self
        ray = self._ray
        if not ray.is_initialized():
            _init(ray, self.address)
            self.started_ray = True
        count = self.workers or _fitting(ray, self.cpus)
        actor = ray.remote(ModelWorker).options(
            num_cpus=self.cpus, max_restarts=self.restarts, max_task_retries=self.restarts, max_concurrency=1
        )
        self.actors = [actor.remote(self.settings) for _ in range(count)]
        # Wait for every actor's models here so a load failure is one clear error, not a task error.
        with _ray_errors(ray):
            self.pids = ray.get([a.ready.remote() for a in self.actors])
        log.info("Ray runner: %d workers, %g CPUs each", count, self.cpus)
        return self

    def map(self, task: Callable[[Models, T], R], items: Sequence[T], done: Done | None = None) -> list[R]:
        """Run ``task`` on each item on the actors, in input order.

        Args:
            task: a module-level function of (models, item); both must pickle.
            items: the items.
            done: called with (count finished, result) as each arrives, in input order.

        Returns:
            The results, in the order of ``items``.

        Raises:
            BriefError: what a task raised on purpose (a model or input error), or a
                worker that died more often than ``restarts``.
        """
        if not items:
            return []
        from ray.util import ActorPool

        pool = ActorPool(self.start().actors)
        results: list[R] = []
        with _ray_errors(self._ray):
            for result in pool.map(lambda actor, item: actor.run.remote(task, item), list(items)):
                results.append(result)
                if done is not None:
                    done(len(results), result)
        return results

    def close(self) -> None:
        """Stop the actors, and the embedded Ray if this runner started it."""
        for actor in self.actors:
            self._ray.kill(actor, no_restart=True)
        self.actors = []
        if self.started_ray:
            self._ray.shutdown()
            self.started_ray = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def _ray_errors(ray: ModuleType) -> Iterator[None]:
    """Turn Ray's wrapped errors into the library's: a task's own BriefError comes out as itself."""
    try:
        yield
    except ray.exceptions.RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, BriefError):
            raise cause from None
        raise BriefError(f"a Ray task failed: {_first_line(exc)}") from exc
    except ray.exceptions.RayError as exc:
        raise BriefError(f"Ray lost a worker for good: {_first_line(exc)}") from exc


def import_ray() -> ModuleType:
    """The ``ray`` module, or a one-line error that says how to install it.

    Raises:
        ConfigError: Ray is not installed.
    """
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(f"running on Ray needs the ray package: {INSTALL_HINT}") from exc
    return ray


def _init(ray: ModuleType, address: str) -> None:
    """Start an embedded Ray (``local``) or join a cluster."""
    # Ray's own log lines go through the application's logging (--quiet keeps them out of cron mail).
    quiet = {"log_to_driver": False, "configure_logging": False}
    try:
        if address == "local":
            # "local" always starts a fresh Ray here, even when RAY_ADDRESS names a cluster.
            ray.init(address="local", num_cpus=os.cpu_count() or 1, include_dashboard=False, **quiet)
        else:
            ray.init(address=address, **quiet)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ConfigError(f"cannot start or join Ray at {address!r}: {_first_line(exc)}") from exc


def _check_reachable(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Fail at once when nothing listens at a ``HOST:PORT`` address.

    Ray itself retries an unreachable head node for about 13 minutes before it
    gives up, which a nightly cron job should not sit through.
    """
    host, _, port = address.rpartition(":")
    if address in ("local", "auto") or "://" in address or not host or not port.isdigit():
        return
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise ConfigError(f"cannot join Ray at {address!r}: {exc}") from exc


def _fitting(ray: ModuleType, cpus: float) -> int:
    """How many actors of ``cpus`` CPUs each the cluster holds (at least one)."""
    total = float(ray.cluster_resources().get("CPU", 1.0))
    return max(1, int(total // cpus))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def ray_runner(address: str, settings: Settings) -> RayRunner:
    """The runner ``--ray ADDRESS`` asks for (the CLI's one call).

    Args:
        address: ``local``, ``auto`` or a cluster address.
        settings: the run's settings.

    Returns:
        A :class:`RayRunner` (Ray starts on its first map); close it when the run is done.
    """
    return RayRunner(settings, address)
