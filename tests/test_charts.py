"""Charts built once, data swapped: a live view's spec is the exported chart, less the
rebuilding."""

import json

import altair as alt
import numpy as np
import pandas as pd
import pytest

from lstm_lab import ExperimentConfig, charts, views


@pytest.fixture(scope="module")
def preview():
    return views.preview(ExperimentConfig(dataset="multiscale"))


def inline(chart) -> tuple[dict, list]:
    """An Altair chart as Streamlit's Altair path sends it (no theme), with each layer's
    data replaced by its rows."""
    with alt.theme.enable("none"):
        spec = chart.to_dict()
    spec.pop("$schema")
    datasets = spec.pop("datasets")
    rows = [datasets[layer.pop("data")["name"]] for layer in spec["layer"]]
    return spec, rows


def from_spec(spec: dict) -> tuple[dict, list]:
    spec = dict(spec)
    spec.pop("$schema")
    datasets = spec.pop("datasets")
    layers = [dict(layer) for layer in spec["layer"]]
    rows = [pd.DataFrame(datasets[layer.pop("data")["name"]]).to_dict("records")
            for layer in layers]
    return {**spec, "layer": layers}, rows


PREDICTIONS = {
    "none yet": lambda y: None,
    "close": lambda y: y + 1e-4,  # the two line ends nudged apart
    "diverged": lambda y: y * np.nan,
    "off the scale": lambda y: y * 5,
}


@pytest.mark.parametrize("case", list(PREDICTIONS))
@pytest.mark.parametrize("style", [charts.NORMAL, charts.PRESENTER], ids=["normal", "presenter"])
def test_the_live_spec_is_the_chart_with_its_data_swapped_in(preview, case, style):
    fc = charts.preview_forecast(preview, 1, 230, style)
    fc.spec(None)  # built once, before any prediction
    pred = PREDICTIONS[case](preview.y_test[:, 1])
    live, live_rows = from_spec(fc.spec(pred))
    made, made_rows = inline(charts.prediction_chart(
        preview, 1, None if pred is None else np.stack([pred] * 3, axis=1), 230, style))
    assert live == made
    assert live_rows == made_rows
    assert live["title"]["text"] == "small"
    note = {"diverged": charts.DIVERGED_TEXT,
            "off the scale": "the prediction leaves the scale: cut at the edge"}.get(case, " ")
    assert live["title"]["subtitle"] == note


def test_the_structure_is_built_once_and_never_changed(preview):
    fc = charts.preview_forecast(preview, 0, 230)
    first = fc.spec(None)
    frozen = json.dumps({k: v for k, v in first.items() if k != "datasets"})
    later = fc.spec(preview.y_test[:, 0] * np.nan)
    assert later["layer"] is first["layer"]  # shared, not rebuilt
    assert later["title"]["subtitle"] == charts.DIVERGED_TEXT
    assert json.dumps({k: v for k, v in first.items() if k != "datasets"}) == frozen


def test_line_ends_close_together_are_written_a_line_apart(preview):
    """The labels are nudged apart in the y scale's units: at least 1.2 lines of text."""
    fc = charts.preview_forecast(preview, 0, 230)
    _, labels, _ = fc.data(preview.y_test[:, 0] + 1e-4)
    labels = pd.DataFrame(labels).sort_values("value", ascending=False)
    upper, lower = labels["value"]
    apart_px = (upper - lower) / (fc.hi - fc.lo) * fc.plot_height
    assert apart_px == pytest.approx(1.2 * charts.NORMAL.font_size)
    assert list(labels["series"]) == ["prediction", "target"]


@pytest.mark.parametrize("train,test", [([], []), ([np.nan] * 2, [np.nan] * 2),
                                        ([1.0, 0.5, 0.2], [1.1, 0.6, 0.3])],
                         ids=["empty", "nan", "three epochs"])
def test_the_live_loss_spec_is_the_loss_chart(train, test):
    lc = charts.LossChart(20)
    lc.spec([], [])
    spec = dict(lc.spec(train, test))
    spec.pop("$schema")
    rows = pd.DataFrame(spec.pop("datasets")["loss"]).to_dict("records")
    assert spec.pop("data") == {"name": "loss"}
    with alt.theme.enable("none"):
        made = charts.loss_chart(train, test, 20).to_dict()
    made.pop("$schema")
    made_rows = made.pop("datasets")[made.pop("data")["name"]]
    assert spec == made
    assert rows == made_rows


def test_charts_of_one_look_share_a_structure_with_their_own_axes_and_title(preview):
    """Three targets: three titles and y ranges, one structure built (the first chart's
    axes never leak into the next)."""
    before = len(charts._STRUCTURES)
    looks = charts.Style(line_width=3.0)  # a look no other test uses
    for j in range(3):
        pred = preview.y_test[:, j] + 0.01
        live, live_rows = from_spec(charts.preview_forecast(preview, j, 200, looks).spec(pred))
        made, made_rows = inline(charts.prediction_chart(
            preview, j, np.stack([pred] * 3, axis=1), 200, looks))
        assert live == made and live_rows == made_rows
        assert live["title"]["text"] == preview.target_names[j]
    assert len(charts._STRUCTURES) == before + 1


def test_loss_domain_holds_every_run_and_skips_what_a_log_scale_cannot_draw():
    from lstm_lab.charts import LossChart, loss_domain

    assert loss_domain([], [float("nan")]) is None
    lo, hi = loss_domain([0.5, 0.2, float("inf")], [1.0, 0.0, 0.01])
    assert lo < 0.01 and hi > 1.0
    spec = LossChart(5).spec([0.5, 0.2], [0.6, 0.3], (lo, hi))
    assert spec["encoding"]["y"]["scale"]["domain"] == [lo, hi]
    assert "domain" not in LossChart(5).spec([0.5], [0.6])["encoding"]["y"]["scale"]
