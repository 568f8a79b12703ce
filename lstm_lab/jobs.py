"""Typed records of the runners: what a job is, and what its event stream says.

A :class:`Job` is a config plus a task -- :data:`RUN` (train and score), :data:`LR_FIND`
(the learning-rate range test) or a :class:`SweepCell` (one cell of a sweep). Every
runner (threads, worker processes, a Dask cluster) executes a job with :func:`perform`,
so a job's numbers do not depend on where it ran.

A submitted job reports through events, in this order:

* :class:`Queued` -- waiting for a free worker (``position`` 1 = next, 0 = about to start);
* :class:`Started`;
* :class:`Epoch` -- one per epoch, with its :class:`~lstm_lab.train.EpochReport`;
* :class:`Done` -- finished, stopped or diverged (the payload is the task's result), or
  :class:`Failed` -- the worker died or the job raised (``message`` is one line for the user).

:class:`Waiting` is not sent by a runner: ``RunHandle.events(timeout=...)`` yields it when
nothing arrived in time. Every event has a ``kind`` string (``"queued"``, ``"started"``,
``"epoch"``, ``"done"``, ``"error"``, ``"waiting"``) for code that only needs the type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Union

from .config import ExperimentConfig


# --- tasks -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    """Train and score the config (``run_experiment``); the result is an ExperimentResult."""

    name: ClassVar[str] = "run"


@dataclass(frozen=True)
class LRFind:
    """The learning-rate range test; the result is an LRFindResult."""

    name: ClassVar[str] = "lr_find"


@dataclass(frozen=True)
class SweepCell:
    """One sweep cell over two fields; the result is a :class:`~lstm_lab.cell.Cell`."""

    x_field: str
    y_field: str

    @property
    def name(self) -> str:
        # the journal's (and the replay cache's) spelling since before tasks were typed
        return f"cell:{self.x_field}:{self.y_field}"


Task = Union[Run, LRFind, SweepCell]
RUN, LR_FIND = Run(), LRFind()


@dataclass(frozen=True)
class Job:
    """A config and what to do with it: what a runner queues, and what a worker receives."""

    config: ExperimentConfig
    task: Task = RUN

    def __post_init__(self) -> None:
        if not isinstance(self.task, (Run, LRFind, SweepCell)):
            raise ValueError(f"unknown task {self.task!r}; a task is RUN, LR_FIND or "
                             "SweepCell(x_field, y_field)")

    @property
    def key(self) -> str:
        """The replay cache's key: same task and config, same numbers."""
        return f"{self.task.name}:{self.config.to_json()}"


def perform(job: Job, on_epoch: Callable | None = None,
            should_stop: Callable[[], bool] | None = None) -> Any:
    """Run one job where this is called (a worker process, a runner thread, a Dask task)."""
    task, config = job.task, job.config
    if isinstance(task, SweepCell):
        from .cell import run_cell

        return run_cell(config, task.x_field, task.y_field, should_stop=should_stop)
    if isinstance(task, LRFind):
        from .lr_find import lr_range_test

        return lr_range_test(config, should_stop=should_stop)
    from .train import run_experiment

    return run_experiment(config, on_epoch=on_epoch, should_stop=should_stop)


# --- events ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Queued:
    position: int
    kind: ClassVar[str] = "queued"


@dataclass(frozen=True)
class Started:
    kind: ClassVar[str] = "started"


@dataclass(frozen=True)
class Epoch:
    report: Any  # EpochReport (typed loosely: importing train would load numpy-heavy code)
    kind: ClassVar[str] = "epoch"


@dataclass(frozen=True)
class Done:
    result: Any  # ExperimentResult, LRFindResult or Cell, by task
    kind: ClassVar[str] = "done"


@dataclass(frozen=True)
class Failed:
    message: str
    kind: ClassVar[str] = "error"


@dataclass(frozen=True)
class Waiting:
    position: int
    kind: ClassVar[str] = "waiting"


Event = Union[Queued, Started, Epoch, Done, Failed, Waiting]
FINAL = (Done, Failed)
