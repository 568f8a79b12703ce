"""Memory of a real `streamlit run app.py` server over 100 consecutive runs.

    python bench/server_rss.py [--runs 100] [--epochs 3]

Starts the server as the README does, then drives it with Debian's Chromium through
Playwright: each run opens the Playground with a new seed (a new session and an uncached
run, as a class of students would), waits until its status line says "finished", and
moves on. Prints the resident memory (psutil, RSS) of the server process itself and of
the server with its worker processes after a warm-up and every 20 runs, and the growth.
Issue 8 asks for at most 100 MB growth of the server over 100 runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
JS_FINISHED = """() => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
    .some(e => /Epoch \\d+\\/\\d+ — finished/.test(e.innerText))"""


def start_server(env: dict[str, str] | None = None,
                 cwd: str = ROOT) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` of the checkout at ``cwd`` on a free port: (process, url)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the server did not start")


def rss_mb(pid: int) -> tuple[float, float]:
    """(server alone, server + its child processes) in MB."""
    server = psutil.Process(pid)
    own = server.memory_info().rss
    kids = sum(k.memory_info().rss for k in server.children(recursive=True))
    return own / 2**20, (own + kids) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    proc, url = start_server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM,
                                        args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()

            def run(seed: int) -> None:
                page.goto(f"{url}/?epochs={args.epochs}&seed={seed}")
                page.wait_for_function(JS_FINISHED, timeout=180_000, polling=200)

            for seed in range(4):  # warm-up: workers compile, caches fill, pages load
                run(50_000 + seed)
            own0, all0 = rss_mb(proc.pid)
            print(f"after warm-up: server {own0:.0f} MB, with workers {all0:.0f} MB", flush=True)
            t0 = time.perf_counter()
            for i in range(args.runs):
                run(60_000 + i)
                if (i + 1) % 20 == 0:
                    own, total = rss_mb(proc.pid)
                    print(f"after {i + 1:>3} runs: server {own:.0f} MB ({own - own0:+.0f}), "
                          f"with workers {total:.0f} MB ({total - all0:+.0f})", flush=True)
            own, total = rss_mb(proc.pid)
            print(f"\n{args.runs} runs in {time.perf_counter() - t0:.0f} s; growth: server "
                  f"{own - own0:+.0f} MB, server + workers {total - all0:+.0f} MB "
                  f"(limit +100 MB)")
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=15)


if __name__ == "__main__":
    main()
