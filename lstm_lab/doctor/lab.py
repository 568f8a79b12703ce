"""The lab front end: the doctor's measurements of a finished lab run.

:func:`diagnose` is what the app, the CLI and the sweep call: findings for a lab run, most
likely first. :func:`measure` reads the run's history and its prepared data into the
:class:`~lstm_lab.doctor.measures.Measurements` that the rules (:mod:`.rules`) judge -- the
same rules a Keras fit is judged by.
"""

from __future__ import annotations

import math

import numpy as np

from .. import signals
from ..data import Prepared, prepare, season_window
from ..metrics import best_r2
from ..train import ExperimentResult
from .measures import Measurements, grad_share, spurious_columns, still_falling
from .rules import Finding, healthy_line, judge


def diagnose(result: ExperimentResult, data: Prepared | None = None) -> list[Finding]:
    """Findings for a lab run, most likely first; ``[healthy]`` when it learned.

    ``data`` is the run's prepared data (rebuilt from the config when not given).
    """
    if result.verdict == "learning" and not result.stopped:
        return [Finding("healthy", "Nothing to fix: the model learned the pattern",
                        tuple(_healthy_evidence(result)), None, 1.0, "Nothing to change.")]
    data = data if data is not None else prepare(result.config)
    return judge(measure(result, data))


def measure(result: ExperimentResult, data: Prepared) -> Measurements:
    """The lab front end: measurements of a finished lab run and its prepared data."""
    c = result.config
    losses = [r.train_loss for r in result.history]
    finite = [x for x in losses if math.isfinite(x)]
    steps = max(1, math.ceil(len(data.x_train) / c.batch_size))
    changes = [r.weight_change for r in result.history if math.isfinite(r.weight_change)]
    split = data.split
    inputs = data.inputs.astype(np.float64)  # (T, F) model units
    counts, worst = signals.robust_outliers(inputs, ref=inputs[:split])
    y = _target_history(data)  # (T,) first target in model units, as recorded
    period = signals.dominant_period(y[:split], max_period=split // 2)
    known = data.series.season(data.series.targets[0])
    long_window = season_window(c, known or period.steps)
    target_shape = tuple(data.y_train.shape)
    return Measurements(
        verdict=result.verdict,
        diverged=result.diverged,
        losses=losses,
        steps_per_epoch=steps,
        update_ratio=float(np.median(changes)) / steps if changes else 0.0,
        total_change=result.weight_change_total,
        still_falling=still_falling(finite),
        end_vs_best=finite[-1] / min(finite) if finite and min(finite) > 0 else 1.0,
        missing=int(np.isnan(inputs).sum()),
        n_values=inputs.size,
        outliers=int(counts.sum()),
        worst_z=float(worst.max()),
        input_std=np.nanstd(inputs[:split], axis=0),
        feature_names=tuple(result.feature_names),
        period=period,
        probe_now=signals.linear_probe_r2(y, split, c.seq_len, c.horizon),
        probe_long=signals.linear_probe_r2(y, split, long_window, c.horizon),
        window=c.seq_len,
        long_window=long_window,
        best_baseline_r2=_best_baseline(result),
        learning_rate=c.learning_rate,
        optimizer=c.optimizer,
        epochs=c.epochs,
        flatness=_flatness(result),
        nan_epoch=next((h.epoch for h in result.history if not math.isfinite(h.train_loss)),
                       None),
        spurious=_spurious_columns(data, c.horizon),
        grad_share=_grad_share(result),
        broadcast=((target_shape[1:], target_shape[2:]) if len(target_shape) == 3 else None),
        config=c,
        known_season=known,
    )


def _target_history(data: Prepared) -> np.ndarray:
    """The first target as recorded over the whole series, in model units, (T,)."""
    j = data.series.targets[0]
    return (data.series.values[:, j] - data.target_mean[0]) / data.target_scale[0]


def _best_baseline(r: ExperimentResult) -> float | None:
    values = [s.r2 for t in r.targets if t.predictable for s in t.baselines.values()
              if s.r2 is not None]
    return max(values) if values else None


def _spurious_columns(data: Prepared, horizon: int) -> list[tuple[str, float, float, float]]:
    return spurious_columns(data.inputs, _target_history(data), data.split, horizon,
                            data.series.names, skip=data.series.targets)


def _grad_share(r: ExperimentResult) -> dict[str, float]:
    if not r.history:
        return {}
    return grad_share(r.history[-1].input_grad_norms, r.feature_names)



def _flatness(r: ExperimentResult) -> float | None:
    values = [t.scores.flatness for t in r.targets if t.scores.flatness is not None]
    return min(values) if values else None


def _healthy_evidence(r: ExperimentResult) -> list[str]:
    return [healthy_line(t.name, t.scores, best_r2(t.baselines)) for t in r.targets
            if t.predictable]

