"""Scores for one target's predictions, naive baselines and the verdict.

All inputs are in original units, shape (n_test,). Non-finite predictions (a diverged
run) score as ``None`` rather than NaN so the numbers survive a JSON round trip.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

# A prediction whose spread is under 30 % of the target's is called flat: at that
# point the line on the chart reads as "one value for every input". The article's
# own test (all predictions within rtol 1e-4 of the first) is reported beside it, since
# it almost never fires on a float32 network even when the output is visibly flat.
FLAT_BELOW = 0.3
ARTICLE_RTOL = 1e-4

VERDICTS = ("learning", "weak", "unstable", "flat", "diverged")  # best to worst
# A model whose R² trails the best naive forecast (mean, persistence, seasonal) by more
# than this has not learned what a forecast that needs no training already knows: it is
# `weak`, and the doctor examines it (a run within the slack is `learning` and `healthy`).
BASELINE_SLACK = 0.05


@dataclass(frozen=True)
class Scores:
    rmse: float | None
    mae: float | None
    r2: float | None
    flatness: float | None
    seed_constant_check: bool | None

    def to_dict(self) -> dict:
        return asdict(self)


def score(y_true: np.ndarray, y_pred: np.ndarray) -> Scores:
    """RMSE, MAE, R², flatness = std(pred)/std(true), and the article's constant check."""
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if not np.all(np.isfinite(y_pred)):
        return Scores(None, None, None, None, None)
    err = y_pred - y_true
    var = np.var(y_true)
    std_true = np.sqrt(var)
    return Scores(
        rmse=float(np.sqrt(np.mean(err**2))),
        mae=float(np.mean(np.abs(err))),
        r2=float(1.0 - np.mean(err**2) / var) if var > 0 else None,
        flatness=float(np.std(y_pred) / std_true) if std_true > 0 else None,
        seed_constant_check=bool(np.all(np.isclose(y_pred, y_pred[0], rtol=ARTICLE_RTOL))),
    )


def verdict(model: Scores, baselines: dict[str, Scores], diverged: bool) -> str:
    """diverged / flat / unstable / weak / learning for one target.

    ``baselines`` holds the naive forecasts' scores by name, ``"mean"`` among them.

    * diverged: the loss went NaN/inf or the predictions are not finite;
    * flat: the prediction's spread is under FLAT_BELOW of the target's;
    * unstable: not flat, yet no better than predicting the training mean;
    * weak: beats the mean, but its R² trails the best naive baseline by more than
      BASELINE_SLACK -- repeating the last value (or last season's) would do better;
    * learning: beats the mean and keeps up with every naive baseline, without being flat.
    """
    if diverged or model.rmse is None:
        return "diverged"
    if model.flatness is not None and model.flatness < FLAT_BELOW:
        return "flat"
    mean = baselines["mean"]
    if mean.rmse is not None and model.rmse >= mean.rmse:
        return "unstable"
    best = best_r2(baselines)
    if best is not None and model.r2 is not None and model.r2 < best - BASELINE_SLACK:
        return "weak"
    return "learning"


def best_r2(baselines: dict[str, Scores]) -> float | None:
    """The highest R² among the naive baselines (None when none has one)."""
    values = [s.r2 for s in baselines.values() if s.r2 is not None]
    return max(values) if values else None


def worst(verdicts: list[str]) -> str:
    return max(verdicts, key=VERDICTS.index) if verdicts else "learning"
