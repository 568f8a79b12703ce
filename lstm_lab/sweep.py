"""What-if sweeps: one experiment per cell of a grid over two config fields.

``parse_axis("learning_rate=1e-6:1:log:7")`` reads an axis; :func:`grid` builds the
validated configs; :func:`lstm_lab.cell.run_cell` trains one and reduces it to a
:class:`~lstm_lab.cell.Cell` (verdict, R², flatness, the doctor's top finding) -- the same
function wherever it runs, so a cell's numbers do not depend on the backend:

* ``LocalBackend(runner)`` -- ``SweepCell`` jobs on a runner: a worker pool (or threads,
  in tests), or a :class:`~lstm_lab.dask_runner.DaskRunner`;
* ``DaskBackend(address)`` -- the same jobs on a ``DaskRunner`` of its own, for sweeps that
  outgrow one machine (``LSTM_LAB_DASK_SCHEDULER=tcp://host:8786`` or ``--dask ADDRESS``):
  one mechanism for live runs and sweep cells on a cluster.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .cell import Cell
from .config import RULES, ConfigError, ExperimentConfig, coerce
from .dask_runner import DASK_ENV
from .jobs import Done, Failed, SweepCell

MAX_CELLS = 100
NUMERIC = [name for name, r in RULES.items() if r.kind in (int, float) and r.low is not None]


@dataclass(frozen=True)
class Axis:
    field: str
    values: tuple


def parse_axis(spec: str) -> Axis:
    """``field=a:b:log:n`` (n values, log spacing), ``field=a:b:lin:n`` or ``field=v1,v2,…``."""
    if "=" not in spec:
        raise ConfigError(f"an axis looks like learning_rate=1e-6:1:log:7 or batch_size=8,32; "
                          f"got {spec!r}")
    name, _, rest = spec.partition("=")
    name = name.strip().replace("-", "_")
    if name not in RULES:
        raise ConfigError(f"unknown field {name!r}; a sweep can vary: {', '.join(NUMERIC)}",
                          name)
    if name not in NUMERIC:
        raise ConfigError(f"{name} is not numeric; a sweep can vary: {', '.join(NUMERIC)}",
                          name)
    parts = rest.split(":")
    if len(parts) == 4:
        lo, hi, scale, n = parts
        try:
            lo_f, hi_f, count = float(lo), float(hi), int(n)
        except ValueError:
            raise ConfigError(f"{name}: a range is low:high:log|lin:count, got {rest!r}",
                              name) from None
        if count < 1 or scale not in ("log", "lin"):
            raise ConfigError(f"{name}: a range is low:high:log|lin:count with count ≥ 1, "
                              f"got {rest!r}", name)
        if scale == "log" and (lo_f <= 0 or hi_f <= 0):
            raise ConfigError(f"{name}: a log range needs positive ends, got {rest!r}", name)
        raw = (np.geomspace(lo_f, hi_f, count) if scale == "log"
               else np.linspace(lo_f, hi_f, count))
        values = [float(f"{v:.3g}") for v in raw]
    else:
        values = [v.strip() for v in rest.split(",") if v.strip()]
    if not values:
        raise ConfigError(f"{name}: the range is empty", name)
    out = []
    for v in values:
        v = coerce(name, str(v))
        if RULES[name].kind is int:
            v = int(round(v))
        ExperimentConfig(**{name: v}).check_field(name)
        if v not in out:
            out.append(v)
    return Axis(name, tuple(out))


def grid(base: ExperimentConfig, x: Axis, y: Axis) -> list[tuple[int, int, ExperimentConfig]]:
    """(i, j, config) for every cell, x varying fastest; every config validated."""
    if x.field == y.field:
        raise ConfigError(f"the two axes must be different fields (both are {x.field})")
    n = len(x.values) * len(y.values)
    if n > MAX_CELLS:
        raise ConfigError(f"{len(x.values)} × {len(y.values)} = {n} cells; at most "
                          f"{MAX_CELLS}")
    cells = []
    for j, yv in enumerate(y.values):
        for i, xv in enumerate(x.values):
            try:
                cells.append((i, j, base.replace(**{x.field: xv, y.field: yv})))
            except ConfigError as err:
                raise ConfigError(f"cell {x.field}={xv}, {y.field}={yv}: {err}",
                                  err.field) from None
    return cells


@dataclass
class SweepResult:
    x: Axis
    y: Axis
    cells: list[Cell]
    seconds: float
    stopped: bool

    def to_dict(self) -> dict:
        return {"x": {"field": self.x.field, "values": list(self.x.values)},
                "y": {"field": self.y.field, "values": list(self.y.values)},
                "cells": [c.to_dict(self.x.field, self.y.field) for c in self.cells],
                "seconds": round(self.seconds, 3), "stopped": self.stopped}


# --- backends ------------------------------------------------------------------------
class LocalBackend:
    """Cells as ``cell`` jobs on a runner (its pool, queue and replay cache)."""

    def __init__(self, runner):
        self.runner = runner

    def map(self, configs, x_field, y_field, on_cell, should_stop, poll=0.05):
        task = SweepCell(x_field, y_field)
        handles = [self.runner.submit(c, task=task) for c in configs]
        pending = dict(enumerate(handles))
        try:
            while pending:
                if should_stop is not None and should_stop():
                    return True
                for k, h in list(pending.items()):
                    for event in h.poll():
                        if isinstance(event, Done):
                            on_cell(k, event.result)
                            del pending[k]
                        elif isinstance(event, Failed):
                            raise RuntimeError(event.message)
                time.sleep(poll)
        finally:
            for h in handles:
                h.cancel()
        return False


class DaskBackend(LocalBackend):
    """Cells as ``cell`` jobs on a :class:`~lstm_lab.dask_runner.DaskRunner` of its own
    (the same function, the same numbers); an unreachable scheduler is a ConfigError."""

    def __init__(self, address: str):
        from .dask_runner import DaskRunner

        self.address = address
        super().__init__(DaskRunner(address))

    def close(self) -> None:
        self.runner.shutdown()


def default_backend(runner=None):
    """Dask when LSTM_LAB_DASK_SCHEDULER is set, else the given runner (or threads)."""
    address = os.environ.get(DASK_ENV)
    if address:
        return DaskBackend(address)
    if runner is None:
        from .runner import InProcessRunner

        runner = InProcessRunner(workers=1)
    return LocalBackend(runner)


def run_sweep(base: ExperimentConfig, x: Axis, y: Axis, backend=None,
              on_cell: Callable[[Cell, int, int], None] | None = None,
              should_stop: Callable[[], bool] | None = None,
              on_tick: Callable[[int, int], None] | None = None) -> SweepResult:
    """Every cell of the grid, in grid order; ``on_cell(cell, done, total)`` as each ends.

    ``on_tick(done, total)`` is called every time the backend looks for finished cells
    (about 20 times a second), also before the first one ends: a page's progress line
    moves from its first second, while the workers still start or compile.
    """
    cells = grid(base, x, y)
    backend = backend or default_backend()
    done: dict[int, Cell] = {}
    start = time.perf_counter()

    def got(k: int, cell: Cell) -> None:
        done[k] = cell
        if on_cell is not None:
            on_cell(cell, len(done), len(cells))

    def polled() -> bool:  # the backends poll should_stop between looks: tick there
        if on_tick is not None:
            on_tick(len(done), len(cells))
        return should_stop is not None and should_stop()

    stopped = backend.map([c for _, _, c in cells], x.field, y.field, got, polled)
    ordered = [done[k] for k in sorted(done)]
    return SweepResult(x, y, ordered, time.perf_counter() - start, stopped)
