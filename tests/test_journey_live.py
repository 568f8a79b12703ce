"""Journey: rehearse a lesson, then teach it -- a replay is told epoch by epoch.

An instructor runs a failure page before class; in class (a reload, a new session) the
same *Run both* comes from the server's cache. The class must still see both runs learn
epoch by epoch -- the status counting up, the chart changing -- and then the same final
numbers as the rehearsal. *Run again* on the Playground trains anew, live. A real
`streamlit run app.py` server, Chromium at 1280×720 (helpers from tests/test_browser.py).
"""

import time

import pytest

from test_browser import (EPOCH, JOURNAL, SHOTS, browser, click_at,  # noqa: F401
                          start_server, status, stop_server, verdict_lines, wait_finished)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    JOURNAL.unlink(missing_ok=True)
    proc, url, log = start_server("streamlit-live.log")  # journals to JOURNAL
    yield url
    stop_server(proc, log)


@pytest.fixture
def page(browser):  # noqa: F811 -- the browser fixture imported above
    context = browser.new_context(viewport={"width": 1280, "height": 720})  # the projector
    pg = context.new_page()
    yield pg
    context.close()


def epochs(lines: list[str]) -> list[tuple[int, int]]:
    """(k, N) of every panel's "Epoch k/N" status line, in page order."""
    return [tuple(map(int, EPOCH.search(t).groups())) for t in lines]


# The first chart's drawn pixels (a canvas's PNG, or an SVG's markup), read in the page:
# a few milliseconds, where an element screenshot can take seconds on a loaded machine --
# long enough to miss a whole replay between two samples.
DRAWN = """() => {
  const chart = document.querySelector('[data-testid="stVegaLiteChart"]');
  const c = chart && chart.querySelector('canvas, svg');
  if (!c) return '';
  return c.tagName.toLowerCase() === 'canvas' ? c.toDataURL() : c.outerHTML;
}"""


def sample_until_finished(pg, n: int, timeout: float = 120) -> list[tuple[list[str], str]]:
    """(status lines, the first chart's pixels) over and over until ``n`` runs finished."""
    samples, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = status(pg)
        samples.append((lines, pg.evaluate(DRAWN)))
        if len(lines) >= n and all("finished" in t or "diverged" in t for t in lines):
            return samples
        time.sleep(0.05)
    raise AssertionError(f"runs did not finish: {samples[-1][0] if samples else None}")


def run_both(pg) -> None:
    pg.get_by_role("button", name="Run both").click()


def workers_ready() -> int:
    from lstm_lab.runner import read_journal

    return sum(e["event"] == "worker_ready" for e in read_journal(str(JOURNAL))) \
        if JOURNAL.exists() else 0


def test_rehearse_then_teach_the_replay_is_told_epoch_by_epoch(server, page):
    page.goto(f"{server}/lr_too_small")
    page.get_by_text("Not run yet").first.wait_for(timeout=60_000)
    # the first page load started the pool, before anyone pressed Run
    deadline = time.monotonic() + 120
    while workers_ready() < 2:
        assert time.monotonic() < deadline, "the worker pool did not start with the page"
        time.sleep(0.5)
    run_both(page)
    rehearsed = wait_finished(page, n=2)
    numbers = verdict_lines(page)

    page.reload()  # in class: a new session; both runs are in the server's cache
    page.get_by_text("Not run yet").first.wait_for(timeout=60_000)
    run_both(page)
    page.wait_for_function("() => document.body.innerText.includes('replaying')",
                           timeout=30_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "replay-in-progress-lr_too_small-1280x720.png"))
    samples = sample_until_finished(page, n=2)

    seen = [epochs(lines) for lines, _ in samples if len(lines) == 2]
    print("\nreplay, epoch counters (broken, fixed) as sampled:",
          [(a[0], b[0]) for a, b in seen])
    for side in (0, 1):
        ks = [s[side][0] for s in seen]
        n = seen[0][side][1]
        middle = [k for k in ks if 1 <= k < n]
        assert middle, (side, ks)  # an intermediate epoch was on screen
        assert ks == sorted(ks) and ks[-1] == n and len(set(ks)) >= 3, (side, ks)
    assert any("replaying the run trained before" in t for lines, _ in samples for t in lines)
    shots = {pixels for lines, pixels in samples if pixels}
    assert len(shots) >= 2  # the chart itself changed while the replay played
    final = wait_finished(page, n=2)  # the rehearsal's own "finished in x s", marked
    assert final == [f"{t} (replayed)" for t in rehearsed]
    assert verdict_lines(page) == numbers

    # the class pays nothing: the replay trained no job (the journal of the server)
    from lstm_lab.runner import read_journal

    events = read_journal(str(JOURNAL))
    started = [e for e in events if e["event"] == "started"]
    replayed = [e for e in events if e["event"] == "submitted" and e.get("replayed")]
    assert len(started) == 2 and len(replayed) >= 2


def test_skip_to_the_end_shows_the_final_state_at_once(server, page):
    page.goto(f"{server}/lr_too_small")
    page.get_by_text("Not run yet").first.wait_for(timeout=60_000)
    run_both(page)  # replays (the first test, or a run now) -- first make sure it is cached
    wait_finished(page, n=2)
    numbers = verdict_lines(page)
    page.reload()
    page.get_by_text("Not run yet").first.wait_for(timeout=60_000)
    run_both(page)
    skip = page.get_by_role("button", name="Skip to the end").first
    skip.wait_for(timeout=30_000)
    click_at(page, skip.bounding_box())
    t0 = time.monotonic()
    lines = wait_finished(page, n=2, timeout=30)
    assert time.monotonic() - t0 < 8  # not the paced replay's end
    assert all("(replayed)" in t for t in lines)
    assert verdict_lines(page) == numbers
    assert not page.get_by_role("button", name="Skip to the end").count()


def test_playground_run_again_trains_live_not_a_replay(server, page):
    page.goto(f"{server}/?epochs=100&seed=91")
    first = wait_finished(page, timeout=180)
    numbers = verdict_lines(page)
    page.get_by_role("button", name="Run again").click()
    live = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # (a queued run has no "Epoch" line yet)
        lines = status(page)
        if lines and "finished" not in lines[0]:
            live.append(lines[0])
        elif lines and live:
            break
        time.sleep(0.05)
    assert live, "Run again showed no run in progress"
    k_n = epochs(live)
    assert any(1 <= k < n for k, n in k_n), live
    assert all("training" in t for t in live), live  # not "replaying", not "stopped"
    final = wait_finished(page)
    assert "(replayed)" not in final[0] and "(replayed)" not in first[0]
    assert verdict_lines(page) == numbers  # same seed, same numbers
