"""Browser tests: a real `streamlit run app.py` server driven by Playwright and Chromium.

Debian's Chromium is used (`apt-get install chromium`); without it these tests skip,
except under CI, where they fail. Screenshots go to artifacts/screenshots/ (printed).
"""

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium as root in a sandbox-less container, with no calls home on a closed network
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
EPOCH = re.compile(r"Epoch (\d+)/(\d+)")
JOURNAL = ROOT / "artifacts" / "journal.jsonl"  # the server's runner writes one line per job event
CANCEL_RUN = "batch_size=1&epochs=1000"  # ~0.15 s epochs that would run for minutes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


server_pid: dict[str, int] = {}


def server_env() -> dict[str, str]:
    """The server's environment: its runner journals to JOURNAL, and it runs the worker
    *processes* the app uses (tests/test_app.py switches this pytest process to the
    in-process runner for AppTest; the server must not inherit that)."""
    env = {**os.environ, "LSTM_LAB_JOURNAL": str(JOURNAL)}
    env.pop("LSTM_LAB_RUNNER", None)
    return env


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    (ROOT / "artifacts").mkdir(exist_ok=True)
    log = open(ROOT / "artifacts" / "streamlit-test.log", "w")
    JOURNAL.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env=server_env())
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"streamlit did not start; see {log.name}")
        time.sleep(0.5)
    server_pid[url] = proc.pid
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI: apt-get install chromium")
        pytest.skip("no Chromium here: apt-get install chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {SHOTS}")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    yield pg
    context.close()


def status(pg) -> list[str]:
    """The status line of every run panel on the page, e.g. 'Epoch 20/20 — finished in 1.2 s'."""
    return [t for t in pg.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
            if EPOCH.search(t)]


def wait_finished(pg, n: int = 1, timeout: float = 180) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = status(pg)
        if len(lines) >= n and all("finished" in t for t in lines):
            return lines
        time.sleep(0.1)
    raise AssertionError(f"runs did not finish: {status(pg)}")


def verdict_lines(pg) -> list[str]:
    return [t for t in pg.locator('[data-testid="stMarkdownContainer"]').all_inner_texts()
            if "flatness" in t and "baselines' R²" in t]


def shot(pg, name: str) -> None:
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_playground_trains_live_and_lr_slider_changes_the_verdict(server, page):
    page.goto(server + "/")
    wait_finished(page)
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 2
    assert "sine: learning" in verdict_lines(page)[0]
    shot(page, "playground-default")

    slider = page.get_by_role("slider", name="Learning rate (log scale)")
    slider.focus()
    for _ in range(6):  # 1e-3 -> 1e-5 on the log scale, one option per key press
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => location.search.includes('learning_rate=1e-05')",
                           timeout=30_000)
    deadline = time.monotonic() + 120
    while "sine: flat" not in " ".join(verdict_lines(page)):
        assert time.monotonic() < deadline, verdict_lines(page)
        time.sleep(0.2)
    wait_finished(page)
    shot(page, "playground-lr-1e-5")


def test_shared_url_gives_the_same_numbers(server, page, browser):
    query = "?learning_rate=0.0002&seed=4&epochs=8"
    page.goto(server + "/" + query)
    wait_finished(page)
    first = verdict_lines(page)
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    other.goto(server + "/" + query)  # a second viewer: replayed or retrained, same numbers
    wait_finished(other)
    assert verdict_lines(other) == first
    assert re.search(r"R² \d\.\d{3}", first[0])
    shot(other, "playground-shared-link")
    other.context.close()


@pytest.mark.parametrize("path,name", [("learning_rate", "Learning rate"),
                                       ("feature_scaling", "Feature scaling"),
                                       ("sequence_length", "Sequence length")])
def test_failure_pages_run_broken_and_fix_side_by_side(server, page, path, name):
    page.goto(f"{server}/{path}")
    page.get_by_role("button", name="Run both side by side").click()
    lines = wait_finished(page, n=2)
    assert len(lines) == 2
    verdicts = " ".join(verdict_lines(page))
    assert ": flat" in verdicts and ": learning" in verdicts
    assert page.get_by_role("heading", name=name, exact=True).count() == 1
    shot(page, f"failure-{path}")


@pytest.mark.parametrize("path,code", [("learning_rate", "lr_too_small"),
                                       ("outliers", "outliers")])
def test_apply_fix_reruns_with_the_patch_before_and_after(server, page, path, code):
    page.goto(f"{server}/{path}")
    page.get_by_role("button", name="Run both side by side").click()
    wait_finished(page, n=2)
    page.locator("code", has_text=code).first.wait_for(timeout=60_000)  # the Doctor's finding
    page.get_by_role("button", name=re.compile("^Apply fix")).first.click()
    page.get_by_text(f"Before / after the {code} fix").wait_for(timeout=60_000)
    wait_finished(page, n=4)
    page.get_by_text("After the fix the verdict is learning").wait_for(timeout=60_000)
    shot(page, f"apply-fix-{path}")


def test_upload_a_csv_train_and_see_the_chart(server, page, tmp_path):
    path = tmp_path / "my series.csv"
    path.write_text("week,visits\n" + "".join(
        f"{i},{100 + 10 * ((i % 26) - 13) ** 2 / 169:.3f}\n" for i in range(400)))
    page.goto(f"{server}/data?epochs=5")
    page.get_by_text("Upload a CSV").click()
    page.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_text("Pre-flight check").wait_for(timeout=60_000)
    page.get_by_role("button", name="Train on this data in the Playground").click()
    wait_finished(page)
    assert "csv_source=upload" in page.url
    assert page.get_by_text("Your data: upload:").count() == 1
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 2  # prediction + loss
    shot(page, "your-data-upload")


def test_sweep_cell_click_opens_that_config_in_the_playground(server, page):
    page.goto(f"{server}/sweep?epochs=3")
    page.get_by_label("Across: values").fill("1e-5,1e-2")
    page.get_by_label("Across: values").press("Enter")
    page.get_by_label("Down: values").fill("64")
    page.get_by_label("Down: values").press("Enter")
    page.get_by_role("button", name="Run sweep").click()
    page.get_by_text("2/2 cells in").wait_for(timeout=120_000)
    page.get_by_text("Cells as a table").wait_for(timeout=30_000)  # the clickable redraw
    shot(page, "sweep")
    chart = page.locator('[data-testid="stVegaLiteChart"]').last
    plot = chart.locator("canvas, svg").first.bounding_box()
    # one row of two cells: the left cell is learning_rate 1e-5 (the y axis labels take
    # the first ~60 px, the legend sits below the plot)
    x = plot["x"] + 60 + (plot["width"] - 60) * 0.25
    y = plot["y"] + 40
    page.mouse.click(x, y)
    page.get_by_role("heading", name="Playground").wait_for(timeout=30_000)
    wait_finished(page)
    assert "learning_rate=1e-05" in page.url and "batch_size=64" in page.url
    assert "epochs=3" in page.url


def test_about_page_and_menu(server, page):
    page.goto(server + "/about")
    page.get_by_role("heading", name="About LSTM Lab").wait_for(timeout=30_000)
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    for title in ("Playground", "Learning rate", "Feature scaling", "Sequence length", "About",
                  "Huge learning rate", "Too few epochs", "Missing values", "Outliers",
                  "Spurious feature", "Shape bug", "Failure modes"):
        assert title in nav
    assert "live" not in nav.lower().split()  # the helper module is not a page
    shot(page, "about")


@pytest.mark.slow  # a measurement for the benchmark (bench/run.py runs it), not a check
def test_slider_change_to_first_updated_chart_latency(server, page):
    """Median time from a slider key press to the first redrawn chart of the new run.

    Not asserted (timings belong in benchmarks): written to artifacts/latency.json and
    printed; `python bench/run.py` reports it beside the engine numbers.
    """
    page.goto(server + "/?epochs=30")
    wait_finished(page)
    slider = page.get_by_role("slider", name="Learning rate (log scale)")
    times = []
    for _ in range(5):  # each step is a new, uncached LR: a real training run
        before = status(page)
        slider.focus()
        t0 = time.perf_counter()
        page.keyboard.press("ArrowLeft")
        deadline = t0 + 60
        while True:
            now = status(page)
            m = EPOCH.search(now[0]) if now else None
            if now != before and m and int(m.group(1)) >= 1:
                break
            assert time.perf_counter() < deadline, now
            time.sleep(0.01)
        times.append(time.perf_counter() - t0)
        wait_finished(page)
    median = statistics.median(times)
    (ROOT / "artifacts").mkdir(exist_ok=True)
    (ROOT / "artifacts" / "latency.json").write_text(
        json.dumps({"slider_to_first_chart_s": times, "median_s": median}))
    print(f"\nslider change -> first updated chart: median {median * 1000:.0f} ms "
          f"over {len(times)} ({', '.join(f'{t * 1000:.0f}' for t in times)} ms)")
    assert len(times) == 5


def click_at(pg, box: dict) -> None:
    """A mouse click in the middle of ``box``. Playwright's click() first waits for a
    still layout, which a page redrawing every epoch gives only now and then -- long
    enough for a run to finish before a Stop lands."""
    pg.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def wait_epoch(pg, at_least: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in status(pg):
            m = EPOCH.search(line)
            if m and int(m.group(1)) >= at_least:
                return int(m.group(1))
        time.sleep(0.1)
    raise AssertionError(f"never reached epoch {at_least}: {status(pg)}")


def test_stop_button_halts_the_run(server, page):
    page.goto(f"{server}/?{CANCEL_RUN}&seed=77")  # minutes of epochs
    wait_epoch(page, 2)
    click_at(page, page.get_by_role("button", name="Stop training").bounding_box())
    page.get_by_text("Stopped.").wait_for(timeout=30_000)
    m = EPOCH.search(status(page)[0])
    assert int(m.group(1)) < 1000  # partial run kept on screen, not restarted
    shot(page, "playground-stopped")


def test_busy_pool_queues_and_leaving_pages_frees_the_workers(server, browser):
    """Two long runs fill the two workers; a third tab waits with its place shown.
    One tab closes and the other moves to another page: both runs are cancelled, so
    the waiting run starts and a fourth one is not queued."""
    tabs = [browser.new_context().new_page() for _ in range(3)]
    for i, tab in enumerate(tabs[:2]):
        tab.goto(f"{server}/?epochs=1000&seed={200 + i}")
        wait_epoch(tab, 1)
    tabs[2].goto(f"{server}/?epochs=5&seed=202")
    tabs[2].get_by_text("Queued — place 1").wait_for(timeout=30_000)
    shot(tabs[2], "playground-queued")

    tabs[0].context.close()  # tab closed
    tabs[1].get_by_role("link", name="About").click()  # page change
    wait_finished(tabs[2], timeout=60)  # the queued run got a worker
    fresh = browser.new_context().new_page()
    fresh.goto(f"{server}/?epochs=5&seed=203")
    wait_finished(fresh, timeout=60)
    assert not fresh.get_by_text("Queued").count()
    for tab in (tabs[1], tabs[2], fresh):
        tab.context.close()


# --- a classroom on one server (issue 8) ---------------------------------------------
def journal(seed: int) -> list[dict]:
    from lstm_lab.runner import read_journal

    return [e for e in read_journal(str(JOURNAL)) if e["seed"] == seed] if JOURNAL.exists() else []


def workers(url: str):
    """The server's worker processes (spawned multiprocessing children, not the tracker)."""
    import psutil

    kids = psutil.Process(server_pid[url]).children(recursive=True)
    return [k for k in kids if "spawn_main" in " ".join(k.cmdline())]


def busy_workers(url: str, window: float = 1.0) -> int:
    """How many workers burn CPU: more than a third of a core over ``window`` seconds."""
    procs = workers(url)
    before = [sum(p.cpu_times()[:2]) for p in procs]
    time.sleep(window)
    after = [sum(p.cpu_times()[:2]) for p in procs]
    return sum((b - a) > window / 3 for a, b in zip(before, after))


# In-page waits: the browser polls its own DOM, so eight tabs cost no test round trips.
JS_FINISHED = """() => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
    .some(e => /Epoch \\d+\\/\\d+ — finished/.test(e.innerText))"""
# Remember whether a tab ever showed its place in the queue (it is a passing state).
EIGHT_EPOCHS = 60  # ~3 s a run: eight of them keep two workers busy while tabs arrive
JS_WATCH_QUEUE = """setInterval(() => { if (document.body &&
    document.body.innerText.includes('Queued — place')) window.__queued = true; }, 100)"""


def test_eight_sessions_at_once_each_see_their_own_run(server, browser):
    """Eight tabs open eight different runs at once on one server with two workers.
    All finish; every run that had to wait for a worker showed its place in the queue;
    each tab shows the numbers of its own config, the same as that config trained alone
    in this process."""
    from lstm_lab import ExperimentConfig, run_experiment

    seeds = list(range(300, 308))
    tabs = []
    for seed in seeds:
        context = browser.new_context(viewport={"width": 1000, "height": 800})
        context.add_init_script(JS_WATCH_QUEUE)
        tabs.append(context.new_page())
    for seed, tab in zip(seeds, tabs):  # all eight sessions ask before any has finished
        tab.goto(f"{server}/?epochs={EIGHT_EPOCHS}&seed={seed}", wait_until="commit")
    for tab in tabs:
        tab.wait_for_function(JS_FINISHED, timeout=300_000, polling=500)
    assert len(workers(server)) == 2  # the app's pool of worker processes served them
    queued = [tab.evaluate("() => window.__queued === true") for tab in tabs]
    shown = [verdict_lines(tab)[0] for tab in tabs]
    shot(tabs[-1], "eight-sessions-last")
    for tab in tabs:
        tab.context.close()

    for seed, line in zip(seeds, shown):
        alone = run_experiment(ExperimentConfig(epochs=EIGHT_EPOCHS, seed=seed)).targets[0].scores
        assert f"flatness {alone.flatness:.3f} · R² {alone.r2:.3f}" in line, (seed, line)
    assert len(set(shown)) == len(seeds)  # eight different runs, not one shown eight times
    waits = []  # seconds each run waited for a worker, from the server's journal
    for seed in seeds:
        t = {e["event"]: e["t"] for e in journal(seed)}
        assert "finished" in t, journal(seed)
        waits.append(t["started"] - t["submitted"])
    assert sum(w > 1.0 for w in waits) >= 2, waits  # the pool really was full
    for seed, wait, saw in zip(seeds, waits, queued):
        if wait > 1.0:  # waited long enough for the page to draw its place
            assert saw, f"seed {seed} waited {wait:.1f} s but never showed 'Queued'"
    print(f"\n8 sessions: waits {', '.join(f'{w:.1f}' for w in waits)} s; "
          f"{sum(queued)} showed 'Queued — place N'; all 8 finished with their own numbers")




def _cancel_case(server, page, action: str, seed: int) -> dict:
    page.goto(f"{server}/?{CANCEL_RUN}&seed={seed}")
    wait_epoch(page, 3)
    # find the target first (see click_at); the timed part is the click itself
    target = {"Stop": page.get_by_role("button", name="Stop training"),
              "page change": page.get_by_role("link", name="About")}.get(action)
    box = target.bounding_box() if target is not None else None
    page.get_by_role("slider", name="Learning rate (log scale)").focus()
    t_action = time.time()
    if action == "slider change":
        page.keyboard.press("ArrowLeft")
    elif box is not None:
        click_at(page, box)
    elif action == "tab close":
        page.context.close()
    job = next(e["job"] for e in journal(seed) if e["event"] == "started")  # the first run
    deadline = time.monotonic() + 60
    while not any(e["event"] == "finished" and e["job"] == job for e in journal(seed)):
        assert time.monotonic() < deadline, (action, journal(seed))
        time.sleep(0.05)
    events = {e["event"]: e for e in journal(seed) if e["job"] == job}
    cancel, finished, started = events["cancel"], events["finished"], events["started"]
    epoch_s = (cancel["t"] - started["t"]) / max(cancel["at_epoch"], 1)
    return {"action": action, "seed": seed, "stopped": finished["stopped"],
            "cancel_at_epoch": cancel["at_epoch"], "epochs_run": finished["epochs_run"],
            "epochs_begun_after_cancel": finished["epochs_begun_after_cancel"],
            "epochs_ended_after_cancel": finished["epochs_ended_after_cancel"],
            "stop_s_after_cancel": finished["stop_s_after_cancel"],
            "action_to_cancel_s": round(cancel["t"] - t_action, 3),
            "action_to_free_s": round(finished["t"] - t_action, 3),
            "epoch_s": round(epoch_s, 3)}


def test_every_way_of_leaving_a_run_cancels_it_and_frees_the_worker(server, browser):
    """Slider change, Stop, page change and tab close each cancel the run in flight: it
    stops at the next epoch boundary (the journal shows where), and no worker keeps
    burning a core for it. Timings are written to artifacts/cancellations.json."""
    rows = []
    assert len(workers(server)) == 2  # the CPU checks below watch these processes
    for i, action in enumerate(("slider change", "Stop", "page change", "tab close")):
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        row = _cancel_case(server, page, action, seed=400 + i)
        # the slider's new run may keep one worker busy; every other action leaves none
        expected = 1 if action == "slider change" else 0
        row["busy_workers_after"] = busy_workers(server)
        rows.append(row)
        if not page.is_closed():
            page.context.close()
        assert row["stopped"], row
        assert row["epochs_begun_after_cancel"] == 0, row  # stopped at the next boundary:
        assert row["epochs_ended_after_cancel"] <= 1, row  # only the epoch in progress ran on
        assert row["busy_workers_after"] <= expected, row  # nothing left burning for it
        assert wait_no_runs(server), "a run is still going after its page was left"
    (ROOT / "artifacts" / "cancellations.json").write_text(json.dumps(rows, indent=1))
    print("\naction         action->cancel  cancel->stop  action->worker free  epoch length")
    for r in rows:
        print(f"{r['action']:<14} {r['action_to_cancel_s']:10.2f} s {r['stop_s_after_cancel']:10.2f} s"
              f" {r['action_to_free_s']:14.2f} s {r['epoch_s']:11.2f} s")


def wait_no_runs(url: str, timeout: float = 60) -> bool:
    """True once the server's journal shows no job started and not finished."""
    from lstm_lab.runner import read_journal

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        open_jobs = set()
        for e in read_journal(str(JOURNAL)):
            if e["event"] == "started":
                open_jobs.add(e["job"])
            elif e["event"] == "finished":
                open_jobs.discard(e["job"])
        if not open_jobs and busy_workers(url, 0.5) == 0:
            return True
        time.sleep(0.2)
    return False


# --- the teaching kit (issue 9) ------------------------------------------------------
def test_html_report_downloads_from_the_app_and_opens_offline(server, page, browser, tmp_path):
    page.goto(f"{server}/?epochs=3&seed=9")
    wait_finished(page)
    page.get_by_text("Export this run").click()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="HTML report").click()
    report = tmp_path / "report.html"
    download.value.save_as(report)

    offline = browser.new_context(offline=True, viewport={"width": 1000, "height": 900})
    fetched = []
    offline.on("request", lambda r: fetched.append(r.url))
    tab = offline.new_page()
    tab.goto(report.as_uri())
    chart = tab.locator("figure svg").first
    box = chart.bounding_box()
    assert box["width"] > 500 and box["height"] > 200  # the chart is drawn, full size
    assert tab.locator("figure svg path").count() > 4  # its lines, axes and legend
    assert tab.get_by_role("heading", name="The doctor").count() == 1
    assert fetched == [report.as_uri()]  # nothing else was asked for: it is self-contained
    shot(tab, "report-offline")
    offline.close()


def test_presenter_mode_and_walkthrough_on_a_projector(server, page):
    page.goto(f"{server}/learning_rate?presenter=true&walkthrough=true")
    page.get_by_text("Step 1 of 4").wait_for(timeout=60_000)
    wait_finished(page)
    # the style arrives as its own element of the page; give it time to land (twice in CI
    # the size read 17 px, the theme's, right after the run finished)
    page.wait_for_function(
        "() => getComputedStyle(document.documentElement).fontSize === '22px'", timeout=30_000)
    shot(page, "presenter-walkthrough-step1")
    page.get_by_role("button", name="Next ▶").click()
    page.get_by_text("Question for the class").wait_for(timeout=30_000)
    page.get_by_role("button", name="Reveal the answer").click()
    page.get_by_text("Adam moves each weight").wait_for(timeout=30_000)
    assert "presenter=true" in page.url
    shot(page, "presenter-walkthrough-step2")
