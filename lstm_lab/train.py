"""run_experiment: config in, scored result out, with a report after every epoch."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from . import metrics
from .config import ExperimentConfig
from .data import Prepared, prepare


@dataclass(frozen=True)
class EpochReport:
    """What the live view needs after one epoch.

    predictions : (n_test, n_targets) in original units
    input_grad_norms : (n_features,) ‖∂loss/∂x_f‖ over the epoch's training batches, in
        model units (each batch's mean loss, squares summed over batches and time)
    weight_change : ‖W_after - W_before‖ / ‖W_before‖ over this epoch
    """

    epoch: int  # 1-based
    epochs: int
    train_loss: float
    test_loss: float
    predictions: np.ndarray
    weight_change: float
    input_grad_norms: np.ndarray
    elapsed: float


@dataclass(frozen=True)
class TargetResult:
    name: str
    scores: metrics.Scores
    verdict: str
    predictable: bool
    baselines: dict[str, metrics.Scores]


@dataclass
class ExperimentResult:
    """A finished (or stopped, or diverged) run: data, predictions, scores, history."""

    config: ExperimentConfig
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]
    test_index: np.ndarray  # (n_test,)
    y_test: np.ndarray  # (n_test, n_targets), original units
    predictions: np.ndarray  # (n_test, n_targets), original units, last epoch
    baselines: dict[str, np.ndarray]  # name -> (n_test, n_targets)
    targets: list[TargetResult]
    verdict: str
    diverged: bool
    stopped: bool
    epochs_run: int
    train_seconds: float
    history: list[EpochReport] = field(default_factory=list)
    weight_change_total: float = 0.0  # ‖W_end - W_start‖ / ‖W_start‖ over the run
    test_times: np.ndarray | None = None  # (n_test,) datetime64: a file's dates, else None

    def to_dict(self) -> dict:
        """The JSON summary printed by ``python -m lstm_lab run --json``."""
        return {
            "config": self.config.to_dict(),
            "targets": [
                {"name": t.name, **t.scores.to_dict(), "verdict": t.verdict,
                 "predictable": t.predictable}
                for t in self.targets
            ],
            "baselines": {
                t.name: {k: s.to_dict() for k, s in t.baselines.items()} for t in self.targets
            },
            "verdict": self.verdict,
            "diverged": self.diverged,
            "stopped": self.stopped,
            "epochs_run": self.epochs_run,
            "train_seconds": round(self.train_seconds, 3),
            "weight_change_total": _finite_or_none(self.weight_change_total),
            "loss": [_finite_or_none(r.train_loss) for r in self.history],
            "test_loss": [_finite_or_none(r.test_loss) for r in self.history],
        }


def run_experiment(
    config: ExperimentConfig,
    on_epoch: Callable[[EpochReport], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    *,
    jit_compile: bool = True,
) -> ExperimentResult:
    """Train the config's model and score it against naive baselines.

    Parameters
    ----------
    config : validated here; a bad value raises ConfigError before any work.
    on_epoch : called with an :class:`EpochReport` after every epoch.
    should_stop : polled before every epoch; True returns the partial result, ``stopped``.

    A NaN/inf loss ends training and returns a result marked ``diverged``.
    """
    config.validate()
    from .model import engine_for  # TensorFlow loads here, not on `import lstm_lab`

    data = prepare(config)
    engine = engine_for(shape_for(config, data), jit_compile=jit_compile)
    engine.reset(config.seed, config.learning_rate)

    t = _to_tensors(data)
    rng = np.random.default_rng([config.seed, 2])  # stream 2: batch order

    history: list[EpochReport] = []
    diverged = stopped = False
    start = time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        if should_stop is not None and should_stop():
            stopped = True
            break
        order = rng.permutation(len(data.x_train))
        train_loss, pred, test_loss, grads, change = engine.run_epoch(
            t["x_train"], t["y_train"], order, t["x_test"], t["y_test"])
        report = EpochReport(
            epoch=epoch,
            epochs=config.epochs,
            train_loss=train_loss,
            test_loss=test_loss,
            predictions=data.to_original(pred),
            weight_change=change,
            input_grad_norms=grads,
            elapsed=time.perf_counter() - start,
        )
        history.append(report)
        if on_epoch is not None:
            on_epoch(report)
        if not (math.isfinite(train_loss) and math.isfinite(test_loss)):
            diverged = True
            break
    seconds = time.perf_counter() - start
    if history:
        final = history[-1].predictions
    else:  # stopped before the first epoch: score what the untrained network says
        final = data.to_original(engine.predict(t["x_test"]))
    result = _score(config, data, final, history, diverged, stopped, seconds)
    result.weight_change_total = engine.total_change()
    return result


def shape_for(config: ExperimentConfig, data: Prepared):
    """The engine shape a config's prepared data trains on."""
    from .model import Shape

    return Shape(
        seq_len=config.seq_len,
        n_features=data.x_train.shape[2],
        n_targets=data.y_train.shape[-1],
        units=config.units,
        batch_size=config.batch_size,
        optimizer=config.optimizer,
        broadcast_target=config.shape_bug,
    )


def _to_tensors(data: Prepared) -> dict:
    import tensorflow as tf

    names = ("x_train", "y_train", "x_test", "y_test")
    return {k: tf.constant(getattr(data, k)) for k in names}


def score_targets(series, y_test: np.ndarray, baselines: dict, pred: np.ndarray,
                  diverged: bool) -> tuple[list[TargetResult], str]:
    """Score predictions (n_test, n_targets) of every target, and the overall verdict.

    The overall verdict is the worst target's, leaving out columns known to be pure
    noise: a flat line there is the right answer, not a failure.
    """
    targets = []
    for j, col in enumerate(series.targets):
        truth = y_test[:, j]
        model_scores = metrics.score(truth, pred[:, j])
        base = {k: metrics.score(truth, b[:, j]) for k, b in baselines.items()}
        v = metrics.verdict(model_scores, base, diverged)
        targets.append(TargetResult(series.names[col], model_scores, v,
                                    series.predictable[col], base))
    judged = [t.verdict for t in targets if t.predictable] or [t.verdict for t in targets]
    return targets, metrics.worst(judged)


def _score(config, data: Prepared, pred, history, diverged, stopped, seconds):
    s = data.series
    targets, overall = score_targets(s, data.y_test_raw, data.baselines, pred, diverged)
    return ExperimentResult(
        config=config,
        feature_names=s.names,
        target_names=tuple(s.names[c] for c in s.targets),
        test_index=data.test_index,
        y_test=data.y_test_raw,
        predictions=pred,
        baselines=data.baselines,
        targets=targets,
        verdict=overall,
        diverged=diverged,
        stopped=stopped,
        epochs_run=len(history),
        train_seconds=seconds,
        history=history,
        test_times=data.test_times,
    )


def _finite_or_none(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None
