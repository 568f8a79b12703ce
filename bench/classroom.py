"""A class on one server: how much of the server's CPU goes to drawing, throttled or not.

    python bench/classroom.py [--tabs 8] [--rounds 3] [--epochs 60]

Starts `streamlit run app.py` twice as the README does -- once as shipped, once with
``LSTM_LAB_THROTTLE=off`` (charts redrawn every 0.15 s however many runs wait) -- and
drives each with Debian's Chromium: ``--tabs`` tabs are opened once, then every round each
tab asks for a new run (its own seed) at the same moment, and the round ends when all say
"finished". Per round it records the CPU time of
the server process (the one Python process that renders every session), of its worker
processes (training), and the wall time. Prints the medians of both servers and their
ratios. Chromium runs on the same cores, as it would not in a class, so wall times are
pessimistic; the server's CPU per run is the figure to compare.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from server_rss import CHROMIUM, JS_FINISHED, start_server  # noqa: E402


def cpu_s(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def workers(server: psutil.Process) -> list[psutil.Process]:
    return [k for k in server.children(recursive=True) if "spawn_main" in " ".join(k.cmdline())]


def one_round(tabs: list, url: str, server: psutil.Process, seeds: range, epochs: int) -> dict:
    kids = workers(server)
    s0, w0, t0 = cpu_s(server), sum(cpu_s(k) for k in kids), time.perf_counter()
    for seed, tab in zip(seeds, tabs):  # every session asks before any has finished
        tab.goto(f"{url}/?epochs={epochs}&seed={seed}", wait_until="commit")
    for tab in tabs:
        tab.wait_for_function(JS_FINISHED, timeout=600_000, polling=500)
    return {"server_cpu_s": cpu_s(server) - s0, "worker_cpu_s": sum(cpu_s(k) for k in kids) - w0,
            "wall_s": time.perf_counter() - t0}


def measure(browser, throttle: str, args) -> list[dict]:
    proc, url = start_server({"LSTM_LAB_THROTTLE": throttle})
    try:
        server = psutil.Process(proc.pid)
        # the students' tabs, opened once (the first run also starts the worker pool), as
        # in a class: then each round every tab asks for a new run at the same moment
        tabs = [browser.new_context(viewport={"width": 1000, "height": 800}).new_page()
                for _ in range(args.tabs)]
        for i, tab in enumerate(tabs):
            tab.goto(f"{url}/?epochs=3&seed={i + 1}")
            tab.wait_for_function(JS_FINISHED, timeout=300_000, polling=500)
        while len(workers(server)) < 2:
            time.sleep(0.5)
        rows = []
        for r in range(args.rounds):
            seeds = range(1000 * (r + 1), 1000 * (r + 1) + args.tabs)  # new runs, no replay
            rows.append(one_round(tabs, url, server, seeds, args.epochs))
            print(f"throttle {throttle:>3}, round {r + 1}: " + ", ".join(
                f"{k} {v:.1f}" for k, v in rows[-1].items()), flush=True)
        for tab in tabs:
            tab.context.close()
        return rows
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tabs", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=60)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu"])
        results = {t: measure(browser, t, args) for t in ("on", "off")}
        browser.close()
    med = {t: {k: statistics.median(r[k] for r in rows) for k in rows[0]}
           for t, rows in results.items()}
    print(f"\n{args.tabs} sessions at once, {args.epochs} epochs each, "
          f"median of {args.rounds} rounds")
    print(f"{'':>22} {'throttled':>10} {'every tick':>11} {'ratio':>7}")
    for k, label in (("server_cpu_s", "server CPU per run"), ("worker_cpu_s", "worker CPU per run"),
                     ("wall_s", "wall for the class")):
        per = 1 if k == "wall_s" else args.tabs
        on, off = med["on"][k] / per, med["off"][k] / per
        print(f"{label:>22} {on:9.2f}s {off:10.2f}s {on / off:7.2f}")


if __name__ == "__main__":
    main()
