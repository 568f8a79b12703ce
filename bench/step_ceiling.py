"""What one LSTM step can cost at best on this machine, and what grouping K runs buys.

    python bench/step_ceiling.py [--threads 1] [--steps 2000]

For the default shape (batch 32, units 32) and the large one (batch 32, units 128) it times,
inside one XLA-compiled ``while_loop`` of ``--steps`` chained steps (each step needs the
previous one's output, as the recurrence does):

* the step's product alone, ``(K, B, U) · (K, U, 4U)``, for K = 1, 2, 4, 8, 16, 32 runs
  batched into one product: µs per step, GFLOP/s, and runs·steps per second -- if a step
  were overhead-bound, K runs would cost little more than one;
* the product plus the gate math, with ``sigmoid`` and with ``0.5·tanh(z/2) + 0.5`` (the same
  function): XLA's CPU sigmoid is the costly part of a small step;
* a 4096² matmul: the machine's product peak, for scale.

This measures the ceiling, not the lab's engine (``bench/run.py`` does that).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lstm_lab.model import tf  # noqa: E402  (TensorFlow with its banner hidden)

KS = (1, 2, 4, 8, 16, 32)


def chained(k: int, b: int, u: int, steps: int, gates: str | None):
    """A compiled loop of ``steps`` dependent LSTM-sized steps for k runs at once."""
    rng = np.random.default_rng(0)
    rec = tf.constant((rng.standard_normal((k, u, 4 * u)) / np.sqrt(u)).astype("f4"))
    xp = tf.constant(rng.standard_normal((k, b, 4 * u)).astype("f4"))
    half = tf.constant(np.r_[np.full(2 * u, 0.5), np.ones(u), np.full(u, 0.5)].astype("f4"))
    shift = tf.constant(np.r_[np.full(2 * u, 0.5), np.zeros(u), np.full(u, 0.5)].astype("f4"))

    @tf.function(jit_compile=True)
    def run(h):
        def step(i, h, c):
            z = tf.matmul(h, rec) + xp  # (k, b, 4u)
            if gates is None:
                return i + 1, tf.tanh(z[..., :u]), c
            if gates == "sigmoid":
                a = tf.concat([tf.sigmoid(z[..., :2 * u]), tf.tanh(z[..., 2 * u:3 * u]),
                               tf.sigmoid(z[..., 3 * u:])], -1)
            else:
                a = tf.tanh(z * half) * half + shift
            i_, f, g, o = tf.split(a, 4, -1)
            c = f * c + i_ * g
            return i + 1, o * tf.tanh(c), c

        return tf.while_loop(lambda i, *_: i < steps, step, (0, h, h))[1]

    return run


def per_step_us(fn, h, steps: int, repeats: int = 3) -> float:
    fn(h)  # compile
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn(h).numpy()
        times.append(time.perf_counter() - t)
    return float(np.median(times)) / steps * 1e6


def peak_gflops(n: int = 4096) -> float:
    a = tf.random.normal((n, n))
    f = tf.function(lambda a: tf.matmul(a, a), jit_compile=True)
    f(a).numpy()
    t = time.perf_counter()
    f(a).numpy()
    return 2 * n**3 / (time.perf_counter() - t) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    peak = peak_gflops()
    print(f"{args.threads} thread(s); 4096² matmul peak {peak:.0f} GFLOP/s\n")
    for name, b, u in (("default", 32, 32), ("large", 32, 128)):
        print(f"{name} (batch {b}, units {u}): step product (K·{b}×{u})·({u}×{4 * u})")
        print("| K | product µs/step | GFLOP/s | % of peak | run·steps/s | + gates (sigmoid) µs "
              "| + gates (tanh form) µs |\n|---|---|---|---|---|---|---|")
        for k in KS:
            h = tf.zeros((k, b, u))
            mm = per_step_us(chained(k, b, u, args.steps, None), h, args.steps)
            sig = per_step_us(chained(k, b, u, args.steps, "sigmoid"), h, args.steps)
            tanh = per_step_us(chained(k, b, u, args.steps, "tanh"), h, args.steps)
            gf = 2 * k * b * u * 4 * u / mm / 1e3
            print(f"| {k} | {mm:.1f} | {gf:.0f} | {100 * gf / peak:.0f} % | "
                  f"{k / mm * 1e6:,.0f} | {sig:.1f} | {tanh:.1f} |")
        print()


if __name__ == "__main__":
    main()
