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

VERDICTS = ("learning", "unstable", "flat", "diverged")  # best to worst


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


def verdict(model: Scores, mean_baseline: Scores, diverged: bool) -> str:
    """flat / unstable / learning / diverged for one target.

    * diverged: the loss went NaN/inf or the predictions are not finite;
    * flat: the prediction's spread is under FLAT_BELOW of the target's;
    * unstable: not flat, yet no better than predicting the training mean;
    * learning: beats the mean baseline without being flat.
    """
    if diverged or model.rmse is None:
        return "diverged"
    if model.flatness is not None and model.flatness < FLAT_BELOW:
        return "flat"
    if mean_baseline.rmse is not None and model.rmse >= mean_baseline.rmse:
        return "unstable"
    return "learning"


def worst(verdicts: list[str]) -> str:
    return max(verdicts, key=VERDICTS.index) if verdicts else "learning"
