"""A class on one server: how much of the server's CPU goes to drawing the live runs.

    python bench/classroom.py [--tabs 8] [--rounds 3] [--epochs 60] [--baseline DIR ...]

Starts `streamlit run app.py` as the README does and drives it with Debian's Chromium:
``--tabs`` tabs are opened once, then every round each tab asks for a new run (its own
seed) at the same moment, and the round ends when all say "finished". Per round it records
the CPU time of the server process (the one Python process that renders every session),
of its worker processes (training), and the wall time.

What is compared, in one run (so both sides share the machine's load of the moment):

* with ``--baseline DIR`` (repeatable): this checkout against the checkout(s) in DIR, e.g.
  ``git worktree add --detach /tmp/base main``. Every server is started and warmed up
  first; then each round runs on every server in turn (the order rotating between rounds),
  with the same seeds.
* without it: this checkout as shipped against ``LSTM_LAB_THROTTLE=off`` (charts redrawn
  every 0.15 s however many runs wait).

Prints the medians and the ratios to the first column. Chromium runs on the same cores, as
it would not in a class, so wall times are pessimistic; the server's CPU per run is the
figure to compare.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from server_rss import CHROMIUM, JS_FINISHED, ROOT, start_server  # noqa: E402


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


class Server:
    """One `streamlit run` of one checkout, with its students' tabs opened and warm."""

    def __init__(self, name: str, cwd: str, env: dict[str, str], browser, n_tabs: int):
        self.name, self.rows = name, []
        self.proc, self.url = start_server(env, cwd=cwd)
        self.server = psutil.Process(self.proc.pid)
        # the students' tabs, opened once (the first run also starts the worker pool), as
        # in a class: then each round every tab asks for a new run at the same moment
        self.tabs = [browser.new_context(viewport={"width": 1000, "height": 800}).new_page()
                     for _ in range(n_tabs)]
        for i, tab in enumerate(self.tabs):
            tab.goto(f"{self.url}/?epochs=3&seed={i + 1}")
            tab.wait_for_function(JS_FINISHED, timeout=300_000, polling=500)
        while len(workers(self.server)) < 2:
            time.sleep(0.5)

    def round(self, r: int, epochs: int) -> None:
        seeds = range(1000 * (r + 1), 1000 * (r + 1) + len(self.tabs))  # new runs, no replay
        self.rows.append(one_round(self.tabs, self.url, self.server, seeds, epochs))
        print(f"{self.name:>12}, round {r + 1}: " + ", ".join(
            f"{k} {v:.2f}" for k, v in self.rows[-1].items()), flush=True)

    def close(self) -> None:
        for tab in self.tabs:
            tab.context.close()
        self.proc.terminate()
        self.proc.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tabs", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--baseline", action="append", default=[], metavar="DIR",
                        help="another checkout to measure in the same run (repeatable)")
    args = parser.parse_args()
    if args.baseline:
        variants = [("this", ROOT, {})] + [
            (Path(d).name or d, os.path.abspath(d), {}) for d in args.baseline]
    else:
        variants = [("throttled", ROOT, {"LSTM_LAB_THROTTLE": "on"}),
                    ("every tick", ROOT, {"LSTM_LAB_THROTTLE": "off"})]
    from playwright.sync_api import sync_playwright

    servers: list[Server] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            for name, cwd, env in variants:
                servers.append(Server(name, cwd, env, browser, args.tabs))
            for r in range(args.rounds):
                k = r % len(servers)  # rotate who goes first: drift in the load evens out
                for s in servers[k:] + servers[:k]:
                    s.round(r, args.epochs)
        finally:
            for s in servers:
                s.close()
            browser.close()
    med = {s.name: {k: statistics.median(r[k] for r in s.rows) for k in s.rows[0]}
           for s in servers}
    names = [s.name for s in servers]
    print(f"\n{args.tabs} sessions at once, {args.epochs} epochs each, "
          f"median of {args.rounds} rounds")
    print(f"{'':>22}" + "".join(f" {n:>12}" for n in names)
          + "".join(f" {'ratio ' + n:>14}" for n in names[1:]))
    for k, label in (("server_cpu_s", "server CPU per run"), ("worker_cpu_s", "worker CPU per run"),
                     ("wall_s", "wall for the class")):
        per = 1 if k == "wall_s" else args.tabs
        vals = [med[n][k] / per for n in names]
        print(f"{label:>22}" + "".join(f" {v:11.3f}s" for v in vals)
              + "".join(f" {vals[0] / v:14.2f}" for v in vals[1:]))


if __name__ == "__main__":
    main()
