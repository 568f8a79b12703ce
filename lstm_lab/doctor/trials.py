"""Trials: the doctor tries the fix its leading findings name, on a clone of your model.

After a Keras fit the doctor's rules name causes; a rule is a reading of measurements, and
readings mislead (a target in the tens blamed where the rate is 100× too small, a sigmoid
stack under SGD told to raise a rate that changes nothing). A trial measures instead: for
each of the leading findings that has one concrete change, a clone of the user's model
(``keras.models.clone_model``, from the same initial weights, the same optimizer class
and configuration) is trained on a bounded sample of the fit's data with that one change,
and scored on the validation sample in the user's units. A *control* -- the same clone,
sample and budget, nothing changed -- is trained first, so every trial is compared with
what the same budget gives without the change:

==================  ====================================================================
finding             change tried
==================  ====================================================================
unscaled_target     the target standardised on the training sample (scored back in the
                    user's units)
unscaled_inputs     the inputs standardised (per feature, training sample)
lr_too_small        the learning rate the finding proposes, or up to 1000× (at most
                    1e-2, 0.1 for SGD/Adagrad) when that stays far below the usual range
lr_too_large        the learning rate the finding proposes (÷10)
too_few_epochs      the control trained on for twice its epochs more (3× in all)
missing_values      gaps in the inputs filled with the column's mean; rows with a
                    missing target dropped
outliers            inputs clipped to the training sample's 0.5 … 99.5 percentiles
spurious_feature    the suspect column held at its mean (dropped, for a model that
                    must keep its input shape)
output_range        the output layer made linear
loss_mismatch       MSE, on a linear output where the output is bounded
saturated_units     the stuck layer re-initialised (He for ReLU, Glorot for tanh/sigmoid;
                    zero bias)
window_too_short    windows of the length the finding names, cut from the series rebuilt
                    from the user's (consecutive) windows, ending where theirs end; the
                    same layers on the longer input (where their weights allow it); the
                    control is scored on the same validation rows
==================  ====================================================================

Every run -- the control included -- shares one budget: a trial starts only where its
expected cost fits in what is left, and a fit that runs past it stops at its next epoch's
end (a trial stopped so is *cut short*: not compared, ranked as untried).

A trial *confirms* its finding when it gains at least :data:`CONFIRM` in validation R²
over the control (R² below -1 counts as -1: a far-off flat line is not worse than a
near one), *refutes* it when it gains under :data:`REFUTE`; in between it is
inconclusive; a changed clone that still diverges refutes it (the change did not
heal the fit). :func:`rank` then orders the findings: a finding measured directly
(confidence >= 0.98 and no trial: a broadcast, a NaN loss from gaps) first, then the
confirmed ones by their gain, then the untried and inconclusive ones by confidence, the
refuted last. Every trial runs on clones: the user's model, its weights and its
optimizer are never touched, and a trial that fails is reported, never raised.

Imports only downward: the rules, the data reader and the problems (and Keras).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from .. import metrics
from ..model import keras
from .fit_data import FitData, rebuild_series, window_rows
from .rules import Finding

# A trial that gains this much validation R² over the control confirms its finding ...
CONFIRM = 0.2
# ... and one that gains less than this refutes it.
REFUTE = 0.05
# rows of the training sample a trial trains on, at most
TRIAL_ROWS = 2000
# findings tried, at most (the leading ones that have a change)
MAX_TRIALS = 3
# what a clone's first fit costs before its first step (building the training step), s
CLONE_START_S = 1.5
# where a finding is measured directly, not inferred: it keeps its place without a trial
DIRECT = 0.98


@dataclass(frozen=True)
class Trial:
    """What one trial did: the change, the control's and the changed clone's validation
    R² and flatness, the epochs and the seconds it took, and the outcome."""

    code: str
    change: str
    epochs: int
    r2_control: float | None
    r2: float | None
    flatness_control: float | None
    flatness: float | None
    seconds: float
    outcome: str  # confirmed | refuted | inconclusive | failed | cut short

    @property
    def gain(self) -> float:
        if self.r2 is None or self.r2_control is None:
            return -math.inf
        return _floor(self.r2) - _floor(self.r2_control)

    def line(self) -> str:
        if self.outcome == "failed":
            return f"{self.change}: the trial failed ({self.seconds:.1f} s)"
        if self.outcome == "cut short":
            return (f"{self.change}: stopped at the budget after {self.epochs} epochs, "
                    f"not compared ({self.seconds:.1f} s)")
        return (f"{self.change}: R² {_f(self.r2_control)} → {_f(self.r2)}, flatness "
                f"{_f(self.flatness_control)} → {_f(self.flatness)} in {self.epochs} epochs "
                f"({self.seconds:.1f} s)")


@dataclass
class Setup:
    """What a trial needs from the user's fit (nothing of it is changed).

    model : the user's model (read: its architecture, optimizer, loss)
    initial : its weights when the fit began (``model.get_weights()``); [] when it had
        none yet (then the clones start from fresh weights, and say so)
    train, val : the doctor's bounded samples of the fit's data
    epochs : the user's epochs; batch_size : the user's batch size (estimated)
    learning_rate : the optimizer's rate at the end of the fit
    """

    model: object
    initial: list
    train: FitData
    val: FitData
    epochs: int
    batch_size: int
    learning_rate: float
    # the spurious column's name, where a finding names one
    spurious: str | None = None
    # seconds one epoch of the trial sample takes, from the user's own fit
    epoch_seconds: float = 0.05
    optimizer: str = ""  # the optimizer's class name, lower case


# --- the changes --------------------------------------------------------------------------
@dataclass
class Plan:
    """One clone's training: what changes against the control."""

    change: str
    x: object = None  # training inputs (None: the sample's)
    y: object = None  # training targets, as the model takes them
    x_val: object = None  # validation inputs
    unscale: Callable | None = None  # predictions -> user's units
    lr_factor: float = 1.0
    linear_output: bool = False
    loss: str | None = None
    reinit: tuple[str, ...] = ()  # layers to re-initialise
    extra_epochs: int = 0  # the control, trained on
    steps: int | None = None  # a clone built for windows this long (the window trial)
    clone: object = None  # that clone, built when the plan was made (its weights checked)
    val_from: int = 0  # scored on the validation rows from here (control too, for fairness)


def _leaves_map(inputs, fn):
    if isinstance(inputs, dict):
        return {k: fn(v) for k, v in inputs.items()}
    if isinstance(inputs, list):
        return [fn(v) for v in inputs]
    return fn(inputs)


def _targets(d: FitData):
    return d.y if d.targets is None else list(d.targets)


def _standardiser(a: np.ndarray):
    a = np.asarray(a, np.float64)
    axes = tuple(range(a.ndim - 1)) if a.ndim > 1 else (0,)
    with np.errstate(invalid="ignore"):
        mu = np.nanmean(np.where(np.isfinite(a), a, np.nan), axis=axes, keepdims=a.ndim > 1)
        sd = np.nanstd(np.where(np.isfinite(a), a, np.nan), axis=axes, keepdims=a.ndim > 1)
    mu = np.where(np.isfinite(mu), mu, 0.0)
    sd = np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)
    return mu, sd


def _scale_target(s: Setup) -> Plan:
    ys = _targets(s.train)
    many = isinstance(ys, list)
    stats = [_standardiser(y) for y in (ys if many else [ys])]
    scaled = [((np.asarray(y, np.float64) - mu) / sd).astype(np.float32)
              for y, (mu, sd) in zip(ys if many else [ys], stats)]

    def unscale(preds: list[np.ndarray]) -> list[np.ndarray]:
        out = []
        for p, (mu, sd) in zip(preds, stats):
            p = np.asarray(p, np.float64)
            try:
                out.append(p * sd + mu)
            except ValueError:  # an output of another shape than its target: one scale
                out.append(p * float(np.mean(sd)) + float(np.mean(mu)))
        return out

    return Plan("scaling the target", y=scaled if many else scaled[0], unscale=unscale)


def _scale_inputs(s: Setup) -> Plan:
    x, xv = s.train.model_inputs, s.val.model_inputs
    if isinstance(x, dict):
        stats = {k: _standardiser(v) for k, v in x.items()}
        f = {k: (lambda a, st=st: ((a - st[0]) / st[1]).astype(np.float32))
             for k, st in stats.items()}
        return Plan("scaling the inputs", x={k: f[k](v) for k, v in x.items()},
                    x_val={k: f[k](v) for k, v in xv.items()})
    if isinstance(x, list):
        stats = [_standardiser(v) for v in x]
        f = [(lambda a, st=st: ((a - st[0]) / st[1]).astype(np.float32)) for st in stats]
        return Plan("scaling the inputs", x=[g(v) for g, v in zip(f, x)],
                    x_val=[g(v) for g, v in zip(f, xv)])
    mu, sd = _standardiser(x)
    return Plan("scaling the inputs", x=((x - mu) / sd).astype(np.float32),
                x_val=((xv - mu) / sd).astype(np.float32))


def _fill_gaps(s: Setup) -> Plan:
    def filler(train_leaf):
        a = np.asarray(train_leaf, np.float64)
        flat = a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a[:, None]
        with np.errstate(invalid="ignore"):
            mean = np.nanmean(np.where(np.isfinite(flat), flat, np.nan), axis=0)
        mean = np.where(np.isfinite(mean), mean, 0.0)

        def fill(b):
            b = np.asarray(b, np.float64).copy()
            bad = ~np.isfinite(b)
            if bad.any():
                b[bad] = np.broadcast_to(mean.reshape((1,) * (b.ndim - 1) + (-1,))
                                         if b.ndim > 1 else mean, b.shape)[bad]
            return b.astype(np.float32)
        return fill

    x, xv = s.train.model_inputs, s.val.model_inputs
    if isinstance(x, dict):
        fills = {k: filler(v) for k, v in x.items()}
        x2, xv2 = {k: fills[k](v) for k, v in x.items()}, {k: fills[k](v) for k, v in xv.items()}
    elif isinstance(x, list):
        fills = [filler(v) for v in x]
        x2, xv2 = [f(v) for f, v in zip(fills, x)], [f(v) for f, v in zip(fills, xv)]
    else:
        f = filler(x)
        x2, xv2 = f(x), f(xv)
    ys = _targets(s.train)
    leaves = ys if isinstance(ys, list) else [ys]
    ok = np.ones(len(leaves[0]), bool)
    for y in leaves:
        ok &= np.isfinite(np.asarray(y, np.float64).reshape(len(y), -1)).all(axis=1)
    rows = np.flatnonzero(ok)
    x2 = _leaves_map(x2, lambda a: a[rows])
    y2 = [np.asarray(y)[rows] for y in leaves]
    return Plan("filling the gaps", x=x2, x_val=xv2,
                y=y2 if isinstance(ys, list) else y2[0])


def _clip_spikes(s: Setup) -> Plan:
    def clipper(train_leaf):
        a = np.asarray(train_leaf, np.float64)
        flat = a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a[:, None]
        lo, hi = np.nanpercentile(np.where(np.isfinite(flat), flat, np.nan), [0.5, 99.5],
                                  axis=0)
        return lambda b: np.clip(np.asarray(b, np.float64), lo, hi).astype(np.float32)

    x, xv = s.train.model_inputs, s.val.model_inputs
    if isinstance(x, (dict, list)):
        keys = list(x.keys()) if isinstance(x, dict) else range(len(x))
        fs = {k: clipper(x[k]) for k in keys}
        x2 = {k: fs[k](x[k]) for k in keys} if isinstance(x, dict) else [fs[k](x[k]) for k in keys]
        xv2 = {k: fs[k](xv[k]) for k in keys} if isinstance(x, dict) else \
            [fs[k](xv[k]) for k in keys]
    else:
        f = clipper(x)
        x2, xv2 = f(x), f(xv)
    return Plan("clipping the spikes", x=x2, x_val=xv2)


def _drop_column(s: Setup) -> Plan | None:
    names = list(s.train.names)
    if s.spurious not in names or isinstance(s.train.model_inputs, (dict, list)):
        return None
    j = names.index(s.spurious)
    x, xv = np.array(s.train.model_inputs, np.float32), np.array(s.val.model_inputs,
                                                                  np.float32)
    mean = float(np.nanmean(x[..., j]))
    x[..., j] = mean
    xv[..., j] = mean
    return Plan(f"dropping `{s.spurious}`", x=x, x_val=xv)


def _longer_windows(s: Setup, finding: Finding) -> Plan | None:
    """Windows of the length the finding names, cut from the series the training and the
    validation windows were cut from (rebuilt: consecutive stride-1 windows), ending where
    the user's windows end -- so each keeps its target; the first ``extra`` samples of
    each set have no longer window and sit out (of the control's score too). None where
    the data are not one array of such windows, or the model's weights depend on the
    window's length (a Flatten before a Dense)."""
    width = re.search(r"sequence_length=(\d+)", finding.advice or "")
    x, xv = s.train.model_inputs, s.val.model_inputs
    if width is None or not s.train.windowed or s.train.targets is not None \
            or s.train.many_to_many or isinstance(x, (dict, list)) \
            or len(getattr(s.model, "inputs", None) or []) != 1:
        return None
    window, steps = x.shape[1], int(width.group(1))
    extra = steps - window
    if extra <= 0 or len(x) - extra < 40 or len(xv) - extra < 20:
        return None
    series, series_val = rebuild_series(x), rebuild_series(xv)
    if series is None or series_val is None:
        return None
    clone = _clone(s.model, Plan("probe", steps=steps))
    if [tuple(w.shape) for w in clone.weights] != [tuple(w.shape) for w in s.model.weights]:
        return None

    y = np.asarray(s.train.y)[extra:]
    return Plan(f"{steps}-step windows (now {window})",
                x=window_rows(series, steps, window, len(x)).astype(np.float32), y=y,
                x_val=window_rows(series_val, steps, window, len(xv)).astype(np.float32),
                steps=steps, val_from=extra, clone=clone)


def _plan(code: str, s: Setup, finding: Finding) -> Plan | None:
    if code == "unscaled_target":
        return _scale_target(s)
    if code == "unscaled_inputs":
        return _scale_inputs(s)
    if code in ("lr_too_small", "lr_too_large"):
        # the rate the finding proposes (its advice names it), else ×10 / ÷10
        proposed = re.search(r"learning_rate=([0-9.eE+-]+)\)", finding.advice or "")
        rate = float(proposed.group(1)) if proposed else \
            s.learning_rate * (10.0 if code == "lr_too_small" else 0.1)
        if code == "lr_too_small":
            # the hypothesis is "the steps are too small": tried at the top of the usual
            # range (Adam-like 1e-2, others 0.1) when the proposal stays far below it, so
            # that a short trial can show it
            cap = 0.1 if s.optimizer in ("sgd", "adagrad") else 1e-2
            rate = max(rate, min(cap, s.learning_rate * 1000))
        verb = "raising" if code == "lr_too_small" else "lowering"
        return Plan(f"{verb} the learning rate to {rate:g}",
                    lr_factor=rate / s.learning_rate if s.learning_rate > 0 else 1.0)
    if code == "too_few_epochs":
        return Plan("training 3× as long", extra_epochs=-1)  # set from the budget
    if code == "missing_values":
        return _fill_gaps(s)
    if code == "outliers":
        return _clip_spikes(s)
    if code == "spurious_feature":
        return _drop_column(s)
    if code == "output_range":
        return Plan("a linear output", linear_output=True)
    if code == "loss_mismatch":
        return Plan("MSE loss on a linear output", loss="mse", linear_output=True)
    if code == "window_too_short":
        return _longer_windows(s, finding)
    if code == "saturated_units":
        name = re.search(r"`([^`]+)`", finding.title)
        return Plan(f"re-initialising `{name.group(1)}`", reinit=(name.group(1),)) \
            if name else None
    return None


TRIED = ("unscaled_target", "unscaled_inputs", "lr_too_small", "lr_too_large",
         "too_few_epochs", "missing_values", "outliers", "spurious_feature", "output_range",
         "loss_mismatch", "saturated_units", "window_too_short")


# --- running them -------------------------------------------------------------------------
def _output_layer_names(model) -> set[str]:
    names = set()
    try:
        for t in model.outputs:
            op = t._keras_history.operation
            names.add(op.name)
    except (AttributeError, ValueError, TypeError):
        if model.layers:
            names.add(model.layers[-1].name)
    return names


def _clone(model, plan: Plan):
    outputs = _output_layer_names(model) if plan.linear_output else set()

    def fn(layer):
        cfg = layer.get_config()
        if layer.name in outputs and "activation" in cfg:
            cfg["activation"] = "linear"
        if layer.name in plan.reinit:
            act = cfg.get("activation")
            if "kernel_initializer" in cfg:
                cfg["kernel_initializer"] = "he_normal" if act == "relu" else "glorot_uniform"
            if "bias_initializer" in cfg:
                cfg["bias_initializer"] = "zeros"
        return layer.__class__.from_config(cfg)

    if plan.steps is not None:  # the same layers on longer windows
        shape = tuple(model.inputs[0].shape[1:])
        return keras.models.clone_model(
            model, input_tensors=keras.Input((plan.steps, *shape[1:])))
    if not outputs and not plan.reinit:
        return keras.models.clone_model(model)
    return keras.models.clone_model(model, clone_function=fn)


def _optimizer(model, factor: float, lr: float):
    opt = model.optimizer
    cfg = opt.get_config()
    if factor != 1.0 or not isinstance(cfg.get("learning_rate"), (int, float)):
        cfg["learning_rate"] = float(lr * factor)
    return type(opt).from_config(cfg)


def _set_initial(clone, s: Setup, plan: Plan, x) -> str:
    """The user's initial weights into the clone (but the re-initialised layers'); a note
    when they could not be used."""
    if not clone.built:
        clone(_leaves_map(x, lambda a: a[:1]))
    if not s.initial or len(s.initial) != len(clone.weights):
        return "fresh initial weights"
    if not plan.reinit:
        clone.set_weights(s.initial)
        return ""
    i = 0
    fresh = [w.numpy() for w in clone.weights]
    out = []
    names = set(plan.reinit)
    for layer in clone.layers:
        for _ in layer.weights:
            out.append(fresh[i] if layer.name in names else s.initial[i])
            i += 1
    if i != len(s.initial):
        clone.set_weights(s.initial)
    else:
        clone.set_weights(out)
    return ""


def _score(model, x_val, val: FitData, unscale) -> tuple[float | None, float | None]:
    """(mean R² over the targets, R² below -1 counted as -1; least flatness), in the
    user's units."""
    n = len(val.x)
    parts = [model(_leaves_map(x_val, lambda a: np.asarray(a[i:i + 1024], np.float32)),
                   training=False) for i in range(0, n, 1024)]  # no predict function traced
    pred = parts[0] if len(parts) == 1 else _concat(parts)
    preds = [np.asarray(p, np.float64) for p in (
        pred.values() if isinstance(pred, dict) else
        pred if isinstance(pred, (list, tuple)) else [pred])]
    if unscale is not None:
        preds = unscale(preds)
    truths = _targets(val)
    truths = truths if isinstance(truths, list) else [truths]
    r2s, flats = [], []
    for p, t in zip(preds, truths):
        n = len(t)
        t2, p2 = np.asarray(t, np.float64).reshape(n, -1), p.reshape(len(p), -1)
        if t2.shape != p2.shape:
            t2, p2 = t2[:, -1:], p2[:, -1:]
        for j in range(t2.shape[1]):
            ok = np.isfinite(t2[:, j])
            if not np.isfinite(p2[ok, j]).all():
                r2s.append(None)
                flats.append(None)
                continue
            sc = metrics.score(t2[ok, j], p2[ok, j])
            r2s.append(sc.r2)
            flats.append(sc.flatness)
    if not r2s or any(r is None for r in r2s):
        return None, None
    return float(np.mean([_floor(r) for r in r2s])), \
        (None if None in flats else float(min(flats)))


def _concat(parts):
    first = parts[0]
    if isinstance(first, dict):
        return {k: np.concatenate([np.asarray(p[k]) for p in parts]) for k in first}
    if isinstance(first, (list, tuple)):
        return [np.concatenate([np.asarray(p[k]) for p in parts]) for k in range(len(first))]
    return np.concatenate([np.asarray(p) for p in parts])


def _sample(s: Setup) -> Setup:
    n = len(s.train.x)
    if n <= TRIAL_ROWS:
        return s
    return replace(s, train=s.train.head(TRIAL_ROWS))


class _Clones:
    """Clones of the user's model, compiled once per architecture and loss and reused:
    each run starts from the same initial weights and a fresh optimizer state (its
    variables restored), so a clone's training step is built once, not once per trial."""

    def __init__(self, s: Setup, x):
        self.s, self.x, self.built = s, x, {}

    def get(self, plan: Plan):
        key = (plan.linear_output, plan.loss, plan.steps)
        if key not in self.built:
            clone = plan.clone if plan.clone is not None else _clone(self.s.model, plan)
            note = _set_initial(clone, self.s, Plan("control"),
                                self.x if plan.steps is None else plan.x)
            opt = _optimizer(self.s.model, 1.0, self.s.learning_rate)
            clone.compile(optimizer=opt, loss=plan.loss or self.s.model.loss)
            opt.build(clone.trainable_variables)
            self.built[key] = (clone, [w.copy() for w in clone.get_weights()],
                               [v.numpy() for v in opt.variables], note)
        clone, weights, opt_state, note = self.built[key]
        if plan.reinit:
            fresh = _clone(self.s.model, plan)
            _set_initial(fresh, self.s, plan, self.x)
            weights = fresh.get_weights()
        clone.set_weights(weights)
        self.restore_optimizer(clone, opt_state, plan.lr_factor)
        return clone, note

    def restore_optimizer(self, clone, opt_state, factor: float = 1.0):
        opt = clone.optimizer
        for v, value in zip(opt.variables, opt_state):
            v.assign(value)
        if factor != 1.0:
            opt.learning_rate = float(self.s.learning_rate * factor)


def _f32(a):
    return _leaves_map(a, lambda v: np.asarray(v, np.float32))


class _Deadline(keras.callbacks.Callback):
    """Stops a clone's fit at the end of the first epoch past ``at`` (perf_counter): the
    budget holds to within an epoch of the sample. An epoch hook, not a batch hook: a
    batch hook would make Keras wait for every batch."""

    def __init__(self, at: float):
        super().__init__()
        self.at, self.hit, self.epochs = at, False, 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1
        if time.perf_counter() > self.at:
            self.hit = True
            self.model.stop_training = True


def run_trials(s: Setup, findings: list[Finding], budget_s: float,
               say: Callable[[str], None] | None = None,
               warn: Callable[[str, BaseException], None] | None = None) -> list[Trial]:
    """Try the leading findings' changes within ``budget_s`` seconds (control included);
    one :class:`Trial` per finding tried (the control is not one). A trial starts only
    where its expected cost fits in what is left, and a run past the budget is stopped at
    its next epoch's end (a trial stopped so is *cut short*: not compared, not ranked).
    ``say`` gets a line per trial as it ends; ``warn`` gets a trial's failure."""
    t0 = time.perf_counter()
    deadline = t0 + budget_s
    s = _sample(s)
    candidates = [f for f in findings if f.code in TRIED][:MAX_TRIALS]
    plans = []
    for f in candidates:
        try:
            plan = _plan(f.code, s, f)
        except Exception as e:  # noqa: BLE001 -- a trial never breaks the report
            if warn:
                warn(f"prepare the trial for {f.code}", e)
            plan = None
        if plan is not None:
            plans.append((f.code, plan))
    if not plans:
        return []
    x, y = _f32(s.train.model_inputs), _f32(_targets(s.train))
    x_val = _f32(s.val.model_inputs)
    batch = max(1, min(s.batch_size, len(s.train.x)))
    clones = _Clones(s, x)

    stop = _Deadline(deadline)

    def train(clone, plan: Plan, epochs: int, start: int = 0):
        tx = _f32(plan.x) if plan.x is not None else x
        ty = _f32(plan.y) if plan.y is not None else y
        stop.hit, stop.epochs = False, 0
        clone.fit(tx, ty, epochs=start + epochs, initial_epoch=start, batch_size=batch,
                  verbose=0, shuffle=True, callbacks=[stop])
        return _score(clone, _f32(plan.x_val) if plan.x_val is not None else x_val,
                      s.val.tail(plan.val_from) if plan.val_from else s.val, plan.unscale)

    # epochs per run: the user's, or fewer where the budget would not hold the control
    # and every trial (the longer training counted 3×): the control's first epoch
    # (building its step) and its second (the pace of one epoch) set them
    runs = 1 + sum(2 if p.extra_epochs else 1 for _, p in plans)
    starts = len({(p.linear_output, p.loss, p.steps) for _, p in plans} -
                 {(False, None, None)})
    trials: list[Trial] = []
    try:
        control, note = clones.get(Plan("control"))
        train(control, Plan("control"), 1)
        t_epoch = time.perf_counter()
        r2_c, flat_c = train(control, Plan("control"), 1, start=1)
        t_epoch = time.perf_counter() - t_epoch
        spare = budget_s - (time.perf_counter() - t0) - starts * CLONE_START_S
        epochs = int(max(2, min(s.epochs, (spare / max(t_epoch, 1e-6) + 2) / runs)))
        if epochs > 2:
            r2_c, flat_c = train(control, Plan("control"), epochs - 2, start=2)
            epochs = 2 + stop.epochs  # stopped at the budget: the trials match its epochs
        after_control = ([w.copy() for w in control.get_weights()],
                         [v.numpy() for v in control.optimizer.variables])
    except Exception as e:  # noqa: BLE001
        if warn:
            warn("train the control clone for the trials", e)
        return []
    for code, plan in plans:
        cost = t_epoch * epochs * (2 if plan.extra_epochs else 1)
        if plan.steps:  # a recurrent step per window step: longer windows, longer epochs
            cost *= plan.steps / np.shape(x)[1]
        if (plan.linear_output, plan.loss, plan.steps) not in clones.built:
            cost += CLONE_START_S
        if time.perf_counter() + cost > deadline:
            break  # the budget is spent: the rest stay unconfirmed
        t1 = time.perf_counter()
        try:
            if plan.extra_epochs:  # the control, trained on from where it stopped
                clone, _ = clones.get(Plan("control"))
                clone.set_weights(after_control[0])
                clones.restore_optimizer(clone, after_control[1])
                r2, flat = train(clone, plan, 2 * epochs, start=epochs)
                shown = 3 * epochs
            else:
                clone, _ = clones.get(plan)
                r2, flat = train(clone, plan, epochs)
                shown = epochs
            base = (r2_c, flat_c)
            if plan.val_from:  # the control, scored on the rows the trial is scored on
                ctrl, _ = clones.get(Plan("control"))
                ctrl.set_weights(after_control[0])
                base = _score(ctrl, _leaves_map(x_val, lambda a: a[plan.val_from:]),
                              s.val.tail(plan.val_from), None)
            trial = Trial(code, plan.change, shown, base[0], r2, base[1], flat,
                          time.perf_counter() - t1, "")
            if stop.hit:  # fewer epochs than the control: no fair comparison
                shown = (epochs if plan.extra_epochs else 0) + stop.epochs
                trial = replace(trial, epochs=shown, outcome="cut short")
            else:
                trial = replace(trial, outcome=_outcome(trial))
        except Exception as e:  # noqa: BLE001 -- a trial never breaks the fit
            if warn:
                warn(f"run the trial for {code}", e)
            trial = Trial(code, plan.change, epochs, r2_c, None, flat_c, None,
                          time.perf_counter() - t1, "failed")
        trials.append(trial)
        if say:
            say(f"doctor · trial {len(trials)}/{len(plans)} [{code}] {trial.line()}: "
                f"{trial.outcome}" + (f" ({note})" if note else ""))
    return trials


def _outcome(t: Trial) -> str:
    if t.r2 is None:
        # the changed clone diverged (or scored no number): whether the control did too or
        # not, the change did not heal the fit
        return "refuted"
    if t.r2_control is None:  # the control diverged and the change did not
        return "confirmed"
    gain = t.gain
    if gain >= CONFIRM:
        return "confirmed"
    if gain < REFUTE:
        return "refuted"
    return "inconclusive"


def rank(findings: list[Finding], trials: list[Trial],
         attempted: bool = False) -> list[Finding]:
    """The findings with what their trials did, re-ordered by it (see the module's text);
    unchanged when no trials were attempted (``attempted``: they were, and none ran)."""
    if not trials and not attempted:
        return findings
    if findings and findings[0].code == "healthy":
        return findings
    by_code = {t.code: t for t in trials}
    out = []
    for f in findings:
        t = by_code.get(f.code)
        if t is None:
            text = "unconfirmed: " + (
                "no change to try for this finding" if f.code not in TRIED else
                f"not tried (the leading {MAX_TRIALS} with a change are, within the budget)")
        else:
            text = f"{t.outcome}: {t.line()}"
        out.append(replace(f, trial=text))

    def key(item):
        i, f = item
        t = by_code.get(f.code)
        if t is None:
            group = 0 if f.confidence >= DIRECT else 2
            return (group, -f.confidence, i)
        if t.outcome == "confirmed":
            return (1, -t.gain, i)
        if t.outcome == "refuted" or t.outcome == "failed":
            return (3, -f.confidence, i)
        return (2, -f.confidence, i)

    return [f for _, f in sorted(enumerate(out), key=key)]


def _floor(r2: float) -> float:
    return max(-1.0, r2)


def _f(x) -> str:
    return "n/a" if x is None else f"{x:.2f}"
