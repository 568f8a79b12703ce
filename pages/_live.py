"""Shared UI pieces: the runner, the live view of a run, and the config controls.

UI only: every number shown comes from `lstm_lab` (runs from its runner, tables and
axes from `lstm_lab.views`).
"""

from __future__ import annotations

import math
import os
import re
import runpy
import time
from pathlib import Path

import streamlit as st

from lstm_lab import ConfigError, ExperimentConfig, charts, views
from lstm_lab.lesson import Lesson, split_query
from lstm_lab.walkthroughs import walkthrough_for
from lstm_lab.presets import get_preset
from lstm_lab.runner import InProcessRunner, ProcessRunner

APP_PATH = Path(__file__).resolve().parents[1] / "app.py"
BADGE = {"learning": "green", "weak": "yellow", "unstable": "orange", "flat": "red",
         "diverged": "violet"}
# Streamlit fits a chart's *total* height (title, axes, legend) by default, which squashes
# the plot; fit-x keeps the width responsive and gives `height` to the plot itself.
FIT_X = charts.FIT_X

LR_OPTIONS = [m * 10.0**e for e in range(-6, 0) for m in (1, 2, 5)] + [1.0]
BATCH_OPTIONS = [1, 2, 4, 8, 16, 32, 64, 128, 256]
RATIO_OPTIONS = [1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1e3, 3e3, 1e4, 3e4, 1e5]
UNITS_OPTIONS = [2, 4, 8, 16, 32, 64, 128]


@st.cache_resource
def get_runner():
    """One runner per server, shared by every session (and so is its replay cache)."""
    if os.environ.get("LSTM_LAB_RUNNER") == "inprocess":
        return InProcessRunner(workers=1)
    return ProcessRunner()


@st.cache_data(max_entries=128, show_spinner=False)
def get_preview(config_json: str) -> views.Preview:
    return views.preview(ExperimentConfig.from_json(config_json))


@st.cache_data(max_entries=128, show_spinner=False)
def get_preflight(config_json: str):
    from lstm_lab.preflight import preflight

    return preflight(ExperimentConfig.from_json(config_json))


def show_preflight(config: ExperimentConfig) -> None:
    """The pre-flight warnings for this config, before its run starts."""
    warnings = get_preflight(config.to_json()).warnings
    label = f"Pre-flight check: {len(warnings)} warning{'s' * (len(warnings) != 1)}"
    with st.expander(label, icon=":material/flight_takeoff:", expanded=False):
        for w in warnings:
            st.warning(md_escape(w))
        if not warnings:
            st.caption("Nothing found in the data that this config would trip on.")


def preset(name: str) -> ExperimentConfig:
    return get_preset(name).config


def require_app() -> None:
    """Make sure a page runs under app.py's navigation.

    Streamlit 1.x starts in its legacy "pages/ directory" mode until some script calls
    ``st.navigation`` (and AppTest resets to that mode on every run). In that mode a URL
    naming a page -- a shared link opened first on a fresh server -- runs the page file
    bare: no page config, the wrong menu. Here the page then runs app.py in its place,
    whose ``st.navigation`` picks this same page, in this same run (so a click that
    triggered the run is not lost), and the bare run ends.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(APP_PATH), run_name="__main__")
        st.stop()


# --- the live view -------------------------------------------------------------------
class Panel:
    """One run's live view: status line, per-target charts, loss curves, scores."""

    def __init__(self, config: ExperimentConfig, title: str | None = None, height: int = 220,
                 memo: str | None = None):
        self.config, self.height, self.memo = config, height, memo
        self.preview = get_preview(config.to_json())
        self.reports: list = []
        self.result = None
        self.error: str | None = None
        self.queued = 0
        self.started = False
        self.done = False
        self.replayed = False
        self.t0 = time.monotonic()
        self.stale = False  # epochs have arrived that the charts do not show yet
        self.drawn_at = self.status_at = 0.0
        if title:
            st.markdown(f"#### {title}")
        self._status, self._badges = st.empty(), st.empty()
        self._charts, self._loss, self._table = st.empty(), st.empty(), st.empty()
        saved = st.session_state.get(memo) if memo else None
        if saved and saved[0] == config.to_json():  # a run this session stopped part-way
            self.reports = list(saved[1])

    def remember(self) -> None:
        if self.memo:
            st.session_state[self.memo] = (self.config.to_json(), list(self.reports))

    def apply(self, events: list[tuple]) -> None:
        for kind, payload in events:
            if kind == "queued":
                self.queued = payload
            elif kind == "started":
                self.queued, self.t0, self.started = 0, time.monotonic(), True
            elif kind == "epoch":
                self.reports.append(payload)
            elif kind == "done":
                self.result, self.done = payload, True
            elif kind == "error":
                self.error, self.done = payload, True

    def draw_status(self) -> None:
        self.status_at = time.monotonic()
        n = self.config.epochs
        k = self.reports[-1].epoch if self.reports else 0
        if self.error:
            self._status.error(self.error)
        elif self.queued:
            self._status.info(f"Queued — place {self.queued}: waiting for a free worker.")
        elif self.result is not None:
            how = "stopped" if self.result.stopped else (
                "diverged" if self.result.diverged else "finished")
            extra = " (replayed from the cache)" if self.replayed else ""
            self._status.caption(f"Epoch {k}/{n} — {how} in "
                                 f"{self.result.train_seconds:.1f} s{extra}")
        else:
            self._status.caption(f"Epoch {k}/{n} — training… {time.monotonic() - self.t0:.1f} s")

    def draw(self) -> None:
        """Charts, verdicts, loss and scores; the status line last, so that once it says
        "finished" everything above it shows the final epoch."""
        self.stale, self.drawn_at = False, time.monotonic()
        last = self.reports[-1] if self.reports else None
        preds = last.predictions if last is not None else None
        names = self.preview.target_names
        with self._charts.container():
            cols = st.columns(len(names)) if len(names) > 1 else [st.container()]
            for j, col in enumerate(cols):
                col.altair_chart(charts.prediction_chart(
                    self.preview, j, preds, self.height, chart_style()), width="stretch")
        if last is not None:
            diverged = self.result.diverged if self.result is not None else not (
                math.isfinite(last.train_loss) and math.isfinite(last.test_loss))
            targets, _ = self.preview.score(last.predictions, diverged)
            self._badges.markdown("  \n".join(_badge(t) for t in targets))
            self._loss.altair_chart(charts.loss_chart(
                [r.train_loss for r in self.reports], [r.test_loss for r in self.reports],
                self.config.epochs, chart_style()), width="stretch")
            self._table.dataframe(views.target_table(targets), hide_index=True,
                                  width="stretch")
        self.draw_status()


def presenter_on() -> bool:
    """Presenter mode (large fonts, thick lines), switched in the sidebar, kept in the URL."""
    return bool(st.session_state.get("presenter"))


def chart_style() -> charts.Style:
    return charts.PRESENTER if presenter_on() else charts.NORMAL


def md_escape(text: str) -> str:
    """Show user-supplied text literally in Markdown (Streamlit never renders its HTML)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", str(text))


def _badge(t) -> str:
    """Verdict badge, then flatness and R² beside the baselines' R²."""
    name = md_escape(t.name)
    if not t.predictable:  # pure noise: flat is the right answer, not a failure
        badge = f":gray-badge[{name}: {t.verdict} (pure noise: nothing to learn)]"
    else:
        badge = f":{BADGE[t.verdict]}-badge[{name}: {t.verdict}]"
    base = ", ".join(f"{k} {_num(b.r2)}" for k, b in t.baselines.items())
    return (f"{badge} flatness **{_num(t.scores.flatness)}** · R² **{_num(t.scores.r2)}** "
            f"(baselines' R²: {base})")


def _num(x) -> str:
    return "n/a" if x is None else f"{x:.3f}"


# LSTM_LAB_THROTTLE=off: redraw every tick however many runs wait (bench/classroom.py
# compares the two)
THROTTLE = os.environ.get("LSTM_LAB_THROTTLE", "on") != "off"
QUEUED_TICK = 1.0 if THROTTLE else 0.0  # a queued panel's unchanged status: once a second


def redraw_gap(waiting: int, tick: float) -> float:
    """Seconds between chart redraws of a running panel. Every tick while no run waits;
    with runs queued, slower (up to 1 s): the server's one core of Python then goes to
    serving the class, not to redrawing the same charts seven times a second."""
    return min(max(tick, 1.0), tick * (1 + waiting))


def run_live(panels: list[Panel], tick: float = 0.15) -> list:
    """Submit every panel's config and redraw each as its epochs arrive.

    The script thread only renders; training runs in the runner's workers. If the
    session moves on (a widget changes, Stop, another page, the tab closes), Streamlit
    interrupts this loop and ``finally`` cancels the runs, freeing their workers.
    The status line is written every tick (that is also when Streamlit can interrupt);
    the charts are redrawn less often while other runs wait (``redraw_gap``).
    """
    runner = get_runner()
    handles = [runner.submit(p.config) for p in panels]
    try:
        for p, h in zip(panels, handles):
            p.replayed = h.replayed
            p.draw()
        while not all(p.done for p in panels):
            time.sleep(tick)
            gap = redraw_gap(runner.waiting() if THROTTLE else 0, tick)
            for p, h in zip(panels, handles):
                if p.done:
                    continue
                events = h.poll()
                if not events and not p.started:
                    # still in the queue (also while the workers start up, when the
                    # submit-time position said 0): show the place, not a running clock
                    events = [("queued", h.position())]
                changed = bool(events) and events != [("queued", p.queued)]
                if changed:
                    p.apply(events)
                    p.stale = p.stale or any(e[0] != "queued" for e in events)
                now = time.monotonic()
                if p.stale and (p.done or now - p.drawn_at >= gap):
                    p.draw()
                elif p.started or changed or now - p.status_at >= QUEUED_TICK:
                    p.draw_status()  # elapsed clock; also lets Streamlit interrupt us
        # no final redraw: each panel was drawn when its done/error event arrived
    finally:
        for p, h in zip(panels, handles):
            h.cancel()
            p.remember()
    return [p.result for p in panels]


def failure_page(title: str, broken: ExperimentConfig, fixed: ExperimentConfig,
                 story: str, key: str) -> None:
    """Broken and fixed side by side, both live, same seed; one click runs both. With the
    walkthrough switched on (or a lesson link's walkthrough=true), the same in four steps."""
    from pages._lesson import walkthrough

    guide = walkthrough_for(key)
    if guide is not None and st.toggle("Guided walkthrough", key=f"{key}_walk",
                                       value=lesson().walkthrough,
                                       help="four steps, with a question for the class"):
        walkthrough(title, broken, fixed, guide, key)
        return
    st.markdown(story)
    run = st.button("▶ Run both side by side", type="primary", key=f"{key}_run")
    if run:
        st.session_state[f"{key}_on"] = True
    side_by_side(title, broken, fixed, key, run=bool(st.session_state.get(f"{key}_on")))


def side_by_side(title: str, broken: ExperimentConfig, fixed: ExperimentConfig, key: str,
                 run: bool) -> None:
    """The broken and the fixed run in two columns (live if ``run``), doctors below."""
    left, right = st.columns(2)
    with left:
        a = Panel(broken, "Broken: " + title, height=200)
    with right:
        b = Panel(fixed, "Fix", height=200)
    if not run:
        a.draw()
        b.draw()
        st.caption("Press the button to train both; runs already done on this server replay "
                   "at once.")
        return
    run_live([a, b])
    from pages._doctor import doctor_panel, show_fix
    from pages._lesson import export_panel

    for col, panel, side in ((left, a, "a"), (right, b, "b")):
        with col:
            doctor_panel(panel.result, f"{key}_{side}")
            export_panel(panel.result, f"{key}_{side}")
    for panel, side in ((a, "a"), (b, "b")):
        show_fix(panel.result, f"{key}_{side}")


# --- controls ------------------------------------------------------------------------
def log_options(options: list, value) -> list:
    """A slider's option list that also holds a value arriving from a link."""
    return sorted(set(options) | {value})


CSV_FIELDS = ("csv_source", "target_columns", "input_columns", "time_column")


# --- lessons and presenter mode --------------------------------------------------------
def start_lesson() -> None:
    """Once per session (app.py): the lesson keys of the link that opened the lab."""
    if "lesson" in st.session_state:
        return
    found, _, problems = split_query(st.query_params.to_dict())
    st.session_state.lesson = found
    st.session_state.lesson_problems = problems
    st.session_state.presenter = found.presenter


def lesson() -> Lesson:
    return st.session_state.get("lesson") or Lesson()


def shown(field: str) -> bool:
    """False for a control the lesson link hides (its value stays the link's)."""
    return field not in lesson().hide


def off(field: str) -> bool:
    """True for a control the lesson's locked preset holds."""
    return field in lesson().locked


def lesson_query() -> dict[str, str]:
    """The lesson keys to keep in the URL, with presenter mode as it is now."""
    keys = lesson().to_query()
    keys.pop("presenter", None)
    if presenter_on():
        keys["presenter"] = "true"
    return keys


def keep_presenter_in_url() -> None:
    if presenter_on():
        st.query_params["presenter"] = "true"
    elif "presenter" in st.query_params:
        del st.query_params["presenter"]


# Our own fixed CSS (no user text): larger type everywhere (Streamlit sizes in rem).
PRESENTER_CSS = """<style>
html { font-size: 22px !important; }  /* over the theme's baseFontSize */
[data-testid="stSidebar"] { min-width: 380px; }
</style>"""


def presenter_controls() -> None:
    """The sidebar toggle; in presenter mode, the large-type style."""
    st.sidebar.toggle("Presenter mode", key="presenter",
                      help="large fonts and thick lines for a projector; kept in the link")
    keep_presenter_in_url()
    if presenter_on():
        st.html(PRESENTER_CSS)


def show_lesson_note() -> None:
    note = lesson().note
    if note:
        st.info(md_escape(note), icon=":material/school:")


def config_from_url() -> tuple[ExperimentConfig, list[str]]:
    """The Playground's config from the link: the lesson's preset (or the defaults),
    the link's config keys on top, locked fields held at the preset's values."""
    current = lesson()
    _, params, _ = split_query(st.query_params.to_dict())
    base = current.base()
    config, problems = views.config_from_query(params, base=base)
    asked, preset = config.to_dict(), base.to_dict()
    held = sorted(k for k in current.locked if k in params and asked[k] != preset[k])
    if held:
        problems.append(f"locked by the lesson (kept at the preset's values): {', '.join(held)}")
    return current.apply_lock(config), problems


def start_playground(force: ExperimentConfig | None = None) -> None:
    """The Playground's session state: from the link on the first visit, or ``force``d
    (the Data page hands over a config). Widget keys are pg_<field>."""
    if "pg" in st.session_state and force is None:
        return
    if force is None:
        config, problems = config_from_url()
    else:
        config, problems = force, []
    st.session_state.pg = config.to_dict()
    st.session_state.pg_problems = problems
    for k, v in st.session_state.pg.items():
        if k not in CSV_FIELDS:
            st.session_state[f"pg_{k}"] = v


def show_problems(problems: list[str]) -> None:
    if problems:
        st.warning("Some settings in the link were not used (defaults, or the lesson's "
                   "values, stand in for them):\n\n"
                   + "\n".join(f"- {md_escape(p)}" for p in problems))


def build_config(values: dict) -> ExperimentConfig | None:
    """Validate widget values; show the reason and return None if they clash."""
    from lstm_lab.tabular import fit_config

    try:
        return fit_config(ExperimentConfig.from_dict(values), allow_paths=False)
    except ConfigError as err:
        st.error(f"These settings cannot run: {err}")
        return None
