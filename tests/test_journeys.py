"""Journeys: a lesson as an instructor prepares it, a student opens it, a newcomer meets the
Playground, and a practitioner applies a fix -- each from the first click to the last screen
or file, in fresh browser contexts, asserting what a person sees (text, positions, files).

A real `streamlit run app.py` server and Debian's Chromium, as in tests/test_browser.py
(whose helpers these reuse). Screenshots go to artifacts/screenshots/journey-*.png.
"""

import re
import time
from urllib.parse import parse_qsl, urlsplit

import pytest

from test_browser import (CHARTS, box, browser, inside, knob, server, shot,  # noqa: F401
                          wait_finished)

pytestmark = pytest.mark.browser

PROJECTOR, PHONE = (1280, 720), (390, 844)
NOTE = "Which knob fixes it?"
# What would give the short-window lesson's answer away: the mode's name in any spelling,
# a doctor's finding (its confidence), and its fix.
ANSWER = re.compile(r"window_too_short|window too short|short.window|Sequence length to|"
                    r"Apply fix|confidence \d|season.*longer|longer window", re.I)
VERDICT = re.compile(r"(\w+): (\w+).*?flatness (\S+) · R² (\S+)")


def fresh(browser, size=PROJECTOR):  # noqa: F811
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  accept_downloads=True)
    return context, context.new_page()


def pick(pg, key: str, option: str, timeout: float = 30_000) -> None:
    """Choose ``option`` in the selectbox or multiselect keyed ``key``, as a person does."""
    field = pg.locator(f".st-key-{key} input[role='combobox']")
    field.click(timeout=timeout)
    field.fill(option, timeout=timeout)  # typing filters the list, as it does for a person
    pg.get_by_role("option", name=option, exact=True).click(timeout=timeout)
    pg.keyboard.press("Escape")


def built_link(pg) -> str:
    code = pg.locator('[data-testid="stCode"]').filter(has_text="://")
    return code.last.inner_text().strip()


def verdicts(pg) -> list[tuple[str, str, float, float]]:
    """(target, verdict, flatness, R²) of every verdict badge line on the page."""
    out = []
    for t in pg.locator('[data-testid="stMarkdownContainer"]').all_inner_texts():
        if "flatness" in t and "baselines' R²" in t:  # one line per target
            out += [(m[1], m[2], float(m[3]), float(m[4]))
                    for line in t.splitlines() if (m := VERDICT.search(line))]
    return out


def menu_entries(pg) -> list[str]:
    """Every entry of the top menu, each section opened in turn."""
    names = []
    for section in pg.locator('[data-testid="stTopNavSection"]').all():
        section.click()
        names += pg.get_by_role("menuitem").all_inner_texts()
        pg.keyboard.press("Escape")
    names += pg.locator('[data-testid="stTopNavLink"]').all_inner_texts()
    return [n.strip().split("\n")[-1] for n in names]  # the title, not the icon's name


def link_shows(pg, text: str, timeout: float = 30_000) -> None:
    """Wait until the printed link holds ``text`` (each choice reruns the page)."""
    pg.wait_for_function("t => [...document.querySelectorAll('[data-testid=stCode]')]"
                         ".some(e => e.innerText.includes(t))", arg=text, timeout=timeout)


def choose(pg, key: str, option: str, shows: str) -> None:
    """Pick ``option`` until the link shows ``shows``: a pick made while the page reruns
    from the previous one can be dropped (the list redraws under the click), and a person
    would simply pick again. Fails if the link never shows it."""
    from playwright.sync_api import TimeoutError as Timeout

    for attempt in range(3):
        try:
            if attempt:  # the earlier pick may have landed after all
                link_shows(pg, shows, timeout=5_000)
                return
        except Timeout:
            pass
        try:
            pick(pg, key, option, timeout=10_000)
            link_shows(pg, shows, timeout=15_000)
            return
        except Timeout:
            pg.keyboard.press("Escape")
    raise AssertionError(f"picking {option!r} in {key}: the link never showed {shows!r}")


def build_lesson(pg, server) -> str:  # noqa: F811
    """The instructor's clicks in *Build a lesson link*: the short-window failure, horizon
    and epochs locked, doctor and pre-flight hidden, a note; returns the printed link."""
    pg.goto(server + "/?epochs=3")
    wait_finished(pg)
    pg.get_by_role("tab", name="Build a lesson link").click()
    for key, option, shows in (("lb_preset", "window_too_short", "seq_len=10"),
                               ("lb_lockf", "Horizon (steps ahead)", "lock=horizon"),
                               ("lb_lockf", "Epochs", "lock=epochs%2Chorizon"),
                               ("lb_panels", "Doctor", "doctor_hide=true"),
                               ("lb_panels", "Pre-flight check", "preflight_hide=true")):
        choose(pg, key, option, shows)
    pg.locator(".st-key-lb_note textarea").fill(NOTE)
    pg.keyboard.press("Tab")  # a text area commits on blur
    link_shows(pg, "note=")
    return built_link(pg)


def test_prepare_a_lesson_and_open_its_links_in_fresh_contexts(server, browser):  # noqa: F811
    teacher_ctx, teacher = fresh(browser)
    link = build_lesson(teacher, server)
    shot(teacher, "journey-lesson-builder")
    # the link the builder prints is whole: scheme, host and port of this server
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == server, link
    query = dict(parse_qsl(parts.query))
    assert query["lock"] == "epochs,horizon" and query["note"] == NOTE
    assert query["doctor_hide"] == query["preflight_hide"] == "true"
    assert not ANSWER.search(link) and "preset" not in query  # it names no answer

    for size in (PROJECTOR, PHONE):
        ctx, student = fresh(browser, size)
        student.goto(link)  # a link is tested by opening it
        wait_finished(student)
        student.get_by_text(NOTE).wait_for()
        holds = student.get_by_text(re.compile("The lesson holds these")).inner_text()
        assert "locked: Epochs, Horizon (steps ahead)" in holds
        assert "hidden: Doctor, Pre-flight check" in holds
        # the lesson's series: the preset's config arrived as fields (seasonal, 10 steps)
        assert "dataset=seasonal" in student.url and "seq_len=10" in student.url
        assert student.get_by_role("tab", name="Build a lesson link").count() == 0
        assert student.get_by_role("tab", name=re.compile("^Pre-flight")).count() == 0
        chart = box(student.locator(CHARTS).first)
        assert chart["x"] >= 0 and chart["x"] + chart["width"] <= size[0] + 0.5
        if size == PROJECTOR:  # knobs and chart on the projector's one screen
            assert inside(chart, *size), chart
        else:  # a phone stacks the note, the knobs, then the chart: one short scroll
            assert chart["y"] < 1.25 * size[1], chart
        shot(student, f"journey-lesson-student-{size[0]}x{size[1]}", full_page=False)
        ctx.close()

    # a failure-page walkthrough, in presenter mode
    teacher.get_by_role("tab", name="Build a lesson link").click()
    choose(teacher, "lb_page", "Too few epochs", "/too_few_epochs")
    teacher.locator(".st-key-lb_walk input").check(force=True)
    link_shows(teacher, "walkthrough=true")
    teacher.locator(".st-key-lb_presenter input").check(force=True)
    link_shows(teacher, "presenter=true")
    walk = built_link(teacher)
    assert walk.startswith(server + "/too_few_epochs?") and "presenter=true" in walk
    teacher_ctx.close()
    ctx, room = fresh(browser)
    room.goto(walk)
    room.get_by_text("Step 1 of 4").wait_for(timeout=60_000)
    room.wait_for_function(
        "() => getComputedStyle(document.documentElement).fontSize === '22px'")
    assert room.get_by_role("heading", name="Too few epochs").count() == 1
    wait_finished(room)
    shot(room, "journey-walkthrough-presenter-1280x720", full_page=False)
    ctx.close()


def test_a_student_finds_no_answer_in_the_page_the_menu_the_url_or_the_exports(
        server, browser, tmp_path):  # noqa: F811
    teacher_ctx, teacher = fresh(browser)
    link = build_lesson(teacher, server)
    teacher_ctx.close()
    ctx, pg = fresh(browser)
    pg.goto(link)
    wait_finished(pg)
    pg.get_by_text("Predictions CSV").first.wait_for(timeout=60_000)
    assert not ANSWER.search(pg.locator("body").inner_text())  # the page's own text
    assert not ANSWER.search(pg.url) and "preset" not in pg.url  # the address bar
    entries = menu_entries(pg)  # the menu: no failure page names the answer
    assert "Playground" in entries and not any(ANSWER.search(e) for e in entries)
    assert not any(e in ("Window too short", "Too few epochs") for e in entries)

    pg.get_by_role("tab", name="Share & export").click()
    share = built_link(pg)
    assert "doctor_hide=true" in share and not ANSWER.search(share)
    files = {}
    for label in ("Predictions CSV", "Config JSON", "Chart PNG", "HTML report"):
        with pg.expect_download(timeout=60_000) as got:
            pg.get_by_role("button", name=label).first.click()
        path = tmp_path / got.value.suggested_filename
        got.value.save_as(path)
        files[label] = path.read_bytes()
    assert files["Chart PNG"].startswith(b"\x89PNG")
    for label, data in files.items():
        assert not ANSWER.search(data.decode("latin-1")), label
    assert b"flat" in files["HTML report"]  # the report is there, minus the doctor

    # the link the page offers keeps the lesson: opened elsewhere, the doctor stays hidden
    other_ctx, other = fresh(browser)
    other.goto(share)
    wait_finished(other)
    assert not ANSWER.search(other.locator("body").inner_text())
    other_ctx.close()
    shot(pg, "journey-student-share-tab", full_page=False)
    ctx.close()


# From the default Playground, each of the lab's four knobs moved to one end, with the
# keyboard and no other click: (knob, key, what the URL then holds).
EXTREMES = [("learning_rate", "Home", "learning_rate=1e-06"),
            ("batch_size", "End", "batch_size=256"),
            ("feature_scale_ratio", "End", "feature_scale_ratio=100000"),
            ("seq_len", "Home", "seq_len=1&")]


def test_a_newcomer_moves_each_of_the_four_knobs_and_the_outcome_changes(
        server, browser):  # noqa: F811
    ctx, pg = fresh(browser)
    pg.goto(server + "/")
    wait_finished(pg)
    default = verdicts(pg)
    assert default[0][:2] == ("sine", "learning")
    outcomes = {}
    for field, key, url in EXTREMES:
        pg.goto(server + "/")
        wait_finished(pg)
        slider = knob(pg, field).get_by_role("slider")
        assert slider.is_enabled(), field  # never greyed out on the first screen
        slider.focus()
        pg.keyboard.press(key)
        pg.wait_for_function(f"() => location.search.includes({url!r})", timeout=30_000)
        deadline = time.monotonic() + 180
        while True:  # the new run's verdicts, not the old ones still on screen
            time.sleep(0.5)
            wait_finished(pg)
            now = verdicts(pg)
            if now != default or time.monotonic() > deadline:
                break
        outcomes[field] = now
        shot(pg, f"journey-knob-{field}", full_page=False)
    print("\nfour knobs, from the default:", default, outcomes, sep="\n")
    for field, now in outcomes.items():
        changed_verdict = [v[1] for v in now] != [v[1] for v in default]
        moved = abs(now[0][3] - default[0][3]) >= 0.005 or abs(now[0][2] - default[0][2]) >= 0.01
        assert changed_verdict or moved, (field, default, now)
    # the two knobs whose extremes break the model go flat
    assert outcomes["learning_rate"][0][1] == "flat"
    assert [v[1] for v in outcomes["feature_scale_ratio"]] == ["flat", "flat", "flat"]
    ctx.close()


def test_apply_fix_brings_the_changed_knob_and_the_before_after_into_view(
        server, browser):  # noqa: F811
    ctx, pg = fresh(browser)
    pg.goto(f"{server}/?learning_rate=1e-05&epochs=20")
    wait_finished(pg)
    fix = pg.get_by_role("button", name=re.compile("^Apply fix: Learning rate 1e-05"))
    fix.scroll_into_view_if_needed()  # where a person clicks it: under the run
    fix.click()
    pg.get_by_text("Before / after the fix").wait_for(timeout=60_000)
    wait_finished(pg, n=2)
    time.sleep(1)  # the scroll runs once the page has drawn
    lr = box(knob(pg, "learning_rate"))
    assert inside(lr, *PROJECTOR), lr
    # the forecast charts of the two runs (each run's panel; loss charts stand apart)
    pair = [box(c) for c in pg.locator(f'[class*="st-key-panel-"] {CHARTS}').all()]
    assert len(pair) == 2, pair
    heading = box(pg.get_by_text("Before / after the fix"))
    assert inside(heading, *PROJECTOR), heading
    for chart in pair:  # both runs' charts mostly on screen
        visible = min(chart["y"] + chart["height"], PROJECTOR[1]) - max(chart["y"], 0)
        assert visible >= 0.6 * chart["height"], chart
    assert pair[0]["x"] + pair[0]["width"] <= pair[1]["x"]  # side by side: before, after
    assert abs(pair[0]["y"] - pair[1]["y"]) < 60
    shot(pg, "journey-apply-fix-1280x720", full_page=False)
    ctx.close()


def visible_share(b: dict, height: int) -> float:
    """The share of a box's height inside a viewport ``height`` tall (not scrolled)."""
    return max(0.0, min(b["y"] + b["height"], height) - max(b["y"], 0)) / b["height"]


def test_the_walkthrough_keeps_its_chart_on_the_projector_at_every_step(
        server, browser):  # noqa: F811
    """Presenter mode, 1280×720: the step bar is one row (Back, bar, Next), the body text
    is 22 px or more, and at every step -- the question and its answer shown too -- the
    chart is at least 60 % in view without scrolling."""
    ctx, pg = fresh(browser)
    pg.goto(server + "/too_few_epochs?presenter=true&walkthrough=true")
    for step in range(1, 5):
        pg.get_by_text(f"Step {step} of 4").wait_for(timeout=60_000)
        wait_finished(pg, n=1 if step < 3 else 2)
        if step == 2:
            pg.get_by_role("button", name="Reveal the answer").click()
            pg.get_by_text("It learns.").first.wait_for(timeout=30_000)
            wait_finished(pg)
        pg.wait_for_function(
            "() => getComputedStyle(document.documentElement).fontSize === '22px'")
        row = [box(pg.get_by_role("button", name="Back")),
               box(pg.locator('[data-testid="stProgress"]')),
               box(pg.get_by_role("button", name="Next"))]
        centres = [b["y"] + b["height"] / 2 for b in row]
        assert max(centres) - min(centres) < 20, row  # one row
        assert row[0]["x"] < row[1]["x"] < row[2]["x"]
        charts = pg.locator(f'[class*="st-key-panel-"] {CHARTS}').all()  # the forecasts
        assert charts and all(visible_share(box(c), PROJECTOR[1]) >= 0.6 for c in charts), \
            (step, [box(c) for c in charts])
        sizes = pg.evaluate("""() => [...document.querySelectorAll(
            '[data-testid=stMain] [data-testid=stMarkdownContainer] p')]
            .filter(e => e.offsetParent).map(e => parseFloat(getComputedStyle(e).fontSize))""")
        assert sizes and min(sizes) >= 22, sorted(set(sizes))
        shot(pg, f"journey-walkthrough-step{step}-presenter", full_page=False)
        if step < 4:
            pg.get_by_role("button", name="Next").click()
    ctx.close()


def axis_label(pg, chart, axis: str = "X-axis") -> str:
    """What a chart's axis says to a screen reader (Vega writes it from the scale): "X-axis
    for a time scale with values from Wednesday, 01 March 2023, 12:00:00 AM to ..."."""
    return chart.locator(f'[aria-label^="{axis}"]').first.get_attribute("aria-label") or ""


def test_a_practitioner_uploads_a_german_export_and_trains_on_it_with_its_dates(
        server, browser, tmp_path):  # noqa: F811
    """Issue 24: a German Excel export (';', 31.01.2024, 1.234,56, dot thousands, gaps) is
    read right, plotted with its dates in order, and its first run trains, dated."""
    from pathlib import Path

    export = Path(__file__).resolve().parent / "data" / "exports" / "de_excel_semicolon.csv"
    ctx, pg = fresh(browser)
    pg.goto(f"{server}/data?epochs=5")
    pg.get_by_text("Upload a CSV").click()
    pg.locator('input[type="file"]').set_input_files(str(export))
    read = pg.locator('[data-testid="stMarkdownContainer"]', has_text="Read as:").last
    read.wait_for(timeout=60_000)
    line = read.inner_text()
    assert "dates read day-first: 01.03.2023 … 29.02.2024" in line, line
    assert "decimal comma, dot thousands (12.273 → 12\u2009273)" in line, line
    # the line and the two choices that overrule it, side by side on the first screen
    said = box(read)
    for key in ("data_dates_", "data_decimal_"):
        choice = box(pg.locator(f'[class*="st-key-{key}"]'))
        assert inside(choice, *PROJECTOR) and choice["x"] > said["x"] + said["width"], choice
        assert choice["y"] < said["y"] + said["height"] and said["y"] < choice["y"] + \
            choice["height"], (said, choice)
    # the series, plotted before training: its dates in order, March 2023 to February 2024
    series = pg.locator(CHARTS).first
    series.wait_for(timeout=60_000)
    x = axis_label(pg, series)
    assert "time scale with values from Wednesday, 01 March 2023" in x, x
    assert "to Thursday, 29 February 2024" in x, x  # not October: nothing scrambled
    # the repairs the first run starts with are said before the click
    pg.get_by_text("Training starts with pre-flight's repairs: Turn on Fill missing "
                   "inputs").wait_for(timeout=30_000)
    shot(pg, "journey-your-data-de-1280x720", full_page=False)
    pg.get_by_role("button", name="Train on this data in the Playground").click()
    lines = wait_finished(pg)
    assert all("diverged" not in t for t in lines), lines
    pg.get_by_text("Set for your file by pre-flight: Turn on Fill missing inputs").wait_for(
        timeout=30_000)
    assert "impute=true" in pg.url and "csv_source=upload" in pg.url
    results = verdicts(pg)  # a verdict with numbers, not "diverged — no prediction"
    assert results and all(v != "diverged" for _, v, _, _ in results), results
    # the forecast's axis: the file's dates (the test span's last day is the file's last)
    forecast = pg.locator(f'[class*="st-key-panel-"] {CHARTS}').first
    x = axis_label(pg, forecast)
    assert "X-axis titled 'date' for a time scale" in x and "29 February 2024" in x, x
    shot(pg, "journey-your-data-trained-1280x720", full_page=False)
    ctx.close()
