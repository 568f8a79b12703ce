"""The doctor for your own Keras model: a callback that says why a fit went flat.

The measurements of a Keras fit; the public entry point is :mod:`lstm_lab.keras`.

>>> from lstm_lab.keras import Doctor
>>> doc = Doctor(x_train, y_train, validation_data=(x_val, y_val))
>>> model.fit(x_train, y_train, epochs=20, callbacks=[doc])
>>> doc.findings[0].code, doc.findings[0].fix     # most likely cause, the line to change
>>> print(doc.report())                             # or just `doc.report()` in Jupyter

The callback measures during training, cheaply: the shape of the targets against the
model's output before the first epoch (a broadcast is warned about at once), each
layer's weight-update ratio and the loss every epoch, predictions on (a bounded sample
of) the validation data -- R², flatness and the naive baselines (mean, persistence,
seasonal) -- at the end, and every epoch when the epoch line or the live chart shows
them, and, once at the end, the per-input gradient share and the saturated or dead
units of each layer. It adds no per-batch hook, which would make Keras wait for every
batch (``bench/doctor_overhead.py`` measures what it costs). The data is measured once (scale, gaps, spikes,
season against window, a linear probe). The rules that turn all this into findings are
the lab's own (:func:`lstm_lab.doctor.rules.judge`): one doctor, two front ends.

In Jupyter it draws the lab's charts live (predictions against targets on the validation
data, and the loss curves), and the report renders as HTML. Elsewhere it prints at most
one line per epoch, or nothing with ``verbose=0``.
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from dataclasses import replace

import numpy as np

from ..model import keras, tf  # TensorFlow with its import-time C++ banner hidden
from .. import metrics
from .fit_data import (FitData, broadcast_shapes, data_measurements, naive_baselines, read_xy,
                       target_probes)
from .measures import Measurements, grad_share, still_falling
from .problems import DoctorInputError, DoctorWarning
from .report import Report
from .rules import Finding, healthy_line, judge

__all__ = ["Doctor", "DoctorInputError", "DoctorWarning", "Report", "diagnose_fit"]

# activations whose units can get stuck: name -> (low, high) of their range
_BOUNDED = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0)}
_RECURRENT = ("LSTM", "GRU", "SimpleRNN", "Bidirectional", "RNN")


class Doctor(keras.callbacks.Callback):
    """A Keras callback that names why a fit went flat, with evidence and the fix.

    Parameters
    ----------
    x : training inputs as given to ``fit`` -- (n, steps, features) or (n, features)
        arrays, a pandas DataFrame -- or a ``tf.data.Dataset`` of ``(x, y)`` batches
        (then ``y`` is None; a bounded sample of its batches is read)
    y : training targets, (n,), (n, targets) or (n, steps, targets)
    validation_data : ``(x_val, y_val)`` or a Dataset; without it the last 20 % of the
        training sample stands in (then the scores are not held out, and say so)
    max_samples : how many samples of each split the doctor keeps and predicts on
    live : draw the charts live in Jupyter ("auto": when running in a notebook kernel)
    verbose : 1 prints one line per epoch outside a notebook; 0 prints nothing
    """

    def __init__(self, x, y=None, *, validation_data=None, max_samples: int = 1024,
                 live: bool | str = "auto", verbose: int = 1):
        super().__init__()
        self.train = read_xy(x, y, max_samples=max_samples, what="x")
        self.holdout = validation_data is not None
        if validation_data is None:
            cut = max(1, int(0.8 * len(self.train.x)))
            self.val = FitData(self.train.x[cut:], self.train.y[cut:], self.train.names)
        else:
            self.val = _read_validation(validation_data, max_samples)
        # Sequences may differ in length (a recurrent model reads any number of steps, and
        # a test split is often shorter than the training one); features may not.
        if (self.val.x.ndim != self.train.x.ndim
                or self.val.x.shape[-1] != self.train.x.shape[-1]):
            raise DoctorInputError(f"validation inputs have shape {self.val.x.shape[1:]} per "
                                   f"sample but training inputs {self.train.x.shape[1:]}: "
                                   "they need the same features")
        if self.val.n_targets != self.train.n_targets:  # a loss would broadcast them
            raise DoctorInputError(f"validation targets have shape {self.val.y.shape[1:]} per "
                                   f"sample but training targets {self.train.y.shape[1:]}: "
                                   "they need the same targets")
        self.verbose = verbose
        self.live = _in_notebook() if live == "auto" else bool(live)
        self._reset()

    # --- Keras hooks ----------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._reset()
        if self.val.x.shape[1:] == self.train.x.shape[1:]:
            # the validation sample gives the output shape, and traces the predict function
            # for the one batch shape every later prediction has
            out = self._predict(self.val.x)
        else:
            out = self._predict(self.train.x[:2])
            try:  # validation sequences of another length: does the model read them?
                self._predict(self.val.x[:2])
            except Exception as e:  # Keras raises ValueError, TF its own errors
                raise DoctorInputError(
                    f"validation inputs have shape {self.val.x.shape[1:]} per sample but "
                    f"training inputs {self.train.x.shape[1:]}, and the model does not read "
                    f"them ({type(e).__name__}): give validation windows of the training "
                    "length") from None
        self.broadcast = broadcast_shapes(self.train.y.shape[1:], out.shape[1:])
        if self.broadcast is not None:
            t, o = self.broadcast
            warnings.warn(f"LSTM Lab doctor: targets have shape (n, {_dims(t)}) but the model "
                          f"outputs (n, {_dims(o)}); the loss will broadcast them and train "
                          "the model to predict each window's mean (a flat line). Give one "
                          "target per output.", DoctorWarning, stacklevel=_user_level())
        self.data = data_measurements(self.train, self.val)
        self.baselines = naive_baselines(self.train, self.val, self.data.period.steps)
        self._start = self._prev = self._weights()
        self._steps_seen = self._iterations()

    # No batch hook: a callback with one makes Keras wait for every batch (no async
    # dispatch); the optimizer's step counter says how many steps an epoch took.

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.losses.append(float(logs.get("loss", math.nan)))
        self.val_losses.append(float(logs.get("val_loss", math.nan)))
        steps = self._iterations()
        self.steps_per_epoch = max(steps - self._steps_seen, 1)
        self._steps_seen = steps
        now = self._weights()
        self.updates.append({k: _ratio(now[k], self._prev[k]) for k in now})
        self.network_updates.append(_ratio_flat(now, self._prev))
        self._prev = now
        self._findings = None
        # predictions on the validation sample are made when read (this line, the chart,
        # and once at the end of training), not every epoch regardless
        if self.verbose and not self.live:
            print(f"doctor · epoch {epoch + 1}: {self._summary()}")
        if self.live:
            self._draw()

    def on_train_end(self, logs=None):
        self._fresh_predictions()  # the trained model's, whatever happens to it later
        self._end = self._measure_end()
        self._findings = None

    # --- results --------------------------------------------------------------------------
    @property
    def findings(self) -> list[Finding]:
        """Most likely first; each has ``code``, ``title``, ``evidence`` and ``fix`` (the
        line of code to change)."""
        if not self.losses:
            raise RuntimeError("the doctor has not seen a fit yet: pass it to "
                               "model.fit(..., callbacks=[doctor]) first")
        if self._findings is None:
            self._findings = [replace(f, fix=f.advice or None) for f in judge(self.measurements())]
        return self._findings

    def report(self) -> Report:
        findings = self.findings
        return Report(self._verdict()[0], tuple(self._score_lines()), tuple(findings))

    def measurements(self) -> Measurements:
        """Everything the rules read (for calibration, and for the curious)."""
        verdict, scores, base = self._verdict()
        finite = [v for v in self.losses if math.isfinite(v)]
        per_step = self.network_updates
        end = self._end or self._measure_end()
        d = self.data
        j, base, target_name = self._judged()
        # with a broadcast the scores are of the target's last column (see _pairs)
        probe_now, probe_long, long_window, period = target_probes(
            self.train, d, self.train.n_targets - 1 if self.broadcast is not None else j)
        total = _ratio_flat(self._prev, self._start)
        return Measurements(
            verdict=verdict,
            diverged=self._diverged(),
            losses=list(self.losses),
            steps_per_epoch=self.steps_per_epoch,
            update_ratio=float(np.median(per_step)) / self.steps_per_epoch if per_step else 0.0,
            total_change=total,
            still_falling=still_falling(finite),
            end_vs_best=finite[-1] / min(finite) if finite and min(finite) > 0 else 1.0,
            missing=d.missing,
            n_values=d.n_values,
            outliers=d.outliers,
            worst_z=d.worst_z,
            input_std=d.input_std,
            feature_names=self.train.names,
            period=period,
            probe_now=probe_now,
            probe_long=probe_long,
            window=d.window,
            long_window=long_window,
            target_name=target_name,
            best_baseline_r2=base,
            learning_rate=_learning_rate(self.model),
            optimizer=type(self.model.optimizer).__name__.lower(),
            epochs=len(self.losses),
            flatness=scores[j].flatness,
            missing_targets=d.missing_targets,
            nan_epoch=next((i + 1 for i, v in enumerate(self.losses) if not math.isfinite(v)),
                           None),
            spurious=d.spurious,
            grad_share=end["grad_share"],
            broadcast=self.broadcast,
            target_mean=d.target_mean,
            target_std=d.target_std,
            prediction_mean=_finite_mean(self._fresh_predictions()),
            saturation=end["saturation"],
            layer_updates={k: float(np.median([u[k] for u in self.updates])) /
                           self.steps_per_epoch for k in (self.updates[0] if self.updates else {})},
            nonfinite_weights=tuple(k for k, w in self._prev.items() if not np.isfinite(w).all()),
            healthy_evidence=self._score_lines(),
        )

    # --- measuring ------------------------------------------------------------------------
    def _reset(self):
        self.losses: list[float] = []
        self.val_losses: list[float] = []
        self.updates: list[dict[str, float]] = []  # per epoch: layer -> ‖ΔW‖/‖W‖
        self.network_updates: list[float] = []  # per epoch, all weights together
        self.predictions = None  # on the validation sample, after epoch _predicted_at
        self._predicted_at = -1
        self.broadcast = None
        self.steps_per_epoch = 1
        self._steps_seen = 0
        self._findings = None
        self._end = None
        self._display = None

    def _predict(self, x: np.ndarray) -> np.ndarray:
        out = [np.asarray(self.model.predict_on_batch(x[i:i + 512].astype(np.float32)))
               for i in range(0, len(x), 512)]
        return np.concatenate(out).astype(np.float64)

    def _fresh_predictions(self) -> np.ndarray:
        """The model's predictions on the validation sample after the latest epoch."""
        if self._predicted_at != len(self.losses) or self.predictions is None:
            self.predictions = self._predict(self.val.x)
            self._predicted_at = len(self.losses)
        return self.predictions

    def _iterations(self) -> int:
        """Optimizer steps taken so far (0 for an optimizer without a counter)."""
        it = getattr(self.model.optimizer, "iterations", None)
        return int(np.asarray(it)) if it is not None else 0

    def _weights(self) -> dict[str, np.ndarray]:
        """Each layer's trainable weights, flattened: (n_params,)."""
        out = {}
        for layer in self.model.layers:
            ws = [np.asarray(w).ravel() for w in layer.trainable_weights]
            if ws:
                out[layer.name] = np.concatenate(ws)
        return out

    def _diverged(self) -> bool:
        return (any(not math.isfinite(v) for v in self.losses)
                or not np.isfinite(self._fresh_predictions()).all())

    def _pairs(self):
        """(truth, prediction) as (rows, targets) columns; with a broadcast, each target
        window's last step against the single prediction."""
        y, p = self.val.y, self._fresh_predictions()
        if self.broadcast is not None:
            y = y.reshape(len(y), -1)[:, -1:]
            p = p.reshape(len(p), -1)[:, -1:]
        cols = y.shape[-1] if y.ndim > 1 else 1
        return y.reshape(-1, cols), p.reshape(-1, cols)

    def _verdict(self):
        """(verdict, model scores per target, best baseline R²) on the validation data."""
        verdicts, scores, best = self._per_target()
        finite = [b for b in best if b is not None]
        return metrics.worst(verdicts), scores, (max(finite) if finite else None)

    def _judged(self) -> tuple[int, float | None, str]:
        """The target the rules judge: the first whose verdict is the overall (worst) one
        -- a noise column among learned ones is what the flat verdict is about. Returns
        its index, its best baseline R² and its name in the report."""
        verdicts, _, best = self._per_target()
        j = verdicts.index(metrics.worst(verdicts))
        return j, best[j], "the target" if len(verdicts) == 1 else f"target {j}"

    def _per_target(self):
        """(verdict, model scores, best baseline R²) per target, on the validation data."""
        truth, pred = self._pairs()
        base = {} if self.broadcast is not None else self.baselines
        if self.broadcast is not None:
            base = {"mean": np.broadcast_to(np.nanmean(truth, axis=0), truth.shape)}
        verdicts, scores, best = [], [], []
        for t in range(truth.shape[1]):
            ok = np.isfinite(truth[:, t])
            s = metrics.score(truth[ok, t], pred[ok, t])
            b = {k: metrics.score(truth[ok, t], v[ok, t]) for k, v in base.items()}
            verdicts.append(metrics.verdict(s, b, self._diverged()))
            scores.append(s)
            best.append(metrics.best_r2(b))
        return verdicts, scores, best

    def _score_lines(self) -> list[str]:
        _, scores, _ = self._verdict()
        truth, _ = self._pairs()
        lines = []
        for t, s in enumerate(scores):
            ok = np.isfinite(truth[:, t])
            b = {k: metrics.score(truth[ok, t], v[ok, t]) for k, v in self.baselines.items()} \
                if self.broadcast is None else {}
            name = "target" if len(scores) == 1 else f"target {t}"
            lines.append(healthy_line(name, s, metrics.best_r2(b)))
        if not self.holdout:
            lines.append("no validation data: scored on the last 20 % of the training "
                         "sample, which the model trained on")
        return lines

    def _summary(self) -> str:
        verdict, scores, _ = self._verdict()
        s = scores[0]
        r2 = "n/a" if s.r2 is None else f"{s.r2:.3f}"
        flat = "n/a" if s.flatness is None else f"{s.flatness:.2f}"
        return f"val R² {r2}, flatness {flat} ({verdict})"

    def _measure_end(self) -> dict:
        """Once, after training: per-input gradient share (on training inputs) and stuck
        units per layer (on validation inputs). Both come from one pass through the model
        where the inputs have the same shape -- on a small model that pass is most of what
        the doctor costs."""
        if not self.losses:
            return {"grad_share": {}, "saturation": {}}
        # Extra evidence only: a model these probes cannot read (a custom loss with other
        # arguments, nested models) still gets its findings, never a crash after its fit.
        try:
            return self._end_pass()
        except (ValueError, TypeError, AttributeError, tf.errors.OpError) as e:
            warnings.warn(f"LSTM Lab doctor: could not measure the gradient share and stuck "
                          f"units ({e})", DoctorWarning)
            return {"grad_share": {}, "saturation": {}}

    def _end_pass(self) -> dict:
        forward, layers = _forward(self.model)
        x, y, xv = self.train.x[:128], self.train.y[:128], self.val.x[:256]
        finite = bool(np.isfinite(x).all())
        if finite and x.shape[1:] == xv.shape[1:]:
            g, acts = self._input_gradient(forward, np.concatenate([x, xv]), y)
            acts = [a[len(x):] for a in acts]  # the validation rows
        else:
            g = self._input_gradient(forward, x, y)[0] if finite else None
            acts = [np.asarray(a) for a in forward(xv.astype(np.float32))[1]] if layers else []
        share = {} if g is None else grad_share(
            np.sqrt(np.sum(np.square(g), axis=tuple(range(g.ndim - 1)))), self.train.names)
        return {"grad_share": share, "saturation": _stuck(layers, acts)}

    def _input_gradient(self, forward, x: np.ndarray, y: np.ndarray):
        """(d loss / d inputs for the first len(y) rows of ``x`` or None, layer outputs for
        all rows): the loss is the model's own, on those rows only."""
        n = len(y)
        x = tf.constant(x, tf.float32)
        y = tf.constant(y, tf.float32)
        try:
            loss_fn = keras.losses.get(self.model.loss) if self.model.loss else None
        except (ValueError, TypeError):
            loss_fn = None
        with tf.GradientTape() as tape:
            tape.watch(x)
            pred, acts = forward(x)
            pred = pred[:n]
            loss = (loss_fn(y, pred) if loss_fn is not None
                    else tf.square(pred - tf.reshape(y, tf.shape(pred))))
            loss = tf.reduce_mean(loss)
        g = tape.gradient(loss, x)
        return (None if g is None else g.numpy()[:n]), [np.asarray(a) for a in acts]

    # --- notebook view ---------------------------------------------------------------------
    def _draw(self):
        from IPython.display import display

        chart = self.chart()
        if self._display is None:
            self._display = display(chart, display_id=True)
        else:
            self._display.update(chart)

    def chart(self):
        """The lab's charts for this fit so far: predictions against targets on the
        validation data (first target), and the loss curves."""
        import altair as alt

        from ..charts import forecast_chart, loss_chart

        truth, pred = self._pairs()
        n = min(len(truth), 400)
        base = {} if self.broadcast is not None else {k: v[:n, 0] for k, v in
                                                      self.baselines.items()}
        verdict, _, _ = self._verdict()
        fc = forecast_chart(np.arange(n), truth[:n, 0], pred[:n, 0], base, width=460,
                            title=f"validation · epoch {len(self.losses)} · {verdict}")
        lc = loss_chart(self.losses, self.val_losses, self.params.get("epochs") or
                        len(self.losses), width=300)
        # The lab's charts are whole charts (padding, config); a concatenation's parts may
        # carry neither, so both move up to it (the two charts share one style).
        config, padding = fc.config, fc.padding
        for part in (fc, lc):
            part.config = part.padding = alt.Undefined
        return alt.hconcat(fc, lc, config=config, padding=padding)


# --- helpers ------------------------------------------------------------------------------
def _read_validation(data, max_samples: int) -> FitData:
    if isinstance(data, (tuple, list)):
        if len(data) not in (2, 3):
            raise DoctorInputError("validation_data must be (x_val, y_val) or a Dataset, "
                                   f"not a {type(data).__name__} of {len(data)}")
        return read_xy(data[0], data[1], max_samples=max_samples, what="validation_data")
    return read_xy(data, None, max_samples=max_samples, what="validation_data")


def _user_level() -> int:
    """``warnings.warn``'s stacklevel for the caller's first frame outside Keras, TensorFlow
    and this package: the user's ``model.fit(...)`` line, not Keras' callback list."""
    files = (getattr(m, "__file__", None) for m in (keras, tf, sys.modules[__package__.split('.')[0]]))
    libraries = tuple(os.path.dirname(f) + os.sep for f in files if f)
    frame, level = sys._getframe(1), 1  # level 1: the function that calls warn
    while frame is not None:
        if not frame.f_code.co_filename.startswith(libraries):
            return level
        frame, level = frame.f_back, level + 1
    return 2


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _ratio(now: np.ndarray, prev: np.ndarray) -> float:
    # weights of a diverged fit are inf/NaN: the ratio is NaN then, without a warning
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.linalg.norm(now - prev) / (np.linalg.norm(prev) + 1e-12))


def _ratio_flat(now: dict, start: dict) -> float:
    a = np.concatenate(list(now.values())) if now else np.zeros(1)
    b = np.concatenate(list(start.values())) if start else np.zeros(1)
    return _ratio(a, b)


def _learning_rate(model) -> float:
    lr = model.optimizer.learning_rate
    try:
        return float(np.asarray(lr))
    except (TypeError, ValueError):  # a schedule: its value now
        return float(np.asarray(lr(model.optimizer.iterations)))


def _finite_mean(a) -> float | None:
    if a is None or not np.isfinite(a).any():
        return None
    return float(np.mean(a[np.isfinite(a)]))


def _dims(shape: tuple) -> str:
    return ", ".join(map(str, shape))


def _activation(layer) -> str | None:
    """'relu', 'tanh', 'sigmoid'… for layers whose output is their activation."""
    kind = type(layer).__name__
    if kind == "Bidirectional":
        layer = layer.forward_layer
        kind = type(layer).__name__
    if kind in ("LSTM", "GRU", "SimpleRNN"):
        return getattr(layer.activation, "__name__", None)
    act = getattr(layer, "activation", None)
    return getattr(act, "__name__", None) if act is not None else None


def _forward(model):
    """(forward, layers): ``forward(x)`` gives the model's output and the outputs of
    ``layers`` -- those whose units can get stuck (ReLU, tanh, sigmoid) -- in one call."""
    layers = [l for l in model.layers if _activation(l) in ("relu", *_BOUNDED)]

    def plain(x):
        return model(x, training=False), []

    if not layers:
        return plain, []

    def by_layer(x):  # a Sequential: call it layer by layer
        outs, h = [], x
        for l in model.layers:
            h = l(h, training=False)
            if l in layers:
                outs.append(h)
        return h, outs

    # a model whose layers' outputs cannot be reached (subclassed): no activations
    fallback = by_layer if isinstance(model, keras.Sequential) else plain
    try:  # a functional view of the model: one call gives every layer's output
        inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
        probe = keras.Model(inputs, [model.outputs[0], *(l.output for l in layers)])
    except (AttributeError, ValueError, TypeError):  # e.g. a Sequential without an Input
        return fallback, layers

    def functional(x):
        try:
            out, *acts = probe(x, training=False)
        except (ValueError, TypeError):  # e.g. sequences of another length than its Input
            return fallback(x)
        return out, acts

    return functional, layers


def _stuck(layers: list, outputs: list) -> dict[str, tuple[float, str]]:
    """Per layer: the share of units stuck for every input -- ReLUs that output 0
    everywhere (dead), tanh/sigmoid units pinned at an end of their range."""
    out = {}
    for layer, a in zip(layers, outputs):
        if not np.isfinite(a).all():
            continue
        a = a.reshape(-1, a.shape[-1])  # (samples·steps, units)
        kind = _activation(layer)
        if kind == "relu":
            out[layer.name] = (float(np.mean(a.max(axis=0) <= 0)), "dead ReLU")
        elif kind in _BOUNDED:
            lo, hi = _BOUNDED[kind]
            edge = 0.03 * (hi - lo)
            pinned = ((a < lo + edge) | (a > hi - edge)).mean(axis=0) > 0.95
            out[layer.name] = (float(np.mean(pinned)), "saturated at ±1" if lo < 0
                               else "saturated at 0 or 1")
    return out


def diagnose_fit(model, x, y=None, *, validation_data=None, verbose: int = 0,
                 **fit_kwargs) -> Report:
    """``model.fit(x, y, ...)`` with a :class:`Doctor` attached; returns its report.

    ``fit_kwargs`` go to ``fit`` (epochs, batch_size, callbacks, ...).
    """
    doctor = Doctor(x, y, validation_data=validation_data, verbose=verbose)
    callbacks = [*fit_kwargs.pop("callbacks", []), doctor]
    model.fit(x, y, validation_data=validation_data, callbacks=callbacks, verbose=verbose,
              **fit_kwargs)
    return doctor.report()
