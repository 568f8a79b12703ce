"""Your own fit's data, read once and measured for the doctor: no Keras here, only numpy.

:class:`lstm_lab.keras.Doctor` (:mod:`.keras_fit`) accepts what ``model.fit`` accepts -- numpy arrays, pandas
frames, a ``tf.data.Dataset`` -- and keeps a bounded sample of it (:func:`read_xy`).
:func:`data_measurements` then measures what the lab's doctor measures on a lab run: the
inputs' scale, gaps and spikes, the series' season against the window, a linear probe of
predictability with this window and with a longer one, and columns that only correlate
in the training span. When the windows are consecutive (a sliding window with stride 1,
as ``keras.utils.timeseries_dataset_from_array`` makes without shuffling), the series
behind them is rebuilt from the windows, so season and longer windows can be measured.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from .. import signals
from .measures import spurious_columns
from .problems import DoctorInputError


@dataclass
class FitData:
    """A bounded sample of a fit's data, in the order given.

    x : (n, steps, features) windows or (n, features) rows, float64 -- the input the doctor
        measures: the model's only input, or the first of several (a rank-4+ input is read
        as (n, steps, features) with its middle axes flattened)
    y : (n, *target_shape), float64 -- for a model with several outputs, each output's
        target at its last step, side by side: (n, sum of the outputs' last dims)
    names : the measured input's feature names, (features,)
    inputs : the inputs as the model takes them -- one array, a list or a dict of arrays
        (n, ...) -- for predictions; None means ``x`` itself
    targets : for several outputs, each output's targets as given (n, ...), in order; None
        for one output (then ``y`` is it)
    output_names : the outputs' names (dict keys, or "output k"), with ``targets``
    input_names : the inputs' names when there are several (the first is measured for
        gaps, spikes and probes; every input for scale)
    """

    x: np.ndarray
    y: np.ndarray
    names: tuple[str, ...]
    inputs: object = None
    targets: list | None = None
    output_names: tuple[str, ...] = ()
    input_names: tuple[str, ...] = ()

    @property
    def model_inputs(self):
        """What the model's predict takes: the inputs' structure, float32."""
        return self.x.astype(np.float32) if self.inputs is None else self.inputs

    @property
    def windowed(self) -> bool:
        return self.x.ndim == 3

    def last_step(self) -> np.ndarray:
        """(n, F): each sample's inputs at its last step (the row itself for tabular data)."""
        return self.x[:, -1, :] if self.windowed else self.x

    @property
    def many_to_many(self) -> bool:
        """A target per input step: y is (n, steps, targets) for x (n, steps, features)."""
        return self.windowed and self.y.ndim == 3 and self.y.shape[1] == self.x.shape[1]

    @property
    def n_targets(self) -> int:
        return self.y.shape[-1] if self.y.ndim > 1 else 1

    def target_column(self, j: int = 0) -> np.ndarray:
        """(n,): target ``j`` of each sample (at its last step for many-to-many)."""
        if self.y.ndim > 2:
            return self.y.reshape(len(self.y), -1, self.y.shape[-1])[:, -1, j]
        return self.y.reshape(len(self.y), -1)[:, j]

    def head(self, n: int) -> "FitData":
        """The first ``n`` samples (every part: inputs, targets)."""
        return FitData(self.x[:n], self.y[:n], self.names, _take(self.inputs, slice(0, n)),
                       None if self.targets is None else [t[:n] for t in self.targets],
                       self.output_names, self.input_names)

    def tail(self, start: int) -> "FitData":
        """The samples from ``start`` on."""
        return FitData(self.x[start:], self.y[start:], self.names,
                       _take(self.inputs, slice(start, None)),
                       None if self.targets is None else [t[start:] for t in self.targets],
                       self.output_names, self.input_names)


def read_xy(x, y=None, *, max_samples: int = 4096, max_batches: int = 256,
            what: str = "x") -> FitData:
    """Read ``(x, y)`` or a dataset of ``(x, y)`` batches into a :class:`FitData`.

    Parameters
    ----------
    x : array-like (n, ...), a pandas DataFrame, a list or dict of those (a model with
        several inputs), or -- when ``y`` is None -- a ``tf.data.Dataset``, a
        ``keras.utils.PyDataset`` or any re-iterable of ``(x, y[, sample_weight])`` batches
    y : array-like (n, ...), pandas Series/DataFrame, or a list/dict of those (several
        outputs); None for a dataset
    max_samples : keep the first this many samples (the doctor's measurements are
        statistics, and a bounded sample keeps them cheap)
    max_batches : read at most this many batches of a dataset

    A one-shot iterator (a generator) is not read: reading it would take the batches the
    fit needs.
    """
    if x is None:
        raise DoctorInputError(f"{what} is None: pass the training inputs (or a tf.data "
                               "Dataset of (x, y) batches)")
    if y is None:
        if _is_array_like(x) or isinstance(x, dict) or _is_array_list(x):
            raise DoctorInputError(f"{what} has no targets: pass y as well, "
                                   "e.g. Doctor(x_train, y_train), or a Dataset of (x, y)")
        x, y = _from_batches(x, max_samples, max_batches, what)
    x_keys, x_leaves = _leaves(x, what)
    y_keys, y_leaves = _leaves(y, f"the targets of {what}")
    n = len(x_leaves[0]) if x_leaves[0].ndim else 0
    for leaf in x_leaves + y_leaves:
        if leaf.ndim == 0 or len(leaf) != n:
            raise DoctorInputError(f"{what} has {n} samples but its targets have shape "
                                   f"{leaf.shape}: they must have one row per sample"
                                   if leaf is y_leaves[0] or leaf.ndim == 0 else
                                   f"{what}'s arrays have different numbers of samples "
                                   f"({n} and {len(leaf)})")
    if n < 2:
        raise DoctorInputError(f"{what} has {n} sample(s): the doctor needs at least 2")
    first = x_leaves[0][:max_samples]
    names = (_column_names(x if x_keys is None else _first(x)) if len(x_leaves) == 1 else None)
    if first.ndim == 1:
        first = first[:, None]  # (n,) -> (n, 1): one feature
    elif first.ndim > 3:  # images, grids: steps are the middle axes, flattened
        first = first.reshape(len(first), -1, first.shape[-1])
    names = names or tuple(f"feature {j}" for j in range(first.shape[-1]))
    several_in = x_keys is not None
    inputs = None
    if several_in or x_leaves[0].ndim != first.ndim:
        inputs = _rebuild(x, x_keys, [a[:max_samples].astype(np.float32) for a in x_leaves])
    if y_keys is None:
        return FitData(first, y_leaves[0][:max_samples], tuple(names), inputs,
                       input_names=_names(x_keys, len(x_leaves), "input"))
    targets = [t[:max_samples] for t in y_leaves]
    last = [t.reshape(len(t), -1, t.shape[-1])[:, -1, :] if t.ndim > 1 else t[:, None]
            for t in targets]  # each (n, its last dim)
    return FitData(first, np.concatenate(last, axis=1), tuple(names), inputs, targets,
                   _names(y_keys, len(y_leaves), "output"),
                   _names(x_keys, len(x_leaves), "input"))


def _is_array_like(x) -> bool:
    return isinstance(x, np.ndarray) or hasattr(x, "to_numpy") or hasattr(x, "__array__")


def _is_array_list(a) -> bool:
    return isinstance(a, (list, tuple)) and len(a) > 0 and all(
        _is_array_like(v) or isinstance(v, dict) for v in a) and any(
        hasattr(v, "shape") or isinstance(v, dict) for v in a)


def _names(keys, n: int, kind: str) -> tuple[str, ...]:
    if keys is None:
        return ()
    return tuple(str(k) for k in keys) if keys != list(range(n)) else tuple(
        f"{kind} {k}" for k in range(n))


def _leaves(a, what: str) -> tuple[list | None, list[np.ndarray]]:
    """(keys, arrays): keys None for one array; list indices or dict keys for several."""
    if isinstance(a, dict):
        if not a:
            raise DoctorInputError(f"{what} is an empty dict")
        return list(a.keys()), [_array(v, f"{what}[{k!r}]") for k, v in a.items()]
    if _is_array_list(a):
        if len(a) == 1:
            return None, [_array(a[0], what)]
        return list(range(len(a))), [_array(v, f"{what}[{k}]") for k, v in enumerate(a)]
    return None, [_array(a, what)]


def _first(a):
    return next(iter(a.values())) if isinstance(a, dict) else a[0]


def _rebuild(a, keys, arrays):
    if keys is None:
        return arrays[0]
    if isinstance(a, dict):
        return dict(zip(keys, arrays))
    return list(arrays)


def _take(inputs, rows: slice):
    """The rows of an inputs structure (array, list or dict of arrays; None stays None)."""
    if inputs is None:
        return None
    if isinstance(inputs, dict):
        return {k: v[rows] for k, v in inputs.items()}
    if isinstance(inputs, list):
        return [v[rows] for v in inputs]
    return inputs[rows]


def _array(a, what: str) -> np.ndarray:
    if isinstance(a, dict) or _is_array_list(a):
        raise DoctorInputError(f"{what} nests several arrays: the doctor reads an array, or "
                               "a list or dict of arrays")
    try:
        a = a.numpy() if hasattr(a, "numpy") and not isinstance(a, np.ndarray) else a
        out = np.asarray(a.to_numpy() if hasattr(a, "to_numpy") else a, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise DoctorInputError(f"{what} is not numeric ({e}); convert it to numbers "
                               "first, e.g. df.astype('float32')") from None
    return out


def _column_names(x) -> tuple[str, ...] | None:
    cols = getattr(x, "columns", None)
    return tuple(str(c) for c in cols) if cols is not None else None


def _from_batches(ds, max_samples: int, max_batches: int, what: str):
    """Concatenate the first batches of a dataset of (x, y[, weights]) into arrays (or
    lists/dicts of arrays, as the batches hold them)."""
    try:
        it = iter(ds)
    except TypeError:
        if hasattr(ds, "__getitem__") and hasattr(ds, "__len__"):  # a PyDataset / Sequence
            it = (ds[i] for i in range(len(ds)))
        else:
            raise DoctorInputError(f"{what} is a {type(ds).__name__}: pass arrays (x, y) or "
                                   "a tf.data.Dataset of (x, y) batches") from None
    else:
        if it is ds:  # a generator: reading it would take the fit's batches
            raise DoctorInputError(f"{what} is a one-shot iterator "
                                   f"({type(ds).__name__}): the doctor does not read it, as "
                                   "that would take the batches the fit needs; pass "
                                   "Doctor(x_sample, y_sample) or a re-iterable dataset")
    xs, ys, n = [], [], 0
    for i, batch in enumerate(it):
        if i >= max_batches or n >= max_samples:
            break
        if not isinstance(batch, (tuple, list)) or len(batch) < 2:
            raise DoctorInputError(f"{what} yields {type(batch).__name__} batches: the doctor "
                                   "needs (x, y) pairs, e.g. timeseries_dataset_from_array("
                                   "data, targets=..., ...)")
        bx, by = _leaves(batch[0], what), _leaves(batch[1], f"the targets of {what}")
        xs.append(bx)
        ys.append(by)
        n += len(bx[1][0]) if bx[1][0].ndim else 1
    if not xs:
        raise DoctorInputError(f"{what} yielded no batches")

    def join(parts, like):
        keys = parts[0][0]
        arrays = [np.concatenate([p[1][k] for p in parts]) for k in range(len(parts[0][1]))]
        if keys is None:
            return arrays[0]
        return dict(zip(keys, arrays)) if not isinstance(keys[0], int) else arrays

    return join(xs, None), join(ys, None)


# --- the shape check --------------------------------------------------------------------------
def broadcast_shapes(target: tuple, output: tuple) -> tuple[tuple, tuple] | None:
    """(target, output) per-sample shapes when a loss would have to broadcast them, else None.

    Trailing 1s do not count ((n,) and (n, 1) are the same targets to a Keras loss); what
    remains must be equal, or each prediction is compared with several target values.
    """
    def core(shape):
        shape = tuple(shape)
        while shape and shape[-1] == 1:
            shape = shape[:-1]
        return shape

    return None if core(target) == core(output) else (tuple(target), tuple(output))


# --- measurements from the data ---------------------------------------------------------------
@dataclass
class DataMeasures:
    """What the data alone tells (see :class:`.measures.Measurements`)."""

    missing: int
    missing_targets: int
    n_values: int
    outliers: int
    worst_z: float
    input_std: np.ndarray  # (F,)
    target_mean: float
    target_std: float
    period: signals.Period
    probe_now: float | None
    probe_long: float | None
    window: int | None
    long_window: int
    spurious: list = field(default_factory=list)
    # (probe_now, probe_long, long_window, period) per target, the first MAX_PROBED_TARGETS:
    # the doctor judges the target that decides the verdict, which need not be the first
    per_target: list = field(default_factory=list)
    later: dict = field(default_factory=dict)  # j -> probes of a target past those, once asked


MAX_PROBED_TARGETS = 16


def data_measurements(train: FitData, val: FitData) -> DataMeasures:
    series = rebuild_series(train.x) if train.windowed else None  # (T, F) or None
    values = series if series is not None else train.x.reshape(-1, train.x.shape[-1])
    counts, worst = signals.robust_outliers(values)
    y = train.target_column()
    finite_y = train.y[np.isfinite(train.y)]
    window = train.x.shape[1] if train.windowed else None
    per_target = [_probes(train, series, window, j)
                  for j in range(min(train.n_targets, MAX_PROBED_TARGETS))]
    probe_now, probe_long, long_window, period = per_target[0]
    both_x = np.concatenate([train.last_step(), val.last_step()])  # (n + n_val, F)
    both_y = np.concatenate([y, val.target_column()])
    return DataMeasures(
        # counted on the values themselves -- the rebuilt series for windows, where each
        # value sits in up to `window` windows -- like the spikes below
        missing=int((~np.isfinite(values)).sum()),
        missing_targets=int((~np.isfinite(train.y)).sum()),
        n_values=int(values.size),
        outliers=int(counts.sum()),
        worst_z=float(worst.max()) if len(worst) else 0.0,
        input_std=np.concatenate([_column_std(values)] +
                                 [_column_std(a) for a in _other_inputs(train)]),
        target_mean=float(finite_y.mean()) if len(finite_y) else 0.0,
        target_std=float(finite_y.std()) if len(finite_y) else 0.0,
        period=period,
        probe_now=probe_now,
        probe_long=probe_long,
        window=window,
        long_window=long_window,
        spurious=spurious_columns(both_x, both_y, len(y), 0, train.names),
        per_target=per_target,
    )


def _column_std(a: np.ndarray) -> np.ndarray:
    """(F,): each feature's std over every sample and step, gaps left out."""
    a = np.asarray(a, np.float64)
    a = a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a[:, None]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-gap column: NaN, skipped
        return np.nanstd(np.where(np.isfinite(a), a, np.nan), axis=0)


def _other_inputs(train: FitData) -> list[np.ndarray]:
    """The inputs of a model with several, past the first (which ``x`` is): their scale is
    measured too -- one input in dollars beside standardised others flattens a fit as
    surely as one column does."""
    inputs = train.inputs
    leaves = list(inputs.values()) if isinstance(inputs, dict) else \
        list(inputs) if isinstance(inputs, list) else []
    out = []
    for a in leaves[1:]:
        try:
            out.append(np.asarray(a, np.float64))
        except (TypeError, ValueError):  # not numbers (strings for a lookup layer)
            continue
    return out


def target_probes(train: FitData, measures: DataMeasures, j: int):
    """(probe_now, probe_long, long_window, period) of target ``j``: measured up front for the
    first MAX_PROBED_TARGETS, probed now for a later one."""
    if j < len(measures.per_target):
        return measures.per_target[j]
    if j not in measures.later:
        series = rebuild_series(train.x) if train.windowed else None
        measures.later[j] = _probes(train, series, measures.window, j)
    return measures.later[j]


def rebuild_series(x: np.ndarray) -> np.ndarray | None:
    """The series behind consecutive stride-1 windows, (n + steps - 1, F); None when the
    windows are not consecutive (shuffled, strided, or unrelated sequences)."""
    n = min(len(x), 64)
    if n < 2 or x.shape[1] < 2:
        return None
    if not np.allclose(x[1:n, :-1], x[: n - 1, 1:], equal_nan=True):
        return None
    return np.concatenate([x[0], x[1:, -1]])


def _probes(train: FitData, series: np.ndarray | None, window: int | None, j: int = 0):
    """Held-out R² of linear models for target ``j``: with the fit's own inputs, and
    (windowed data whose series could be rebuilt) with a window of one season, or 4× the
    window when no season shows. Split the way the user's data is: in time for windows (the
    first 80 % of the training samples fit, the rest score), at random for a table's rows. Many-to-many sequences that are not one sliding series (several
    sequences side by side) are probed step by step (:func:`_sequence_probe`)."""
    y = train.target_column(j)
    if (series is None or window is None) and train.many_to_many:
        probe, lags = _sequence_probe(train, j)
        return probe, None, lags, signals.Period(None, 0.0)
    if series is None or window is None:
        flat = train.x.reshape(len(train.x), -1)
        if not train.windowed:
            # A table: rows carry no time, and users split them at random (train_test_split,
            # df.sample). A probe that scored the last 20 % of rows sorted by an input
            # (a file sorted by area or year) would test extrapolation, not whether the
            # inputs carry the target; so its rows are split at random too.
            order = np.random.default_rng(0).permutation(len(flat))
            flat, y = flat[order], y[order]
        probe = _probe(flat, y, nonlinear=not train.windowed)
        return probe, None, window or 0, signals.Period(None, 0.0)
    # windows end at series rows window-1 … ; y[i] belongs to the window ending at i+window-1
    yt = y
    period = signals.dominant_period(yt, max_period=len(yt) // 2)
    room = len(yt) - 40  # keep at least ~40 samples to fit and score
    want = period.steps if period.steps and period.steps > window else 4 * window
    long_window = int(max(window, min(want, window + room, 1000)))
    probe_now = _probe(_windows(series, window, window, len(y)), y)
    probe_long = None
    if long_window > window:
        extra = long_window - window
        lw = _windows(series, long_window, window, len(y))  # rows for samples extra…
        probe_long = _probe(lw, y[extra:]) if len(lw) >= 40 else None
    return probe_now, probe_long, long_window, period


def window_rows(series: np.ndarray, width: int, window: int, n: int,
                stride: int = 1) -> np.ndarray:
    """(n', width / stride, F) windows ``width`` long of ``series`` (T, F), each ending where
    sample i's ``window``-step window ends (row i + window - 1), for the samples whose
    longer window fits (i >= width - window); every ``stride``-th step, counted back from
    the last."""
    ends = np.arange(window - 1, window - 1 + n)
    ends = ends[ends >= width - 1]
    offsets = np.arange(width - 1, -1, -stride)
    return series[ends[:, None] - offsets[None, :]]


def _windows(series: np.ndarray, width: int, window: int, n: int,
             max_dims: int = 200) -> np.ndarray:
    """:func:`window_rows` flattened for a linear probe, (n', ≤ max_dims): steps
    subsampled so that a long window stays a small regression."""
    stride = max(1, int(np.ceil(width * series.shape[1] / max_dims)))
    rows = window_rows(series, width, window, n, stride)
    return rows.reshape(len(rows), -1)


def _sequence_probe(train: FitData, j: int, lags: int = 8, max_rows: int = 20_000,
                    max_sequences: int = 64) -> tuple[float | None, int]:
    """Held-out R² of a linear model from each step's last ``lags`` input steps to that
    step's target ``j``, for many-to-many data: fit on the first 80 % of every sequence's
    steps, scored on the rest (split in time, as the other probes). Returns (R², lags used)."""
    x = train.x[:max_sequences]  # (n, L, F)
    y = train.y[:max_sequences, :, j]  # (n, L)
    n, L, F = x.shape
    k = min(lags, L // 5)
    if k < 1:
        return None, 0
    rows = np.arange(k - 1, L)  # steps with k steps of history
    rows = rows[:: max(1, int(np.ceil(len(rows) * n / max_rows)))]
    lagged = x[:, rows[:, None] - np.arange(k)[None, :], :]  # (n, rows, k, F)
    cut = int(0.8 * len(rows))
    early = (lagged[:, :cut].reshape(-1, k * F), y[:, rows[:cut]].ravel())
    late = (lagged[:, cut:].reshape(-1, k * F), y[:, rows[cut:]].ravel())
    # every sequence's early steps fit, every sequence's late steps score
    return _probe(np.concatenate([early[0], late[0]]), np.concatenate([early[1], late[1]]),
                  fit_rows=len(early[1])), k


def _probe(x: np.ndarray, y: np.ndarray, nonlinear: bool = False,
           fit_rows: int | None = None) -> float | None:
    """Held-out R² of a ridge (and k-NN when ``nonlinear``) from ``x`` (rows, d) to ``y``
    (rows,): the first ``fit_rows`` rows fit (default 80 %), the rest score; rows with a
    non-finite value are dropped from either part, which stay apart."""
    from sklearn.linear_model import Ridge
    from sklearn.neighbors import KNeighborsRegressor

    ok = np.isfinite(x).all(axis=1) & np.isfinite(y)
    cut = int(ok[:fit_rows].sum()) if fit_rows is not None else int(0.8 * ok.sum())
    x, y = x[ok], y[ok]
    if cut < 10 or len(x) - cut < 5 or y[cut:].var() == 0:
        return None
    # The probe asks whether the inputs' signal carries the target. Spikes (error codes,
    # sentinels) wreck a linear model just as they wreck the network, and would make a
    # predictable target look like noise; they are the outliers rule's business. So the
    # probe reads each input clipped to median ± ROBUST_Z robust σ of the fitting rows.
    med = np.median(x[:cut], axis=0)
    sigma = 1.4826 * np.median(np.abs(x[:cut] - med), axis=0)
    spread = np.where(sigma > 0, signals.ROBUST_Z * sigma, np.inf)
    x = np.clip(x, med - spread, med + spread)
    mu, sd = x[:cut].mean(0), x[:cut].std(0)
    sd[sd == 0] = 1.0
    x = (x - mu) / sd
    models = [Ridge(alpha=1.0)] + ([KNeighborsRegressor(10)] if nonlinear else [])
    scores = []
    for model in models:
        pred = model.fit(x[:cut], y[:cut]).predict(x[cut:])
        scores.append(1 - np.mean((pred - y[cut:]) ** 2) / y[cut:].var())
    return float(max(scores))


# --- naive baselines on the validation data ---------------------------------------------------
def naive_baselines(train: FitData, val: FitData, period: int | None) -> dict[str, np.ndarray]:
    """Forecasts that need no training, each shaped like ``val.y`` flattened per target,
    (rows, targets): ``mean`` (the training targets' mean); for windowed inputs
    ``persistence`` (one input at the last step -- or at the same step, many-to-many --
    mapped to the target's units by a least-squares line fitted on the training data: the
    input best fitted wins) and, when a season fits in the window, ``seasonal`` (the same,
    one season back). The lagged ones only where inputs and targets pair row for row in
    both splits (not, say, for validation targets one step shorter than their inputs)."""
    cols = _columns(val.y)
    mean = np.nanmean(_columns(train.y), axis=0)
    out = {"mean": np.broadcast_to(mean, cols.shape).copy()}
    if not (train.windowed and val.windowed) or mean.shape[-1] != cols.shape[-1]:
        return out
    many = train.many_to_many
    if many != val.many_to_many:
        return out
    for name, back in (("persistence", 1), ("seasonal", period)):
        if not back or back > min(train.x.shape[1], val.x.shape[1]) or (many and back != 1):
            continue
        fitted = _lagged_line(train, val, back, many)
        if fitted is not None:
            out[name] = fitted
    return out


def _columns(y: np.ndarray) -> np.ndarray:
    """(n·steps, T): targets flattened to one column per target."""
    return y.reshape(-1, y.shape[-1]) if y.ndim > 1 else y[:, None]


def _lagged_line(train: FitData, val: FitData, back: int, many: bool) -> np.ndarray | None:
    def inputs(d: FitData) -> np.ndarray | None:  # (rows, F) matching _columns(d.y)
        rows = d.x.reshape(-1, d.x.shape[-1]) if many else d.x[:, -back, :]
        return rows if len(rows) == len(_columns(d.y)) else None

    xt, xv = inputs(train), inputs(val)
    if xt is None or xv is None:  # targets of several steps per window: no row pairing
        return None
    yt, T = _columns(train.y), _columns(val.y).shape[1]
    out = np.empty((len(xv), T))
    for t in range(T):
        best = None
        for j in range(xt.shape[1]):
            ok = np.isfinite(xt[:, j]) & np.isfinite(yt[:, t])
            if ok.sum() < 3 or xt[ok, j].std() == 0:
                continue
            a, b = np.polyfit(xt[ok, j], yt[ok, t], 1)
            err = np.mean((a * xt[ok, j] + b - yt[ok, t]) ** 2)
            if best is None or err < best[0]:
                best = (err, a * xv[:, j] + b)
        if best is None:
            return None
        out[:, t] = best[1]
    return out
