"""The lab's charts as Altair specs: the app draws them live, exports save them, a notebook
shows them.

No Streamlit here. Every chart takes plain arrays (or the small tables of
:mod:`lstm_lab.views`); a :class:`Style` sets line widths and font sizes (the app's
presenter mode uses :data:`PRESENTER`).

The forecast chart is drawn for a projector: the target dark and thick, the prediction red
on top of everything, both named at their line ends (no legend to look up), the naive
baselines underneath in pale dashes with a one-line legend above the plot.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

SERIES = ["target", "prediction", "mean baseline", "persistence baseline",
          "seasonal baseline"]
COLORS = ["#222222", "#d62728", "#1f77b4", "#8cc084", "#b07cc6"]
DASHES = [[1, 0], [1, 0], [7, 4], [2, 3], [4, 2, 1, 2]]
# One colour per verdict (metrics.VERDICTS order: best to worst), for the sweep's cells
# and the exports: green, amber, orange, red, violet.
VERDICT_COLORS = {"learning": "#2ca02c", "weak": "#e6ac00", "unstable": "#ff7f0e",
                  "flat": "#d62728", "diverged": "#9467bd"}
# Fit the width, and give `height` to the plot itself (not to title + axes + legend).
FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")
DIVERGED_TEXT = "diverged — no prediction"


@dataclass(frozen=True)
class Style:
    """Line widths and font sizes of every chart (px)."""

    line_width: float = 2.5
    font_size: int = 14
    title_size: int = 16
    height_scale: float = 1.0
    time_title: str | None = "time step"  # the x axis' title (None: the numbers say it)


NORMAL = Style()
# a projector: big type and thick lines; the plot keeps its height and loses the axis title
PRESENTER = Style(line_width=5.0, font_size=22, title_size=26, height_scale=1.05,
                  time_title=None)


# Axis and legend text: 6.8:1 on white (WCAG AA asks 4.5:1; the app's theme greys them to
# 3.7:1), still lighter than the series names
TEXT_GREY = "#5c5b58"
# The "diverged" note under a title: the verdict's violet darkened to 7.4:1 (the cell colour
# itself, #9467bd, is 4.3:1: too pale for 14 px text)
DIVERGED_INK = "#6f33b8"


def _styled(chart, style: Style):
    return chart.configure_axis(labelFontSize=style.font_size, titleFontSize=style.font_size,
                                labelColor=TEXT_GREY, titleColor=TEXT_GREY) \
        .configure_legend(labelFontSize=style.font_size, titleFontSize=style.font_size,
                          titleFontWeight="normal", symbolStrokeWidth=style.line_width,
                          symbolSize=style.font_size * 12, labelColor=TEXT_GREY,
                          titleColor=TEXT_GREY) \
        .configure_title(fontSize=style.title_size, anchor="start") \
        .configure_view(strokeWidth=0)


def _size(height: int, style: Style, width: int | None) -> dict:
    # (Streamlit expects padding as an object)
    size = {"height": int(height * style.height_scale),
            "padding": {"left": 5, "top": 5, "right": 5, "bottom": 5}}
    size.update({"width": width} if width else {"autosize": FIT_X})
    return size


def domain_of(*arrays: np.ndarray, pad: float = 0.15) -> tuple[float, float]:
    """A fixed y range around the finite values of ``arrays``, with a ``pad`` margin."""
    values = np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])
    values = values[np.isfinite(values)]
    if not len(values):
        return -1.0, 1.0
    lo, hi = float(values.min()), float(values.max())
    margin = pad * (hi - lo or abs(hi) or 1.0)
    return lo - margin, hi + margin


def _end_labels(t: np.ndarray, lines: dict[str, np.ndarray], lo: float, hi: float,
                font: int, height: int) -> list[dict]:
    """Where to write each line's name: at its last finite point, nudged apart vertically
    when two ends are closer than one line of text (target above, prediction below).

    With no prediction yet, an invisible "prediction" label holds the room its name will
    take, so the plot keeps its width when the first epoch arrives."""
    rows = []
    for name, y in lines.items():
        ok = np.flatnonzero(np.isfinite(y) & (y >= lo) & (y <= hi))
        if len(ok):
            rows.append({"t": float(t[ok[-1]]), "value": float(y[ok[-1]]), "series": name,
                         "dy": 0.0, "opacity": 1.0})
    if len(rows) == 1 and rows[0]["series"] == "target":
        rows.append({**rows[0], "series": "prediction", "opacity": 0.0})
        return rows
    if len(rows) == 2:
        gap = abs(rows[0]["value"] - rows[1]["value"]) / (hi - lo) * height  # px apart
        if gap < 1.2 * font:
            push = (1.2 * font - gap) / 2
            upper, lower = sorted(rows, key=lambda r: -r["value"])
            upper["dy"], lower["dy"] = -push, push
    return rows


# Vega-Lite structures of live charts, by look: a class's panels share them (building and
# validating one with Altair costs ~60 ms). Never changed once made; at most _KEEP kept.
_STRUCTURES: OrderedDict[tuple, dict] = OrderedDict()
_STRUCTURES_LOCK = threading.Lock()
_KEEP = 64


def _structure(key: tuple, build) -> dict:
    """The Vega-Lite dict of ``build()`` (an Altair chart with named data), made once per
    ``key``: no theme and no data transformer, the structure alone (as Streamlit asks
    Altair for it)."""
    with _STRUCTURES_LOCK:
        found = _STRUCTURES.get(key)
        if found is not None:
            _STRUCTURES.move_to_end(key)
            return found
    made = {"$schema": alt.SCHEMA_URL, **build().to_dict(context={"top_level": False})}
    with _STRUCTURES_LOCK:
        _STRUCTURES[key] = made
        while len(_STRUCTURES) > _KEEP:
            _STRUCTURES.popitem(last=False)
    return made


class ForecastChart:
    """The forecast chart of one series, built once; each epoch changes only its data.

    ``chart(prediction)`` is the Altair chart (exports, notebooks). ``spec(prediction)`` is
    the same chart as a Vega-Lite dict whose structure Altair built and validated once per
    look (baselines, style, size: shared by every chart that has it, with each chart's own
    axes and title); each call puts only this prediction's rows (and the line under the
    title) into it, as the named datasets ``lines`` and ``ends`` (columns). A live view
    redraws with it every epoch: building and validating the Altair chart costs ~60-80 ms
    of CPU, filling in the data ~1 ms.

    Parameters as :func:`forecast_chart`, less the prediction.
    """

    def __init__(self, t: np.ndarray, target: np.ndarray,
                 baselines: Mapping[str, np.ndarray] | None = None, *, title: str = "",
                 domain: tuple[float, float] | None = None, height: int = 220,
                 style: Style = NORMAL, width: int | None = None):
        # a file's dates are drawn as dates: kept as epoch milliseconds (what Vega-Lite's
        # temporal scale reads), so the rows stay plain floats
        self.temporal = np.issubdtype(np.asarray(t).dtype, np.datetime64)
        self.t = (np.asarray(t, dtype="datetime64[ms]").astype(np.int64).astype(np.float64)
                  if self.temporal else np.asarray(t, dtype=np.float64))
        self.target = np.asarray(target, dtype=np.float64)
        self.baselines = {f"{k} baseline": np.asarray(v, dtype=np.float64)
                          for k, v in (baselines or {}).items()}
        self.lo, self.hi = domain or domain_of(self.target, *self.baselines.values())
        self.title, self.height, self.style, self.width = title, height, style, width
        self.plot_height = int(height * style.height_scale)
        # baselines first: drawn underneath (each line's `order`), then target, prediction
        self._parts = [*self.baselines, "target", "prediction"]
        self._static = self._columns({**self.baselines, "target": self.target})
        self._template: dict | None = None

    def _columns(self, lines: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The rows of ``lines`` (name -> values), finite values only, as columns."""
        n = len(self.t)
        value = np.concatenate(list(lines.values()))
        ok = np.isfinite(value)
        return {"t": np.tile(self.t, len(lines))[ok],
                "series": np.repeat(np.array(list(lines), dtype=object), n)[ok],
                "value": value[ok],
                "order": np.repeat(np.array([self._parts.index(k) for k in lines],
                                            dtype=np.int64), n)[ok]}

    def data(self, prediction: np.ndarray | None) -> tuple[dict, dict, str]:
        """(the lines' rows, the end labels' rows, the note under the title) for
        ``prediction`` ((n,) values, or None before the first epoch); rows as columns
        (name -> numpy array)."""
        named, rows = {"target": self.target}, self._static  # named: at their line ends
        pred = None if prediction is None else np.asarray(prediction, dtype=np.float64)
        note = ""
        if pred is not None and np.isfinite(pred).any():
            named["prediction"] = pred
            more = self._columns({"prediction": pred})
            rows = {k: np.concatenate([v, more[k]]) for k, v in rows.items()}
            if ((pred < self.lo) | (pred > self.hi)).any():
                note = "the prediction leaves the scale: cut at the edge"
        elif pred is not None:  # what the lines cannot show is said under the title
            note = DIVERGED_TEXT
        ends = _end_labels(self.t, named, self.lo, self.hi, self.style.font_size,
                           self.plot_height)
        # the labels' nudge apart, from pixels into the y scale's units
        px = (self.hi - self.lo) / self.plot_height
        labels = {"t": np.array([e["t"] for e in ends], dtype=np.float64),
                  "value": np.array([e["value"] - e["dy"] * px for e in ends], dtype=np.float64),
                  "series": np.array([e["series"] for e in ends], dtype=object),
                  "dy": np.array([e["dy"] for e in ends], dtype=np.float64),
                  "opacity": np.array([e["opacity"] for e in ends], dtype=np.float64)}
        return rows, labels, note

    def chart(self, prediction: np.ndarray | None):
        """The Altair chart with ``prediction`` drawn (its data inline)."""
        lines, labels, note = self.data(prediction)
        return self._build(pd.DataFrame(lines), pd.DataFrame(labels), note)

    def spec(self, prediction: np.ndarray | None) -> dict:
        """The chart as a Vega-Lite dict: the structure built once, this prediction's rows
        in ``datasets`` (as columns: name -> numpy array, for the caller to serialize), the
        note in the title. A new dict each call (the structure inside is shared: do not
        change it)."""
        if self._template is None:
            # one structure per look (baselines, style, size), shared by every chart that
            # has it; this chart's own axes and title go into a copy of its outer layers
            key = ("forecast", tuple(self.baselines), self.style, self.height, self.width,
                   self.temporal)
            self._template = self._placed(_structure(key, lambda: self._build(
                alt.NamedData("lines"), alt.NamedData("ends"), "")))
        lines, labels, note = self.data(prediction)
        return {**self._template, "title": {**self._template["title"], "subtitle": note or " "},
                "datasets": {"lines": lines, "ends": labels}}

    def _placed(self, structure: dict) -> dict:
        """``structure`` with this chart's x and y domains and title (new dicts along the
        way; the shared structure is not touched)."""
        domains = {"x": [float(self.t[0]), float(self.t[-1])], "y": [float(self.lo),
                                                                     float(self.hi)]}
        if self.temporal:  # see _x_scale: a date axis spans its data
            del domains["x"]
        layers = []
        for layer in structure["layer"]:
            enc = layer["encoding"]
            if "scale" in enc["x"]:  # the lines (the labels' layer shares their scales)
                enc = {**enc, **{c: {**enc[c], "scale": {**enc[c]["scale"], "domain": d}}
                                 for c, d in domains.items()}}
                layer = {**layer, "encoding": enc}
            layers.append(layer)
        return {**structure, "layer": layers, "title": {**structure["title"], "text": self.title}}

    def _x_scale(self) -> alt.Scale:
        """The time axis: fixed to the test span, so a growing prediction never moves it.
        A date axis gets no explicit domain -- in the app's Vega, a temporal domain given
        as epoch numbers reads as NaN (the axis collapses) -- and spans the target's rows,
        which cover the whole test span from the first frame."""
        if self.temporal:
            return alt.Scale(nice=False)
        return alt.Scale(domain=[float(self.t[0]), float(self.t[-1])], nice=False)

    def _build(self, lines, labels, note: str):
        style, baselines = self.style, list(self.baselines)
        domain_s = [s for s in SERIES if s in baselines or s in ("target", "prediction")]
        colors = [COLORS[SERIES.index(s)] for s in domain_s]
        dashes = [DASHES[SERIES.index(s)] for s in domain_s]
        legend = alt.Legend(orient="top", title="naive baselines:", values=baselines or None,
                            direction="horizontal", titleOrient="left", labelLimit=0, offset=4,
                            padding=0, labelExpr="replace(datum.label, ' baseline', '')")
        t_field = "t:T" if self.temporal else "t:Q"
        t_title = "date" if self.temporal and style.time_title else style.time_title
        base = alt.Chart(lines).encode(
            x=alt.X(t_field, title=t_title, axis=alt.Axis(tickCount=6, labelFlush=True),
                    scale=self._x_scale()),
            # a fixed axis width: stacked charts (several targets) line their plots up
            y=alt.Y("value:Q", title=None, scale=alt.Scale(domain=[self.lo, self.hi], nice=False),
                    axis=alt.Axis(minExtent=3.6 * style.font_size)),
            color=alt.Color("series:N", scale=alt.Scale(domain=domain_s, range=colors),
                            legend=legend if baselines else None),
            strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=domain_s, range=dashes),
                                      legend=None),
            order="order:Q",
        )
        thin = max(1.5, style.line_width * 0.6)
        layers = [
            base.transform_filter(alt.FieldOneOfPredicate("series", baselines))
            .mark_line(clip=True, strokeWidth=thin, opacity=0.9) if baselines else None,
            # the target thinner than the prediction drawn over it: a noisy target at full
            # width buries the red line the lesson is about
            base.transform_filter(alt.datum.series == "target")
            .mark_line(clip=True, strokeWidth=thin, opacity=0.85),
            base.transform_filter(alt.datum.series == "prediction")
            .mark_line(clip=True, strokeWidth=style.line_width),
            # each line named at its end (see _end_labels)
            alt.Chart(labels).mark_text(
                align="left", dx=6, fontSize=style.font_size, fontWeight="bold").encode(
                x=t_field, y="value:Q", text="series:N",
                opacity=alt.Opacity("opacity:Q", legend=None, scale=None),
                color=alt.Color("series:N", scale=alt.Scale(domain=domain_s, range=colors),
                                legend=None)),
        ]
        # the note's line is always there (blank when there is nothing to say), so charts
        # side by side keep their plots level
        heading = alt.Title(self.title, offset=2, subtitle=note or " ",
                            subtitleColor=DIVERGED_INK,
                            subtitleFontSize=style.font_size, subtitleFontWeight="bold")
        # the end labels stand out to the right of the plot: autosize counts them in
        chart = alt.layer(*[layer for layer in layers if layer is not None], title=heading) \
            .properties(**_size(self.height, style, self.width))
        return _styled(chart, style)


def forecast_chart(t: np.ndarray, target: np.ndarray, prediction: np.ndarray | None,
                   baselines: Mapping[str, np.ndarray] | None = None, *, title: str = "",
                   domain: tuple[float, float] | None = None, height: int = 220,
                   style: Style = NORMAL, width: int | None = None):
    """Predictions against the target over time, with naive baselines underneath.

    Parameters
    ----------
    t : (n,) time index; target : (n,) recorded values
    prediction : (n,) the model's forecast for the same steps, or None before the first
        epoch. Non-finite values are not drawn; if none is finite (a diverged run) the
        chart says so instead of drawing a line.
    baselines : name -> (n,) naive forecasts (``mean``, ``persistence``, ``seasonal``),
        drawn as pale dashed lines below the target
    domain : fixed y range (default: target and baselines with a 15 % margin), so the
        axes do not jump between epochs; a prediction outside it is clipped at the edge

    A live view builds a :class:`ForecastChart` once and redraws its ``spec``.
    """
    return ForecastChart(t, target, baselines, title=title, domain=domain, height=height,
                         style=style, width=width).chart(prediction)


class LossChart:
    """The loss chart of a run of ``epochs`` epochs, built once (see :class:`ForecastChart`):
    ``chart(train, test)`` the Altair chart, ``spec(train, test)`` the Vega-Lite dict with
    the rows so far in its dataset ``loss`` (columns: name -> numpy array)."""

    def __init__(self, epochs: int, style: Style = NORMAL, width: int | None = None,
                 height: int = 140):
        self.epochs, self.style, self.width, self.height = epochs, style, width, height
        self._templates: dict[bool, dict] = {}

    def data(self, train: Sequence[float], test: Sequence[float]) -> tuple[dict, bool]:
        """(rows as columns, empty): one row per finite, positive loss; with none, the one
        row of the text that says why the chart is empty."""
        rows = [(i + 1, split, float(v)) for split, values in (("train", train), ("test", test))
                for i, v in enumerate(values) if np.isfinite(v) and v > 0]
        if rows:
            epoch, split, loss = zip(*rows)
            return {"epoch": np.array(epoch, dtype=np.int64),
                    "split": np.array(split, dtype=object),
                    "loss": np.array(loss, dtype=np.float64)}, False
        text = ("the loss appears after the first epoch" if not len(train) else
                f"no finite loss to plot: it was NaN/inf from epoch {len(train)} on")
        return {"epoch": np.array([(1 + max(self.epochs, 2)) / 2], dtype=np.float64),
                "y": np.array([0.5]), "text": np.array([text], dtype=object)}, True

    def chart(self, train: Sequence[float], test: Sequence[float]):
        frame, empty = self.data(train, test)
        return self._build(pd.DataFrame(frame), empty)

    def spec(self, train: Sequence[float], test: Sequence[float],
             domain: tuple[float, float] | None = None) -> dict:
        """``domain``: the y range (loss units), shared by the loss charts of runs shown
        side by side -- on separate scales a lower loss can be drawn higher."""
        frame, empty = self.data(train, test)
        if empty not in self._templates:
            key = ("loss", self.epochs, self.style, self.width, self.height, empty)
            self._templates[empty] = _structure(
                key, lambda: self._build(alt.NamedData("loss"), empty))
        spec = {**self._templates[empty], "datasets": {"loss": frame}}
        if domain is not None and not empty:
            y = spec["encoding"]["y"]
            spec["encoding"] = {**spec["encoding"], "y": {
                **y, "scale": {**y["scale"], "domain": [float(domain[0]), float(domain[1])]}}}
        return spec


    def _build(self, data, empty: bool):
        style = self.style
        x = alt.X("epoch:Q", scale=alt.Scale(domain=[1, max(self.epochs, 2)], nice=False),
                  axis=alt.Axis(format="d", tickMinStep=1))
        if empty:
            chart = alt.Chart(data, title="loss").mark_text(
                fontSize=style.font_size, color="#555555").encode(
                x=x, y=alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[0, 1])), text="text:N")
            return _styled(chart.properties(**_size(self.height, style, self.width)), style)
        # the legend's title names the chart: one line, "loss: ● train ● test"
        chart = alt.Chart(data).mark_line(point=True, strokeWidth=style.line_width).encode(
            x=x, y=alt.Y("loss:Q", title=None, scale=alt.Scale(type="log")),
            color=alt.Color("split:N", scale=alt.Scale(domain=["train", "test"],
                                                       range=["#1f77b4", "#ff7f0e"]),
                            legend=alt.Legend(orient="top", title="loss (log scale):",
                                              titleOrient="left", direction="horizontal",
                                              offset=4, padding=0)),
        )
        return _styled(chart.properties(**_size(self.height, style, self.width)), style)

def loss_domain(*losses: Sequence[float]) -> tuple[float, float] | None:
    """One log-scale y range that holds every finite, positive loss of several runs (with
    a margin), or None while there is none."""
    values = np.array([v for run in losses for v in run], dtype=np.float64)
    values = values[np.isfinite(values) & (values > 0)]
    if not len(values):
        return None
    return float(values.min()) / 1.25, float(values.max()) * 1.25


def with_verdict(spec: dict, title: str, verdict: str) -> dict:
    """A forecast spec whose title names the run's verdict beside the target's name
    ("sine — flat"), where a projector shows it: the badges sit below the fold."""
    return {**spec, "title": {**spec["title"], "text": f"{title} — {verdict}"}}



def loss_chart(train: Sequence[float], test: Sequence[float], epochs: int,
               style: Style = NORMAL, width: int | None = None, height: int = 140):
    """Train and test loss per epoch on a log axis.

    ``train`` and ``test`` hold one loss per epoch run so far (epoch 1 first); non-finite
    and non-positive values cannot sit on a log axis and are left out -- a chart with
    nothing left says why instead of staying blank.
    """
    return LossChart(epochs, style, width, height).chart(train, test)


def preview_forecast(p, j: int, height: int = 220, style: Style = NORMAL,
                     width: int | None = None,
                     baselines: Sequence[str] = ("mean", "persistence")) -> ForecastChart:
    """The :class:`ForecastChart` of target ``j`` of a :class:`~lstm_lab.views.Preview`
    over its test span."""
    return ForecastChart(p.t, p.y_test[:, j],
                         {k: p.baselines[k][:, j] for k in baselines if k in p.baselines},
                         title=p.target_names[j], domain=p.domain(j), height=height,
                         style=style, width=width)


def prediction_chart(p, j: int, predictions, height: int = 220, style: Style = NORMAL,
                     width: int | None = None, baselines: Sequence[str] = ("mean", "persistence")):
    """Target ``j`` of a :class:`~lstm_lab.views.Preview` over its test span.

    predictions : (n_test, n_targets) original units, or None before the first epoch.
    """
    return preview_forecast(p, j, height, style, width, baselines).chart(
        None if predictions is None else predictions[:, j])


def lr_find_chart(found, style: Style = NORMAL, height: int = 180):
    """The learning-rate range test: smoothed loss against the rate (log axes), with
    vertical marks at the lowest loss and at the suggestion."""
    ok = np.isfinite(found.losses) & (found.losses > 0)
    frame = pd.DataFrame({"learning rate": found.lrs[ok], "smoothed loss": found.losses[ok]})
    line = alt.Chart(frame).mark_line(
        strokeWidth=style.line_width).encode(
        x=alt.X("learning rate:Q", scale=alt.Scale(type="log")),
        y=alt.Y("smoothed loss:Q", scale=alt.Scale(type="log")))
    marks = pd.DataFrame([(m, v) for m, v in (("lowest loss", found.best_lr),
                                              ("suggested (a tenth)", found.suggestion))
                          if v is not None], columns=["mark", "learning rate"])
    layers = [line]
    if len(marks):
        layers.append(alt.Chart(marks).mark_rule(strokeDash=[4, 3], strokeWidth=2).encode(
            x="learning rate:Q",
            color=alt.Color("mark:N", legend=alt.Legend(orient="top", title=None))))
    chart = alt.layer(*layers, title="Learning-rate range test")
    return _styled(chart.properties(**_size(height, style, None),
                                    description=lr_find_text(found)), style)


def sweep_chart(frame: pd.DataFrame, x_field: str, y_field: str, xs: list[str], ys: list[str],
                style: Style = NORMAL, selectable: bool = False):
    """The phase diagram: one cell per (x, y) coloured by verdict, the doctor's top code
    written in it. ``frame`` is :func:`lstm_lab.views.sweep_frame`; ``xs`` / ``ys`` the
    axis labels in order. With ``selectable`` a click selects a cell (param ``cell``)."""
    enc = dict(x=alt.X(f"{x_field}:O", sort=xs, scale=alt.Scale(domain=xs),
                       axis=alt.Axis(labelAngle=0)),
               y=alt.Y(f"{y_field}:O", sort=ys, scale=alt.Scale(domain=ys)))
    rect = alt.Chart(frame).mark_rect(stroke="white", cursor="pointer").encode(
        **enc, color=alt.Color("verdict:N", scale=alt.Scale(
            domain=list(VERDICT_COLORS), range=list(VERDICT_COLORS.values())),
            legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["verdict:N", "R²:Q", "flatness:Q", "best baseline R²:Q", "finding:N",
                 f"{x_field}:O", f"{y_field}:O"])
    if selectable:
        rect = rect.add_params(alt.selection_point(name="cell", fields=[x_field, y_field],
                                                   on="click"))
    # verdict and finding on two lines; black on the light cells, white on red: each
    # at least 4.5:1 on its cell's colour (WCAG AA)
    text = alt.Chart(frame).mark_text(fontSize=max(11, style.font_size - 3),
                                      lineBreak="\n").encode(
        **enc, text="label:N",
        color=alt.condition(alt.datum.verdict == "flat", alt.value("white"),
                            alt.value("black")))
    chart = alt.layer(rect, text).properties(
        height=60 + 48 * len(ys), autosize=FIT_X,
        description=sweep_text(frame, x_field, y_field, xs, ys))
    return _styled(chart, style)


def column_chart(name: str, role: str, t, values: np.ndarray, spikes: np.ndarray, split: int,
                 style: Style = NORMAL, height: int = 140):
    """One column of a data file over time, before training: the line, its gaps as pale
    red bands, its spikes (beyond 5 robust σ) as red dots, and a dashed rule where the
    test span begins.

    t : (n,) dates or numbers; values : (n,) with NaN for gaps; spikes : (n,) bool.
    """
    time_type = "T" if np.issubdtype(np.asarray(t).dtype, np.datetime64) else "Q"
    frame = pd.DataFrame({"t": t, "value": values})
    x = alt.X(f"t:{time_type}", title=None)
    line = alt.Chart(frame).mark_line(strokeWidth=max(1.0, style.line_width * 0.5),
                                      color=COLORS[0] if role == "target" else "#1f77b4"
                                      ).encode(x=x, y=alt.Y("value:Q", title=None,
                                                            scale=alt.Scale(zero=False)))
    layers = [line]
    gaps = frame[np.isnan(values)]
    if len(gaps):  # pale red bands across the plot: where the line is missing
        layers.insert(0, alt.Chart(gaps).mark_rule(color="#d62728", opacity=0.35,
                                                   strokeWidth=2).encode(
            x=x, tooltip=[alt.Tooltip(f"t:{time_type}", title="gap at")]))
    if spikes.any():
        layers.append(alt.Chart(frame[spikes]).mark_point(
            color="#d62728", filled=True, size=40).encode(x=x, y="value:Q"))
    if 0 < split < len(frame):
        layers.append(alt.Chart(frame.iloc[[split]]).mark_rule(
            strokeDash=[4, 3], color="#777777").encode(x=x))
    n_gaps, n_spikes = int(np.isnan(values).sum()), int(spikes.sum())
    title = f"{name} ({role}) — {n_gaps} gap{'s' * (n_gaps != 1)}, " \
            f"{n_spikes} spike{'s' * (n_spikes != 1)}"
    chart = alt.layer(*layers, title=title).properties(
        **_size(height, style, None), description=column_text(name, role, t, values, spikes,
                                                              split))
    return _styled(chart, style)


# --- text alternatives ---------------------------------------------------------------------
# Each chart also says what it shows in one sentence of numbers, for a screen reader (the
# app puts it in the spec's top-level ``description``, which Vega writes into the chart's
# aria-label). Built from the same arrays the chart gets; the scores are the badges' own.
FLAT_BELOW = 0.3  # metrics.FLAT_BELOW: a prediction this much flatter than the target is flat
# While a run trains, a live chart's sentence stays the same: a new description is a new
# spec, which the browser embeds afresh (a new SVG every redraw) where new data alone is
# swapped into the chart in place. The numbers come once the run has ended.
TRAINING = "training: the numbers follow when the run ends"


def _g(x: float) -> str:
    """A plotted value: 3 significant digits, no exponent for everyday magnitudes."""
    return f"{x:.3g}" if np.isfinite(x) else "n/a"


def _r2(x: float | None) -> str:
    from .text import num  # the badges' format

    return num(x)


def _swing(values: np.ndarray) -> tuple[float, float]:
    """(middle, half the range) of the finite values: "swings ±half around middle"."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if not len(v):
        return float("nan"), float("nan")
    lo, hi = float(v.min()), float(v.max())
    mid, half = (lo + hi) / 2, (hi - lo) / 2
    if half > 0:  # the middle to the swing's precision: "±1.5 around 0", not "-0.000312"
        mid = round(mid, 2 - int(np.floor(np.log10(half)))) + 0.0
    return mid, half


def forecast_text(name: str, target: np.ndarray, prediction: np.ndarray | None = None,
                  r2: float | None = None, flatness: float | None = None,
                  baselines_r2: Mapping[str, float | None] | None = None,
                  training: bool = False) -> str:
    """The forecast chart in words, e.g. "sine: prediction flat near 0.02 while the target
    swings ±1.5 around 0; R² 0.020 against mean 0.000, persistence 0.890."

    ``flatness`` (std of the prediction / std of the target) decides "flat" as the verdict
    does; without it the two ranges are compared. ``training``: the run is in flight, the
    sentence leaves the prediction out (see :data:`TRAINING`)."""
    mid, half = _swing(target)
    aim = f"the target swings ±{_g(half)} around {_g(mid)}"
    head = f"{name}: " if name else ""
    if training:
        return f"{head}{aim} over {len(target)} test steps; {TRAINING}."
    if prediction is None:
        return f"{head}{aim} over {len(target)} test steps; no prediction yet."
    pred = np.asarray(prediction, dtype=np.float64)
    if not np.isfinite(pred).any():
        return f"{head}{DIVERGED_TEXT}; {aim}."
    p_mid, p_half = _swing(pred)
    flat = flatness < FLAT_BELOW if flatness is not None else p_half < FLAT_BELOW * half
    said = (f"prediction flat near {_g(float(np.nanmedian(pred)))}" if flat else
            f"prediction swings ±{_g(p_half)} around {_g(p_mid)}")
    line = f"{head}{said} while {aim}"
    if r2 is not None or baselines_r2:
        against = ", ".join(f"{k} {_r2(v)}" for k, v in (baselines_r2 or {}).items())
        line += f"; R² {_r2(r2)}" + (f" against {against}" if against else "")
    return line + "."


def loss_text(train: Sequence[float], test: Sequence[float], epochs: int,
              training: bool = False) -> str:
    """The loss chart in words: "loss over 20 of 20 epochs: train 0.52 → 0.03; test 0.61 →
    0.05." First and last finite value of each curve; NaN/inf said as such.
    ``training``: the run is in flight (see :data:`TRAINING`)."""
    if training:
        return f"loss per epoch, train and test, log scale, over {epochs} epochs; {TRAINING}."
    if not len(train):
        return "loss: the loss appears after the first epoch."

    def curve(split: str, values: Sequence[float]) -> str:
        v = np.asarray(values, dtype=np.float64)
        ok = np.flatnonzero(np.isfinite(v))
        if not len(ok):
            return f"{split} NaN/inf from epoch 1"
        end = "" if ok[-1] == len(v) - 1 else f", NaN/inf from epoch {ok[-1] + 2}"
        return f"{split} {_g(v[ok[0]])} → {_g(v[ok[-1]])}{end}"

    return (f"loss over {len(train)} of {epochs} epochs: {curve('train', train)}; "
            f"{curve('test', test)}.")


def lr_find_text(found) -> str:
    """The range test in words: where the smoothed loss started, its lowest point, the
    suggestion."""
    ok = np.isfinite(found.losses) & (found.losses > 0)
    lrs, losses = found.lrs[ok], found.losses[ok]
    if not len(losses):
        return "Learning-rate range test: no finite loss to plot."
    i = int(np.argmin(losses))
    line = (f"Learning-rate range test, {len(losses)} steps from rate {lrs[0]:.2g} to "
            f"{lrs[-1]:.2g}: smoothed loss {_g(losses[0])} at the start, lowest "
            f"{_g(losses[i])} at rate {lrs[i]:.2g}, {_g(losses[-1])} at the end; ")
    return line + (f"suggested learning rate {found.suggestion:.2g} (a tenth of the best)."
                   if found.suggestion is not None else "the loss never fell: no suggestion.")


def sweep_text(frame: pd.DataFrame, x_field: str, y_field: str, xs: list[str],
               ys: list[str]) -> str:
    """The phase diagram in words: its axes, the verdict counts, then every cell
    (row by row) with its verdict, R² and the doctor's finding."""
    head = (f"Sweep of {x_field} across ({', '.join(xs)}) by {y_field} down "
            f"({', '.join(ys)}): {len(frame)} of {len(xs) * len(ys)} cells done")
    if not len(frame):
        return head + "."
    counts = frame["verdict"].value_counts()
    tally = ", ".join(f"{counts[v]} {v}" for v in VERDICT_COLORS if v in counts)
    cells = []
    for y in ys:
        for x in xs:
            row = frame[(frame[x_field] == x) & (frame[y_field] == y)]
            if len(row):
                r = row.iloc[0]
                r2 = r["R²"]
                cells.append(f"{x_field} {x}, {y_field} {y}: {r['verdict']}, R² "
                             f"{_r2(None if pd.isna(r2) else float(r2))}, {r['finding']}")
    return f"{head} ({tally}). " + "; ".join(cells) + "."


def column_text(name: str, role: str, t, values: np.ndarray, spikes: np.ndarray,
                split: int) -> str:
    """A data column in words: span, range, first and last value, gaps, spikes, where the
    test span begins."""
    v = np.asarray(values, dtype=np.float64)
    ok = np.flatnonzero(np.isfinite(v))
    t = np.asarray(t)

    def when(i: int) -> str:
        return str(t[i])[:10] if np.issubdtype(t.dtype, np.datetime64) else _g(float(t[i]))

    n_gaps, n_spikes = len(v) - len(ok), int(np.asarray(spikes).sum())
    line = f"{name} ({role}), {len(v)} rows"
    if len(ok):
        line += (f" from {when(0)} to {when(len(v) - 1)}: values from {_g(v[ok].min())} to "
                 f"{_g(v[ok].max())}, first {_g(v[ok[0]])}, last {_g(v[ok[-1]])}")
    line += f"; {n_gaps} gap{'s' * (n_gaps != 1)}, {n_spikes} spike{'s' * (n_spikes != 1)}"
    if 0 < split < len(v):
        line += f"; the test span starts at {when(split)}"
    return line + "."


def described(spec: dict, text: str) -> dict:
    """``spec`` (a Vega-Lite dict) with ``text`` as its description: Vega writes it into
    the chart's aria-label, what a screen reader says for the chart."""
    return {**spec, "description": text}
