"""What the doctor measures, shared by its two front ends: :class:`Measurements`, the one
record the rules read, and the measurements both a lab run and a Keras fit take the same way
(the loss's fall, columns whose correlation breaks after training, each input's gradient
share). Nothing here knows a rule, a lab run or Keras: numpy and :mod:`lstm_lab.signals`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import signals


@dataclass
class Measurements:
    """Everything the rules look at, from either front end (lab run or Keras fit).

    Arrays are per input feature, in the units the model read. ``config`` is the lab
    run's config (None for a Keras fit): only the lab's config patches need it.
    """

    verdict: str
    diverged: bool
    losses: list[float]  # train loss per epoch
    steps_per_epoch: int
    update_ratio: float  # median per-step ‖ΔW‖/‖W‖
    total_change: float  # ‖W_end - W_start‖ / ‖W_start‖
    still_falling: float  # relative train-loss drop per epoch over the last epochs
    end_vs_best: float  # final train loss / best train loss
    missing: int  # non-finite input values
    n_values: int
    outliers: int
    worst_z: float
    input_std: np.ndarray  # (F,) training-span std as the model saw it
    feature_names: tuple[str, ...]
    period: signals.Period
    probe_now: float | None  # linear probe R² with the run's window (or inputs)
    probe_long: float | None  # ... with a window of one season
    window: int | None  # steps per input window (None: no time axis)
    long_window: int
    best_baseline_r2: float | None
    learning_rate: float
    optimizer: str
    epochs: int
    flatness: float | None = None
    missing_targets: int = 0
    nan_epoch: int | None = None  # first epoch whose loss was not finite
    spurious: list[tuple[str, float, float, float]] = field(default_factory=list)
    grad_share: dict[str, float] = field(default_factory=dict)
    # (target shape, output shape) per sample when they differ and the loss broadcast them
    broadcast: tuple[tuple, tuple] | None = None
    target_mean: float = 0.0  # the target as the loss saw it
    target_std: float = 1.0
    prediction_mean: float | None = None
    # layer name -> (share of saturated or dead units, what: "dead ReLU" / "saturated")
    saturation: dict[str, tuple[float, str]] = field(default_factory=dict)
    layer_updates: dict[str, float] = field(default_factory=dict)  # per-step ratio per layer
    # layers whose weights ended NaN/inf (a Keras fit: a ReLU can hide them as a finite,
    # flat output while the loss stays finite)
    nonfinite_weights: tuple[str, ...] = ()
    healthy_evidence: list[str] = field(default_factory=list)
    config: object | None = None  # the lab's ExperimentConfig
    # which target the probes, the baseline and the verdict speak of ("target 2" when a fit
    # has several and another one decides the verdict)
    target_name: str = "the target"
    # the target's main cycle in steps where it is known, not estimated: a lab run on a
    # generated series (its generator made it). None for a CSV and for a Keras fit, where
    # only ``period`` (estimated from the noisy data) is there.
    known_season: int | None = None
    # a Keras fit's output head that cannot reach its targets: (activation, low, high,
    # share of training targets outside [low, high], target min, target max, output name)
    output_range: tuple | None = None
    # a Keras fit's loss that does not fit a continuous target: (loss name, why)
    loss_mismatch: tuple[str, str] | None = None


def still_falling(losses: list[float]) -> float:
    """Mean relative drop per epoch of the train loss over the last (up to) 3 epochs."""
    tail = losses[-4:]
    if len(tail) < 2:
        return 1.0 if len(losses) == 1 else 0.0  # one epoch: assume it had only begun
    drops = [(a - b) / a for a, b in zip(tail, tail[1:]) if a > 0]
    return float(np.mean(drops)) if drops else 0.0


def spurious_columns(x: np.ndarray, y: np.ndarray, split: int, horizon: int,
                     names, skip=()) -> list[tuple[str, float, float, float]]:
    """Inputs whose correlation with the target ``horizon`` steps later holds in the
    training span and breaks after it: (name, corr train, corr test, drop).

    x : (T, F) inputs over time, y : (T,) target over time, split : first test step.
    """
    out = []
    for j, name in enumerate(names):
        if j in skip:
            continue
        xj = x[:, j].astype(np.float64)
        lead = y[horizon:]  # the target h steps after each input
        train = signals.correlation(xj[: split - horizon], lead[: split - horizon])
        test = signals.correlation(xj[split - horizon: -horizon or None], lead[split - horizon:])
        if abs(train) > 0.8 and abs(train) - abs(test) > 0.4:
            out.append((name, train, test, abs(train) - abs(test)))
    return out



def grad_share(norms, names) -> dict[str, float]:
    """Each input's share of the input-gradient norm, by name ({} when not finite)."""
    g = np.asarray(norms, dtype=np.float64)
    if not np.all(np.isfinite(g)) or g.sum() <= 0:
        return {}
    return {n: float(v) for n, v in zip(names, g / g.sum())}

