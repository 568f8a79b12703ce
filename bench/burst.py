"""A class presses Run together: N default runs submitted at once to a warm worker pool.

    python bench/burst.py [--runs 30] [--epochs 20] [--workers 2]

Starts the app's runner (:class:`lstm_lab.runner.ProcessRunner`, the worker pool of
``streamlit run app.py``), waits until its workers are warm, then submits ``--runs`` default
configs with their own seeds at the same moment and reads every run's events. Prints, from
the submission: when each run started and finished (median, p95, max) and when the last
one finished -- the issue's goal is all 30 finished within 8 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lstm_lab import ExperimentConfig  # noqa: E402
from lstm_lab.jobs import FINAL, Done, Started  # noqa: E402
from lstm_lab.runner import ProcessRunner  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    runner = ProcessRunner(workers=args.workers)
    try:
        while runner.warming():
            time.sleep(0.2)
        warm = runner.submit(ExperimentConfig(epochs=1, seed=99_999))  # both workers up
        while not warm.finished.wait(0.1) and not any(isinstance(e, FINAL) for e in warm.poll()):
            pass
        time.sleep(1.0)
        configs = [ExperimentConfig(epochs=args.epochs, seed=7000 + i) for i in range(args.runs)]
        t0 = time.perf_counter()
        handles = [runner.submit(c) for c in configs]
        started, finished, ok = {}, {}, 0
        while len(finished) < len(handles):
            for i, h in enumerate(handles):
                if i in finished:
                    continue
                for e in h.poll():
                    now = time.perf_counter() - t0
                    if isinstance(e, Started):
                        started[i] = now
                    elif isinstance(e, FINAL):
                        finished[i], ok = now, ok + isinstance(e, Done)
            time.sleep(0.01)
    finally:
        runner.shutdown()
    s, f = np.array(list(started.values())), np.array(list(finished.values()))
    print(f"{args.runs} default runs ({args.epochs} epochs) submitted at once to a warm pool "
          f"of {runner.workers} workers; {ok}/{args.runs} finished")
    print("| from submission | median | p95 | max |\n|---|---|---|---|")
    for name, a in (("run started", s), ("run finished", f)):
        print(f"| {name} | {np.median(a):.1f} s | {np.percentile(a, 95):.1f} s | "
              f"{a.max():.1f} s |")
    print(f"all {args.runs} finished {f.max():.1f} s after submission "
          f"({args.runs / f.max():.2f} runs/s)")


if __name__ == "__main__":
    main()
