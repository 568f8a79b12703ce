"""Benchmark: what the doctor callback costs a fit, on the lab's default-sized model.

    python bench/doctor_overhead.py              # 7 repeats of 3 arms: ~3 minutes on 2 idle cores
    python bench/doctor_overhead.py --repeats 5

The model and data are the lab's defaults (lstm_lab.config): a noisy sine of 1000 steps,
windows of 50 steps and 1 feature, 750 training windows, LSTM(32) -> Dense(1), Adam 1e-3,
batch 32, 20 epochs, validation on the held-out windows. Three arms, in one process:

* plain:  ``model.fit(x, y, validation_data=(xv, yv), ...)``
* doctor: the same, with ``Doctor(x, y, validation_data=(xv, yv), verbose=0)`` built
  and attached (its construction, which measures the data, is counted: a user pays it too)
* doctor-v1: the same with ``verbose=1``, the default: a line per epoch (R² and flatness
  on the validation sample, so a prediction every epoch); the lines are captured

Machines here are shared: wall time swings with other people's load (a fit's 20 epochs
vary by ±5 % from one repeat to the next), so CPU time of this process (all its threads)
is reported beside it, the ratio is given for both, and the doctor's hooks -- all the
work it adds to a fit -- are timed directly.

Each repeat builds a fresh model with the same seed in every arm, and each arm goes first
in turn so that drifting machine load hits all alike. Medians; the ratio is doctor /
plain. The doctor's own work is timed part by part (per fit: hooks,
and inside them the weight copies, the predictions, building the one-pass probe model
(forward) and the pass for input gradients and layer outputs (input_gradient)), and
``report()`` after the fit is timed on its own (it is not part of the fit).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lstm_lab.doctor.keras_fit as lk  # noqa: E402  (where the callback looks its helpers up)
from lstm_lab import ExperimentConfig  # noqa: E402
from lstm_lab.data import prepare  # noqa: E402
from lstm_lab.keras import Doctor, keras  # noqa: E402

PARTS = defaultdict(lambda: [0.0, 0.0])  # part -> [wall s, CPU s], for the fit being timed


def timed(owner, name: str, label: str | None = None):
    """Replace ``owner.name`` by a wrapper that adds its time to PARTS[label] (nothing
    when there is no such name: an older doctor, benchmarked for comparison)."""
    fn = getattr(owner, name, None)
    if fn is None:
        return

    def wrapper(*args, **kwargs):
        t, c = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            part = PARTS[label or name]
            part[0] += time.perf_counter() - t
            part[1] += time.process_time() - c

    setattr(owner, name, wrapper)


ARMS = ["plain", "doctor", "doctor-v1"]


class TimedDoctor(Doctor):
    pass


for hook in ("__init__", "on_train_begin", "on_epoch_end", "on_train_end", "_weights",
             "_predict", "_input_gradient"):
    timed(TimedDoctor, hook, hook.strip("_"))
for fn in ("read_xy", "data_measurements", "naive_baselines", "_forward"):
    timed(lk, fn, fn.strip("_"))


def model(cfg: ExperimentConfig, shape, seed: int):
    keras.utils.set_random_seed(seed)
    m = keras.Sequential([keras.Input(shape), keras.layers.LSTM(cfg.units),
                          keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.Adam(cfg.learning_rate), loss="mse")
    return m


def fit(cfg, data, seed: int, arm: str):
    """(wall s, CPU s) for one fit (doctor construction included); the doctor, or None."""
    m = model(cfg, data.x_train.shape[1:], seed)
    val = (data.x_test, data.y_test)
    t, c = time.perf_counter(), time.process_time()
    doc = TimedDoctor(data.x_train, data.y_train, validation_data=val, live=False,
                      verbose=int(arm == "doctor-v1")) if arm != "plain" else None
    with contextlib.redirect_stdout(io.StringIO()):
        m.fit(data.x_train, data.y_train, validation_data=val, epochs=cfg.epochs,
              batch_size=cfg.batch_size, verbose=0, callbacks=[doc] if doc else [])
    return (time.perf_counter() - t, time.process_time() - c), doc


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=7, help="fits per arm (at least 5)")
    args = p.parse_args(argv)
    cfg = ExperimentConfig()
    data = prepare(cfg)
    print(f"data: x_train {data.x_train.shape}, x_val {data.x_test.shape}; LSTM({cfg.units}), "
          f"batch {cfg.batch_size}, {cfg.epochs} epochs", flush=True)

    for arm in ARMS:  # warm-up: TF's one-off start costs
        fit(cfg, data, 0, arm)
    times = {arm: [] for arm in ARMS}  # wall seconds
    cpu = {arm: [] for arm in ARMS}  # CPU seconds of this process, all its threads
    parts, report_s, codes = defaultdict(list), [], []
    for r in range(args.repeats):
        for arm in ARMS[r % 3:] + ARMS[:r % 3]:  # each arm goes first in turn
            PARTS.clear()
            (s, c), doc = fit(cfg, data, r + 1, arm)
            times[arm].append(s)
            cpu[arm].append(c)
            if arm == "doctor":
                for k, v in PARTS.items():
                    parts[k].append(v)
                t = time.perf_counter()
                codes.append(doc.report().findings[0].code)
                report_s.append(time.perf_counter() - t)
        print(f"repeat {r + 1}: " + ", ".join(f"{a} {times[a][-1]:.2f} s ({cpu[a][-1]:.2f} s CPU)"
                                             for a in ARMS), flush=True)

    med = {k: (statistics.median(times[k]), statistics.median(cpu[k])) for k in times}
    print("\n| arm | median wall (s) | min … max wall (s) | median CPU (s) | n |")
    print("|---|---:|---:|---:|---:|")
    for k in ARMS:
        v = times[k]
        print(f"| {k} | {med[k][0]:.2f} | {min(v):.2f} … {max(v):.2f} | {med[k][1]:.2f} | "
              f"{len(v)} |")
    print("\n| ratio of medians (target ≤ 1.10) | wall | CPU | per-repeat CPU ratios |")
    print("|---|---:|---:|---|")
    for arm in ARMS[1:]:
        wall, c = (med[arm][i] / med["plain"][i] for i in (0, 1))
        paired = sorted(a / b for a, b in zip(cpu[arm], cpu["plain"]))
        print(f"| {arm} / plain | {wall:.3f} | **{c:.3f}** | "
              f"{', '.join(f'{x:.2f}' for x in paired)} |")

    print("\n| doctor part (per fit, verbose=0) | median wall ms | median CPU ms | share of the plain fit's CPU |")
    print("|---|---:|---:|---:|")
    order = ["init", "read_xy", "on_train_begin", "data_measurements", "naive_baselines",
             "on_epoch_end", "weights", "predict", "on_train_end", "forward", "input_gradient"]
    for k in order + sorted(set(parts) - set(order)):
        if k in parts:
            wall, c = (1000 * statistics.median(x[i] for x in parts[k]) for i in (0, 1))
            print(f"| {k} | {wall:.1f} | {c:.1f} | {100 * c / 1000 / med['plain'][1]:.1f} % |")
    hooks = [sum(parts[k][i][0] for k in ("init", "on_train_begin", "on_epoch_end",
                                          "on_train_end")) for i in range(len(report_s))]
    print(f"| **all the doctor's hooks** | {1000 * statistics.median(hooks):.1f} | | "
          f"{100 * statistics.median(hooks) / med['plain'][0]:.1f} % of the plain fit's wall |")
    print(f"| report() after the fit (not in the fit) | {1000 * statistics.median(report_s):.1f}"
          " | | – |")
    print(f"\ntop finding on every doctor fit: {sorted(set(codes))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
