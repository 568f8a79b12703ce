"""The LSTM, its seeded initial weights, and a compiled training engine.

Why an engine instead of ``model.fit``: a live view needs a report after *every*
epoch (test predictions, weight change, input gradients). ``fit`` + a callback that
calls ``predict`` pays Python and dispatch overhead per batch and per report. Here one
compiled call runs a whole epoch (every batch inside a ``tf.while_loop``) and a second
compiled call produces the whole report. An engine is built once per shape and reused
across runs: weights and optimizer state are reset and the learning rate assigned,
so nothing is retraced and no model is leaked per run (keras#19471).
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@contextlib.contextmanager
def _quiet_stderr():
    """Hide C++ log lines written straight to fd 2 (TF 2.21 prints its oneDNN/absl banner
    at import whatever TF_CPP_MIN_LOG_LEVEL says); Python exceptions still propagate."""
    try:
        saved = os.dup(2)
    except OSError:  # no real stderr (some embedded hosts): nothing to hide
        yield
        return
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


with _quiet_stderr():
    import keras
    import tensorflow as tf


@dataclass(frozen=True)
class Shape:
    """Everything that fixes the compiled graphs; runs with equal shapes share an engine."""

    seq_len: int
    n_features: int
    n_targets: int
    units: int
    batch_size: int
    optimizer: str = "adam"
    broadcast_target: bool = False  # the shape_bug demo: y is (n, seq_len, n_targets)


class ShapeMismatchError(ValueError):
    """Targets whose shape differs from the model's output (one line for the user)."""


def check_target_shape(shape: Shape, y_shape: tuple) -> None:
    """Refuse targets that only fit the output by broadcasting, unless the demo asks for it.

    Keras' losses silently broadcast a (batch, 1) prediction against a (batch, L, 1)
    target: the loss then averages over the L steps and the best the model can do is
    output each window's mean -- a flat line that looks like a training failure.
    """
    expected = (shape.seq_len, shape.n_targets) if shape.broadcast_target else (shape.n_targets,)
    if tuple(y_shape[1:]) != expected:
        raise ShapeMismatchError(
            f"targets have shape (n, {', '.join(map(str, y_shape[1:]))}) but the model "
            f"predicts (n, {shape.n_targets}) per window; a loss would broadcast them "
            "silently and train the model to output the window mean. Give one target "
            "row per window (or set shape_bug to reproduce the mistake on purpose).")


def initial_weights(shape: Shape, seed: int) -> list[np.ndarray]:
    """Keras' default LSTM/Dense initialisation, drawn from a local generator.

    Glorot-uniform input kernels, orthogonal recurrent kernel, zero biases with the
    forget-gate bias at 1 (Keras' ``unit_forget_bias``). Drawing them here, rather than
    from Keras' seeded initialisers, makes a run's numbers depend on ``seed`` alone --
    not on how many models a process (or thread) built before.

    Returns the list ``model.set_weights`` expects:
    kernel (F, 4U), recurrent (U, 4U), bias (4U,), dense kernel (U, T), dense bias (T,).
    """
    rng = np.random.default_rng([seed, 1])  # stream 1: weights (stream 0 is the data)
    F, U, T = shape.n_features, shape.units, shape.n_targets

    def glorot(fan_in: int, fan_out: int) -> np.ndarray:
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, size=(fan_in, fan_out))

    a = rng.normal(size=(4 * U, U))
    q, r = np.linalg.qr(a)  # q: (4U, U) with orthonormal columns
    recurrent = (q * np.sign(np.diag(r))).T  # (U, 4U), orthonormal rows
    bias = np.zeros(4 * U)
    bias[U : 2 * U] = 1.0  # gate order i, f, c, o: forget bias 1
    weights = [glorot(F, 4 * U), recurrent, bias, glorot(U, T), np.zeros(T)]
    return [w.astype(np.float32) for w in weights]


class Engine:
    """A compiled LSTM + Dense for one :class:`Shape`, reusable across runs."""

    def __init__(self, shape: Shape, jit_compile: bool = True):
        self.shape = shape
        self.model = keras.Sequential(
            [
                keras.Input((shape.seq_len, shape.n_features)),
                keras.layers.LSTM(shape.units),
                keras.layers.Dense(shape.n_targets),
            ]
        )
        optimizers = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD}
        self.optimizer = optimizers[shape.optimizer](learning_rate=1e-3)
        self.variables = self.model.trainable_variables
        self.optimizer.build(self.variables)
        n_params = sum(int(np.prod(v.shape)) for v in self.variables)
        # flat copy of the weights at the last report, for ||ΔW|| / ||W||
        self._prev = tf.Variable(tf.zeros([n_params]), trainable=False)
        self._epoch = tf.function(self._epoch_impl, jit_compile=jit_compile)
        self._predict = tf.function(self._predict_impl, jit_compile=jit_compile)
        self._one_step = tf.function(self._one_step_impl, jit_compile=jit_compile)

    # --- per run ------------------------------------------------------------------
    def reset(self, seed: int, learning_rate: float) -> None:
        """Fresh seeded weights, zeroed optimizer state, the run's learning rate."""
        self.model.set_weights(initial_weights(self.shape, seed))
        for v in self.optimizer.variables:
            v.assign(tf.zeros(v.shape, v.dtype))
        self.optimizer.learning_rate.assign(learning_rate)
        self._prev.assign(self._flat_weights())
        self._start = self._flat_weights().numpy()

    def total_change(self) -> float:
        """‖W_now - W_start‖ / ‖W_start‖ since the last reset: how far training moved the net."""
        now = self._flat_weights().numpy()
        return float(np.linalg.norm(now - self._start) / np.linalg.norm(self._start))

    def run_epoch(self, x, y, order: np.ndarray, x_test, y_test, report: bool = True):
        """One pass over the training windows in ``order``, and the epoch's report.

        x : (n, seq_len, n_features), y : (n, n_targets), order : (n,) permutation,
        x_test : (n_test, seq_len, n_features), y_test : (n_test, n_targets).
        Full batches run in one compiled loop, then a final partial batch (as Keras'
        fit also takes it), then the report -- all inside one compiled call.

        Returns (train_loss, pred (n_test, n_targets), test_loss, grad_norms (n_features,),
        weight_change), or only train_loss with ``report=False`` (for the benchmark).
        """
        check_target_shape(self.shape, tuple(y.shape))
        B = self.shape.batch_size
        n_full = len(order) // B
        batches = tf.constant(order[: n_full * B].reshape(n_full, B), tf.int32)
        rest = tf.constant(order[n_full * B :], tf.int32)
        out = self._epoch(x, y, batches, rest, x_test, y_test, report)
        if not report:
            return float(out)
        loss, pred, test_loss, grads, change = out
        return float(loss), pred.numpy(), float(test_loss), grads.numpy(), float(change)

    def predict(self, x) -> np.ndarray:
        return self._predict(x).numpy()

    def train_step(self, x, y, idx) -> float:
        """A single compiled step (the per-batch dispatch the benchmark compares against)."""
        return float(self._one_step(x, y, idx))

    # --- compiled bodies ------------------------------------------------------------
    def _step(self, xb, yb):
        """One Adam/SGD step; returns the batch loss and Σ(∂loss/∂x)² per input feature."""
        with tf.GradientTape() as tape:
            tape.watch(xb)
            pred = self.model(xb, training=True)  # (B, n_targets)
            if self.shape.broadcast_target:  # (B, 1, T) against (B, L, T), as Keras would
                pred = pred[:, None, :]
            loss = tf.reduce_mean(tf.square(pred - yb))
        *grads, gx = tape.gradient(loss, [*self.variables, xb])
        self.optimizer.apply(grads, self.variables)
        return loss, tf.reduce_sum(tf.square(gx), axis=[0, 1])  # (n_features,)

    def _one_step_impl(self, x, y, idx):
        return self._step(tf.gather(x, idx), tf.gather(y, idx))[0]

    def _epoch_impl(self, x, y, batches, rest, x_test, y_test, report):
        # The input-gradient norms come from the training steps themselves (the backward
        # pass already runs), so the report adds only a forward pass over the test windows.
        def body(i, total, gsq):
            loss, g = self._step(tf.gather(x, batches[i]), tf.gather(y, batches[i]))
            return i + 1, total + loss, gsq + g

        n = tf.shape(batches)[0]
        init = (tf.constant(0), tf.constant(0.0), tf.zeros([self.shape.n_features]))
        _, total, gsq = tf.while_loop(lambda i, *_: i < n, body, init)
        steps = tf.cast(n, tf.float32)
        if rest.shape[0]:  # static at trace time: the partial last batch
            loss, g = self._step(tf.gather(x, rest), tf.gather(y, rest))
            total, gsq, steps = total + loss, gsq + g, steps + 1.0
        train_loss = total / steps
        if not report:
            return train_loss
        pred = self.model(x_test, training=False)
        test_loss = tf.reduce_mean(tf.square(pred - y_test))
        w = self._flat_weights()
        change = tf.norm(w - self._prev) / (tf.norm(self._prev) + 1e-12)
        self._prev.assign(w)
        return train_loss, pred, test_loss, tf.sqrt(gsq), change

    def _predict_impl(self, x):
        return self.model(x, training=False)

    def _flat_weights(self):
        return tf.concat([tf.reshape(v, [-1]) for v in self.variables], axis=0)


# Engines are per thread: two threads never share weights mid-run, and each thread's
# engine for a shape is reused by its later runs.
_local = threading.local()


def engine_for(shape: Shape, jit_compile: bool = True) -> Engine:
    cache = getattr(_local, "engines", None)
    if cache is None:
        cache = _local.engines = {}
    key = (shape, jit_compile)
    if key not in cache:
        cache[key] = Engine(shape, jit_compile=jit_compile)
    return cache[key]
