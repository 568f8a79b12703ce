"""The doctor: name the cause of a failed run, with the numbers that support it.

``diagnose(result)`` measures the run and its data -- weight-update ratio, loss curve,
per-input gradient share, missing values and spikes in what the model read, the
series' season and how predictable it is for a linear model -- and turns each
symptom into a :class:`Finding` with a config patch that fixes it. It never reads a
preset's name: a run from a shared link, the CLI or an uploaded CSV gets the same
treatment.

A run whose verdict is ``learning`` -- it beats the mean and keeps up with every naive
baseline (:data:`lstm_lab.metrics.BASELINE_SLACK`) -- gets the single finding ``healthy``;
every other verdict, ``weak`` included, is examined. Badge and doctor apply one rule.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from . import signals
from .metrics import BASELINE_SLACK, best_r2
from .data import Prepared, prepare
from .lr_find import clamp_lr
from .train import ExperimentResult

CODES = (
    "lr_too_small", "lr_too_large", "unscaled_inputs", "window_too_short", "too_few_epochs",
    "missing_values", "outliers", "spurious_feature", "shape_broadcast",
    "unpredictable_target", "healthy",
)


@dataclass(frozen=True)
class Finding:
    """One diagnosis. ``fix`` is a config patch (field -> value), or None where nothing
    should be changed (the target is noise) or no patch exists."""

    code: str
    title: str
    evidence: tuple[str, ...]
    fix: dict | None
    confidence: float  # 0..1; findings are sorted by it, most likely first

    def to_dict(self) -> dict:
        d = asdict(self)
        d["evidence"] = list(self.evidence)
        d["confidence"] = round(self.confidence, 2)
        return d


@dataclass
class Measurements:
    """Everything the rules look at (kept for the evidence lines and for calibration)."""

    verdict: str
    diverged: bool
    losses: list[float]
    steps_per_epoch: int
    update_ratio: float  # median per-step ‖ΔW‖/‖W‖
    total_change: float
    still_falling: float  # relative train-loss drop per epoch over the last epochs
    end_vs_best: float  # final train loss / best train loss
    missing: int
    n_values: int
    outliers: int
    worst_z: float
    input_std: np.ndarray  # (F,) training-span std as the model saw it
    period: signals.Period
    probe_now: float | None  # linear probe R² with the run's window
    probe_long: float | None  # ... with a window of one season
    long_window: int
    best_baseline_r2: float | None
    spurious: list[tuple[str, float, float, float]] = field(default_factory=list)
    grad_share: dict[str, float] = field(default_factory=dict)
    target_shape: tuple = ()


def diagnose(result: ExperimentResult, data: Prepared | None = None) -> list[Finding]:
    """Findings for a run, most likely first; ``[healthy]`` when it learned.

    ``data`` is the run's prepared data (rebuilt from the config when not given).
    """
    if result.verdict == "learning" and not result.stopped:
        return [Finding("healthy", "Nothing to fix: the model learned the pattern",
                        tuple(_healthy_evidence(result)), None, 1.0)]
    data = data if data is not None else prepare(result.config)
    m = measure(result, data)
    findings = [f for rule in RULES if (f := rule(result, m)) is not None]
    findings.sort(key=lambda f: -f.confidence)
    return findings or [_fallback(result, m)]


def measure(result: ExperimentResult, data: Prepared) -> Measurements:
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
    long_window = _long_window(c, period, data)
    return Measurements(
        verdict=result.verdict,
        diverged=result.diverged,
        losses=losses,
        steps_per_epoch=steps,
        update_ratio=float(np.median(changes)) / steps if changes else 0.0,
        total_change=result.weight_change_total,
        still_falling=_still_falling(finite),
        end_vs_best=finite[-1] / min(finite) if finite and min(finite) > 0 else 1.0,
        missing=int(np.isnan(inputs).sum()),
        n_values=inputs.size,
        outliers=int(counts.sum()),
        worst_z=float(worst.max()),
        input_std=np.nanstd(inputs[:split], axis=0),
        period=period,
        probe_now=signals.linear_probe_r2(y, split, c.seq_len, c.horizon),
        probe_long=signals.linear_probe_r2(y, split, long_window, c.horizon),
        long_window=long_window,
        best_baseline_r2=_best_baseline(result),
        spurious=_spurious_columns(data, c.horizon),
        grad_share=_grad_share(result),
        target_shape=tuple(data.y_train.shape),
    )


# --- rules: each returns a Finding or None --------------------------------------------
def _shape(r: ExperimentResult, m: Measurements):
    if len(m.target_shape) != 3:
        return None
    n, L, T = m.target_shape
    return Finding(
        "shape_broadcast", "The targets are whole windows: the loss broadcast them and the "
        "model learned each window's mean",
        (f"training targets have shape ({n}, {L}, {T}) but the model outputs ({n}, {T}): "
         f"each prediction was compared with all {L} steps of its window",
         f"prediction spread is {_f(_flatness(r))} of the target's (flatness)"),
        {"shape_bug": False}, 1.0)


def _missing(r: ExperimentResult, m: Measurements):
    if not m.missing:
        return None
    nan_at = next((h.epoch for h in r.history if not math.isfinite(h.train_loss)), None)
    ev = [f"{m.missing} of {m.n_values} input values are missing "
          f"({100 * m.missing / m.n_values:.1f} %)"]
    if nan_at:
        ev.append(f"the loss was NaN from epoch {nan_at}: one gap in a window poisons the "
                  "whole batch's gradient")
    return Finding("missing_values", "Missing values in the inputs", tuple(ev),
                   {"impute": True}, 0.98 if nan_at else 0.7)


def _lr_large(r: ExperimentResult, m: Measurements):
    c = r.config
    fix = {"learning_rate": clamp_lr(c.learning_rate / 10)}
    if m.diverged and not m.missing:
        finite = [x for x in m.losses if math.isfinite(x)]
        ev = [f"the loss became NaN/inf at epoch {len(m.losses)}"
              + (f" after reaching {_f(min(finite))}" if finite else "")]
        ev.append(f"learning rate {c.learning_rate:g} with {c.optimizer}: each step "
                  "overshoots the minimum it aims at")
        return Finding("lr_too_large", "Learning rate too large: training diverged",
                       tuple(ev), fix, 0.95)
    if m.total_change > 2.0:
        return Finding(
            "lr_too_large", "Learning rate too large: the weights were thrown around",
            (f"weights moved {100 * m.total_change:.0f} % of their initial size "
             f"(a healthy run moves 10–100 %)",
             f"per step ‖ΔW‖/‖W‖ = {m.update_ratio:.1e} (healthy: about 1e-4 … 1e-2)",
             f"final loss is {m.end_vs_best:.1f}× the best loss seen"),
            fix, 0.85)
    if m.end_vs_best > 3.0 and len(m.losses) >= 3:
        return Finding("lr_too_large", "Learning rate too large: the loss bounces",
                       (f"final loss is {m.end_vs_best:.1f}× the best loss seen",), fix, 0.6)
    return None


def _lr_small(r: ExperimentResult, m: Measurements):
    if m.update_ratio >= 1.5e-4 or m.total_change >= 0.15 or m.diverged:
        return None
    c = r.config
    cap = 1e-2 if c.optimizer == "adam" else 0.1
    return Finding(
        "lr_too_small", "Learning rate too small: the weights barely moved",
        (f"per step ‖ΔW‖/‖W‖ = {m.update_ratio:.1e} (healthy: about 1e-4 … 1e-2)",
         f"weights moved {100 * m.total_change:.1f} % in {len(m.losses)} epochs",
         f"the loss still falls {100 * m.still_falling:.1f} % per epoch"),
        {"learning_rate": clamp_lr(min(cap, c.learning_rate * 100))}, 0.8)


def _few_epochs(r: ExperimentResult, m: Measurements):
    if m.diverged or m.still_falling < 0.03 or m.update_ratio < 1.5e-4:
        return None
    c = r.config
    epochs = min(1000, max(4 * c.epochs, math.ceil(600 / m.steps_per_epoch)))
    return Finding(
        "too_few_epochs", "Stopped too early: the loss was still falling",
        (f"train loss fell {100 * m.still_falling:.0f} % per epoch at the end",
         f"{len(m.losses)} epochs × {m.steps_per_epoch} steps = "
         f"{len(m.losses) * m.steps_per_epoch} weight updates in total",
         f"per step ‖ΔW‖/‖W‖ = {m.update_ratio:.1e}: the learning rate is fine"),
        {"epochs": epochs}, 0.75)


def _unscaled(r: ExperimentResult, m: Measurements):
    std = m.input_std[np.isfinite(m.input_std) & (m.input_std > 0)]
    if not len(std):
        return None
    ratio = std.max() / std.min()
    if std.max() < 20 and ratio < 100:
        return None
    ev = [f"inputs as the model reads them have std {_f(std.min())} … {_f(std.max())} "
          f"(ratio {ratio:,.0f}×)"]
    if std.max() >= 20:
        ev.append(f"the network starts with outputs near ±1; at learning rate "
                  f"{r.config.learning_rate:g} its weights cannot grow to values "
                  f"{std.max():,.0f} wide, so the loss is dominated by the largest column")
    share = m.grad_share
    if share:
        top = max(share, key=share.get)
        ev.append(f"gradient share per input: " + ", ".join(
            f"{k} {100 * v:.0f} %" for k, v in share.items()) + f" (largest: {top})")
    return Finding("unscaled_inputs", "Columns on very different scales, not standardised",
                   tuple(ev), {"scale_inputs": True}, 0.9)


def _outliers(r: ExperimentResult, m: Measurements):
    if m.outliers == 0 or m.worst_z < 20 or m.outliers < 1e-4 * m.n_values:
        return None
    return Finding(
        "outliers", "Spikes in the inputs swamp the signal",
        (f"{m.outliers} input values ({100 * m.outliers / m.n_values:.2f} %) lie beyond "
         f"{signals.ROBUST_Z:g} robust σ, the worst {m.worst_z:,.0f} σ",
         "the scaler's σ is inflated by the spikes, so the real signal becomes a tiny "
         "ripple in model units"),
        {"remove_outliers": True}, 0.88)


def _spurious(r: ExperimentResult, m: Measurements):
    if not m.spurious:
        return None
    name, train, test, _ = max(m.spurious, key=lambda s: s[1] - abs(s[2]))
    ev = [f"input `{name}` correlates {train:.2f} with the target in the training span but "
          f"{test:.2f} in the test span"]
    if name in m.grad_share:
        ev.append(f"the model leans on it: {100 * m.grad_share[name]:.0f} % of the input "
                  "gradient goes to that column")
    fix = None
    if r.config.spurious_feature:
        fix = {"spurious_feature": False}
    elif r.config.dataset == "csv":  # drop the column from the file's inputs
        from .tabular import split_names

        kept = [n for n in split_names(r.config.input_columns) if n != name]
        fix = {"input_columns": ",".join(kept)}
    return Finding("spurious_feature", f"The model relies on `{name}`, a pattern that held "
                   "only in the training span", tuple(ev), fix, 0.9)


def _unpredictable(r: ExperimentResult, m: Measurements):
    probe = m.probe_long if m.probe_long is not None else m.probe_now
    base = m.best_baseline_r2
    if probe is None or probe >= 0.1 or (base is not None and base >= 0.1):
        return None
    return Finding(
        "unpredictable_target", "Flat is the right answer: the target is noise at this "
        "horizon",
        (f"a linear model on {m.long_window} past steps reaches R² {_f(probe)} on the test span",
         f"the best naive baseline reaches R² {_f(base)}",
         "a flat line at the mean is the best forecast any model can give: nothing to fix"),
        None, 0.85)


def _short_window(r: ExperimentResult, m: Measurements):
    c = r.config
    if m.probe_long is None or m.long_window <= c.seq_len:
        return None
    gain = m.probe_long - (m.probe_now if m.probe_now is not None else 0.0)
    if gain < 0.15:
        return None
    ev = [f"a linear model reaches R² {_f(m.probe_now)} with the {c.seq_len}-step window "
          f"but {_f(m.probe_long)} with {m.long_window} steps"]
    if m.period.steps:
        ev.insert(0, f"the series repeats every {m.period.steps} steps (autocorrelation "
                     f"{m.period.strength:.2f}); the window holds {c.seq_len}")
    return Finding("window_too_short", "The window is too short to see the pattern",
                   tuple(ev), {"seq_len": m.long_window}, 0.8)


RULES = (_shape, _missing, _lr_large, _lr_small, _few_epochs, _unscaled, _outliers,
         _spurious, _unpredictable, _short_window)


def _fallback(r: ExperimentResult, m: Measurements) -> Finding:
    """No rule fired: say what was measured and suggest more training, with low confidence."""
    epochs = min(1000, 2 * r.config.epochs)
    return Finding(
        "too_few_epochs", "No clear cause found; more training is the cheapest next try",
        (f"weights moved {100 * m.total_change:.0f} %, loss fell "
         f"{100 * m.still_falling:.1f} % per epoch at the end",
         f"a linear model reaches R² {_f(m.probe_now)} with this window"),
        {"epochs": epochs}, 0.2)


# --- measurements ---------------------------------------------------------------------
def _target_history(data: Prepared) -> np.ndarray:
    """The first target as recorded over the whole series, in model units, (T,)."""
    j = data.series.targets[0]
    return (data.series.values[:, j] - data.target_mean[0]) / data.target_scale[0]


def _long_window(c, period: signals.Period, data: Prepared) -> int:
    """One season (or 4× the window when no season is found), within what the train span
    allows."""
    want = period.steps if period.steps else 4 * c.seq_len
    room = c.n_train_steps - c.horizon - 20  # keep at least ~20 training windows
    return int(max(c.seq_len, min(want, room, 1000)))


def _still_falling(losses: list[float]) -> float:
    """Mean relative drop per epoch of the train loss over the last (up to) 3 epochs."""
    tail = losses[-4:]
    if len(tail) < 2:
        return 1.0 if len(losses) == 1 else 0.0  # one epoch: assume it had only begun
    drops = [(a - b) / a for a, b in zip(tail, tail[1:]) if a > 0]
    return float(np.mean(drops)) if drops else 0.0


def _best_baseline(r: ExperimentResult) -> float | None:
    values = [s.r2 for t in r.targets if t.predictable for s in t.baselines.values()
              if s.r2 is not None]
    return max(values) if values else None


def _spurious_columns(data: Prepared, horizon: int) -> list[tuple[str, float, float, float]]:
    """Non-target inputs whose correlation with the target h steps later holds in the
    training span and breaks in the test span: (name, corr train, corr test, drop)."""
    y = _target_history(data)
    split = data.split
    out = []
    for j, name in enumerate(data.series.names):
        if j in data.series.targets:
            continue
        x = data.inputs[:, j].astype(np.float64)
        lead = y[horizon:]  # the target h steps after each input
        train = signals.correlation(x[: split - horizon], lead[: split - horizon])
        test = signals.correlation(x[split - horizon: -horizon or None],
                                   lead[split - horizon:])
        if abs(train) > 0.8 and abs(train) - abs(test) > 0.4:
            out.append((name, train, test, abs(train) - abs(test)))
    return out


def _grad_share(r: ExperimentResult) -> dict[str, float]:
    if not r.history:
        return {}
    g = np.asarray(r.history[-1].input_grad_norms, dtype=np.float64)
    if not np.all(np.isfinite(g)) or g.sum() <= 0:
        return {}
    return {n: float(v) for n, v in zip(r.feature_names, g / g.sum())}


def _flatness(r: ExperimentResult) -> float | None:
    values = [t.scores.flatness for t in r.targets if t.scores.flatness is not None]
    return min(values) if values else None


def _healthy_evidence(r: ExperimentResult) -> list[str]:
    out = []
    for t in r.targets:
        if not t.predictable:
            continue
        base = best_r2(t.baselines)
        out.append(f"{t.name}: R² {_f(t.scores.r2)}, flatness {_f(t.scores.flatness)}; best "
                   f"naive baseline R² {_f(base)} (within {BASELINE_SLACK} counts as a match)")
    return out


def _f(x) -> str:
    return "n/a" if x is None else f"{x:.2f}" if abs(x) < 1000 else f"{x:,.0f}"
