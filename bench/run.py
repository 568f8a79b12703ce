"""Benchmark: the lab engine against plain Keras, in one run, on this machine.

    python bench/run.py            # full: ~5 minutes on 2 cores
    python bench/run.py --quick    # fewer repeats, for a smoke check

The peer is what a user writes by hand for a live plot: ``model.fit`` with an epoch-end
callback that calls ``model.predict`` on the test windows. Every number is a median;
machines here are shared and noisy, so compare the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lstm_lab import ExperimentConfig, run_experiment  # noqa: E402
from lstm_lab.data import prepare  # noqa: E402
from lstm_lab.model import Engine, Shape, keras, tf  # noqa: E402
from lstm_lab.train import _to_tensors  # noqa: E402

tf.get_logger().setLevel("ERROR")  # a fresh engine per variant retraces on purpose

CONFIGS = {
    "default (units 32, seq 50, batch 32)": ExperimentConfig(),
    "batch size 1": ExperimentConfig(batch_size=1),
    "units 128, seq 200, batch 32": ExperimentConfig(units=128, seq_len=200),
}


def shape_of(cfg: ExperimentConfig, data) -> Shape:
    return Shape(cfg.seq_len, data.x_train.shape[2], data.y_train.shape[1], cfg.units,
                 cfg.batch_size, cfg.optimizer)


def lstm_flops_per_epoch(cfg: ExperimentConfig, n_windows: int, n_features: int) -> float:
    """Multiply-adds of the LSTM over one epoch, x2 for FLOPs, x3 for forward + backward.

    Per step and window the four gates multiply [x_t, h_{t-1}] (F + U) by (F + U, 4U).
    The Dense head and elementwise gate math are left out (a few % at these sizes).
    """
    macs = n_windows * cfg.seq_len * 4 * cfg.units * (n_features + cfg.units)
    return 2 * 3 * macs


def matmul_peak_gflops(n: int = 4096, repeats: int = 5) -> float:
    a = tf.random.normal((n, n), seed=1)
    b = tf.random.normal((n, n), seed=2)
    tf.linalg.matmul(a, b).numpy()  # warm up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        tf.linalg.matmul(a, b).numpy()
        times.append(time.perf_counter() - t)
    return 2 * n**3 / statistics.median(times) / 1e9


def step_matmul_gflops(batch: int, units: int, n_features: int, steps: int = 200) -> float:
    """GFLOP/s of the LSTM's own per-step product, (B, F+U) @ (F+U, 4U), chained over
    ``steps`` sequential steps in one XLA call -- the ceiling a recurrent step can reach
    here, since each step needs the previous one's output."""
    w = tf.random.normal((n_features + units, 4 * units), seed=3) * 0.05
    h0 = tf.random.normal((batch, n_features + units), seed=4)

    @tf.function(jit_compile=True)
    def chain(h):
        def body(i, h):
            z = tf.linalg.matmul(h, w)  # (B, 4U)
            return i + 1, tf.tanh(z[:, : n_features + units])
        return tf.while_loop(lambda i, _: i < steps, body, (0, h))[1]

    chain(h0).numpy()
    times = []
    for _ in range(20):
        t = time.perf_counter()
        chain(h0).numpy()
        times.append(time.perf_counter() - t)
    return 2 * batch * (n_features + units) * 4 * units * steps / statistics.median(times) / 1e9


# --- the peer ---------------------------------------------------------------------------
def peer_ms_per_epoch(cfg, data, epochs: int, predict: bool = True, fast: bool = False):
    """Median ms/epoch of Keras fit (+ predict in an epoch-end callback), first epoch dropped.

    fast=True is Keras' own levers: jit_compile and steps_per_execution.
    """
    model = keras.Sequential([keras.Input(data.x_train.shape[1:]), keras.layers.LSTM(cfg.units),
                              keras.layers.Dense(data.y_train.shape[1])])
    kw = dict(jit_compile=True, steps_per_execution=32) if fast else {}
    model.compile(optimizer=keras.optimizers.Adam(cfg.learning_rate), loss="mse", **kw)
    stamps = []

    class Live(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            stamps.append([time.perf_counter()])

        def on_epoch_end(self, epoch, logs=None):
            if predict:
                model.predict(data.x_test, verbose=0)
            stamps[-1].append(time.perf_counter())

    model.fit(data.x_train, data.y_train, batch_size=cfg.batch_size, epochs=epochs,
              verbose=0, callbacks=[Live()])
    return statistics.median((b - a) * 1000 for a, b in stamps[1:])


# --- the engine -------------------------------------------------------------------------
def engine_ms_per_epoch(cfg, epochs: int, repeats: int) -> float:
    """Median ms/epoch of run_experiment, report included; a warm-up run compiles first."""
    run_experiment(cfg.replace(epochs=2))
    per_epoch = []
    for r in range(repeats):
        reports = []
        run_experiment(cfg.replace(epochs=epochs, seed=r), on_epoch=reports.append)
        elapsed = [0.0] + [x.elapsed for x in reports]
        per_epoch += [(b - a) * 1000 for a, b in zip(elapsed[1:-1], elapsed[2:])]
    return statistics.median(per_epoch)


def engine_parts_ms(cfg, data, jit: bool, per_batch: bool, repeats: int):
    """(train-only ms, with-report ms) per epoch for one engine variant, after warm-up."""
    engine = Engine(shape_of(cfg, data), jit_compile=jit)
    engine.reset(cfg.seed, cfg.learning_rate)
    t = _to_tensors(data)
    order = np.arange(len(data.x_train))
    B = cfg.batch_size

    def train(report: bool):
        if not per_batch:
            return engine.run_epoch(t["x_train"], t["y_train"], order, t["x_test"],
                                    t["y_test"], report=report)
        for i in range(0, len(order), B):  # one compiled call per batch, from Python
            engine.train_step(t["x_train"], t["y_train"], tf.constant(order[i:i + B]))

    # Alternate the two variants so that drifting machine load hits both alike.
    train(False), train(True)  # compile both
    times = {False: [], True: []}
    for _ in range(repeats):
        for report in (False, True):
            a = time.perf_counter()
            train(report)
            times[report].append((time.perf_counter() - a) * 1000)
    return statistics.median(times[False]), statistics.median(times[True])


def first_report_ms(cfg, fresh: bool) -> float:
    """Time from submit to the first epoch report: a new engine (build + compile) or a reused one."""
    import lstm_lab.model as model_mod

    if fresh:
        model_mod._local.engines = {}
    seen = []
    t0 = time.perf_counter()
    run_experiment(cfg.replace(epochs=1), on_epoch=lambda r: seen.append(time.perf_counter()))
    return (seen[0] - t0) * 1000


THREADS_PROBE = """
import sys, time, statistics
sys.path.insert(0, {root!r})
from lstm_lab.model import tf
tf.config.threading.set_intra_op_parallelism_threads({n})
tf.config.threading.set_inter_op_parallelism_threads({n})
from lstm_lab import ExperimentConfig, run_experiment
run_experiment(ExperimentConfig(epochs=2))
reports = []
run_experiment(ExperimentConfig(epochs=20, seed=1), on_epoch=reports.append)
e = [0.0] + [r.elapsed for r in reports]
print(statistics.median(b - a for a, b in zip(e[1:-1], e[2:])) * 1000)
"""


def threads_lever() -> dict[int, float]:
    """ms/epoch of the default config with TF's own choice (0), 1 and 2 threads -- a
    process-wide setting, fixed before TensorFlow starts, hence one subprocess each."""
    out = {}
    for n in (0, 1, 2):
        code = THREADS_PROBE.format(root=str(ROOT), n=n)
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        out[n] = float(proc.stdout.strip().splitlines()[-1])
    return out


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_growth(runs: int, peer: bool) -> float:
    cfg = ExperimentConfig(epochs=2)
    data = prepare(cfg)
    one = (lambda s: peer_ms_per_epoch(cfg.replace(seed=s), data, 2)) if peer else (
        lambda s: run_experiment(cfg.replace(seed=s)))
    one(0)
    start = rss_mb()
    for s in range(1, runs + 1):
        one(s)
    return rss_mb() - start


def browser_latency(skip: bool) -> str:
    path = ROOT / "artifacts" / "latency.json"
    if not skip:
        subprocess.run([sys.executable, "-m", "pytest", "-q", "tests/test_browser.py", "-m",
                        "slow", "-k", "latency", "-p", "no:cacheprovider"], cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not path.exists():
        return "not measured (needs Chromium; see tests/test_browser.py)"
    d = json.loads(path.read_text())
    ms = ", ".join(f"{t * 1000:.0f}" for t in d["slider_to_first_chart_s"])
    return f"median {d['median_s'] * 1000:.0f} ms (runs: {ms} ms)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--no-browser", action="store_true", help="reuse artifacts/latency.json")
    args = ap.parse_args()
    reps = 2 if args.quick else 5

    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, {os.cpu_count()} cores, "
          f"intra-op threads {tf.config.threading.get_intra_op_parallelism_threads() or 'auto'}")
    peak = matmul_peak_gflops()
    step = step_matmul_gflops(batch=32, units=128, n_features=1)
    print(f"TF fp32 matmul peak (4096², median of 5): {peak:.0f} GFLOP/s; the large config's "
          f"own step product (32×129 · 129×512) chained over 200 steps in XLA: "
          f"{step:.0f} GFLOP/s ({100 * step / peak:.0f} % of peak)\n")

    print("| config | peer ms/epoch | lab ms/epoch | speed-up | lab GFLOP/s | % of peak |")
    print("|---|---|---|---|---|---|")
    for name, cfg in CONFIGS.items():
        data = prepare(cfg)
        slow = cfg.batch_size == 1 or cfg.units > 64
        peer_epochs = 3 if slow else 8
        peer = statistics.median(peer_ms_per_epoch(cfg, data, peer_epochs)
                                 for _ in range(2 if slow else reps // 2 + 1))
        lab = engine_ms_per_epoch(cfg, 5 if slow else 20, 2 if slow else reps)
        flops = lstm_flops_per_epoch(cfg, len(data.x_train), data.x_train.shape[2])
        gf = flops / (lab / 1000) / 1e9
        print(f"| {name} | {peer:.0f} | {lab:.0f} | {peer / lab:.1f}× | {gf:.1f} | "
              f"{100 * gf / peak:.0f} % |", flush=True)

    print("\nLevers (ms per epoch, median; train only unless said):")
    print("| variant | " + " | ".join(CONFIGS) + " |")
    print("|---|---|---|---|")
    rows: dict[str, list[float]] = {}
    for cfg in CONFIGS.values():
        data = prepare(cfg)
        slow = cfg.batch_size == 1 or cfg.units > 64
        ep, n = (3, 3) if slow else (8, 3 * reps)
        for label, kw in (("Keras fit + predict callback (the peer)", {}),
                          ("Keras fit, no predict", dict(predict=False)),
                          ("Keras fit, jit_compile + steps_per_execution 32, no predict",
                           dict(predict=False, fast=True))):
            rows.setdefault(label, []).append(peer_ms_per_epoch(cfg, data, ep, **kw))
        for label, jit, per_batch in (
            ("engine: graph mode, no XLA, one call per epoch", False, False),
            ("engine: XLA, one call per batch", True, True),
            ("engine: XLA, one call per epoch", True, False),
        ):
            tr, full = engine_parts_ms(cfg, data, jit, per_batch, n)
            rows.setdefault(label, []).append(tr)
            if jit and not per_batch:
                rows.setdefault("engine: XLA, one call per epoch, with the report", []).append(full)
                rows.setdefault("  report share of epoch time", []).append(
                    100 * max(full - tr, 0.0) / full)
    for label, vals in rows.items():
        unit = " %" if "share" in label else ""
        print(f"| {label} | " + " | ".join(f"{v:.0f}{unit}" for v in vals) + " |", flush=True)

    cfg = ExperimentConfig(seed=123)
    fresh = statistics.median(first_report_ms(cfg.replace(seed=123 + i), True) for i in range(3))
    reused = statistics.median(first_report_ms(cfg.replace(seed=200 + i), False) for i in range(3))
    print(f"\nFirst epoch report of a new run, default config: new engine (build + XLA "
          f"compile) {fresh:.0f} ms; engine reused for the same shape {reused:.0f} ms")

    th = threads_lever()
    print(f"Threads, default config with report (ms/epoch): TF's default {th[0]:.0f}, "
          f"1 intra-op thread {th[1]:.0f}, 2 threads {th[2]:.0f}")
    runs = 20 if args.quick else 50
    lab_rss = rss_growth(runs, peer=False)
    peer_rss = rss_growth(runs, peer=True)
    print(f"RSS growth over {runs} consecutive runs in one process: lab engine "
          f"{lab_rss:+.0f} MB; peer (a new Keras model per run) {peer_rss:+.0f} MB")
    print(f"Browser: slider change -> first updated chart, warm server: "
          f"{browser_latency(args.no_browser)}")


if __name__ == "__main__":
    main()
