"""Benchmark: a 5 × 5 sweep of the default config, worker pool vs one process.

    python bench/sweep.py [--repeats 3]

Axes: learning rate 1e-5 … 1e-1 (log, 5) × batch size 8, 16, 32, 64, 128 (5 shapes, so
every process compiles 5 engines). "one process" runs the 25 cells one after another in
this process (TensorFlow already imported); "pool" sends them to a ProcessRunner whose
workers are started and warmed before the clock starts (as on a running server), and
again with a fresh pool (cold: process start, TF import, warm-up included). Medians of
``--repeats`` runs are printed with the ratio. The replay cache is off (a new runner or
new seeds each time), so every cell trains.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lstm_lab import ExperimentConfig  # noqa: E402
from lstm_lab.runner import InProcessRunner, ProcessRunner  # noqa: E402
from lstm_lab.sweep import LocalBackend, parse_axis, run_sweep  # noqa: E402

X, Y = parse_axis("learning_rate=1e-5:1e-1:log:5"), parse_axis("batch_size=8,16,32,64,128")


def timed(backend, seed: int) -> tuple[float, list]:
    t0 = time.perf_counter()
    result = run_sweep(ExperimentConfig(seed=seed), X, Y, backend)
    return time.perf_counter() - t0, result.cells


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    seq, warm, cold = [], [], []
    for r in range(args.repeats):
        runner = InProcessRunner(workers=1)
        s, cells_a = timed(LocalBackend(runner), seed=r)
        runner.shutdown()
        seq.append(s)
        t0 = time.perf_counter()
        pool = ProcessRunner()
        while not all(w is not None and w.ready for w in pool._workers):  # up and warmed
            time.sleep(0.1)
        start_cost = time.perf_counter() - t0
        w, cells_b = timed(LocalBackend(pool), seed=r)
        pool.shutdown()
        warm.append(w)
        cold.append(w + start_cost)
        same = [(c.r2, c.finding) for c in cells_a] == [(c.r2, c.finding) for c in cells_b]
        print(f"repeat {r + 1}: one process {s:.1f} s, pool {w:.1f} s (+{start_cost:.1f} s "
              f"to start it), identical cells: {same}", flush=True)
    m_seq, m_warm, m_cold = map(statistics.median, (seq, warm, cold))
    print(f"\n5 x 5 sweep of the default config, {os.cpu_count()} cores, median of "
          f"{args.repeats}:")
    print(f"  one process, cell after cell : {m_seq:6.1f} s")
    print(f"  worker pool (running server) : {m_warm:6.1f} s   ratio {m_seq / m_warm:.2f}x")
    print(f"  worker pool incl. its start  : {m_cold:6.1f} s   ratio {m_seq / m_cold:.2f}x")


if __name__ == "__main__":
    main()
