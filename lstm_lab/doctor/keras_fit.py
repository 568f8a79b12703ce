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

import functools
import math
import os
import re
import sys
import time
import warnings
from dataclasses import replace

import numpy as np

from ..model import keras, tf  # TensorFlow with its import-time C++ banner hidden
from .. import metrics, signals
from .fit_data import (DataMeasures, FitData, broadcast_shapes, data_measurements,
                       naive_baselines, read_xy, target_probes)
from .measures import Measurements, grad_share, still_falling
from .problems import DoctorInputError, DoctorWarning
from .report import Report
from .rules import Finding, healthy_line, judge
from .trials import TRIED, Setup, Trial, rank, run_trials

__all__ = ["Doctor", "DoctorInputError", "DoctorWarning", "Report", "diagnose_fit"]

# activations whose units can get stuck: name -> (low, high) of their range
_BOUNDED = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0)}
_RECURRENT = ("LSTM", "GRU", "SimpleRNN", "Bidirectional", "RNN")
# trials' default budget: the fit's own duration less the doctor's share of it, so that
# fit, measurements and trials together take at most twice the plain fit -- but at least
# this many seconds (a clone's first fit spends about a second building its training step,
# whatever its size: a fit of a second or two gets a few seconds of trials)
MIN_TRIAL_BUDGET = 3.0
# what an output layer's activation can produce: name -> (low, high)
_RANGES = {"sigmoid": (0.0, 1.0), "hard_sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0),
           "tanh": (-1.0, 1.0), "softsign": (-1.0, 1.0), "relu": (0.0, math.inf),
           "softplus": (0.0, math.inf), "exponential": (0.0, math.inf),
           "elu": (-1.0, math.inf), "relu6": (0.0, 6.0)}
# losses for classes (a name contains one of these)
_CLASS_LOSSES = ("crossentropy", "hinge", "kl_divergence", "kullback")


def _contained(what: str):
    """A Keras hook whose failures are the doctor's, never the fit's: anything it raises
    becomes a :class:`DoctorWarning` and a line in the report, and ``fit`` goes on."""
    def wrap(hook):
        @functools.wraps(hook)
        def contained(self, *args, **kwargs):
            t0 = time.perf_counter()
            try:
                return hook(self, *args, **kwargs)
            except Exception as e:  # noqa: BLE001 -- whatever it is, the fit must go on
                self._could_not(what, e)
            finally:  # the doctor's own time in the fit: the trials' budget leaves it out
                self.__dict__["_hook_s"] = self.__dict__.get("_hook_s", 0.0) + \
                    time.perf_counter() - t0
        return contained
    return wrap


class Doctor(keras.callbacks.Callback):
    """A Keras callback that names why a fit went flat, with evidence and the fix.

    It never breaks a fit: whatever it cannot read or measure -- data of a kind it does not
    know, a model it cannot probe, validation sequences the model does not take -- it says
    in a :class:`DoctorWarning` and in the report's "not measured" lines, and the fit goes
    on. Only what ``fit`` itself would raise leaves ``fit``.

    Parameters
    ----------
    x : training inputs as given to ``fit`` -- (n, steps, features) or (n, features)
        arrays (other ranks are read too), a pandas DataFrame, a list or dict of arrays
        (a model with several inputs) -- or a ``tf.data.Dataset`` / ``keras.utils.PyDataset``
        of ``(x, y[, sample_weight])`` batches (then ``y`` is None; a bounded sample of its
        batches is read)
    y : training targets, (n,), (n, targets) or (n, steps, targets); a list or dict of
        those for a model with several outputs (each output is judged)
    validation_data : ``(x_val, y_val)`` or a Dataset; without it (or when it cannot be
        used) the last 20 % of the training sample stands in (then the scores are not held
        out, and say so)
    max_samples : how many samples of each split the doctor keeps and predicts on
    live : draw the charts live in Jupyter ("auto": when running in a notebook kernel)
    verbose : 1 prints one line per epoch outside a notebook, and one per trial; 0 prints
        nothing
    trials : after the fit, try the leading findings' fixes on clones of the model
        (:mod:`lstm_lab.doctor.trials`) and rank the findings by what the fixes did.
        True: within a budget of the fit's own duration (at least ``MIN_TRIAL_BUDGET`` =
        10 s); a number: within that many seconds; 0 / False: none. None (the default):
        True, unless the environment variable ``LSTM_LAB_DOCTOR_TRIALS`` says otherwise
        (``0`` turns them off, a number sets the budget in seconds: a test suite's knob)
    """

    def __init__(self, x, y=None, *, validation_data=None, max_samples: int = 1024,
                 live: bool | str = "auto", verbose: int = 1, trials: bool | float | None = None):
        super().__init__()
        self.trials_budget = _trials_setting(trials)
        self.trials: list[Trial] = []  # what the trials did, after the fit
        self._n_rows = _n_samples(x) if y is not None else None
        self.missing: dict[str, str] = {}  # what could not be measured -> why
        self.notes: list[str] = []  # how the data given was read, where it needed reading
        self.verbose = verbose
        self.live = False
        self.live = bool(self._try("look for a notebook", _in_notebook)) if live == "auto" \
            else bool(live)
        self.train: FitData | None = self._try("read the training data", read_xy, x, y,
                                               max_samples=max_samples, what="x")
        self.val: FitData | None = None
        if self.train is not None and validation_data is not None:
            self.val = self._try("read the validation data", _read_validation,
                                 validation_data, max_samples)
            why = _mismatch(self.train, self.val) if self.val is not None else None
            # (a validation set the reading set aside is None here: nothing to pair)
            if not why and self.val is not None and _targets_short(self.train, self.val):
                # The article's Y = np.roll(X, -1)[:, :-1]: a target for every step but the
                # last. Each target step pairs with the inputs up to it (the outputs of a
                # recurrent model at a step read no later step), as in the training data.
                k = self.val.y.shape[1]
                self.notes.append(f"validation targets have {k} steps per sequence and their "
                                  f"inputs {self.val.x.shape[1]}: each target step is paired "
                                  f"with the inputs up to it (the inputs' first {k} steps)")
                self.val = FitData(self.val.x[:, :k], self.val.y, self.val.names)
            if why:
                self._could_not("use the validation data", why)
                self.val = None
        self.holdout = self.val is not None
        if self.train is not None and self.val is None:
            self.val = self._try("set aside a stand-in validation sample", _stand_in,
                                 self.train)
        self._reset()

    def _use_split(self, split: float, total: int | None) -> None:
        """Score on the last ``split`` of the training sample, as ``validation_split`` holds
        out (Keras takes the last fraction of the arrays, before shuffling). Held out only
        where the sample is all of ``x`` (``total`` rows); else its tail was trained on."""
        n = len(self.train.x)
        cut = min(n - 1, max(1, int(n * (1 - split))))
        self.val, self.train = self.train.tail(cut), self.train.head(cut)
        self.holdout = total == n

    # --- Keras hooks: each contains its own failures ---------------------------------------
    @_contained("attach to the model")
    def set_model(self, model):
        super().set_model(model)

    @_contained("read the fit's parameters")
    def set_params(self, params):
        super().set_params(params)

    @_contained("prepare for the fit")
    def on_train_begin(self, logs=None):
        self._reset()
        self._began = time.perf_counter()
        if self.trials_budget:
            self._initial = self._try("keep the initial weights for the trials",
                                      self.model.get_weights) or []
        self._start = self._prev = self._try("read the weights", self._weights)
        self._steps_seen = self._try("read the optimizer's step counter",
                                     self._iterations) or 0
        if self.train is None:
            return
        out = self._try("predict on the validation data", self._first_predictions)
        if out is not None:
            self._try("compare the targets' shape with the model's output",
                      self._check_shapes, out)
        self.data = self._try("measure the data (scale, gaps, spikes, season, linear probes)",
                              data_measurements, self.train, self.val)
        period = self.data.period.steps if self.data is not None else None
        if self.train.targets is None:
            self.baselines = self._try("compute the naive baselines", naive_baselines,
                                       self.train, self.val, period) or {}

    # No batch hook: a callback with one makes Keras wait for every batch (no async
    # dispatch); the optimizer's step counter says how many steps an epoch took.

    @_contained("record the epoch")
    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.losses.append(_number(logs.get("loss")))
        self.val_losses.append(_number(logs.get("val_loss")))
        steps = self._try("read the optimizer's step counter", self._iterations)
        if steps is not None:
            self.steps_per_epoch = max(steps - self._steps_seen, 1)
            self._steps_seen = steps
        now = self._try("read the weights", self._weights)
        if now is not None and self._prev is not None and now.keys() == self._prev.keys():
            self.updates.append({k: _ratio(now[k], self._prev[k]) for k in now})
            self.network_updates.append(_ratio_flat(now, self._prev))
        if now is not None:
            self._prev = now
            if self._start is None:
                self._start = now
        self._findings = None
        # predictions on the validation sample are made when read (this line, the chart,
        # and once at the end of training), not every epoch regardless
        if self.verbose and not self.live and self.train is not None:
            line = self._try("score the epoch", self._summary)
            if line is not None:
                print(f"doctor · epoch {epoch + 1}: {line}")
        if self.live and self.train is not None:
            self._try("draw the live chart", self._draw)

    @_contained("measure the trained model")
    def on_train_end(self, logs=None):
        if self.train is not None:
            t_end = time.perf_counter()
            # the trained model's predictions, whatever happens to it later
            self._try("predict on the validation data", self._fresh_predictions)
            self._end = self._measure_end()
            now = time.perf_counter()
            fit_seconds = self.fit_seconds = now - (self._began or now)
            # the doctor's own seconds in it: its hooks so far and this one's measuring
            self.hook_seconds = self.__dict__.get("_hook_s", 0.0) + now - t_end
            if self.trials_budget and self.losses:
                self._findings = None
                self._try("run the trials", self._run_trials, fit_seconds)
        self._findings = None

    def _run_trials(self, fit_seconds: float) -> None:
        """Try the leading findings' fixes on clones (never on the model itself)."""
        findings = judge(self.measurements())
        if findings[0].code == "healthy" or self.model is None:
            return
        # the plain fit took fit_seconds - hooks; the trials get that less the hooks again,
        # so that the whole is at most twice the plain fit
        own = max(0.0, fit_seconds - 2 * self.hook_seconds)
        budget = max(own, MIN_TRIAL_BUDGET) if self.trials_budget is True else \
            float(self.trials_budget)
        self.trial_budget = budget
        epochs = len(self.losses)
        rows = len(self.train.x)
        steps = self.params.get("steps") if isinstance(self.params, dict) else None
        batch = math.ceil(self._n_rows / steps) if self._n_rows and steps else 32
        # a trial epoch on the sample costs the user's epoch scaled to its rows
        share = min(1.0, rows / self._n_rows) if self._n_rows else 1.0
        spurious = next((m.group(1) for f in findings if f.code == "spurious_feature"
                         for m in [re.search(r"`([^`]+)`", f.title)] if m),
                        None)
        setup = Setup(self.model, list(self._initial or []), self.train, self.val, epochs,
                      batch, self._try("read the learning rate", _learning_rate, self.model)
                      or 1e-3, spurious, fit_seconds / max(epochs, 1) * share,
                      type(getattr(self.model, "optimizer", None)).__name__.lower())
        say = (lambda line: print(line, flush=True)) if self.verbose else None
        self._trials_attempted = True
        t0 = time.perf_counter()
        self.trials = run_trials(setup, findings, budget, say=say, warn=self._could_not)
        self.trial_seconds = time.perf_counter() - t0  # the control's included
        default = "the fit's own time less the doctor's share twice" + (
            f", at least {MIN_TRIAL_BUDGET:g} s" if own < MIN_TRIAL_BUDGET else "")
        cost = (f"budget {budget:.1f} s (" + (default if self.trials_budget is True else
                                             "as set") +
                f"; the fit took {fit_seconds:.1f} s, the doctor's measuring "
                f"{self.hook_seconds:.1f} s of it)")
        if self.trials:
            self.trials_line = (f"{len(self.trials)} tried in {self.trial_seconds:.1f} s, "
                                f"a control included; {cost}")
        elif any(f.code in TRIED for f in findings):
            self.trials_line = f"none tried: the budget did not hold one; {cost}"
        else:
            self.trials_line = ""  # no finding with a change to try: nothing to say
    # --- results --------------------------------------------------------------------------
    @property
    def findings(self) -> list[Finding]:
        """Most likely first; each has ``code``, ``title``, ``evidence`` and ``fix`` (the
        line of code to change)."""
        if not self.losses:
            raise RuntimeError("the doctor has not seen a fit yet: pass it to "
                               "model.fit(..., callbacks=[doctor]) first")
        if self._findings is None:
            found = rank(judge(self.measurements()), self.trials, self._trials_attempted)
            self._findings = [replace(f, fix=f.advice or None) for f in found]
        return self._findings

    def report(self) -> Report:
        findings = self.findings
        return Report(self._verdict()[0], tuple(self._score_lines()), tuple(findings),
                      tuple(f"{what} ({why})" for what, why in self.missing.items()),
                      self.trials_line)

    def measurements(self) -> Measurements:
        """Everything the rules read (for calibration, and for the curious). A measurement
        the doctor could not take holds a neutral value (no evidence), and
        ``self.missing`` says why."""
        verdict, scores, _ = self._verdict()
        finite = [v for v in self.losses if math.isfinite(v)]
        per_step = self.network_updates
        end = self._end or self._measure_end()
        d = self.data if self.data is not None else _no_data()
        j, base, target_name, column = self._judged()
        probes = None
        if self.data is not None and column is not None:
            probes = self._try("probe how predictable the target is", target_probes,
                               self.train, d, column)
        probe_now, probe_long, long_window, period = probes or (None, None, 0, d.period)
        total = (self._try("measure the weights' total change", _ratio_flat, self._prev,
                           self._start) if self._start and self._prev else None) or 0.0
        model = self.model
        predictions = self._preds if self._predicted_at == len(self.losses) or \
            self.train is None else \
            self._try("predict on the validation data", self._fresh_predictions)
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
            feature_names=self.train.names if self.train is not None else (),
            period=period,
            probe_now=probe_now,
            probe_long=probe_long,
            window=d.window,
            long_window=long_window,
            target_name=target_name,
            best_baseline_r2=base,
            learning_rate=self._try("read the learning rate", _learning_rate, model)
            if model is not None else math.nan,
            optimizer=type(getattr(model, "optimizer", None)).__name__.lower(),
            epochs=len(self.losses),
            flatness=scores[j].flatness if scores else None,
            missing_targets=d.missing_targets,
            nan_epoch=next((i + 1 for i, v in enumerate(self.losses) if not math.isfinite(v)),
                           None),
            spurious=d.spurious,
            grad_share=end["grad_share"],
            broadcast=self.broadcast,
            target_mean=d.target_mean,
            target_std=d.target_std,
            prediction_mean=_finite_mean(_joined(predictions)),
            saturation=end["saturation"],
            layer_updates={k: float(np.median([u[k] for u in self.updates])) /
                           self.steps_per_epoch for k in (self.updates[0] if self.updates else {})},
            nonfinite_weights=tuple(k for k, w in (self._prev or {}).items()
                                    if not np.isfinite(w).all()),
            healthy_evidence=self._score_lines(),
            output_range=self._try("read the output activation", self._output_range)
            if model is not None and self.train is not None else None,
            loss_mismatch=self._try("read the loss", self._loss_mismatch)
            if model is not None and self.train is not None else None,
        )

    def _targets(self) -> list[np.ndarray]:
        """The training sample's targets, one array per output."""
        return [self.train.y] if self.train.targets is None else list(self.train.targets)

    def _output_range(self):
        """(activation, low, high, share outside, target min, target max, where) for the
        output whose targets leave its activation's range most; None when all fit."""
        worst = None
        targets = self._targets()
        heads = _heads(self.model)
        if len(heads) != len(targets):
            return None
        for k, ((act, units), t) in enumerate(zip(heads, targets)):
            if act not in _RANGES or units is None:
                continue
            lo, hi = _RANGES[act]
            if act == "softmax" and units == 1:
                lo = hi = 1.0
            v = t[np.isfinite(t)]
            if not len(v):
                continue
            tol = 0.01 * (hi - lo) if math.isfinite(hi) and hi > lo else 1e-3
            outside = float(np.mean((v < lo - tol) | (v > hi + tol)))
            if outside >= 0.05 and (worst is None or outside > worst[3]):
                where = "" if len(targets) == 1 else \
                    f"output `{self.train.output_names[k]}`: "
                worst = (act, lo, hi, outside, float(v.min()), float(v.max()), where)
        return worst

    def _loss_mismatch(self):
        """(loss, why) when a classification loss meets a continuous target."""
        losses = _loss_names(self.model)
        targets = self._targets()
        heads = _heads(self.model)
        for k, t in enumerate(targets):
            loss = losses[k] if k < len(losses) else (losses[0] if len(losses) == 1 else None)
            if loss is None or not any(w in loss for w in _CLASS_LOSSES):
                continue
            v = t[np.isfinite(t)]
            if not len(v):
                continue
            units = heads[k][1] if k < len(heads) else None
            integral = bool(np.all(v == np.round(v)))
            if "sparse" in loss:
                if not integral or v.min() < 0:
                    return loss, (f"`{loss}` takes class indices 0, 1, 2, …; the targets span "
                                  f"{_fmt(v.min())} … {_fmt(v.max())} and are not whole numbers"
                                  if not integral else
                                  f"`{loss}` takes class indices; the targets go below 0")
                continue
            if "categorical" in loss and units == 1:
                return loss, (f"`{loss}` over one output unit is the same for every "
                              "prediction (the one class always has probability 1): the "
                              "loss gives no gradient, nothing is learned")
            if v.min() < -1e-6 or v.max() > 1 + 1e-6:
                return loss, (f"`{loss}` compares probabilities in [0, 1] with class "
                              f"labels; the targets span {_fmt(v.min())} … {_fmt(v.max())}")
            distinct = len(np.unique(v[:2000]))
            if "categorical" in loss and distinct > 2 and t.ndim > 1 and t.shape[-1] > 1 and \
                    not np.allclose(t.sum(axis=-1)[np.isfinite(t).all(axis=-1)], 1, atol=1e-3):
                return loss, (f"`{loss}` compares a distribution over classes with the "
                              "targets, whose rows do not sum to 1: they are not class "
                              "labels or probabilities")
        return None

    # --- measuring ------------------------------------------------------------------------
    def _could_not(self, what: str, why) -> None:
        """Record a measurement the doctor could not take, and say so once."""
        if isinstance(why, BaseException):
            why = f"{type(why).__name__}: {str(why).strip() or 'no message'}"
        why = " ".join(str(why).split())
        why = why if len(why) <= 300 else why[:297] + "..."
        missing = self.__dict__.setdefault("missing", {})
        if what in missing:
            return
        missing[what] = why
        try:
            warnings.warn(f"LSTM Lab doctor: could not {what} ({why}); the fit goes on, and "
                          "the report says what is missing", DoctorWarning,
                          stacklevel=_user_level())
        except Exception:  # noqa: BLE001 -- warnings made errors: the report still says it
            pass

    def _try(self, task: str, fn, /, *args, **kwargs):
        """``fn(*args, **kwargs)``, or None (recorded and warned as "could not ``task``")
        when it raises."""
        try:
            return fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 -- a measurement, never worth a fit
            self._could_not(task, e)
            return None

    def _reset(self):
        self.losses: list[float] = []
        self.val_losses: list[float] = []
        self.updates: list[dict[str, float]] = []  # per epoch: layer -> ‖ΔW‖/‖W‖
        self.network_updates: list[float] = []  # per epoch, all weights together
        self._preds = None  # per output, on the validation sample, after epoch _predicted_at
        self._predicted_at = -1
        self.broadcast = None
        self.output_broadcast: dict[int, tuple[tuple, tuple]] = {}  # output -> shapes
        self.data = None
        self.baselines: dict[str, np.ndarray] = {}
        self.steps_per_epoch = 1
        self._steps_seen = 0
        self._start = self._prev = None
        self._findings = None
        self._end = None
        self._display = None
        self._began = None
        self._initial = []
        self.trials = []
        self._trials_attempted = False
        self._hook_s = 0.0  # seconds spent in the doctor's hooks during this fit
        self.hook_seconds = 0.0
        self.trial_budget = 0.0
        self.trial_seconds = 0.0
        self.fit_seconds = 0.0  # the fit as the doctor saw it, its measuring included
        self.trials_line = ""  # what the trials cost, for the report

    def _first_predictions(self) -> list[np.ndarray]:
        """The outputs on the validation sample before training (which also traces the
        predict function for the one batch shape every later prediction has). Validation
        sequences of another length that the model does not read: the last 20 % of the
        training sample stands in."""
        if _shapes(self.val.model_inputs) == _shapes(self.train.model_inputs):
            return self._predict(self.val)
        out = self._predict(self.train.head(2))
        try:  # validation sequences of another length: does the model read them?
            self._predict(self.val.head(2))
        except Exception as e:  # noqa: BLE001 -- Keras raises ValueError, TF its own errors
            self._could_not(
                "score on the validation data",
                f"validation inputs have shape {_one(_shapes(self.val.model_inputs))} per sample "
                f"but training inputs {_one(_shapes(self.train.model_inputs))}, and the model does not "
                f"read them ({type(e).__name__}); scored on the last 20 % of the training "
                "sample instead -- give validation windows of the training length")
            self.val, self.holdout = _stand_in(self.train), False
        return out

    def _check_shapes(self, out: list[np.ndarray]) -> None:
        """Warn, before the first epoch, where a loss will broadcast targets and outputs."""
        targets = [self.train.y] if self.train.targets is None else self.train.targets
        if len(targets) != len(out):
            raise DoctorInputError(f"{len(targets)} target(s) for {len(out)} model output(s)")
        for k, (t, o) in enumerate(zip(targets, out)):
            shapes = broadcast_shapes(t.shape[1:], o.shape[1:])
            if shapes is None:
                continue
            self.output_broadcast[k] = shapes
            if self.train.targets is None:
                self.broadcast = shapes
            ts, os_ = shapes
            where = "" if self.train.targets is None else \
                f"output `{self.train.output_names[k]}`: "
            try:
                warnings.warn(f"LSTM Lab doctor: {where}targets have shape (n, {_dims(ts)}) but "
                              f"the model outputs (n, {_dims(os_)}); the loss will broadcast "
                              "them and train the model to predict each window's mean (a flat "
                              "line). Give one target per output.", DoctorWarning,
                              stacklevel=_user_level())
            except Exception:  # noqa: BLE001 -- warnings made errors: the report says it
                pass

    def _predict(self, data: FitData) -> list[np.ndarray]:
        """The model's outputs on ``data``'s inputs, one (n, ...) float64 array per output,
        in the order of the targets."""
        n = len(data.x)
        parts = []
        for i in range(0, n, 512):
            out = self.model.predict_on_batch(_float32(_take(data.model_inputs, i, i + 512)))
            parts.append(self._outputs(out, data))
        return [np.concatenate([p[k] for p in parts]).astype(np.float64)
                for k in range(len(parts[0]))]

    def _outputs(self, out, data: FitData) -> list[np.ndarray]:
        """A prediction (array, list or dict of arrays) as a list in the targets' order."""
        if isinstance(out, dict):
            names = list(data.output_names) if data.targets is not None else []
            if names and all(k in out for k in names):
                return [np.asarray(out[k]) for k in names]
            return [np.asarray(v) for v in out.values()]
        if isinstance(out, (list, tuple)):
            return [np.asarray(v) for v in out]
        return [np.asarray(out)]

    def _fresh_predictions(self) -> list[np.ndarray]:
        """The model's outputs on the validation sample after the latest epoch."""
        if self._predicted_at != len(self.losses) or self._preds is None:
            self._preds = self._predict(self.val)
            self._predicted_at = len(self.losses)
        return self._preds

    @property
    def predictions(self):
        """The latest predictions on the validation sample: an array (n, ...) for a model
        with one output, a list of them for several; None before any."""
        if self._preds is None:
            return None
        return self._preds[0] if len(self._preds) == 1 else list(self._preds)

    def _iterations(self) -> int:
        """Optimizer steps taken so far (0 for an optimizer without a counter)."""
        it = getattr(self.model.optimizer, "iterations", None)
        return int(np.asarray(it)) if it is not None else 0

    def _weights(self) -> dict[str, np.ndarray]:
        """Each layer's trainable weights, flattened: (n_params,)."""
        out = {}
        for layer in self.model.layers:
            ws = [np.asarray(w, dtype=np.float64).ravel() for w in layer.trainable_weights]
            if ws:
                out[layer.name] = np.concatenate(ws)
        return out

    def _diverged(self) -> bool:
        if any(not math.isfinite(v) for v in self.losses):
            return True
        pred = _joined(self._preds if self.train is None else
                       self._try("predict on the validation data", self._fresh_predictions))
        return pred is not None and not np.isfinite(pred).all()

    def _pairs(self) -> list[tuple]:
        """Per judged target: (name, truth (rows,), prediction (rows,), baselines
        {name: (rows,)}, its column in ``train.y`` for the probes). With a broadcast, each
        target window's last step against the single prediction."""
        if self.train is None:
            return []
        preds = self._try("predict on the validation data", self._fresh_predictions)
        if preds is None:
            return []
        if self.val.targets is None:
            return self._output_pairs(self.val.y, preds[0], self.broadcast, self.baselines,
                                      self.train.y, "target", 0)
        pairs, offset = [], 0
        for k, (t, p) in enumerate(zip(self.val.targets, preds)):
            name = f"output `{self.val.output_names[k]}`"
            pairs += self._output_pairs(t, p, self.output_broadcast.get(k), {},
                                        self.train.targets[k], name, offset)
            offset += t.shape[-1] if t.ndim > 1 else 1
        return pairs

    def _output_pairs(self, y, p, broadcast, baselines, y_train, name, offset) -> list[tuple]:
        n = len(y)
        last = (y.shape[-1] if y.ndim > 1 else 1) - 1
        if broadcast is not None or y.size != p.size:
            y = y.reshape(n, -1)[:, -1:]
            p = p.reshape(len(p), -1)[:, -1:]
            t_train = y_train.reshape(len(y_train), -1)[:, -1:]
            base = {"mean": np.broadcast_to(np.nanmean(y, axis=0), y.shape)}
            columns = [offset + last]
        else:
            cols = y.shape[-1] if y.ndim > 1 else 1
            y, p = y.reshape(-1, cols), p.reshape(-1, cols)
            t_train = y_train.reshape(-1, cols) if y_train.size % cols == 0 else y
            base = dict(baselines) if baselines and "mean" in baselines else {}
            if "mean" not in base:
                base["mean"] = np.broadcast_to(np.nanmean(t_train, axis=0), y.shape)
            columns = [offset + t for t in range(cols)]
        base = {k: v for k, v in base.items() if v.shape == y.shape}
        if "mean" not in base:
            base["mean"] = np.broadcast_to(np.nanmean(y, axis=0), y.shape)
        one = len(columns) == 1
        return [(name if one else f"{name} {t}" if name == "target" else f"{name}, target {t}",
                 y[:, t], p[:, t], {k: v[:, t] for k, v in base.items()}, columns[t])
                for t in range(y.shape[1])]

    def _verdict(self):
        """(verdict, model scores per target, best baseline R²) on the validation data;
        ``not measured`` when the model's predictions could not be read."""
        verdicts, scores, best = self._per_target()
        finite = [b for b in best if b is not None]
        verdict = metrics.worst(verdicts) if verdicts else "not measured"
        return verdict, scores, (max(finite) if finite else None)

    def _judged(self) -> tuple[int, float | None, str, int | None]:
        """The target the rules judge: the first whose verdict is the overall (worst) one
        -- a noise column among learned ones is what the flat verdict is about. Returns
        its index, its best baseline R², its name in the report and its column in
        ``train.y`` (None when nothing could be scored)."""
        pairs = self._pairs()
        verdicts, _, best = self._per_target(pairs)
        if not verdicts:
            return 0, None, "the target", None
        j = verdicts.index(metrics.worst(verdicts))
        name = "the target" if len(verdicts) == 1 else pairs[j][0]
        return j, best[j], name, pairs[j][4]

    def _per_target(self, pairs=None):
        """(verdict, model scores, best baseline R²) per target, on the validation data."""
        pairs = self._pairs() if pairs is None else pairs
        diverged = self._diverged()
        verdicts, scores, best = [], [], []
        for _, truth, pred, base, _ in pairs:
            ok = np.isfinite(truth)
            s = metrics.score(truth[ok], pred[ok])
            b = {k: metrics.score(truth[ok], v[ok]) for k, v in base.items()}
            verdicts.append(metrics.verdict(s, b, diverged))
            scores.append(s)
            best.append(metrics.best_r2(b))
        return verdicts, scores, best

    def _score_lines(self) -> list[str]:
        pairs = self._pairs()
        _, scores, best = self._per_target(pairs)
        lines = [healthy_line(pair[0], s, b) for pair, s, b in zip(pairs, scores, best)]
        lines += self.notes
        if not pairs:
            lines.append("scores not measured: the model's predictions on the validation "
                         "data could not be read (see below)")
        elif not self.holdout:
            lines.append("no validation data: scored on the last 20 % of the training "
                         "sample, which the model trained on")
        return lines

    def _summary(self) -> str:
        verdict, scores, _ = self._verdict()
        if not scores:
            return f"val scores not measured ({verdict})"
        s = scores[0]
        r2 = "n/a" if s.r2 is None else f"{s.r2:.3f}"
        flat = "n/a" if s.flatness is None else f"{s.flatness:.2f}"
        return f"val R² {r2}, flatness {flat} ({verdict})"

    def _measure_end(self) -> dict:
        """Once, after training: per-input gradient share (on training inputs) and stuck
        units per layer (on validation inputs). Both come from one pass through the model
        where the inputs have the same shape -- on a small model that pass is most of what
        the doctor costs."""
        if not self.losses or self.train is None or self.model is None:
            return {"grad_share": {}, "saturation": {}}
        # Extra evidence only: a model these probes cannot read (a custom loss with other
        # arguments, nested models) still gets its findings, never a crash after its fit.
        return self._try("measure the gradient share and stuck units", self._end_pass) or \
            {"grad_share": {}, "saturation": {}}

    def _end_pass(self) -> dict:
        forward, layers = _forward(self.model)
        train, val = self.train.head(128), self.val.head(256)
        x, xv = train.model_inputs, val.model_inputs
        y = train.y if train.targets is None else train.targets[0]
        finite = bool(np.isfinite(train.x).all())
        if finite and not isinstance(x, (list, dict)) and _shapes(x) == _shapes(xv):
            g, acts = self._input_gradient(forward, np.concatenate([x, xv]), y)
            acts = [a[len(y):] for a in acts]  # the validation rows
        else:
            g = self._input_gradient(forward, x, y)[0] if finite else None
            acts = [np.asarray(a) for a in forward(_tensors(xv))[1]] if layers else []
        share = {} if g is None else grad_share(
            np.sqrt(np.sum(np.square(g), axis=tuple(range(g.ndim - 1)))), self.train.names)
        return {"grad_share": share, "saturation": _stuck(layers, acts)}

    def _input_gradient(self, forward, x, y: np.ndarray):
        """(d loss / d inputs for the first len(y) rows of the measured (first) input, or
        None; layer outputs for all rows): the loss is the model's own (the first
        output's, for several), on those rows only."""
        n = len(y)
        x = _tensors(x)
        watched = _first_leaf(x)
        y = tf.constant(y, tf.float32)
        try:
            loss_fn = keras.losses.get(self.model.loss) if isinstance(
                self.model.loss, (str, keras.losses.Loss)) or callable(self.model.loss) \
                else None
        except (ValueError, TypeError):
            loss_fn = None
        with tf.GradientTape() as tape:
            tape.watch(watched)
            pred, acts = forward(x)
            pred = _first_leaf(pred)[:n]
            loss = (loss_fn(y, pred) if loss_fn is not None
                    else tf.square(pred - tf.reshape(y, tf.shape(pred))))
            loss = tf.reduce_mean(loss)
        g = tape.gradient(loss, watched)
        if g is not None and len(g.shape) != self.train.x.ndim:  # rank-4+ or (n,): as read
            g = tf.reshape(g, (g.shape[0], -1, self.train.x.shape[-1]))
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

        pairs = self._pairs()
        _, truth, pred, base, _ = pairs[0]
        n = min(len(truth), 400)
        # under a broadcast the baselines are not comparable with the single prediction
        base = {} if self.output_broadcast.get(0) is not None else \
            {k: v[:n] for k, v in base.items()}
        verdict, _, _ = self._verdict()
        fc = forecast_chart(np.arange(n), truth[:n], pred[:n], base, width=460,
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
    if isinstance(data, (tuple, list)) and not isinstance(data, dict):
        if len(data) not in (2, 3):
            raise DoctorInputError("validation_data must be (x_val, y_val) or a Dataset, "
                                   f"not a {type(data).__name__} of {len(data)}")
        return read_xy(data[0], data[1], max_samples=max_samples, what="validation_data")
    return read_xy(data, None, max_samples=max_samples, what="validation_data")


def _mismatch(train: FitData, val: FitData) -> str | None:
    """Why validation data cannot be scored against the training data, or None.
    Sequences may differ in length (a recurrent model reads any number of steps, and a
    test split is often shorter than the training one); features and targets may not."""
    t_in, v_in = _shapes(train.model_inputs), _shapes(val.model_inputs)
    if len(t_in) != len(v_in) or any(
            len(a) != len(b) or a[-1:] != b[-1:] for a, b in zip(t_in, v_in)):
        return (f"validation inputs have shape {_one(v_in)} per sample but training inputs "
                f"{_one(t_in)}: they need the same features; scored on the last 20 % of "
                "the training sample instead")
    if (train.targets is None) != (val.targets is None) or val.n_targets != train.n_targets:
        return (f"validation targets have shape {val.y.shape[1:]} per sample but training "
                f"targets {train.y.shape[1:]}: they need the same targets; scored on the "
                "last 20 % of the training sample instead")
    return None


def _targets_short(train: FitData, val: FitData) -> bool:
    """Validation targets of fewer steps than their inputs, one array each, where the
    training targets have a step per input step."""
    return (train.many_to_many and val.inputs is None and val.targets is None
            and val.windowed and val.y.ndim == 3 and val.y.shape[1] < val.x.shape[1])


def _stand_in(train: FitData) -> FitData:
    """The last 20 % of the training sample, where no validation data can be used."""
    return train.tail(max(1, int(0.8 * len(train.x))))


def _no_data() -> DataMeasures:
    """Neutral data measurements (no evidence either way), for data that could not be read."""
    return DataMeasures(missing=0, missing_targets=0, n_values=1, outliers=0, worst_z=0.0,
                        input_std=np.zeros(0), target_mean=0.0, target_std=1.0,
                        period=signals.Period(None, 0.0), probe_now=None, probe_long=None,
                        window=None, long_window=0)


def _shapes(inputs) -> tuple[tuple, ...]:
    """Per-sample shapes of an inputs structure's arrays."""
    leaves = inputs.values() if isinstance(inputs, dict) else \
        inputs if isinstance(inputs, list) else [inputs]
    return tuple(tuple(np.shape(a)[1:]) for a in leaves)


def _one(shapes: tuple) -> object:
    return shapes[0] if len(shapes) == 1 else shapes


def _take(inputs, start: int, stop: int):
    if isinstance(inputs, dict):
        return {k: v[start:stop] for k, v in inputs.items()}
    if isinstance(inputs, list):
        return [v[start:stop] for v in inputs]
    return inputs[start:stop]


def _float32(inputs):
    if isinstance(inputs, dict):
        return {k: np.asarray(v, np.float32) for k, v in inputs.items()}
    if isinstance(inputs, list):
        return [np.asarray(v, np.float32) for v in inputs]
    return np.asarray(inputs, np.float32)


def _tensors(inputs):
    if isinstance(inputs, dict):
        return {k: tf.constant(v, tf.float32) for k, v in inputs.items()}
    if isinstance(inputs, list):
        return [tf.constant(v, tf.float32) for v in inputs]
    return tf.constant(inputs, tf.float32)


def _first_leaf(a):
    if isinstance(a, dict):
        return next(iter(a.values()))
    return a[0] if isinstance(a, (list, tuple)) else a


def _joined(outputs) -> np.ndarray | None:
    """Every output's predictions, flattened into one array (None for none)."""
    if not outputs:
        return None
    return np.concatenate([np.ravel(o) for o in outputs])


def _n_samples(x) -> int | None:
    """Rows of an array-like, or of a list/dict of them; None for a dataset."""
    first = _first_leaf(x) if isinstance(x, (list, tuple, dict)) and x else x
    return len(first) if hasattr(first, "shape") and len(np.shape(first)) else None


def _number(v) -> float:
    try:
        return float(np.asarray(v))
    except (TypeError, ValueError):
        return math.nan


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


def _fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1e5 else f"{x:,.0f}"


def _output_layers(model) -> list:
    """The layer that produces each of the model's outputs, in order."""
    try:
        outs = model.outputs
    except (AttributeError, ValueError):
        outs = None
    if outs:
        found = []
        for t in outs:
            history = getattr(t, "_keras_history", None)
            op = getattr(history, "operation", None) if history is not None else None
            if op is None:
                return [model.layers[-1]] if model.layers else []
            found.append(op)
        return found
    return [model.layers[-1]] if getattr(model, "layers", None) else []


def _heads(model) -> list[tuple[str | None, int | None]]:
    """(activation name, units) of each output layer."""
    out = []
    for layer in _output_layers(model):
        act = _activation(layer)
        units = getattr(layer, "units", None)
        if units is None:
            try:
                units = int(layer.output.shape[-1])
            except (AttributeError, TypeError, ValueError, IndexError):
                units = None
        out.append((act, units))
    return out


def _loss_names(model) -> list[str | None]:
    """The compiled loss's name per output (one name for a single loss)."""
    loss = getattr(model, "loss", None)
    items = list(loss.values()) if isinstance(loss, dict) else \
        list(loss) if isinstance(loss, (list, tuple)) else [loss]

    def name(x):
        if x is None:
            return None
        if isinstance(x, str):
            return x.lower()
        n = getattr(x, "name", None) or getattr(x, "__name__", None) or type(x).__name__
        # BinaryCrossentropy -> binary_crossentropy
        import re
        return re.sub(r"(?<!^)(?=[A-Z])", "_", str(n)).lower()

    return [name(x) for x in items]


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


def _trials_setting(trials):
    """Doctor(trials=...): True, False or a budget in seconds; None reads
    ``LSTM_LAB_DOCTOR_TRIALS`` (unset: True)."""
    if trials is None:
        env = os.environ.get("LSTM_LAB_DOCTOR_TRIALS", "").strip().lower()
        if env in ("", "1", "true", "on", "yes"):
            return True
        if env in ("0", "false", "off", "no"):
            return False
        try:
            return float(env) or False
        except ValueError:
            return True
    if trials is True or trials is False:
        return trials
    return float(trials) or False


def diagnose_fit(model, x, y=None, *, validation_data=None, verbose: int = 0,
                 trials: bool | float | None = None, **fit_kwargs) -> Report:
    """``model.fit(x, y, ...)`` with a :class:`Doctor` attached; returns its report.

    ``fit_kwargs`` go to ``fit`` (epochs, batch_size, callbacks, sample_weight, ...). With
    ``validation_split`` the doctor scores on the same last fraction of ``x`` that Keras
    holds out. ``trials`` as for :class:`Doctor` (True: the fixes are tried within the fit's
    own duration; a number of seconds; 0 / False: none). The doctor never breaks the fit:
    what ``fit`` raises, this raises; what the doctor cannot measure, the report says.
    """
    split = fit_kwargs.get("validation_split")
    doctor = Doctor(x, y, validation_data=validation_data, verbose=verbose, trials=trials)
    if validation_data is None and split and doctor.train is not None:
        doctor._try("use the validation split", doctor._use_split, float(split),
                    _n_samples(x))
    callbacks = [*(fit_kwargs.pop("callbacks", None) or []), doctor]
    model.fit(x, y, validation_data=validation_data, callbacks=callbacks, verbose=verbose,
              **fit_kwargs)
    return doctor.report()
