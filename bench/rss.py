"""Memory over many runs: RSS of the runner's process and its workers, 100 runs.

    python bench/rss.py [--runs 100]

Runs the default config with a new seed each time (no replay) through a ProcessRunner, as
the app does, and prints the resident memory (VmRSS from /proc, Linux) of the parent and
of each worker after the warm-up, every 20 runs, and the growth.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lstm_lab import ExperimentConfig  # noqa: E402
from lstm_lab.jobs import Failed  # noqa: E402
from lstm_lab.runner import ProcessRunner  # noqa: E402


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def total(runner: ProcessRunner) -> tuple[float, list[float]]:
    workers = [rss_mb(p) for p in runner.pids()]
    return rss_mb(os.getpid()) + sum(workers), workers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    runner = ProcessRunner()
    while not all(w is not None and w.ready for w in runner._workers):
        time.sleep(0.1)
    for seed in range(4):  # warm-up: first runs allocate the engine's buffers
        for _ in runner.submit(ExperimentConfig(seed=10_000 + seed)).events():
            pass
    start, workers = total(runner)
    print(f"after warm-up: {start:.0f} MB (parent {rss_mb(os.getpid()):.0f}, workers "
          f"{', '.join(f'{w:.0f}' for w in workers)})", flush=True)
    t0 = time.perf_counter()
    for i in range(args.runs):
        handle = runner.submit(ExperimentConfig(seed=i))
        for event in handle.events():
            if isinstance(event, Failed):
                raise SystemExit(f"run {i} failed")
        if (i + 1) % 20 == 0:
            now, _ = total(runner)
            print(f"after {i + 1:>3} runs: {now:.0f} MB ({now - start:+.0f} MB)", flush=True)
    end, workers = total(runner)
    print(f"\n{args.runs} runs in {time.perf_counter() - t0:.0f} s; RSS growth "
          f"{end - start:+.0f} MB (parent + {len(workers)} workers)")
    runner.shutdown()


if __name__ == "__main__":
    main()
