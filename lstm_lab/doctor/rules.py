"""The doctor's rules: name the cause of a failed run, with the numbers that support it.

One set of rules, two front ends. :func:`judge` turns :class:`Measurements` -- weight-update
ratio, loss curve, per-input gradient share, missing values and spikes in what the model
read, the series' season, how predictable it is for a linear model, the target's scale
and shape, saturated units -- into :class:`Finding` s, most likely first. The lab's
:func:`lstm_lab.doctor.lab.diagnose` fills the measurements from a lab run; the Keras
callback :class:`lstm_lab.doctor.keras_fit.Doctor` fills them from a user's own
``model.fit``. A rule never reads a preset's name: a run from a shared link, the CLI, an
uploaded CSV or a notebook gets the same treatment.

A run whose verdict is ``learning`` -- it beats the mean and keeps up with every naive
baseline (:data:`lstm_lab.metrics.BASELINE_SLACK`) -- gets the single finding ``healthy``;
every other verdict, ``weak`` included, is examined. Badge and doctor apply one rule.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from .. import signals
from ..data import MAX_WINDOW
from ..lr_find import clamp_lr
from ..metrics import BASELINE_SLACK
from .measures import Measurements

CODES = (
    "lr_too_small", "lr_too_large", "unscaled_inputs", "window_too_short", "too_few_epochs",
    "missing_values", "outliers", "spurious_feature", "shape_broadcast",
    "unpredictable_target", "unscaled_target", "saturated_units", "output_range",
    "loss_mismatch", "healthy",
)
# What a lab run can show: the lab always scales its targets, does not record activations
# and builds its own linear head with an MSE loss, so `unscaled_target`, `saturated_units`,
# `output_range` and `loss_mismatch` come only from a user's own fit.
KERAS_ONLY = ("unscaled_target", "saturated_units", "output_range", "loss_mismatch")
LAB_CODES = tuple(c for c in CODES if c not in KERAS_ONLY)

# per-step ‖ΔW‖/‖W‖ below this (and under 15 % moved in all) is "the weights barely moved"
SLOW_UPDATE = 1.5e-4
# the per-step range the evidence calls healthy; a finding cites a per-step change only
# where the number supports it (never a rate "too large" with steps below this range)
HEALTHY_STEP = (1e-4, 1e-2)
# the too-few-epochs fix asks for at least this many weight updates in all
ENOUGH_UPDATES = 600


@dataclass(frozen=True)
class Finding:
    """One diagnosis.

    ``fix`` says what to change: for a lab run a config patch (field -> value) that the
    app's *Apply fix* and the CLI's flags apply; for your own Keras fit
    (:class:`lstm_lab.keras.Doctor`) the line of code to change. None where nothing
    should be changed (the target is noise) or no fix exists. ``advice`` is always the
    fix in a Keras user's terms.
    """

    code: str
    title: str
    evidence: tuple[str, ...]
    fix: dict | str | None
    confidence: float  # 0..1; findings are sorted by it, most likely first
    advice: str = ""
    # what a trial of the fix did on a clone of the model (a Keras fit's trials,
    # :mod:`.trials`): "confirmed: scaling the target: R² -0.10 → 0.89 in 5 epochs",
    # "refuted: …", "unconfirmed: …"; empty where no trials ran (a lab run)
    trial: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["evidence"] = list(self.evidence)
        d["confidence"] = round(self.confidence, 2)
        if not d["trial"]:
            del d["trial"]
        return d



def judge(m: Measurements) -> list[Finding]:
    """Findings most likely first; ``[healthy]`` when the verdict is ``learning``."""
    if m.verdict == "learning" and m.broadcast is None:
        return [Finding("healthy", "Nothing to fix: the model learned the pattern",
                        tuple(m.healthy_evidence), None, 1.0, "Nothing to change.")]
    findings = [f for rule in RULES if (f := rule(m)) is not None]
    findings.sort(key=lambda f: -f.confidence)
    return findings or [_fallback(m)]


# --- rules: each reads the measurements and returns a Finding or None -------------------
def _shape(m: Measurements):
    if m.broadcast is None:
        return None
    target, output = m.broadcast
    if _values(target) <= _values(output):
        # the other way round: one target copied to several output units (a Dense(2) on a
        # target per sample). Each unit is fitted to the target -- a waste, not a flat
        # line: the loss still compares every prediction with its own target's value.
        # The warning before the first epoch says it; it is not why a fit went flat.
        return None
    t, o = _shape_text(target), _shape_text(output)
    return Finding(
        "shape_broadcast", "The targets are whole windows: the loss broadcast them and the "
        "model learned each window's mean",
        (f"training targets have shape (n, {t}) but the model outputs (n, {o}): "
         f"each prediction was compared with all {target[0]} steps of its window",
         f"prediction spread is {_f(m.flatness)} of the target's (flatness)"),
        _patch(m, shape_bug=False), 1.0,
        f"give one target per window of the shape the model outputs, e.g. `y = y[:, -1]` "
        f"(shape (n, {o})); or, for one prediction per step, end the model with "
        f"`LSTM(..., return_sequences=True)` and `Dense(...)` so it outputs (n, {t})")


def _values(shape) -> int:
    """Values per sample of a per-sample shape (dimensions not known count as 1)."""
    return int(np.prod([d for d in shape if isinstance(d, (int, np.integer))] or [1]))


def _missing(m: Measurements):
    if not m.missing and not m.missing_targets:
        return None
    ev = []
    if m.missing:
        ev.append(f"{m.missing} of {m.n_values} input values are missing "
                  f"({100 * m.missing / m.n_values:.1f} %)")
    if m.missing_targets:
        ev.append(f"{m.missing_targets} target values are missing (NaN/inf)")
    if m.nan_epoch:
        ev.append(f"the loss was NaN from epoch {m.nan_epoch}: one gap in a window poisons the "
                  "whole batch's gradient")
    # The same poisoning without a NaN loss: a gap times a weight gives a NaN gradient, the
    # weights that read the column turn NaN, and ReLU(NaN) = 0 downstream turns the rest
    # into a constant output with a finite loss. NaN weights after a fit on data with gaps
    # are that mechanism measured, as sure as a NaN loss.
    poisoned = bool(m.nonfinite_weights) and not m.nan_epoch
    if poisoned:
        ev.append("the weights of " + ", ".join(f"`{k}`" for k in m.nonfinite_weights)
                  + " became NaN: a gap poisons the gradient of every weight it meets, "
                  "and the layers after it output a constant")
    return Finding("missing_values", "Missing values in the inputs", tuple(ev),
                   _patch(m, impute=True), 0.98 if m.nan_epoch or poisoned else 0.7,
                   "fill the gaps before making windows, e.g. "
                   "`df = df.interpolate(limit_direction='both')` (or drop the windows that "
                   "touch a NaN: `keep = np.isfinite(x).all(axis=(1, 2)) & "
                   "np.isfinite(y).reshape(len(y), -1).all(axis=1)`)")


def _lr_large(m: Measurements):
    lower = clamp_lr(m.learning_rate / 10)
    patch = _patch(m, learning_rate=lower)
    advice = (f"lower the learning rate 10×: `optimizer=keras.optimizers."
              f"{_opt(m.optimizer)}(learning_rate={lower:g})` in `model.compile`")
    if m.diverged and not m.missing and not m.missing_targets:
        finite = [x for x in m.losses if math.isfinite(x)]
        ev = [f"the loss became NaN/inf at epoch {m.nan_epoch or len(m.losses)}"
              + (f" after reaching {_f(min(finite))}" if finite else "")]
        ev.append(f"learning rate {m.learning_rate:g} with {m.optimizer}: each step "
                  "overshoots the minimum it aims at")
        return Finding("lr_too_large", "Learning rate too large: training diverged",
                       tuple(ev), patch, 0.95, advice)
    if m.total_change > 2.0:
        ev = [f"weights moved {100 * m.total_change:.0f} % of their initial size "
              f"(a healthy run moves 10–100 %)"]
        # The median per-step change is often *below* the healthy range here: after the
        # first huge steps the gates saturate and pass no gradient, so the weights sit
        # still. Cited, it would read as "too small"; only steps above the range support
        # this finding.
        if m.update_ratio > HEALTHY_STEP[1]:
            ev.append(_step_line(m.update_ratio))
        ev.append(f"final loss is {m.end_vs_best:.1f}× the best loss seen")
        return Finding(
            "lr_too_large", "Learning rate too large: the weights were thrown around",
            tuple(ev), patch, 0.85, advice)
    if m.end_vs_best > 3.0 and len(m.losses) >= 3:
        return Finding("lr_too_large", "Learning rate too large: the loss bounces",
                       (f"final loss is {m.end_vs_best:.1f}× the best loss seen",), patch, 0.6,
                       advice)
    return None


def _lr_small(m: Measurements):
    # NaN ratios (weights that turned NaN) say nothing about the step size
    # On a target that is noise at this horizon the loss stops falling because it sits at
    # its floor, not because the steps are small: a higher rate buys nothing there.
    if m.diverged or not m.total_change < 0.15 or _noise(m):
        return None
    slow = m.update_ratio < SLOW_UPDATE
    # Between this rule and too_few_epochs: steps just above SLOW_UPDATE, yet the weights
    # are still near their start and the loss has almost stopped falling (not the
    # still-falling pattern of a fit cut short). More of the same steps only crawl on
    # (measured: a GRU with SGD(1e-4, momentum .9) stayed weak with 10× the epochs and
    # learned with 1000× the rate); the step size is what holds the weights back.
    crawl = SLOW_UPDATE <= m.update_ratio < 10 * SLOW_UPDATE and m.still_falling < 0.03
    if not (slow or crawl):
        return None
    cap = 1e-2 if m.optimizer == "adam" else 0.1
    higher = clamp_lr(min(cap, m.learning_rate * 100))
    ev = [_step_line(m.update_ratio) if slow else
          f"per step ‖ΔW‖/‖W‖ = {m.update_ratio:.1e}: the low end of the healthy range "
          f"(about {_sci(HEALTHY_STEP[0])} … {_sci(HEALTHY_STEP[1])})",
          f"weights moved {100 * m.total_change:.1f} % in {len(m.losses)} epochs",
          f"the loss still falls {100 * m.still_falling:.1f} % per epoch"]
    if crawl:
        ev.append(f"the weights are still within {100 * m.total_change:.0f} % of their start "
                  f"and the loss has almost stopped falling: more epochs of steps this size "
                  "only crawl on")
    if m.layer_updates:
        ev.append("per layer: " + ", ".join(f"{k} {v:.1e}" for k, v in m.layer_updates.items()))
    # Weights also stand still when no gradient reaches them: a layer whose units are dead
    # ReLUs or pinned tanh/sigmoid passes none back, whatever the learning rate. Then the
    # small steps are the stuck units' symptom, and a higher rate moves nothing.
    stuck = max((s for s, _ in m.saturation.values()), default=0.0)
    return Finding(
        "lr_too_small", "Learning rate too small: the weights barely moved", tuple(ev),
        _patch(m, learning_rate=higher), (0.8 if slow else 0.6) if stuck < 0.5 else 0.5,
        f"raise the learning rate: `optimizer=keras.optimizers.{_opt(m.optimizer)}"
        f"(learning_rate={higher:g})` in `model.compile` (it is {m.learning_rate:g})")


def _few_epochs(m: Measurements):
    if m.diverged or m.still_falling < 0.03 or m.update_ratio < SLOW_UPDATE:
        return None
    epochs = min(1000, max(4 * m.epochs, math.ceil(ENOUGH_UPDATES / m.steps_per_epoch)))
    return Finding(
        "too_few_epochs", "Stopped too early: the loss was still falling",
        (f"train loss fell {100 * m.still_falling:.0f} % per epoch at the end",
         f"{len(m.losses)} epochs × {m.steps_per_epoch} steps = "
         f"{len(m.losses) * m.steps_per_epoch} weight updates in total",
         f"per step ‖ΔW‖/‖W‖ = {m.update_ratio:.1e}: the learning rate is fine"),
        _patch(m, epochs=epochs), 0.75,
        f"train longer: `model.fit(..., epochs={epochs})` (or a smaller `batch_size`, which "
        "gives more updates per epoch)")


def _unscaled(m: Measurements):
    ok = np.isfinite(m.input_std) & (m.input_std > 0)
    std = m.input_std[ok]
    if not len(std):
        return None
    ratio = std.max() / std.min()
    if std.max() < 20 and ratio < 100:
        return None
    ev = [f"inputs as the model reads them have std {_f(std.min())} … {_f(std.max())} "
          f"(ratio {ratio:,.0f}×)"]
    if std.max() >= 20:
        ev.append(f"the network starts with outputs near ±1; at learning rate "
                  f"{m.learning_rate:g} its weights cannot grow to values "
                  f"{std.max():,.0f} wide, so the loss is dominated by the largest column")
    if m.grad_share:
        top = max(m.grad_share, key=m.grad_share.get)
        ev.append("gradient share per input: " + ", ".join(
            f"{k} {100 * v:.0f} %" for k, v in m.grad_share.items()) + f" (largest: {top})")
    return Finding("unscaled_inputs", "Columns on very different scales, not standardised",
                   tuple(ev), _patch(m, scale_inputs=True), 0.9,
                   "fit a StandardScaler on the training inputs only and apply it to every "
                   "split: `sc = StandardScaler().fit(x_train.reshape(-1, x_train.shape[-1]))`; "
                   "`x = sc.transform(x.reshape(-1, x.shape[-1])).reshape(x.shape)`")


_SCALE_TARGET = (
    "scale the target on the training split and invert the predictions: "
    "`ys = StandardScaler().fit(y_train.reshape(-1, 1))`; train on "
    "`ys.transform(y.reshape(-1, 1))`; `pred = ys.inverse_transform(model.predict(x))`")


def _unscaled_target(m: Measurements):
    """Targets far from unit scale: the output layer starts near 0 with weights near ±1 and
    would need many steps to reach them; the prediction then stays near the start."""
    scale = max(abs(m.target_mean), m.target_std)
    if m.diverged and scale >= 20 and not m.missing and not m.missing_targets:
        # a loss that went NaN on a target in the thousands: the squared errors themselves
        # overflow the steps, whatever the rate -- a suspect beside the rate, for its trial
        # to settle (measured on a copy: scaled, the same rate may train)
        return Finding(
            "unscaled_target", "The target is far from unit scale: its squared errors blew "
            "up the steps",
            (f"the loss became NaN/inf at epoch {m.nan_epoch or len(m.losses)} with a "
             f"target of mean {_f(m.target_mean)} and std {_f(m.target_std)}",
             f"squared errors of {scale ** 2:,.3g} make gradients that size: one step of "
             f"learning rate {m.learning_rate:g} throws the weights past any minimum"),
            None, 0.6, _SCALE_TARGET)
    if m.prediction_mean is None:
        return None
    if 0 < scale < TINY_TARGET:
        return _tiny_target(m, scale)
    if scale < 20:
        return None
    gap = abs(m.prediction_mean - m.target_mean)
    if gap < 0.5 * m.target_std and (m.flatness is None or m.flatness >= 0.3):
        return None
    return Finding(
        "unscaled_target", "The target is far from unit scale: the output cannot reach it",
        (f"the target has mean {_f(m.target_mean)} and std {_f(m.target_std)}; the "
         f"predictions average {_f(m.prediction_mean)}",
         f"prediction spread is {_f(m.flatness)} of the target's (flatness)",
         f"an output layer starts near 0 and moves about the learning rate ({m.learning_rate:g})"
         f" per step: {len(m.losses) * m.steps_per_epoch} steps do not reach "
         f"{_f(scale)}"),
        None, 0.87, _SCALE_TARGET)


# A target this far below unit scale is out of a network's reach the other way: its outputs
# start near ±1 and each step moves them by about the learning rate, more than the whole
# target varies; the predictions then scatter many times wider than the target.
TINY_TARGET = 1e-2


def _tiny_target(m: Measurements, scale: float):
    spread = m.flatness
    if spread is None or spread < 3:  # the predictions are on the target's scale
        return None
    return Finding(
        "unscaled_target", "The target is far from unit scale: tiny values the outputs "
        "cannot resolve",
        (f"the target has mean {m.target_mean:.2g} and std {m.target_std:.2g}; the "
         f"predictions average {m.prediction_mean:.2g}",
         f"the predictions vary {spread:,.0f}× as much as the target (flatness)",
         f"an output layer starts with values near ±1 and moves about the learning rate "
         f"({m.learning_rate:g}) per step: more than the target's whole range ({scale:.1g})"),
        None, 0.87, _SCALE_TARGET)


def _saturated(m: Measurements):
    if not m.saturation:
        return None
    name, (share, what) = max(m.saturation.items(), key=lambda kv: kv[1][0])
    if share < 0.5:
        return None
    ev = [f"layer `{name}`: {100 * share:.0f} % of its units are {what} on every validation "
          "input (they pass no gradient)"]
    ev += [f"layer `{k}`: {100 * s:.0f} % {w}" for k, (s, w) in m.saturation.items()
           if k != name and s >= 0.2]
    advice = ("dead ReLUs: use `kernel_initializer='he_normal'`, a zero bias, "
              "`activation='leaky_relu'`, or a lower learning rate"
              if what.startswith("dead") else
              "saturated gates: scale the inputs (StandardScaler), keep the layer's default "
              "initialisers, and lower the learning rate so pre-activations stay near 0")
    return Finding("saturated_units", f"Most units of `{name}` are {what}: they stopped "
                   "learning", tuple(ev), None, 0.8, advice)


def _outliers(m: Measurements):
    if m.outliers == 0 or m.worst_z < 20 or m.outliers < 1e-4 * m.n_values:
        return None
    return Finding(
        "outliers", "Spikes in the inputs swamp the signal",
        (f"{m.outliers} input value{'s' if m.outliers != 1 else ''} "
         f"({100 * m.outliers / m.n_values:.2f} %) lie{'' if m.outliers != 1 else 's'} beyond "
         f"{signals.ROBUST_Z:g} robust σ, the worst {m.worst_z:,.0f} σ",
         "the scaler's σ is inflated by the spikes, so the real signal becomes a tiny "
         "ripple in model units"),
        _patch(m, remove_outliers=True), 0.88,
        "clip the spikes before scaling, with bounds from the training span: "
        "`lo, hi = np.nanpercentile(train, [0.5, 99.5], axis=0)`; `x = np.clip(x, lo, hi)` "
        "(or `sklearn.preprocessing.RobustScaler`)")


def _spurious(m: Measurements):
    if not m.spurious:
        return None
    name, train, test, _ = max(m.spurious, key=lambda s: s[1] - abs(s[2]))
    ev = [f"input `{name}` correlates {train:.2f} with the target in the training span but "
          f"{test:.2f} in the test span"]
    if name in m.grad_share:
        ev.append(f"the model leans on it: {100 * m.grad_share[name]:.0f} % of the input "
                  "gradient goes to that column")
    patch = None
    c = m.config
    if c is not None and c.spurious_feature:
        patch = {"spurious_feature": False}
    elif c is not None and c.dataset == "csv":  # drop the column from the file's inputs
        from ..tabular import split_names

        kept = [n for n in split_names(c.input_columns) if n != name]
        patch = {"input_columns": ",".join(kept)}
    j = m.feature_names.index(name) if name in m.feature_names else "j"
    return Finding("spurious_feature", f"The model relies on `{name}`, a pattern that held "
                   "only in the training span", tuple(ev), patch, 0.9,
                   f"drop input `{name}`: `x = np.delete(x, {j}, axis=-1)` for every split")


def _noise(m: Measurements) -> bool:
    """True when neither a linear probe nor a naive baseline beats the mean (R² < 0.1)."""
    probe = m.probe_long if m.probe_long is not None else m.probe_now
    base = m.best_baseline_r2
    return probe is not None and probe < 0.1 and (base is None or base < 0.1)


def _unpredictable(m: Measurements):
    if not _noise(m):
        return None
    probe = m.probe_long if m.probe_long is not None else m.probe_now
    base = m.best_baseline_r2
    what = (f"a linear model on {m.long_window} past steps" if m.window else
            "a linear model on the same inputs")
    return Finding(
        "unpredictable_target", f"Flat is the right answer: {m.target_name} is noise at "
        "this horizon",
        (f"{what} reaches R² {_f(probe)} on held-out data",
         f"the best naive baseline reaches R² {_f(base)}",
         "a flat line at the mean is the best forecast any model can give: nothing to fix"),
        None, 0.85,
        "nothing to change in the model: predict something the inputs carry information "
        "about (a shorter horizon, a smoothed target, other inputs)")


def _short_window(m: Measurements):
    if m.probe_long is None or m.window is None or m.long_window <= m.window:
        return None
    gain = m.probe_long - (m.probe_now if m.probe_now is not None else 0.0)
    if gain < signals.WINDOW_GAIN:
        return None
    ev = [f"a linear model reaches R² {_f(m.probe_now)} with the {m.window}-step window "
          f"but {_f(m.probe_long)} with {m.long_window} steps"]
    season = _season_line(m)
    if season:
        ev.insert(0, season)
    return Finding("window_too_short", "The window is too short to see the pattern",
                   tuple(ev), _patch(m, seq_len=m.long_window), 0.8,
                   f"make longer windows: `keras.utils.timeseries_dataset_from_array(..., "
                   f"sequence_length={m.long_window})` (now {m.window})")


def _season_line(m: Measurements) -> str | None:
    """The season the window fix covers, and why the fix's window may differ from the
    period estimated from the data: a known season wins over the noisy estimate, and the
    training span may not leave room for a whole season."""
    known, found = m.known_season, m.period.steps
    season = known or found
    if not season:
        return None
    if known and found and found != known:
        line = (f"the series' season is {known} steps, known from how it was generated "
                f"(estimated from the noisy data: {found}, autocorrelation "
                f"{m.period.strength:.2f})")
    elif known:
        line = f"the series' season is {known} steps, known from how it was generated"
    else:
        line = (f"the series repeats every {found} steps (autocorrelation "
                f"{m.period.strength:.2f})")
    line += f"; the window holds {m.window}"
    if m.long_window < season:
        why = (f"windows over {MAX_WINDOW} steps are not proposed"
               if m.long_window == MAX_WINDOW else
               f"a {season}-step window would leave too few training windows")
        line += f"; {why}, so the fix takes {m.long_window}"
    return line


def _step_line(ratio: float) -> str:
    return (f"per step ‖ΔW‖/‖W‖ = {ratio:.1e} (healthy: about {_sci(HEALTHY_STEP[0])} … "
            f"{_sci(HEALTHY_STEP[1])})")


def _sci(x: float) -> str:
    """1e-4, not 0.0001 or 1e-04."""
    mantissa, exp = f"{x:.0e}".split("e")
    return f"{mantissa}e{int(exp)}"


def _output_range(m: Measurements):
    """An output activation whose range the targets leave: the head cannot reach them
    whatever it learns (a sigmoid on negative targets, a softmax over one unit)."""
    if m.output_range is None:
        return None
    act, lo, hi, share, tmin, tmax, where = m.output_range
    what = ("always 1 (a softmax over one unit)" if lo == hi else
            f"in ({_f(lo)}, {_f(hi)})" if math.isfinite(hi) else f"at or above {_f(lo)}")
    return Finding(
        "output_range", f"The output activation (`{act}`) cannot reach the target's range",
        (f"{where}`{act}` outputs values {what}",
         f"the targets span {_f(tmin)} … {_f(tmax)}: {100 * share:.0f} % of them lie outside "
         "what the output can produce",
         f"prediction spread is {_f(m.flatness)} of the target's (flatness)"),
        None, 0.9 if share >= 0.25 else 0.7,
        f"make the output layer linear: `Dense(units)` without `activation='{act}'` "
        "(or scale the target into the activation's range and invert the predictions)")


def _loss_mismatch(m: Measurements):
    """A classification loss on a continuous target."""
    if m.loss_mismatch is None:
        return None
    loss, why = m.loss_mismatch
    return Finding(
        "loss_mismatch", f"The loss (`{loss}`) is for classes, not a continuous target",
        (why, f"prediction spread is {_f(m.flatness)} of the target's (flatness)"),
        None, 0.93,
        "use a regression loss on a linear output: `model.compile(loss='mse', ...)` and "
        "`Dense(units)` without a sigmoid/softmax as the last layer")


RULES = (_shape, _missing, _lr_large, _lr_small, _few_epochs, _unscaled, _unscaled_target,
         _saturated, _outliers, _spurious, _unpredictable, _short_window, _output_range,
         _loss_mismatch)


def _fallback(m: Measurements) -> Finding:
    """No rule fired: say what was measured and suggest more training, with low confidence."""
    epochs = min(1000, 2 * m.epochs)
    return Finding(
        "too_few_epochs", "No clear cause found; more training is the cheapest next try",
        (f"weights moved {100 * m.total_change:.0f} %, loss fell "
         f"{100 * m.still_falling:.1f} % per epoch at the end",
         f"a linear model reaches R² {_f(m.probe_now)} with these inputs"),
        _patch(m, epochs=epochs), 0.2, f"train longer: `model.fit(..., epochs={epochs})`")


def _patch(m: Measurements, **changes) -> dict | None:
    """A lab config patch, only for a lab run (a Keras fit has no config to patch)."""
    return changes if m.config is not None else None


def _opt(name: str) -> str:
    return {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop", "adamw": "AdamW"}.get(
        name.lower(), name)


def _shape_text(shape: tuple) -> str:
    return ", ".join(map(str, shape)) if shape else ""


def healthy_line(name: str, scores, base: float | None) -> str:
    return (f"{name}: R² {_f(scores.r2)}, flatness {_f(scores.flatness)}; best naive "
            f"baseline R² {_f(base)} (within {BASELINE_SLACK} counts as a match)")


def _f(x) -> str:
    return "n/a" if x is None else f"{x:.2f}" if abs(x) < 1000 else f"{x:,.0f}"
