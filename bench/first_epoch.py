"""From *Run both* to both runs' first epoch on screen, every failure page, warm server.

    python bench/first_epoch.py [--rounds 3] [--root DIR]

Starts ``streamlit run app.py`` (in ``--root``, default this checkout: pass another
checkout, e.g. ``git worktree add --detach /tmp/old d5999bf``, to compare), opens the
Playground once (which starts the worker pool on every version) and waits until the
workers are warm: both ready and, where the version compiles the failure pages' shapes in
idle time (its journal notes ``warmed``), until those are done too. Then, round after
round, for each failure page (slugs from ``lstm_lab.modes.MODES``): a fresh Chromium
context at 1280×720 opens the page, clicks *Run both* and measures the time until both
panels' status lines say "Epoch k/N" with k ≥ 1.

Round 1 trains each page's runs (the server has not run them); later rounds find them in
the server's cache (a replay). Prints the first round and the median of all rounds, per
page, in seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))
from lstm_lab.modes import MODES  # noqa: E402

EPOCH = re.compile(r"Epoch (\d+)/(\d+)")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(root: Path, journal: Path, log: Path):
    """The app's server in ``root``: (process, url)."""
    port = free_port()
    env = {**os.environ, "LSTM_LAB_JOURNAL": str(journal)}
    env.pop("LSTM_LAB_RUNNER", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=root, stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"the server did not start; see {log}")


def events(journal: Path) -> list[dict]:
    if not journal.exists():
        return []
    return [json.loads(x) for x in journal.read_text().splitlines() if x.strip()]


def status(pg) -> list[str]:
    return [t for t in pg.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
            if EPOCH.search(t)]


def wait_warm(browser, url: str, root: Path, journal: Path) -> float:
    """Open the Playground (every version starts its pool by then), wait for its run and
    for the idle-time warm-ups where the version has them; seconds it took."""
    t0 = time.monotonic()
    pg = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    pg.goto(url + "/")
    while not any("finished" in t for t in status(pg)):
        time.sleep(0.2)
    pg.context.close()
    warms = "warmed" in (root / "lstm_lab" / "runner.py").read_text()
    expected = 0
    if warms:  # every worker compiles each failure-page config once (or skips a repeat)
        sys.path.insert(0, str(root))
        from lstm_lab.presets import failure_page_configs

        expected = 2 * len(failure_page_configs())
    while True:
        evs = events(journal)
        ready = sum(e["event"] == "worker_ready" for e in evs)
        if ready >= 2 and sum(e["event"] == "warmed" for e in evs) >= expected:
            return time.monotonic() - t0
        time.sleep(0.5)


def first_epoch(browser, url: str, slug: str) -> float:
    """Seconds from the click on Run both until both panels show an epoch ≥ 1."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = context.new_page()
    try:
        pg.goto(f"{url}/{slug}")
        pg.get_by_text("Not run yet").first.wait_for(timeout=60_000)
        button = pg.get_by_role("button", name="Run both")
        button.wait_for()
        button.click()
        t0 = time.monotonic()
        while True:
            lines = status(pg)
            ks = [int(EPOCH.search(t).group(1)) for t in lines]
            if len(ks) >= 2 and all(k >= 1 for k in ks):
                took = time.monotonic() - t0
                break
            if time.monotonic() - t0 > 180:
                took = float("nan")
                break
            time.sleep(0.05)
        # let the runs end before the next page: each page starts on an idle pool
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (
                len(status(pg)) >= 2 and all("finished" in t or "diverged" in t
                                             for t in status(pg))):
            time.sleep(0.2)
        return took
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--root", type=Path, default=HERE)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="first-epoch-"))
    journal, log = tmp / "journal.jsonl", tmp / "streamlit.log"
    proc, url = start(args.root.resolve(), journal, log)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            warm = wait_warm(browser, url, args.root.resolve(), journal)
            print(f"server {args.root}: warm {warm:.1f} s after the first page load")
            times: dict[str, list[float]] = {m.slug: [] for m in MODES}
            for r in range(args.rounds):
                for m in MODES:
                    times[m.slug].append(first_epoch(browser, url, m.slug))
                    print(f"  round {r + 1} {m.slug}: {times[m.slug][-1]:.2f} s", flush=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    print(f"\n| page | round 1 (trained) | median of {args.rounds} |\n|---|---|---|")
    for slug, ts in times.items():
        print(f"| {slug} | {ts[0]:.2f} s | {statistics.median(ts):.2f} s |")
    print(f"journal: {journal}")


if __name__ == "__main__":
    main()
