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
        self._train_epoch = tf.function(self._train_epoch_impl, jit_compile=jit_compile)
        self._train_step = tf.function(self._train_step_impl, jit_compile=jit_compile)
        self._report = tf.function(self._report_impl, jit_compile=jit_compile)

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

    def train_epoch(self, x: tf.Tensor, y: tf.Tensor, order: np.ndarray) -> float:
        """One pass over the training windows in the given order; returns the mean batch loss.

        x : (n, seq_len, n_features), y : (n, n_targets), order : (n,) permutation.
        Full batches run in one compiled loop; a final partial batch (as Keras' fit
        would also take) runs as one more step.
        """
        B = self.shape.batch_size
        n_full = len(order) // B
        total, steps = 0.0, 0
        if n_full:
            idx = tf.constant(order[: n_full * B].reshape(n_full, B), tf.int32)
            total += float(self._train_epoch(x, y, idx)) * n_full
            steps += n_full
        rest = order[n_full * B :]
        if len(rest):
            total += float(self._train_step(x, y, tf.constant(rest, tf.int32)))
            steps += 1
        return total / steps

    def report(self, x_test, y_test, x_probe, y_probe):
        """Test predictions and loss, per-input gradient norms, and relative weight change.

        Returns (pred (n_test, n_targets), test_loss, grad_norms (n_features,), weight_change).
        """
        pred, loss, grads, change = self._report(x_test, y_test, x_probe, y_probe)
        return pred.numpy(), float(loss), grads.numpy(), float(change)

    # --- compiled bodies ------------------------------------------------------------
    def _step(self, xb, yb):
        with tf.GradientTape() as tape:
            pred = self.model(xb, training=True)
            loss = tf.reduce_mean(tf.square(pred - yb))
        grads = tape.gradient(loss, self.variables)
        self.optimizer.apply(grads, self.variables)
        return loss

    def _train_step_impl(self, x, y, idx):
        return self._step(tf.gather(x, idx), tf.gather(y, idx))

    def _train_epoch_impl(self, x, y, batches):
        # batches: (n_batches, B) indices; the loop stays inside one compiled call
        def body(i, total):
            idx = batches[i]
            return i + 1, total + self._step(tf.gather(x, idx), tf.gather(y, idx))

        n = tf.shape(batches)[0]
        _, total = tf.while_loop(lambda i, _: i < n, body, (tf.constant(0), tf.constant(0.0)))
        return total / tf.cast(n, tf.float32)

    def _flat_weights(self):
        return tf.concat([tf.reshape(v, [-1]) for v in self.variables], axis=0)

    def _report_impl(self, x_test, y_test, x_probe, y_probe):
        pred = self.model(x_test, training=False)
        test_loss = tf.reduce_mean(tf.square(pred - y_test))
        with tf.GradientTape() as tape:
            tape.watch(x_probe)
            probe_loss = tf.reduce_mean(tf.square(self.model(x_probe) - y_probe))
        g = tape.gradient(probe_loss, x_probe)  # (n_probe, seq_len, n_features)
        grad_norms = tf.sqrt(tf.reduce_sum(tf.square(g), axis=[0, 1]))
        w = self._flat_weights()
        change = tf.norm(w - self._prev) / (tf.norm(self._prev) + 1e-12)
        self._prev.assign(w)
        return pred, test_loss, grad_norms, change


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
