"""Measurements on a series before (or without) any LSTM: season, spikes, predictability.

Used by the doctor (evidence for a finding) and by the pre-flight report. Pure numpy /
scikit-learn functions on 1-D or 2-D arrays; NaN-tolerant where real data needs it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import Ridge

ROBUST_Z = 5.0  # a value beyond median ± 5 robust σ counts as an outlier


@dataclass(frozen=True)
class Period:
    """The dominant period of a series, in steps, and the autocorrelation at that lag."""

    steps: int | None  # None: no repeating pattern found
    strength: float  # autocorrelation at ``steps`` (0 when none)


def autocorrelation(y: np.ndarray, max_lag: int) -> np.ndarray:
    """Biased sample autocorrelation of a 1-D series at lags 0..max_lag (gaps skipped).

    Returns
    -------
    ndarray of shape (max_lag + 1,), 1.0 at lag 0
    """
    y = np.asarray(y, dtype=np.float64)
    y = y[np.isfinite(y)]
    y = y - y.mean()
    n = len(y)
    if n < 3 or not np.any(y):
        return np.zeros(max_lag + 1)
    size = 1 << int(np.ceil(np.log2(2 * n)))  # zero-padded FFT: no wrap-around
    f = np.fft.rfft(y, size)
    acf = np.fft.irfft(f * np.conj(f), size)[: max_lag + 1]
    return acf / acf[0]


def dominant_period(y: np.ndarray, max_period: int | None = None) -> Period:
    """The lag of the first strong autocorrelation peak after the first zero crossing.

    A linear trend is removed first; if the series still never decorrelates (a curved
    trend, as in CO₂ records), its first differences are used instead. Among the peaks,
    the first one within 90 % of the highest wins, so a season is not mistaken for its
    multiples (or for a slower, weaker cycle on top of it).

    Parameters
    ----------
    y : (n,) series, NaN allowed
    max_period : longest period considered (default n // 2)
    """
    y = np.asarray(y, dtype=np.float64)
    y = y[np.isfinite(y)]
    n = len(y)
    max_lag = min(max_period or n // 2, n // 2)
    if max_lag < 4:
        return Period(None, 0.0)
    t = np.arange(n)
    detrended = y - np.polyval(np.polyfit(t, y, 1), t)
    for series in (detrended, np.diff(y)):
        acf = autocorrelation(series, max_lag)
        below = np.flatnonzero(acf < 0)
        if len(below):
            break
    else:
        return Period(None, 0.0)
    start = below[0]
    lags = np.arange(start + 1, len(acf) - 1)
    peaks = lags[(acf[lags] > acf[lags - 1]) & (acf[lags] >= acf[lags + 1]) & (acf[lags] > 0.1)]
    if not len(peaks):
        return Period(None, 0.0)
    best = acf[peaks].max()
    lag = int(peaks[np.argmax(acf[peaks] >= 0.9 * best)])
    return Period(lag, float(acf[lag]))


def robust_z(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """|x - median| / robust σ per column of (T, F) ``x``, median and σ (1.4826 · MAD) from
    ``ref`` (e.g. the training span). Gaps and zero-spread columns give 0."""
    med = np.nanmedian(ref, axis=0)
    sigma = 1.4826 * np.nanmedian(np.abs(ref - med), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.abs(x - med) / np.where(sigma > 0, sigma, np.inf)
    return np.nan_to_num(z, nan=0.0)


def robust_outliers(x: np.ndarray, ref: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per column of (T, F) ``x``: how many values lie beyond median ± 5 robust σ, and the
    largest distance in robust σ. Median and σ (1.4826 · MAD) come from ``ref`` (default x),
    e.g. the training span. Columns with zero spread count nothing.

    Returns
    -------
    counts : (F,) int, worst : (F,) float
    """
    x = np.asarray(x, dtype=np.float64)
    x = x[:, None] if x.ndim == 1 else x
    ref = x if ref is None else (ref[:, None] if ref.ndim == 1 else ref)
    z = robust_z(x, ref)
    return (z > ROBUST_Z).sum(axis=0), z.max(axis=0)


# A longer window is worth proposing when a linear model on it gains this much R² on the
# test span over the current window. One threshold for the doctor (after a run) and the
# pre-flight check (before it): they must not disagree about the same series.
WINDOW_GAIN = 0.15


def linear_probe_r2(y: np.ndarray, split: int, seq_len: int, horizon: int,
                    max_train: int = 4000, max_dims: int = 200) -> float | None:
    """R² on the test span of a ridge regression from a window of the series' own past.

    A cheap ceiling check: if a linear model that sees the same window cannot beat the
    mean, the target is not predictable from that window; if a longer window lets it,
    the window is too short. Long windows are subsampled to ``max_dims`` steps.

    Parameters
    ----------
    y : (T,) series in any units, NaN allowed (windows touching a gap are skipped)
    split : first test step; seq_len, horizon : as in the config
    """
    y = np.asarray(y, dtype=np.float64)
    stride = max(1, int(np.ceil(seq_len / max_dims)))
    offsets = np.arange(seq_len - 1, -1, -stride)  # steps back from the last input
    last = np.arange(seq_len - 1, len(y) - horizon)  # last input step of each window
    x = y[last[:, None] - offsets[None, :]]  # (n, n_dims)
    target = y[last + horizon]
    ok = np.isfinite(x).all(axis=1) & np.isfinite(target)
    train = ok & (last + horizon < split)
    test = ok & (last + horizon >= split)
    if train.sum() < 10 or test.sum() < 5:
        return None
    tr = np.flatnonzero(train)[-max_train:]
    model = Ridge(alpha=1.0).fit(x[tr], target[tr])
    pred = model.predict(x[test])
    truth = target[test]
    var = truth.var()
    return float(1 - np.mean((pred - truth) ** 2) / var) if var > 0 else None


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two 1-D arrays over the steps where both are finite (0 if
    either is constant)."""
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    # constant: every value equal (np.std of equal values can be ~1e-16, not 0, and the
    # correlation of that rounding noise comes out as ±1)
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


SHORT_SPAN = 31  # a short season is looked for under a moving average this long (a month of days)


def seasons(y: np.ndarray, max_period: int | None = None) -> tuple[Period, Period]:
    """(the dominant short season, a longer cycle on top of it) of a series.

    A daily series with a weekly and a yearly season has an autocorrelation shaped by the
    year, where the week is a ripple: :func:`dominant_period` alone lands on a multiple
    of the week (35) or on the year. So the short season is looked for on what is left
    once a centred moving average of :data:`SHORT_SPAN` steps (the slow cycles) is taken
    away; the longer cycle is :func:`dominant_period` of that moving average, kept when it
    is not just a multiple of the short season. With no short season, the main period of
    the whole series comes first. Either is ``Period(None, 0.0)`` when absent.

    Parameters
    ----------
    y : (n,) series, NaN allowed (gaps are filled by interpolation for the moving average)
    max_period : longest period considered (default n // 2)
    """
    y = np.asarray(y, dtype=np.float64)
    main = dominant_period(y, max_period)
    none = Period(None, 0.0)
    ok = np.isfinite(y)
    if ok.sum() < 3 * SHORT_SPAN:
        return main, none
    t = np.arange(len(y))
    filled = np.interp(t, t[ok], y[ok])
    kernel = np.ones(SHORT_SPAN) / SHORT_SPAN
    slow = np.convolve(np.pad(filled, SHORT_SPAN // 2, mode="edge"), kernel, mode="valid")
    residual = np.where(ok, filled - slow, np.nan)
    short = dominant_period(residual, max_period=SHORT_SPAN - 1)
    if not short.steps or short.strength < 0.3:
        return main, none
    # the longer cycle, measured on the slow part: the short season's ripple makes peaks
    # at its own multiples in the whole series' autocorrelation (77 = 11 weeks)
    main = dominant_period(np.where(ok, slow, np.nan), max_period)
    if not main.steps:
        return short, none
    ratio = main.steps / short.steps
    if main.steps <= short.steps or abs(ratio - round(ratio)) * short.steps <= 1:
        return short, none  # the "long" one is the short season or one of its multiples
    return short, main
