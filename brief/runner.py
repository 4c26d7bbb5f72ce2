"""Where per-story and per-topic work runs.

The pipeline says *what* to map ("summarise each of these topics"); a
:class:`Runner` says *where*. A task is a module-level function
``task(models, item) -> result`` so that it can be shipped to another process;
the runner supplies the loaded models, and always returns results in the order
of ``items``, whichever worker finished first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from brief.pipeline import Models

T = TypeVar("T")
R = TypeVar("R")


class Runner(Protocol):
    """Maps a task over items, giving each call the run's loaded models."""

    def map(self, task: Callable[[Models, T], R], items: Sequence[T]) -> list[R]:
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

    def map(self, task: Callable[[Models, T], R], items: Sequence[T]) -> list[R]:
        """Run ``task`` on each item in turn."""
        return [task(self.models, item) for item in items]
