"""The live view of a run: submit it to the runner, redraw its charts as epochs arrive.

UI only: every number comes from :mod:`lstm_lab` (runs from its runner, scores and axes
from :mod:`lstm_lab.views`, charts from :mod:`lstm_lab.charts`).
"""

from __future__ import annotations

import hashlib
import math
import os
import time

import pyarrow as pa
import streamlit as st

from lstm_lab import ConfigError, ExperimentConfig, charts, text, views
from lstm_lab.dask_runner import DASK_ENV
from lstm_lab.jobs import Done, Epoch, Event, Failed, Queued, Started
from lstm_lab.presets import failure_page_configs
from lstm_lab.replay import PacedReplay
from lstm_lab.runner import InProcessRunner, ProcessRunner
from ui.state import chart_style, md_escape

BADGE = {"learning": "green", "weak": "yellow", "unstable": "orange", "flat": "red",
         "diverged": "violet"}
# Measured on the project's 2-core machine, shared: from the server's first page load to
# the first worker ready (TensorFlow import + the default shape's compile).
WARMING = "Starting the training workers (once per server): {s:.0f} s so far, usually 15–40 s."


@st.cache_resource(show_spinner=False)
def _make_runner(inprocess: bool, dask_address: str | None):
    """(runner, note): a DaskRunner when an address is set and answers, else the local
    pool; the note says, in one line, why the cluster is not used."""
    note = None
    if dask_address:
        try:
            from lstm_lab.dask_runner import DaskRunner

            return DaskRunner(dask_address), None
        except (ConfigError, ModuleNotFoundError) as err:
            why = f"the Python package {err.name!r} is not installed" \
                if isinstance(err, ModuleNotFoundError) else str(err)
            note = f"Dask is not used: {why}. Runs train on this server instead."
    if inprocess:
        return InProcessRunner(workers=1), note
    # every failure page's shapes compiled in idle time: a first Run both trains at once
    # (LSTM_LAB_WARM=off leaves the workers idle: for measurements of idle CPU)
    warm = failure_page_configs() if os.environ.get("LSTM_LAB_WARM", "on") != "off" else ()
    return ProcessRunner(warm=warm), note


def get_runner():
    """One runner per server, shared by every session (and so is its replay cache): the
    Dask cluster at ``LSTM_LAB_DASK_SCHEDULER`` when set and reachable, else this server's
    worker pool (threads with ``LSTM_LAB_RUNNER=inprocess``)."""
    args = (os.environ.get("LSTM_LAB_RUNNER") == "inprocess", os.environ.get(DASK_ENV) or None)
    runner, note = _make_runner(*args)
    if getattr(runner, "gone", lambda: False)():  # its scheduler went away: try again
        _make_runner.clear()
        runner, note = _make_runner(*args)
    if note and not st.session_state.get("_runner_note_shown"):
        st.session_state["_runner_note_shown"] = True  # once per session
        st.toast(md_escape(note), icon=":material/cloud_off:")
    return runner


@st.cache_data(max_entries=128, show_spinner=False)
def get_preview(config_json: str) -> views.Preview:
    return views.preview(ExperimentConfig.from_json(config_json))


class Panel:
    """One run's live view: a heading, its status line, one chart per target and the
    verdict badges where it is created; the loss curve and the score table in ``details``
    (a container further down the page), or right below.

    ``idle`` is the status shown before the run is asked for (a failure page before its
    Run button): the targets are drawn, with no prediction and no clock. ``status`` is
    a placeholder for the status line elsewhere (a row that also holds buttons), ``skip``
    one for the *Skip to the end* button of a replay.
    """

    def __init__(self, config: ExperimentConfig, title: str | None = None, *, height: int = 240,
                 memo: str | None = None, details=None, idle: str | None = None, status=None,
                 skip=None, loss_scale: dict | None = None):
        self.config, self.memo, self.idle = config, memo, idle
        # panel key -> its losses, one dict shared by runs shown side by side: their loss
        # charts get one y range (see draw_loss)
        self.loss_scale = loss_scale
        self.json = config.to_json()  # once: remember() writes it every epoch
        self.preview = get_preview(self.json)
        n = len(self.preview.target_names)
        # several targets stack, each as wide as the panel: a bit shorter each
        self.height = height if n == 1 else max(130, int(height * 0.62))
        self.reports: list = []
        self.result = None
        self.error: str | None = None
        self.queued = 0
        self.warming = False
        self.started = self.done = self.replayed = False
        self.warming_since = 0.0  # the runner's start, while its workers start (monotonic)
        self.t0 = time.monotonic()
        self.stale = False  # epochs have arrived that the charts do not show yet
        self.drawn_at = self.status_at = 0.0
        self._views = None  # (style, forecast charts, loss chart): specs built on first draw
        # one tight block (see PANEL_CSS): heading, status, charts and badges stay the same
        # height side by side, whatever one run's status says
        self.key = key = hashlib.sha1(f"{title}|{memo}|{self.json}".encode()).hexdigest()[:12]
        with st.container(key=f"panel-{key}"):
            if title:
                st.markdown(f"**{title}**")
            self._status = status if status is not None else st.empty()  # or beside buttons
            # "Skip to the end" while a replay plays (or in a slot beside other buttons)
            self.skip_slot = skip if skip is not None else st.empty()
            self._charts, self._badges = st.empty(), st.empty()
        with details if details is not None else st.container():
            self._loss, self._table = st.empty(), st.empty()
        saved = st.session_state.get(memo) if memo else None
        if saved and saved[0] == self.json:  # a run this session stopped part-way
            self.reports = list(saved[1])

    def remember(self) -> None:
        if self.memo:
            st.session_state[self.memo] = (self.json, list(self.reports))

    def apply(self, events: list[Event]) -> None:
        for event in events:
            match event:
                case Queued(position):
                    self.queued = position
                case Started():
                    self.queued, self.t0, self.started = 0, time.monotonic(), True
                case Epoch(report):
                    self.reports.append(report)
                case Done(result):
                    self.result, self.done = result, True
                case Failed(message):
                    self.error, self.done = message, True

    def status_text(self) -> str:
        n = self.config.epochs
        k = self.reports[-1].epoch if self.reports else 0
        if self.result is not None:
            r = self.result
            how = "stopped" if r.stopped else "diverged (NaN loss)" if r.diverged \
                else "finished"
            extra = " (replayed)" if self.replayed else ""
            return f"Epoch {k}/{n} — {how} in {r.train_seconds:.1f} s{extra}"
        if self.warming:
            return WARMING.format(s=time.monotonic() - self.warming_since)
        if self.queued:
            return f"Queued — place {self.queued}: waiting for a free worker."
        if self.started and self.replayed:  # told at its pace: say it is not training now
            return (f"Epoch {k}/{n} — replaying the run trained before, "
                    f"{time.monotonic() - self.t0:.1f} s")
        if self.started:
            return f"Epoch {k}/{n} — training… {time.monotonic() - self.t0:.1f} s"
        if self.reports:  # the epochs of a run this session stopped, kept on screen
            return f"Epoch {k}/{n} — stopped"
        return self.idle or "Waiting for a worker…"

    def draw_status(self) -> None:
        self.status_at = time.monotonic()
        if self.error:
            self._status.error(md_escape(self.error))
        else:
            self._status.caption(self.status_text())

    def draw(self) -> None:
        """Charts, verdicts, loss and scores; the status line last, so that once it says
        "finished" everything above it shows the final epoch."""
        self.stale, self.drawn_at = False, time.monotonic()
        last = self.reports[-1] if self.reports else None
        preds = last.predictions if last is not None else None
        forecasts, loss = self.views()
        targets, training = None, self.started and not self.done
        if last is not None:
            diverged = self.result.diverged if self.result is not None else not (
                math.isfinite(last.train_loss) and math.isfinite(last.test_loss))
            targets, _ = self.preview.score(last.predictions, diverged)
        with self._charts.container():
            for j, chart in enumerate(forecasts):
                pred = None if preds is None else preds[:, j]
                spec = charts.described(chart.spec(pred), forecast_words(
                    chart, pred, None if targets is None else targets[j], training))
                if targets is not None and self.done:  # the verdict beside the title
                    spec = charts.with_verdict(spec, chart.title, verdict_word(targets[j]))
                st.vega_lite_chart(arrow(spec), width="stretch")
        if targets is not None:
            self._badges.markdown("  \n".join(badge(t) for t in targets))
            self.draw_loss()
            self._table.dataframe(views.target_table(targets), hide_index=True,
                                  width="stretch")
        self.draw_status()

    def draw_loss(self) -> None:
        """The loss chart, on the y range it shares with the runs beside it (if any)."""
        train, test = [r.train_loss for r in self.reports], [r.test_loss for r in self.reports]
        domain = None
        if self.loss_scale is not None:
            self.loss_scale[self.key] = train + test
            domain = charts.loss_domain(*self.loss_scale.values())
        _, loss = self.views()
        spec = charts.described(loss.spec(train, test, domain), charts.loss_text(
            train, test, self.config.epochs, self.started and not self.done))
        self._loss.vega_lite_chart(arrow(spec), width="stretch")

    def views(self) -> tuple[list[charts.ForecastChart], charts.LossChart]:
        """The panel's charts, built once (per style): each draw only fills in the data."""
        style = chart_style()
        if self._views is None or self._views[0] != style:
            self._views = (style, [charts.preview_forecast(self.preview, j, self.height, style)
                                   for j in range(len(self.preview.target_names))],
                           charts.LossChart(self.config.epochs, style))
        return self._views[1], self._views[2]


def verdict_word(t) -> str:
    """A target's verdict as the chart's title says it."""
    return f"{t.verdict} (pure noise)" if not t.predictable else t.verdict


def forecast_words(chart: charts.ForecastChart, pred, target, training: bool) -> str:
    """The chart's text alternative, with the badge's scores (``target``: a TargetResult,
    or None before the first epoch). While the run trains it stays one sentence, so that
    each redraw only swaps the chart's data (see charts.TRAINING)."""
    if target is None or training:
        return charts.forecast_text(chart.title, chart.target, pred, training=training)
    return charts.forecast_text(chart.title, chart.target, pred, target.scores.r2,
                                target.scores.flatness,
                                {k: b.r2 for k, b in target.baselines.items()})


def arrow(spec: dict) -> dict:
    """A chart spec with its datasets (columns) as Arrow tables, straight from the arrays
    (through pandas, Streamlit would convert each with a pool of threads)."""
    return {**spec, "datasets": {k: pa.table(v) for k, v in spec["datasets"].items()}}


def badge(t) -> str:
    """Verdict badge, then flatness and R² beside the baselines' R²."""
    name = md_escape(t.name)
    if not t.predictable:  # pure noise: flat is the right answer, not a failure
        mark = f":gray-badge[{name}: {t.verdict} (pure noise: nothing to learn)]"
    elif t.verdict == "diverged":
        mark = f":violet-badge[{name}: diverged — no prediction]"
    else:
        mark = f":{BADGE[t.verdict]}-badge[{name}: {t.verdict}]"
    base = ", ".join(f"{k} {text.num(b.r2)}" for k, b in t.baselines.items())
    return (f"{mark} flatness **{text.num(t.scores.flatness)}** · R² "
            f"**{text.num(t.scores.r2)}** (baselines' R²: {base})")


# LSTM_LAB_THROTTLE=off: redraw every tick however many runs wait (bench/classroom.py
# compares the two)
THROTTLE = os.environ.get("LSTM_LAB_THROTTLE", "on") != "off"
QUEUED_TICK = 1.0 if THROTTLE else 0.0  # a queued panel's unchanged status: once a second


def redraw_gap(waiting: int, tick: float) -> float:
    """Seconds between chart redraws of a running panel. Every tick while no run waits;
    with runs queued, slower (up to 1 s): the server's one core of Python then goes to
    serving the class, not to redrawing the same charts seven times a second."""
    return min(max(tick, 1.0), tick * (1 + waiting))


def offer_skip(panels: list[Panel], replays: list) -> bool:
    """A *Skip to the end* button by each replaying panel; True once one is pressed (that
    click reruns the page, which replays again: everything is then shown at once)."""
    pressed = False
    for p, replay in zip(panels, replays):
        if replay is not None:
            pressed |= p.skip_slot.button("Skip to the end", key=f"skip-{p.key}",
                                          icon=":material/skip_next:",
                                          help="show the final state of this replay now")
    return pressed


def run_live(panels: list[Panel], tick: float = 0.15, fresh: bool = False) -> list:
    """Submit every panel's config and redraw each as its epochs arrive.

    A config already run on the server comes back from the runner's cache; it is told
    epoch by epoch at the pace it trained (``PacedReplay``, ≤ 8 s), with *Skip to the end*.
    ``fresh=True`` trains again instead (the Playground's *Run again*).

    The script thread only renders; training runs in the runner's workers. If the
    session moves on (a widget changes, Stop, another page, the tab closes), Streamlit
    interrupts this loop and ``finally`` cancels the runs, freeing their workers.
    The status line is written every tick (that is also when Streamlit can interrupt);
    the charts are redrawn less often while other runs wait (``redraw_gap``).
    """
    runner = get_runner()
    handles = [runner.submit(p.config, fresh=fresh) for p in panels]
    replays = [PacedReplay(h.poll()) if h.replayed else None for h in handles]
    sources = [r if r is not None else h for r, h in zip(replays, handles)]
    try:
        if offer_skip(panels, replays):
            for r in filter(None, replays):
                r.skip()
        for p, h in zip(panels, handles):
            p.replayed = h.replayed
            p.reports = []  # a run this session stopped before is not this run's state
            p.warming_since = getattr(runner, "started_at", p.t0)
            p.draw()
        while not all(p.done for p in panels):
            time.sleep(tick)
            gap = redraw_gap(runner.waiting() if THROTTLE else 0, tick)
            warming = runner.warming()
            for p, h, src in zip(panels, handles, sources):
                if p.done:
                    continue
                events = src.poll()
                if not events and not p.started:
                    # still in the queue (also while the workers start up, when the
                    # submit-time position said 0): show the place, not a running clock
                    events = [Queued(h.position())]
                changed = bool(events) and events != [Queued(p.queued)]
                changed |= p.warming != (warming and not p.started)
                p.warming = warming and not p.started
                if changed:
                    p.apply(events)
                    p.stale = p.stale or any(not isinstance(e, Queued) for e in events)
                    if any(isinstance(e, Epoch) for e in events):
                        # kept as they arrive: a click (Stop) starts the next script run at
                        # once (Streamlit's fast reruns), before this one has unwound
                        p.remember()
                now = time.monotonic()
                if p.stale and (p.done or now - p.drawn_at >= gap):
                    p.draw()
                elif p.started or changed or now - p.status_at >= QUEUED_TICK:
                    p.draw_status()  # elapsed clock; also lets Streamlit interrupt us
        # no final redraw: each panel was drawn when its done/error event arrived -- but
        # the first to finish drew its loss on a range the other may have widened since
        for p in panels:
            if p.loss_scale is not None and p.reports:
                p.draw_loss()
        for p, r in zip(panels, replays):
            if r is not None:
                p.skip_slot.empty()
    finally:
        for p, h in zip(panels, handles):
            h.cancel()
            p.remember()
    return [p.result for p in panels]
