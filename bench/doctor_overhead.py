"""Benchmark: what the doctor callback costs a fit -- its measurements alone, and its
trials -- on the lab's default-sized model and on a larger one.

    nice -n 10 python bench/doctor_overhead.py              # 3 repeats: ~10 minutes on 2 busy cores
    python bench/doctor_overhead.py --repeats 5

Models: the lab's default (lstm_lab.config: a noisy sine of 1000 steps, windows of 50
steps and 1 feature, 750 training windows, LSTM(32) -> Dense(1), Adam 1e-3, batch 32,
20 epochs, validation on the held-out windows) and a larger one on the same data
(LSTM(64, return_sequences) -> LSTM(64) -> Dense(1)). For each, in one process:

* plain:  ``model.fit(x, y, validation_data=(xv, yv), ...)``
* doctor: the same, with ``Doctor(x, y, validation_data=(xv, yv), verbose=0,
  trials=0)`` built and attached (its construction, which measures the data, is
  counted: a user pays it too): the measurements alone
* flat plain / flat doctor+trials: the same model at learning rate 1e-5 (it stays flat,
  so the doctor has findings to try) without and with the doctor at its default
  (``trials=True``: trials within the fit's own duration less twice the doctor's
  measuring, at least 3 s); the trials are timed one by one (each trial's seconds; the
  control's are the rest)

The healthy fit gets no trials (the doctor tries nothing on a fit that learned), so the
measurements' overhead is read on the healthy arms and the trials' on the flat ones.

Machines here are shared: wall time swings with other people's load, so CPU time of this
process (all its threads) is reported beside it. Each repeat builds a fresh model with
the same seed in every arm, and each arm goes first in turn. Medians.
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


ARMS = ["plain", "doctor", "flat plain", "flat doctor+trials"]


class TimedDoctor(Doctor):
    pass


for hook in ("__init__", "on_train_begin", "on_epoch_end", "on_train_end", "_weights",
             "_predict", "_input_gradient", "_run_trials"):
    timed(TimedDoctor, hook, hook.strip("_"))
for fn in ("read_xy", "data_measurements", "naive_baselines", "_forward"):
    timed(lk, fn, fn.strip("_"))


def model(cfg: ExperimentConfig, shape, seed: int, size: str, lr: float):
    keras.utils.set_random_seed(seed)
    if size == "default":
        body = [keras.layers.LSTM(cfg.units)]
    else:
        body = [keras.layers.LSTM(64, return_sequences=True), keras.layers.LSTM(64)]
    m = keras.Sequential([keras.Input(shape), *body, keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.Adam(lr), loss="mse")
    return m


def fit(cfg, data, seed: int, arm: str, size: str):
    """(wall s, CPU s) for one fit (doctor construction and trials included); the doctor,
    or None."""
    lr = 1e-5 if arm.startswith("flat") else cfg.learning_rate
    m = model(cfg, data.x_train.shape[1:], seed, size, lr)
    val = (data.x_test, data.y_test)
    t, c = time.perf_counter(), time.process_time()
    doc = None
    if arm == "doctor":
        doc = TimedDoctor(data.x_train, data.y_train, validation_data=val, live=False,
                          verbose=0, trials=0)
    elif arm == "flat doctor+trials":
        doc = TimedDoctor(data.x_train, data.y_train, validation_data=val, live=False,
                          verbose=0, trials=True)
    with contextlib.redirect_stdout(io.StringIO()):
        m.fit(data.x_train, data.y_train, validation_data=val, epochs=cfg.epochs,
              batch_size=cfg.batch_size, verbose=0, callbacks=[doc] if doc else [])
    return (time.perf_counter() - t, time.process_time() - c), doc


def bench(cfg, data, size: str, repeats: int) -> None:
    print(f"\n## {size} model\n", flush=True)
    for arm in ARMS[:2]:  # warm-up: TF's one-off start costs
        fit(cfg, data, 0, arm, size)
    times = {arm: [] for arm in ARMS}
    cpu = {arm: [] for arm in ARMS}
    parts, trials, codes, lines = defaultdict(list), [], [], []
    for r in range(repeats):
        for arm in ARMS[r % 4:] + ARMS[:r % 4]:
            PARTS.clear()
            (s, c), doc = fit(cfg, data, r + 1, arm, size)
            times[arm].append(s)
            cpu[arm].append(c)
            if arm == "doctor":
                for k, v in PARTS.items():
                    parts[k].append(v)
            if arm == "flat doctor+trials":
                run = PARTS.get("run_trials", [0.0, 0.0])[0]
                trials.append((run, [(t.code, t.seconds, t.outcome, t.epochs, t.r2_control,
                                      t.r2) for t in doc.trials]))
                codes.append([f.code for f in doc.findings[:3]])
                lines.append(doc.trials_line)
        print(f"repeat {r + 1}: " + ", ".join(f"{a} {times[a][-1]:.2f} s"
                                             for a in ARMS), flush=True)
    med = {k: (statistics.median(times[k]), statistics.median(cpu[k])) for k in times}
    print("\n| arm | median wall (s) | min … max wall (s) | median CPU (s) | n |")
    print("|---|---:|---:|---:|---:|")
    for k in ARMS:
        v = times[k]
        print(f"| {k} | {med[k][0]:.2f} | {min(v):.2f} … {max(v):.2f} | {med[k][1]:.2f} | "
              f"{len(v)} |")
    print("\n| ratio of medians | wall | CPU | goal |")
    print("|---|---:|---:|---|")
    for arm, base, goal in (("doctor", "plain", "≤ 1.10 (measurements alone)"),
                            ("flat doctor+trials", "flat plain", "≤ 2.00 (with trials)")):
        wall, c = (med[arm][i] / med[base][i] for i in (0, 1))
        print(f"| {arm} / {base} | {wall:.3f} | {c:.3f} | {goal} |")
    # paired: each repeat's arms ran back to back, so their ratio shares that repeat's load
    for arm, base in (("doctor", "plain"), ("flat doctor+trials", "flat plain")):
        pairs = [a / b for a, b in zip(times[arm], times[base])]
        cpairs = [a / b for a, b in zip(cpu[arm], cpu[base])]
        print(f"| {arm} / {base}, median of the repeats' ratios | "
              f"{statistics.median(pairs):.3f} | {statistics.median(cpairs):.3f} | "
              f"(each repeat: wall {', '.join(f'{x:.2f}' for x in pairs)}) |")
    hooks = [sum(parts[k][i][0] for k in ("init", "on_train_begin", "on_epoch_end",
                                          "on_train_end") if k in parts)
             for i in range(len(parts.get("init", [])))]
    if hooks:
        print(f"\nthe doctor's hooks (measurements, trials off): median "
              f"{1000 * statistics.median(hooks):.0f} ms = "
              f"{100 * statistics.median(hooks) / med['plain'][0]:.1f} % of the plain fit's wall")
    print("\ntrials per flat fit (all trials, control included; then each trial):")
    for i, (run, ts) in enumerate(trials, 1):
        each = "; ".join(f"{c} {s:.1f} s ({o}, R² {_f(a)} → {_f(b)} in {e} epochs)"
                         for c, s, o, e, a, b in ts)
        control = run - sum(t[1] for t in ts)
        print(f"- repeat {i}: {run:.1f} s in all = control {control:.1f} s + {each}")
    per_trial = [t[1] for _, ts in trials for t in ts]
    if per_trial:
        print(f"\nper trial: median {statistics.median(per_trial):.1f} s "
              f"(min {min(per_trial):.1f}, max {max(per_trial):.1f}); "
              f"trials in all per fit: median {statistics.median(r for r, _ in trials):.1f} s "
              f"= {100 * statistics.median(r for r, _ in trials) / med['flat plain'][0]:.0f} % "
              "of the flat plain fit")
    print(f"top findings after trials: {codes}")
    print("the reports' trials lines:")
    for line in lines:
        print(f"- {line}")


def _f(x):
    return "n/a" if x is None else f"{x:.2f}"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=3, help="fits per arm")
    p.add_argument("--sizes", nargs="*", default=["default", "larger"])
    args = p.parse_args(argv)
    cfg = ExperimentConfig()
    data = prepare(cfg)
    print(f"data: x_train {data.x_train.shape}, x_val {data.x_test.shape}; "
          f"batch {cfg.batch_size}, {cfg.epochs} epochs", flush=True)
    for size in args.sizes:
        bench(cfg, data, size, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
