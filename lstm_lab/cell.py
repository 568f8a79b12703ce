"""One sweep cell: train a config and reduce it to what the phase diagram shows.

Its own module so that the runners (which execute cells as jobs) and the sweep (which
lays the cells out) both import it, and not each other.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Callable

from .config import ExperimentConfig


@dataclass(frozen=True)
class Cell:
    """One finished cell. ``config`` keeps the runner's cache and replay working."""

    config: ExperimentConfig
    x: float
    y: float
    verdict: str
    r2: float | None
    flatness: float | None
    best_baseline_r2: float | None
    finding: str
    fix: dict | None
    seconds: float
    stopped: bool = False

    def to_dict(self, x_field: str, y_field: str) -> dict:
        d = asdict(self)
        d.pop("config")
        d.pop("stopped")
        d["patch"] = {x_field: self.x, y_field: self.y}
        return d


def run_cell(config: ExperimentConfig, x_field: str, y_field: str,
             should_stop: Callable[[], bool] | None = None) -> Cell:
    """Train one cell's config and reduce it to what the heatmap shows."""
    from .doctor import diagnose
    from .train import run_experiment

    result = run_experiment(config, should_stop=should_stop)
    top = diagnose(result)[0]
    judged = [t for t in result.targets if t.predictable] or result.targets
    worst = min(judged, key=lambda t: -math.inf if t.scores.r2 is None else t.scores.r2)
    base = max((s.r2 for s in worst.baselines.values() if s.r2 is not None), default=None)
    return Cell(config, getattr(config, x_field), getattr(config, y_field), result.verdict,
                worst.scores.r2, worst.scores.flatness, base, top.code, top.fix,
                round(result.train_seconds, 3), result.stopped)

