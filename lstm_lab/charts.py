"""The lab's charts as Altair specs: the app draws them live, exports save them.

No Streamlit here. Tables come from :mod:`lstm_lab.views`; a :class:`Style` sets line
widths and font sizes (the app's presenter mode uses :data:`PRESENTER`).
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt

from . import views

SERIES = ["target", "prediction", "mean baseline", "persistence baseline"]
# the target dark, the prediction red; persistence (the target one step late) pale, so it
# never hides the target it almost equals
COLORS = ["#333333", "#d62728", "#1f77b4", "#a6d99a"]
DASHES = [[1, 0], [1, 0], [6, 4], [2, 3]]
# One colour per verdict (metrics.VERDICTS order: best to worst), for the sweep's cells
# and the exports: green, amber, orange, red, violet.
VERDICT_COLORS = {"learning": "#2ca02c", "weak": "#e6ac00", "unstable": "#ff7f0e",
                  "flat": "#d62728", "diverged": "#9467bd"}
# Fit the width, and give `height` to the plot itself (not to title + axes + legend).
FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")


@dataclass(frozen=True)
class Style:
    """Line widths and font sizes of every chart."""

    line_width: float = 2.0
    font_size: int = 11
    title_size: int = 13
    height_scale: float = 1.0


NORMAL = Style()
PRESENTER = Style(line_width=4.5, font_size=18, title_size=24, height_scale=1.4)


def _styled(chart: alt.Chart, style: Style) -> alt.Chart:
    return chart.configure_axis(labelFontSize=style.font_size, titleFontSize=style.font_size) \
        .configure_legend(labelFontSize=style.font_size, symbolStrokeWidth=style.line_width) \
        .configure_title(fontSize=style.title_size)


def prediction_chart(p: views.Preview, j: int, predictions, height: int = 220,
                     style: Style = NORMAL, width: int | None = None) -> alt.Chart:
    """Target j over the test span: target, prediction (clipped to fixed axes), baselines.

    predictions : (n_test, n_targets) original units, or None before the first epoch.
    """
    lo, hi = p.domain(j)
    frame = views.prediction_frame(p, j, predictions)
    chart = alt.Chart(frame, title=p.target_names[j]).mark_line(
        clip=True, strokeWidth=style.line_width).encode(
        x=alt.X("t:Q", title="time step",
                scale=alt.Scale(domain=[int(p.test_index[0]), int(p.test_index[-1])])),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(domain=[lo, hi])),
        color=alt.Color("series:N", scale=alt.Scale(domain=SERIES, range=COLORS),
                        legend=alt.Legend(orient="bottom", title=None)),
        strokeDash=alt.StrokeDash("series:N", scale=alt.Scale(domain=SERIES, range=DASHES),
                                  legend=None),
    )
    size = {"height": int(height * style.height_scale)}
    size.update({"width": width} if width else {"autosize": FIT_X})
    return _styled(chart.properties(**size), style)


def loss_chart(reports: list, epochs: int, style: Style = NORMAL,
               width: int | None = None) -> alt.Chart:
    """Train and test loss per epoch on a log axis."""
    chart = alt.Chart(views.loss_frame(reports), title="loss").mark_line(
        point=True, strokeWidth=style.line_width).encode(
        x=alt.X("epoch:Q", scale=alt.Scale(domain=[1, max(epochs, 2)])),
        y=alt.Y("loss:Q", scale=alt.Scale(type="log")),
        color=alt.Color("split:N", legend=alt.Legend(orient="bottom", title=None)),
    )
    size = {"height": int(140 * style.height_scale)}
    size.update({"width": width} if width else {"autosize": FIT_X})
    return _styled(chart.properties(**size), style)
