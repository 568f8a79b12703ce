"""Learning-rate range test (as fastai's ``lr_find``, after Leslie Smith, 2015).

One pass of training in which the learning rate rises exponentially every step; the
smoothed loss first falls, bottoms out and then explodes. The suggestion is the rate
at the bottom divided by ten: fast, yet clear of the cliff.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .config import RULES, ExperimentConfig

EXPLODE = 4.0  # stop once the smoothed loss exceeds 4× its best


def clamp_lr(lr: float) -> float:
    """A learning rate inside the config's range, rounded to 2 significant digits."""
    rule = RULES["learning_rate"]
    return float(f"{min(rule.high, max(rule.low, lr)):.2g}")


@dataclass(frozen=True)
class LRFindResult:
    """lrs, losses : (n,) the rate and the smoothed loss of every step taken."""

    config: ExperimentConfig
    lrs: np.ndarray
    losses: np.ndarray
    suggestion: float | None  # None when the loss never fell
    best_lr: float | None  # the rate at the smoothed loss's minimum
    exploded: bool  # stopped because the loss blew up (the usual end)
    stopped: bool = False  # cancelled by the caller

    def to_dict(self) -> dict:
        return {
            "lrs": [float(x) for x in self.lrs],
            "losses": [float(x) if math.isfinite(x) else None for x in self.losses],
            "suggestion": self.suggestion,
            "best_lr": self.best_lr,
            "exploded": self.exploded,
        }


def lr_range_test(config: ExperimentConfig, *, start: float = 1e-6, end: float = 10.0,
                  steps: int = 120, beta: float = 0.9,
                  should_stop: Callable[[], bool] | None = None) -> LRFindResult:
    """Run the range test on the config's data and model (its own LR is ignored).

    Parameters
    ----------
    start, end : the first and last rate; the rate is ``start * (end/start)**(i/(steps-1))``
    steps : number of training steps (batches, cycling through shuffled windows)
    beta : smoothing of the loss (exponential moving average with bias correction)
    """
    config.validate()
    from .data import prepare
    from .model import engine_for
    from .train import _to_tensors, shape_for

    data = prepare(config)
    engine = engine_for(shape_for(config, data))
    engine.reset(config.seed, start)
    t = _to_tensors(data)
    rng = np.random.default_rng([config.seed, 5])  # stream 5: range-test batches
    n, B = len(data.x_train), min(config.batch_size, len(data.x_train))
    order = rng.permutation(n)
    lrs, smooth = [], []
    avg, best, exploded, stopped = 0.0, math.inf, False, False
    for i in range(steps):
        if should_stop is not None and should_stop():
            stopped = True
            break
        lr = start * (end / start) ** (i / (steps - 1))
        engine.optimizer.learning_rate.assign(lr)
        k = (i * B) % n
        if k + B > n:  # reshuffle at the end of each pass; batches keep one shape
            order, k = rng.permutation(n), 0
        loss = engine.train_step(t["x_train"], t["y_train"], order[k : k + B])
        avg = beta * avg + (1 - beta) * loss
        value = avg / (1 - beta ** (i + 1))
        lrs.append(lr)
        smooth.append(value)
        if not math.isfinite(value) or value > EXPLODE * best:
            exploded = True
            break
        best = min(best, value)
    lrs_a, losses = np.array(lrs), np.array(smooth)
    finite = np.isfinite(losses)
    best_lr = suggestion = None
    if finite.any():
        i_min = int(np.nanargmin(np.where(finite, losses, np.nan)))
        if losses[i_min] < losses[0] * 0.9:  # the loss fell by 10 % somewhere: a real valley
            best_lr = float(lrs_a[i_min])
            suggestion = clamp_lr(best_lr / 10)
    return LRFindResult(config, lrs_a, losses, suggestion, best_lr, exploded, stopped)
