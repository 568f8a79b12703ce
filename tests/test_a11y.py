"""Accessibility (WCAG 2.1 AA) in a real browser: axe-core on every page after its charts
drew, a text alternative on every chart, and the Playground's knobs and a failure page's
Run both by keyboard alone.

axe-core comes from the pip package ``axe-playwright-python`` (it ships axe.min.js, MPL-2.0);
we inject that file ourselves so that the rule tags are ours. Violation counts per page go
to artifacts/axe.json.
"""

import json
import re
import time
from pathlib import Path

import pytest

from lstm_lab.modes import MODES
from test_browser import CHARTS, ROOT, SHOTS, browser, server, wait_finished  # noqa: F401

pytestmark = pytest.mark.browser

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_JSON = ROOT / "artifacts" / "axe.json"
SLUGS = [m.slug for m in MODES]
PAGES = ["", "data", "sweep", "about", *SLUGS]
# what axe reports per violation: the rule, and for each element its selector and why
JS_AXE = """async tags => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                     resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => ({
    target: n.target.join(' '), why: n.failureSummary, html: n.html.slice(0, 160)}))}));
}"""


def axe_js() -> Path:
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).parent / "axe.min.js"


def open_page(browser, url: str, path: str, presenter: bool = False, **size):  # noqa: F811
    """A fresh 1280×720 tab on ``path``, with its runs finished and its charts drawn
    (a failure page: after pressing Run both)."""
    context = browser.new_context(viewport=size or {"width": 1280, "height": 720})
    pg = context.new_page()
    pg.goto(f"{url}/{path}" + "?presenter=true" * presenter)
    if presenter:
        pg.wait_for_function(
            "() => getComputedStyle(document.documentElement).fontSize === '22px'",
            timeout=60_000)
    if path in SLUGS:
        pg.get_by_role("button", name="Run both").click()
        wait_finished(pg, n=2)
    elif path == "":
        wait_finished(pg)
    elif path == "data":
        pg.locator(CHARTS).first.wait_for(timeout=60_000)
    else:
        pg.get_by_role("heading").first.wait_for(timeout=60_000)
    pg.wait_for_timeout(800)  # the last redraw's charts and captions settle
    return pg


def axe(pg) -> list[dict]:
    pg.add_script_tag(path=str(axe_js()))
    return pg.evaluate(JS_AXE, TAGS)


def record_axe(key: str, violations: list[dict]) -> None:
    """Under "last run" in artifacts/axe.json (other keys, e.g. a count on older code, stay)."""
    data = json.loads(AXE_JSON.read_text()) if AXE_JSON.exists() else {}
    data.setdefault("last run", {})[key] = {
        "violations": len(violations), "nodes": sum(len(v["nodes"]) for v in violations),
        "rules": {v["id"]: len(v["nodes"]) for v in violations}}
    AXE_JSON.write_text(json.dumps(data, indent=1, sort_keys=True))


@pytest.mark.parametrize("presenter", [False, True], ids=["normal", "presenter"])
@pytest.mark.parametrize("path", PAGES, ids=[p or "playground" for p in PAGES])
def test_axe_finds_no_wcag_aa_violation(server, browser, path, presenter):  # noqa: F811
    pg = open_page(browser, server, path, presenter)
    violations = axe(pg)
    pg.screenshot(path=str(SHOTS / f"a11y-{path or 'playground'}{'-presenter' * presenter}.png"))
    record_axe(f"/{path}{'?presenter=true' * presenter}", violations)
    pg.context.close()
    assert not violations, json.dumps(violations, indent=1)[:4000]


# --- every chart has a text alternative ---------------------------------------------------------
JS_CHART_LABELS = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
  .map(c => c.getAttribute('aria-label') || '')"""
GENERIC = "Vega visualization"  # Vega's default label: says nothing about the chart


def chart_labels(pg, n: int, want: str = "") -> list[str]:
    """The aria-label of each chart on the page, once there are ``n`` charts, each says
    more than Vega's generic label with the run's final numbers, and one holds ``want``."""
    deadline = time.monotonic() + 60
    while True:
        labels = pg.evaluate(JS_CHART_LABELS)
        if len(labels) >= n and all(label and label != GENERIC and "training:" not in label
                                    for label in labels) \
                and any(want in label for label in labels):
            return labels
        assert time.monotonic() < deadline, labels
        time.sleep(0.3)


def record_labels(page: str, labels: list[str]) -> None:
    """What each chart says, for the closing note (artifacts/chart_labels.json)."""
    path = ROOT / "artifacts" / "chart_labels.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[page] = labels
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False))


# Text drawn inside the charts (axes, legends, line names, notes) against the white plot:
# axe-core does not read SVG text, so its contrast is measured here (WCAG 1.4.3, 4.5:1).
JS_PALE_CHART_TEXT = """() => {
  const lum = c => { const v = c.match(/[\\d.]+/g).slice(0, 3).map(x => x / 255)
      .map(x => x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
  return [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg text')]
    .filter(t => t.textContent.trim() && getComputedStyle(t).opacity !== '0')
    .map(t => [t.textContent, getComputedStyle(t).fill])
    .map(([text, fill]) => [text, fill, 1.05 / (lum(fill) + 0.05)])
    .filter(([, , ratio]) => ratio < 4.5);
}"""


def says_numbers(label: str) -> bool:
    return len(re.findall(r"\d", label)) >= 3


def test_every_chart_on_the_playground_and_a_failure_page_has_a_text_alternative(
        server, browser):  # noqa: F811
    pg = open_page(browser, server, "")
    forecast, loss = chart_labels(pg, 2)
    record_labels("/", [forecast, loss])
    assert pg.evaluate(JS_PALE_CHART_TEXT) == []
    assert re.search(r"prediction (flat near [-\d.]+|swings ±[\d.]+ around [-\d.]+) while "
                     r"the target swings ±[\d.]+ around [-\d.]+; ", forecast), forecast
    assert re.search(r"R² [-\d.]+ against mean [-\d.]+, persistence [-\d.]+", forecast)
    assert re.match(r"loss over 20 of 20 epochs: train [\d.e-]+ → [\d.e-]+; test ", loss), loss
    # the range test, from its tab
    pg.get_by_role("tab", name="Learning-rate range test").click()
    pg.get_by_role("button", name="Find a learning rate").click()
    labels = chart_labels(pg, 3, "Learning-rate range test")
    record_labels("/ range test", labels[2:])
    assert any(label.startswith("Learning-rate range test, ") and "lowest" in label
               for label in labels), labels
    pg.context.close()

    pg = open_page(browser, server, "window_too_short")
    labels = chart_labels(pg, 4)  # broken and fixed: a forecast and a loss chart each
    record_labels("/window_too_short", labels)
    assert pg.evaluate(JS_PALE_CHART_TEXT) == []
    assert all(says_numbers(label) for label in labels), labels
    assert sum("R²" in label for label in labels) == 2 and \
        sum(label.startswith("loss over") for label in labels) == 2, labels
    pg.context.close()


def test_the_data_columns_and_the_sweep_heatmap_have_text_alternatives(
        server, browser):  # noqa: F811
    pg = open_page(browser, server, "data")
    labels = chart_labels(pg, 1)
    record_labels("/data", labels)
    assert re.match(r"\w.* \(target\), \d+ rows from \d{4}-\d\d-\d\d to .*: values from ",
                    labels[0]), labels
    pg.context.close()

    pg = open_page(browser, server, "sweep")
    for name, values in (("Across: values", "1e-3,1e-2"), ("Down: values", "32")):
        box = pg.get_by_label(name)
        box.fill(values)
        box.press("Enter")
        pg.wait_for_timeout(500)
    pg.get_by_text("2 cells; backend").wait_for(timeout=30_000)
    pg.get_by_role("button", name="Run sweep").click()
    pg.get_by_text("2/2 cells").wait_for(timeout=180_000)
    label = chart_labels(pg, 1, "2 of 2 cells done")[0]  # the finished grid's redraw
    record_labels("/sweep", [label])
    from playwright.sync_api import Error as DetachedError

    for _ in range(3):  # the heatmap may redraw (a new element) under the scroll: again
        try:
            pg.locator(CHARTS).first.scroll_into_view_if_needed(timeout=10_000)
            break
        except DetachedError:
            pg.wait_for_timeout(500)
    pg.screenshot(path=str(SHOTS / "a11y-sweep-heatmap.png"))
    assert label.startswith("Sweep of learning_rate across (0.001, 0.01) by batch_size down "
                            "(32): 2 of 2 cells done"), label
    assert "learning_rate 0.001, batch_size 32: " in label
    pg.context.close()


# --- verdicts in words ----------------------------------------------------------------------------
def test_verdicts_are_words_not_only_colours(server, browser):  # noqa: F811
    """Each badge names its verdict; a failure page's runs are labelled Broken / Fixed."""
    pg = open_page(browser, server, "lr_too_small")
    badges = pg.locator('[data-testid="stMarkdownContainer"] span').all_inner_texts()
    assert any(re.search(r": (flat|weak|unstable|diverged)", b) for b in badges), badges
    assert any(re.search(r": learning\b", b) for b in badges), badges
    body = pg.locator("body").inner_text()
    assert "Broken — " in body and "Fixed — " in body
    pg.context.close()


# --- keyboard alone ---------------------------------------------------------------------------
JS_FOCUS = "sel => !!(document.activeElement && document.activeElement.closest(sel))"


def tab_to(pg, selector: str, key: str = "Tab", most: int = 60) -> int:
    """Press ``key`` (Tab / Shift+Tab) until the focus is inside ``selector``; presses."""
    for n in range(1, most + 1):
        pg.keyboard.press(key)
        if pg.evaluate(JS_FOCUS, selector):
            return n
    raise AssertionError(f"{selector} not reached with {most} × {key}")


def focused_value(pg) -> str:
    return pg.evaluate("() => document.activeElement.getAttribute('aria-valuetext') || "
                       "document.activeElement.getAttribute('aria-valuenow')")


def test_the_four_knobs_and_run_both_work_by_keyboard_alone(server, browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = context.new_page()
    pg.goto(server + "/")
    pg.locator(".st-key-pg_seq_len input[type=range]").wait_for(timeout=60_000)
    moves = {"learning_rate": "ArrowLeft", "batch_size": "ArrowRight",
             "feature_scale_ratio": "ArrowRight", "seq_len": "ArrowRight"}
    reached = []
    for field, arrow in moves.items():
        slider = f".st-key-pg_{field} input[type=range]"  # the slider's thumb
        if pg.locator(slider).is_disabled():
            continue  # greyed out for this dataset: not focusable, nothing to change
        tab_to(pg, slider)
        if reached:  # Shift+Tab goes back to the knob before, Tab returns
            tab_to(pg, f".st-key-pg_{reached[-1]} input[type=range]", "Shift+Tab")
            tab_to(pg, slider)
        before = focused_value(pg)
        pg.keyboard.press(arrow)
        after = focused_value(pg)
        assert after != before, (field, before)
        pg.wait_for_function("want => location.search.includes(want)",
                             arg=f"{field}={after}", timeout=30_000)
        assert pg.evaluate(JS_FOCUS, slider), f"{field} lost the focus after its change"
        reached.append(field)
    assert reached[:2] == ["learning_rate", "batch_size"] and reached[-1] == "seq_len"

    pg.goto(server + "/too_few_epochs")
    run = ".st-key-too_few_epochs_run button"
    pg.get_by_text("Not run yet").first.wait_for(timeout=60_000)
    tab_to(pg, run)
    assert "Run both" in pg.evaluate("() => document.activeElement.innerText")
    pg.keyboard.press("Enter")
    wait_finished(pg, n=2)
    context.close()
