"""A class arriving at once: N sessions open their own share links together on one server.

    python bench/class_load.py [--sessions 30] [--procs 3] [--epochs 20] [--json FILE]

Starts `streamlit run app.py` of this checkout as the README does, with the runner's journal
on (``LSTM_LAB_JOURNAL``), and warms it up with one run (the worker pool starts once per
server, ~10 s). Then ``--sessions`` students arrive together: Chromium browser contexts
spread over ``--procs`` processes, each process driving its own Chromium (as Streamlit's
own ``e2e_playwright/load_testing`` does); every context opens a share link with its own
config (its own seed, learning rate cycling through 3e-4, 1e-3, 3e-3), all released by one
barrier.

Per session, stamped in the page itself (``performance.now()`` from its navigation start,
the DOM read every 100 ms, so 30 tabs cost no round trips to the driver):

* first chart: the first forecast chart is drawn (the targets, before any epoch);
* first epoch: a chart is drawn and the status line shows epoch 1 or later (the status
  line is written after the charts, so the chart holds that epoch's prediction);
* verdict: the run says finished and its verdict badge is on the page.

For the server: CPU seconds of the server process (it renders every session) and of its
worker processes (training), peak RSS of the server and of server + workers (psutil,
sampled every 0.5 s); from the journal, each run's wait for a worker (submitted -> started)
and its training (started -> finished). Prints median, p95 and max.

The browsers run on the same cores as the server (on the project's machine: 2 cores for
the server, its 2 workers and 30 Chromium tabs), so every latency here is pessimistic
against a class whose browsers are the students' own machines.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from server_rss import CHROMIUM, start_server  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]
LEARNING_RATES = (3e-4, 1e-3, 3e-3)
# Stamps the page's own milestones in window.__lab (ms since its navigation start).
JS_STAMPS = r"""(() => {
  const t = window.__lab = {};
  const id = setInterval(() => {
    const now = performance.now();
    if (t.chart === undefined && document.querySelector(
        '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg'))
      t.chart = now;
    const caps = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
      .map(e => e.innerText);
    if (t.queued === undefined && caps.some(c => c.includes('Queued — place'))) t.queued = now;
    if (t.epoch === undefined && t.chart !== undefined
        && caps.some(c => /Epoch [1-9]\d*\/\d+/.test(c))) t.epoch = now;
    if (t.verdict === undefined && caps.some(c => /Epoch \d+\/\d+ — (finished|diverged)/.test(c))
        && [...document.querySelectorAll('[data-testid="stMarkdownContainer"]')]
          .some(e => e.innerText.includes("baselines' R²"))) {
      t.verdict = now;
    }
    // a loaded browser can write the verdict's text before vega has drawn the chart:
    // keep stamping until both are there
    if (t.verdict !== undefined && t.chart !== undefined) clearInterval(id);
  }, 100);
})();"""
JS_DONE = ("() => window.__lab && window.__lab.verdict !== undefined"
           " && window.__lab.chart !== undefined")


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children so far."""
    total = 0.0
    try:
        proc = psutil.Process(pid)
        for p in [proc, *proc.children(recursive=True)]:
            t = p.cpu_times()
            total += t.user + t.system
    except psutil.Error:
        pass
    return total


def drive(urls: list[str], barrier, out, timeout_s: float) -> None:
    """One driver process: its own Chromium, one context per session; after the barrier
    every session opens its link, then the stamps are collected (and the CPU this process
    and its Chromium spent meanwhile)."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = []
        for _ in urls:
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            context.add_init_script(JS_STAMPS)
            pages.append(context.new_page())
        barrier.wait()
        cpu0 = tree_cpu(os.getpid())
        for page, url in zip(pages, urls):
            page.goto(url, wait_until="commit")
        for page, url in zip(pages, urls):
            try:
                page.wait_for_function(JS_DONE, timeout=timeout_s * 1000, polling=500)
                error = None
            except Exception as err:  # a session that never finished is reported, not hidden
                error = f"{type(err).__name__}: {str(err).splitlines()[0]}"
            stamps = page.evaluate("() => ({...(window.__lab || {}), origin: performance.timeOrigin})")
            rows.append({"url": url, **stamps, "error": error})
        cpu = tree_cpu(os.getpid()) - cpu0
        browser.close()
    out.put((rows, cpu))


class Sampler(threading.Thread):
    """CPU and RSS of the server and its workers, every ``every`` seconds."""

    def __init__(self, pid: int, every: float = 0.5):
        super().__init__(daemon=True)
        self.server, self.every = psutil.Process(pid), every
        self.peak_rss = self.peak_total = 0.0
        self.stop = threading.Event()

    def cpu(self) -> tuple[float, float]:
        """(server, workers) CPU seconds so far."""
        own = self.server.cpu_times()
        kids = 0.0
        for k in self.server.children(recursive=True):
            try:
                t = k.cpu_times()
                kids += t.user + t.system
            except psutil.Error:
                pass
        return own.user + own.system, kids

    def run(self) -> None:
        while not self.stop.is_set():
            own = self.server.memory_info().rss
            kids = 0
            for k in self.server.children(recursive=True):
                try:
                    kids += k.memory_info().rss
                except psutil.Error:
                    pass
            self.peak_rss = max(self.peak_rss, own / 2**20)
            self.peak_total = max(self.peak_total, (own + kids) / 2**20)
            self.stop.wait(self.every)


def stats(values: list[float]) -> tuple[float, float, float]:
    a = np.asarray(values, dtype=float)
    return float(np.median(a)), float(np.percentile(a, 95)), float(a.max())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--procs", type=int, default=3, help="driver processes (each its "
                        "own Chromium); the sessions are spread over them")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=900, help="per session, seconds")
    parser.add_argument("--json", help="also write every number to this file")
    args = parser.parse_args()

    from lstm_lab import ExperimentConfig, views
    from lstm_lab.runner import read_journal

    journal = Path(tempfile.mkdtemp(prefix="class_load_")) / "journal.jsonl"
    env = {"LSTM_LAB_JOURNAL": str(journal)}
    proc, url = start_server(env)
    try:
        # warm-up: one run starts the worker pool, as the class's teacher would
        warm = ExperimentConfig(epochs=3, seed=99_999)
        q, barrier = mp.get_context("spawn").Queue(), mp.get_context("spawn").Barrier(1)
        drive([views.share_link(url + "/", warm)], barrier, q, 300)  # in this process
        q.get()
        print("warm: the worker pool is up", flush=True)

        configs = [ExperimentConfig(epochs=args.epochs, seed=5000 + i,
                                    learning_rate=LEARNING_RATES[i % len(LEARNING_RATES)])
                   for i in range(args.sessions)]
        links = [views.share_link(url + "/", c) for c in configs]
        ctx = mp.get_context("spawn")
        out, barrier = ctx.Queue(), ctx.Barrier(args.procs + 1)
        groups = [links[i::args.procs] for i in range(args.procs)]
        drivers = [ctx.Process(target=drive, args=(g, barrier, out, args.timeout))
                   for g in groups]
        for d in drivers:
            d.start()
        sampler = Sampler(proc.pid)
        sampler.start()
        barrier.wait(timeout=600)  # every context is open: the class arrives now
        t0, (s0, w0) = time.time(), sampler.cpu()
        got = [out.get(timeout=args.timeout + 300) for _ in drivers]
        wall = time.time() - t0
        s1, w1 = sampler.cpu()
        rows = [r for part, _ in got for r in part]
        browsers = sum(cpu for _, cpu in got)
        # the class is over at the last verdict (each page's own clock: origin + stamp)
        ends = [(r["origin"] + r["verdict"]) / 1000 for r in rows if "verdict" in r]
        wall = max(ends) - t0 if ends else wall
        sampler.stop.set()
        for d in drivers:
            d.join(timeout=60)
    finally:
        proc.terminate()
        proc.wait(timeout=15)

    events = read_journal(str(journal))
    waits, trains = [], []
    for c in configs:
        t = {}
        for e in events:
            if e["seed"] == c.seed and e.get("task") == "run":
                t.setdefault(e["event"], e["t"])
        if "started" in t and "submitted" in t:
            waits.append(t["started"] - t["submitted"])
        if "finished" in t and "started" in t:
            trains.append(t["finished"] - t["started"])
    failed = [r for r in rows if r["error"] or "verdict" not in r]
    done = [r for r in rows if r not in failed]
    n = args.sessions
    result = {
        "sessions": n, "procs": args.procs, "epochs": args.epochs, "cores": os.cpu_count(),
        "wall_s": wall, "failed": len(failed),
        "server_cpu_s": s1 - s0, "worker_cpu_s": w1 - w0, "browsers_cpu_s": browsers,
        "server_peak_rss_mb": sampler.peak_rss, "server_workers_peak_rss_mb": sampler.peak_total,
        "queued_sessions": sum("queued" in r for r in rows),
        "first_chart_s": [r["chart"] / 1000 for r in done if "chart" in r],
        "first_epoch_s": [r["epoch"] / 1000 for r in done if "epoch" in r],
        "verdict_s": [r["verdict"] / 1000 for r in done],
        "wait_for_worker_s": waits, "training_s": trains,
        "errors": [r["error"] for r in failed],
    }
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    print(f"\n{n} sessions at once ({args.procs} driver processes), {args.epochs} epochs each, "
          f"on {os.cpu_count()} cores shared by the server, its 2 workers and every browser")
    print("| per session | median | p95 | max |\n|---|---|---|---|")
    for key, label in (("first_chart_s", "first chart drawn (the targets)"),
                       ("first_epoch_s", "first epoch's prediction drawn"),
                       ("verdict_s", "final verdict"),
                       ("wait_for_worker_s", "server: wait for a worker (journal)"),
                       ("training_s", "server: training (journal)")):
        if result[key]:
            med, p95, mx = stats(result[key])
            print(f"| {label} | {med:.1f} s | {p95:.1f} s | {mx:.1f} s |")
    print(f"\nfinished {n - len(failed)}/{n}; {result['queued_sessions']} showed 'Queued — place N'; "
          f"the last verdict came {wall:.0f} s after the class arrived")
    print(f"CPU: server {result['server_cpu_s']:.1f} s ({result['server_cpu_s'] / n:.2f} s a "
          f"session), workers {result['worker_cpu_s']:.1f} s, browsers "
          f"{result['browsers_cpu_s']:.1f} s")
    print(f"peak RSS: server {sampler.peak_rss:.0f} MB, server + workers "
          f"{sampler.peak_total:.0f} MB")
    for e in result["errors"]:
        print("failed:", e)


if __name__ == "__main__":
    main()
