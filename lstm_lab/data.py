"""Synthetic series, windows, a leak-free split and scaling.

Generators are pure functions in the style of scikit-learn's ``make_*``: keyword-only
``seed``, a local ``np.random.default_rng``, and a documented output shape.

Conventions used throughout (T = steps, F = features/columns, L = window length,
h = horizon):

* window ``i`` holds the inputs ``series[i : i + L]`` and predicts the value at
  ``t = i + L - 1 + h`` -- ``h`` steps after its last input;
* the last ``n_test`` steps form the test span; a *training* window must have its
  target (and therefore its inputs) before the split, a *test* window has its target
  inside the test span (its inputs may look back into the training span, which is
  history the forecaster would have had).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.preprocessing import StandardScaler

from .config import ExperimentConfig
from .series import Series
from .signals import ROBUST_Z, robust_z


def make_sine(n_steps: int, *, period: int, noise: float, seed: int) -> np.ndarray:
    """A unit sine with Gaussian noise.

    Returns
    -------
    ndarray of shape (n_steps,)
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps)
    phase = rng.uniform(0, 2 * np.pi)
    return np.sin(2 * np.pi * t / period + phase) + rng.normal(0.0, noise, n_steps)


def make_multiscale(
    n_steps: int, *, period: int, noise: float, feature_scale_ratio: float, seed: int
) -> np.ndarray:
    """Three features whose amplitudes span ``feature_scale_ratio``.

    Column 0 is a sine of amplitude ``feature_scale_ratio``, column 1 a sine of
    amplitude 1 at twice the period, column 2 pure Gaussian noise with the spread of a sine
    of amplitude ``sqrt(feature_scale_ratio)`` (the geometric middle). ``noise`` is relative: each
    periodic column gets noise of std ``noise * amplitude``.

    Returns
    -------
    ndarray of shape (n_steps, 3)
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps)
    big, small, mid = feature_scale_ratio, 1.0, np.sqrt(feature_scale_ratio)
    phases = rng.uniform(0, 2 * np.pi, size=2)
    large = big * (np.sin(2 * np.pi * t / period + phases[0]) + rng.normal(0, noise, n_steps))
    slow = small * (
        np.sin(2 * np.pi * t / (2 * period) + phases[1]) + rng.normal(0, noise, n_steps)
    )
    pure_noise = mid / np.sqrt(2) * rng.normal(0.0, 1.0, n_steps)  # std of a sine of amp `mid`
    return np.stack([large, slow, pure_noise], axis=1)


def make_seasonal(n_steps: int, *, period: int, noise: float, seed: int) -> np.ndarray:
    """A season of length ``period`` with a slower half-frequency component and an offset.

    ``2 sin(2πt/P) + 0.5 cos(πt/P) + 0.2 + noise``: the full pattern repeats every
    ``2P`` steps, long compared with the default window.

    Returns
    -------
    ndarray of shape (n_steps,)
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps)
    signal = 2.0 * np.sin(2 * np.pi * t / period) + 0.5 * np.cos(np.pi * t / period) + 0.2
    return signal + rng.normal(0.0, noise, n_steps)


def generate(config: ExperimentConfig) -> Series:
    """The series a config describes (pure: same config, same array)."""
    c = config
    if c.dataset == "sine":
        values = make_sine(c.n_steps, period=c.period, noise=c.noise, seed=c.seed)
        return _with_spurious(c, Series(values[:, None], ("sine",), (c.period,), (True,), (0,),
                                        seasons=(c.period,)))
    if c.dataset == "seasonal":
        values = make_seasonal(c.n_steps, period=c.period, noise=c.noise, seed=c.seed)
        return _with_spurious(
            c, Series(values[:, None], ("seasonal",), (2 * c.period,), (True,), (0,),
                      seasons=(c.period,)))
    if c.dataset == "multiscale":
        values = make_multiscale(
            c.n_steps,
            period=c.period,
            noise=c.noise,
            feature_scale_ratio=c.feature_scale_ratio,
            seed=c.seed,
        )
        return _with_spurious(c, Series(
            values,
            ("large", "small", "noise"),
            (c.period, 2 * c.period, None),
            (True, True, False),
            (0, 1, 2),
            seasons=(c.period, 2 * c.period, None),
        ))
    if c.dataset == "csv":
        from .tabular import series_for

        return _with_spurious(c, series_for(c))
    raise ValueError(f"unknown dataset {c.dataset!r}")  # validate() prevents this


def season_window(c: ExperimentConfig, season: int | None) -> int:
    """The window a fix proposes for a season of ``season`` steps: one season (4× the window
    when none is known or found), within what the training span allows -- at least ~20
    training windows must remain. The doctor and the pre-flight check both use it, so
    their fixes name the same window."""
    want = season if season else 4 * c.seq_len
    return int(max(c.seq_len, min(want, window_room(c), MAX_WINDOW)))


MAX_WINDOW = 1000  # longer windows are never proposed (training time grows with them)


def window_room(c: ExperimentConfig) -> int:
    """The longest window that leaves ~20 training windows in the training span."""
    return c.n_train_steps - c.horizon - 20


def _with_spurious(c: ExperimentConfig, s: Series) -> Series:
    """Append the 'spurious' input when asked: a near-copy of the first target, ``horizon``
    steps early, in the training span only -- in the test span it is unrelated noise of the
    same spread (the "it always rose on Mondays" story: a pattern that held until it didn't).
    """
    if not c.spurious_feature:
        return s
    rng = np.random.default_rng([c.seed, 4])  # stream 4: the spurious column
    y = s.values[:, s.targets[0]]  # (T,)
    T, h, split = len(y), c.horizon, c.n_train_steps
    sd = y[:split].std() or 1.0
    leak = y.mean() + sd * rng.normal(size=T)  # (T,) unrelated noise ...
    known = split - h  # ... except where y[t + h] lies inside the training span
    leak[:known] = y[h:split] + 0.05 * sd * rng.normal(size=known)
    return Series(np.column_stack([s.values, leak]), s.names + ("spurious",),
                  s.periods + (None,), s.predictable + (False,), s.targets,
                  s.seasons + (None,) if s.seasons else ())


@dataclass(frozen=True)
class Prepared:
    """Model-ready arrays (float32, in model units) plus what is needed to undo scaling.

    x_train : (n_train, seq_len, n_features)
    y_train : (n_train, n_targets), or (n_train, seq_len, n_targets) with ``shape_bug``
    inputs : (n_steps, n_features) the whole input series as the model reads it (model
        units, after corruption and repair) -- what the doctor inspects
    x_test : (n_test, seq_len, n_features)
    y_test_raw : (n_test, n_targets), original units
    test_index : (n_test,) time index of each test target
    baselines : name -> (n_test, n_targets) predictions in original units
    """

    series: Series
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    y_test_raw: np.ndarray
    test_index: np.ndarray
    split: int
    target_mean: np.ndarray
    target_scale: np.ndarray
    baselines: dict[str, np.ndarray]
    inputs: np.ndarray
    offset: np.ndarray  # (n_test, n_targets) level added back to predicted changes

    @property
    def test_times(self) -> np.ndarray | None:
        """(n_test,) datetime64: the file's date of each test target (None: no dates)."""
        times = self.series.times
        return None if times is None else times[self.test_index]

    def to_original(self, y_model: np.ndarray) -> np.ndarray:
        """Model-unit test predictions (n_test, n_targets) -> original units."""
        return y_model * self.target_scale + self.target_mean + self.offset


def windows(values: np.ndarray, seq_len: int) -> np.ndarray:
    """All windows of a (T, F) series as a (T - seq_len + 1, seq_len, F) view."""
    # sliding_window_view puts the window axis last: (n, F, L) -> (n, L, F)
    return sliding_window_view(values, seq_len, axis=0).transpose(0, 2, 1)


def prepare(config: ExperimentConfig, series: Series | None = None) -> Prepared:
    """Window, split and scale a series for training.

    The failure knobs corrupt a copy of the series that the model reads as inputs
    (gaps, spikes); targets and scores always use the recorded values. Repairs (clip,
    impute) and the scaler are fitted on the training span only, so nothing about the
    test span leaks into training. With ``scale_inputs`` off the model sees raw values.
    """
    c = config
    s = series if series is not None else generate(config)
    raw = s.values.astype(np.float64)  # (T, F)
    split = c.n_train_steps
    L, h = c.seq_len, c.horizon
    tgt = list(s.targets)

    observed = _repair(c, _corrupt(c, raw, split), split)  # (T, F), may hold NaN
    if c.difference:  # the model reads step-to-step changes: no level to extrapolate
        observed = np.diff(observed, axis=0, prepend=observed[:1])
    if c.scale_inputs:
        scaler = StandardScaler().fit(observed[:split])  # NaN-aware: gaps are skipped
        mean, scale = scaler.mean_, scaler.scale_
    else:
        mean, scale = np.zeros(raw.shape[1]), np.ones(raw.shape[1])
    inputs = ((observed - mean) / scale).astype(np.float32)

    all_x = windows(inputs, L)  # (T - L + 1, L, F)
    target_time = np.arange(all_x.shape[0]) + L - 1 + h  # target index of each window
    usable = target_time < len(raw)
    # a window whose target was not recorded (a gap in real data) can be neither trained
    # on nor scored; windows never see their own target, so this leaks nothing
    usable[usable] &= np.isfinite(raw[target_time[usable]][:, tgt]).all(axis=1)
    train = usable & (target_time < split)
    test = usable & (target_time >= split)
    test_index = target_time[test]

    y_raw = raw[:, tgt]  # (T, n_targets)
    # what was last *recorded* at each time (gaps carried forward): naive forecasters use
    # it, and with ``difference`` it is the level the predicted change is added to
    history = forward_fill(y_raw, fallback=np.nanmean(y_raw[:split], axis=0))

    def level(times):  # (n, n_targets) the level each prediction is relative to
        return history[times - h] if c.difference else np.zeros((len(times), len(tgt)))

    train_time = target_time[train]
    if c.difference and c.scale_inputs:  # scale the *changes* seen in training
        change = y_raw[train_time] - level(train_time)
        t_mean, t_scale = change.mean(axis=0), change.std(axis=0) + 1e-12
    else:
        t_mean, t_scale = mean[tgt], scale[tgt]

    def to_model(times):
        return ((y_raw[times] - level(times) - t_mean) / t_scale).astype(np.float32)

    if c.shape_bug:  # the article's example 1: a whole (shifted) window as the target
        clean = ((raw - mean) / scale).astype(np.float32)
        y_train = windows(clean[:, tgt], L)[np.flatnonzero(train) + h]  # (n, L, n_targets)
    else:
        y_train = to_model(train_time)  # (n, n_targets)
    baselines = _baselines(history, test_index, split, h, [s.periods[i] for i in tgt])
    return Prepared(
        series=s,
        x_train=np.ascontiguousarray(all_x[train]),
        y_train=np.ascontiguousarray(y_train),
        x_test=np.ascontiguousarray(all_x[test]),
        y_test=to_model(test_index),
        y_test_raw=y_raw[test_index],
        test_index=test_index,
        split=split,
        target_mean=t_mean,
        target_scale=t_scale,
        baselines=baselines,
        inputs=inputs,
        offset=level(test_index),
    )


SPIKE_SIGMAS = 1000.0  # spike height in training-span σ: a glitch writing 9999-style values


def _corrupt(c: ExperimentConfig, raw: np.ndarray, split: int) -> np.ndarray:
    """A copy of ``raw`` (T, F) with the config's share of gaps (NaN) and spikes."""
    if not (c.missing_share or c.outlier_share):
        return raw.copy()
    rng = np.random.default_rng([c.seed, 3])  # stream 3: corruption
    out = raw.copy()
    sd = raw[:split].std(axis=0)  # (F,)
    spikes = rng.random(raw.shape) < c.outlier_share
    signs = rng.choice([-1.0, 1.0], size=raw.shape)
    out += spikes * signs * SPIKE_SIGMAS * sd
    out[rng.random(raw.shape) < c.missing_share] = np.nan
    return out


def _repair(c: ExperimentConfig, x: np.ndarray, split: int) -> np.ndarray:
    """Remove spikes and/or impute gaps in (T, F) inputs, fitted on the training span only.

    A spike is a value beyond median ± 5 robust σ (σ from the median absolute deviation,
    which the spikes themselves barely move); it becomes a gap and, like every gap, takes
    the last good value -- clipping alone would leave a sine with bumps 4× its height.
    """
    bad = np.zeros(x.shape, dtype=bool)
    if c.remove_outliers:
        bad = robust_z(x, x[:split]) > ROBUST_Z  # (T, F)
        x = np.where(bad, np.nan, x)
    if (c.impute or bad.any()) and np.isnan(x).any():
        # gaps the data already had stay gaps unless impute is on
        fill = forward_fill(x, fallback=np.nanmedian(x[:split], axis=0))
        x = fill if c.impute else np.where(np.isnan(x) & ~bad, np.nan, fill)
    return x


def forward_fill(x: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """Carry the last observed value of each column of (T, F) forward; leading gaps get
    ``fallback`` (F,). Causal: a filled value only ever comes from the past."""
    x = x.copy()
    first = np.isnan(x[0])
    x[0, first] = np.asarray(fallback)[first]
    idx = np.where(np.isnan(x), 0, np.arange(len(x))[:, None])  # (T, F) last valid row
    np.maximum.accumulate(idx, axis=0, out=idx)
    return np.take_along_axis(x, idx, axis=0)


def _baselines(
    y: np.ndarray, test_index: np.ndarray, split: int, horizon: int, periods: list
) -> dict[str, np.ndarray]:
    """Naive forecasts for the test targets, each using only data available at forecast time.

    mean: the training-span mean; persistence: the last observed value (h steps back);
    seasonal: the value one (or more) whole periods back, where every target's period
    is known and at least ``horizon`` long enough to have been observed.
    """
    n = len(test_index)
    out = {
        "mean": np.broadcast_to(y[:split].mean(axis=0), (n, y.shape[1])).copy(),
        "persistence": y[test_index - horizon],
    }
    if all(p is not None for p in periods):
        cols = []
        for j, p in enumerate(periods):
            back = p * int(np.ceil(horizon / p))  # whole periods, at least h steps back
            if back > test_index.min():
                break
            cols.append(y[test_index - back, j])
        else:
            out["seasonal"] = np.stack(cols, axis=1)
    return out
