"""AppTest: every page renders, the sliders drive the run, charts carry the right data."""

import json
import os
import re
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from lstm_lab import ExperimentConfig, run_experiment
from lstm_lab.modes import MODES, get_mode
from lstm_lab.presets import get_preset

os.environ["LSTM_LAB_RUNNER"] = "inprocess"  # runs on a thread of the test process
ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
# every page of the menu: the tools, one page per failure mode (from the registry), help
PAGES = ["pages/playground.py", "pages/data.py", "pages/sweep.py", "pages/about.py",
         *(f"pages/{m.slug}.py" for m in MODES)]


def open_app(page: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    for k, v in query.items():
        at.query_params[k] = v
    if page:
        at.switch_page(page)
    return at.run()


def charts(at: AppTest) -> list[tuple[dict, dict]]:
    """(Vega-Lite spec, {dataset name: DataFrame}) for every chart on the page."""
    out = []
    for el in at.get("vega_lite_chart"):
        frames = {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for d in el.proto.datasets}
        out.append((json.loads(el.proto.spec), frames))
    return out


def layers(spec: dict) -> list[dict]:
    """Every single-view spec in a (possibly layered) chart."""
    return [x for layer in spec.get("layer", [spec]) for x in layers(layer)] \
        if "layer" in spec else [spec]


def enc(spec: dict, channel: str) -> dict:
    """The first layer's encoding of ``channel`` (layers share their scales)."""
    return next(layer["encoding"][channel] for layer in layers(spec)
                if channel in layer.get("encoding", {}))


def line_width(spec: dict, series: str) -> float:
    """strokeWidth of the layer that draws one series (filtered by name)."""
    for layer in layers(spec):
        mark = layer.get("mark", {})
        if mark.get("type") == "line" and series in json.dumps(layer.get("transform", [])):
            return mark["strokeWidth"]
    raise AssertionError(f"no line layer for {series}")


def series_names(chart) -> set:
    _, frames = chart
    return set().union(*(set(f["series"]) for f in frames.values() if "series" in f))


def captions(at: AppTest) -> list[str]:
    """Every caption as displayed (Markdown escapes gone)."""
    return [c.value.replace("\\", "") for c in at.caption]


def ran(config: ExperimentConfig) -> bool:
    from ui.live import get_runner

    return get_runner().cached(config) is not None


def texts(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown).replace("\\", "")


def knobs(at: AppTest) -> dict[str, bool]:
    """Every Playground control (widget key pg_<field>): label -> disabled."""
    return {w.label: w.disabled for kind in CONTROL_KINDS for w in at.get(kind)
            if (w.key or "").startswith("pg_")}


def tab_labels(at: AppTest) -> list[str]:
    return [t.label for t in at.tabs]


CONTROL_KINDS = ("slider", "select_slider", "selectbox", "toggle", "number_input")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(page):
    at = open_app(page)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title


def test_the_menu_is_built_from_the_failure_mode_registry():
    """One page file per registry entry, and no page file that is not in the menu."""
    files = {p.name for p in (ROOT / "pages").glob("*.py") if p.name != "__init__.py"}
    assert files == {Path(p).name for p in PAGES}
    at = open_app("pages/lr_too_small.py")
    assert at.title[0].value == get_mode("lr_too_small").title


def test_playground_trains_the_default_config_and_puts_it_in_the_url():
    at = open_app()
    assert not at.exception
    assert any("Epoch 20/20" in c and "finished" in c for c in captions(at))
    assert at.query_params["learning_rate"] == "0.001"
    assert ExperimentConfig.from_dict(dict(at.query_params)) == ExperimentConfig()
    assert ran(ExperimentConfig())


@pytest.mark.parametrize("key,value,field,start", [
    ("pg_learning_rate", 1e-5, "learning_rate", {}),
    ("pg_batch_size", 8, "batch_size", {}),
    ("pg_feature_scale_ratio", 100.0, "feature_scale_ratio", {"dataset": "multiscale"}),
    ("pg_seq_len", 20, "seq_len", {}),
])
def test_each_main_slider_changes_the_config_that_runs(key, value, field, start):
    at = open_app(epochs="3", **start)
    widget = at.select_slider(key=key) if field != "seq_len" else at.slider(key=key)
    assert not widget.disabled
    widget.set_value(value).run()
    assert not at.exception
    expected = ExperimentConfig(epochs=3, **start).replace(**{field: value})
    assert float(at.query_params[field]) == value
    assert ran(expected)


def test_feature_scale_ratio_is_live_on_the_default_series():
    """The knob is never greyed out on the first screen: on the one-column default series,
    moving it switches to the three-column series with raw columns (one line says so), and
    at its extreme every target of the run goes flat."""
    at = open_app(epochs="5")
    ratio = at.select_slider(key="pg_feature_scale_ratio")
    assert not ratio.disabled and "(multiscale)" not in ratio.label
    ratio.set_value(1e5).run()
    assert not at.exception
    assert at.query_params["dataset"] == "multiscale"
    assert at.query_params["scale_inputs"] == "false"
    assert at.toggle(key="pg_scale_inputs").value is False  # the scaling, shown beside it
    assert any("switched to the *multiscale* series" in c for c in captions(at))
    assert ran(ExperimentConfig(epochs=5, dataset="multiscale", feature_scale_ratio=1e5,
                                scale_inputs=False))
    assert re.findall(r"\[(\w+): (\w+)", " ".join(verdicts(at))) == [
        ("large", "flat"), ("small", "flat"), ("noise", "flat")]


def test_prediction_chart_carries_targets_predictions_and_baselines():
    at = open_app()
    preds, loss = charts(at)
    assert series_names(preds) == {"target", "prediction", "mean baseline",
                                   "persistence baseline"}
    spec = preds[0]
    # fixed axes: explicit domains, so nothing jumps between epochs
    assert len(enc(spec, "y")["scale"]["domain"]) == 2
    assert len(enc(spec, "x")["scale"]["domain"]) == 2
    assert enc(loss[0], "y")["scale"]["type"] == "log"
    assert enc(loss[0], "x")["scale"]["domain"] == [1, 20]


def test_multiscale_gets_one_chart_per_target():
    at = open_app(dataset="multiscale", feature_scale_ratio="1000")
    pred_charts = [c for c in charts(at) if enc(c[0], "color")["field"] == "series"]
    # each target's chart, its verdict beside its title once the run has ended
    assert [c[0]["title"]["text"] for c in pred_charts] == [
        "large — learning", "small — learning", "noise — flat (pure noise)"]
    assert any("pure noise" in m.value for m in at.markdown)


def test_shared_link_reproduces_the_same_numbers():
    at = open_app(learning_rate="1e-05", seed="3", epochs="5")
    table = at.dataframe[0].value
    alone = run_experiment(ExperimentConfig(learning_rate=1e-5, seed=3, epochs=5))
    assert table["R²"][0] == alone.targets[0].scores.r2
    assert table["flatness"][0] == alone.targets[0].scores.flatness


def test_bad_query_string_shows_a_notice_and_falls_back():
    at = open_app(learning_rate="fast", seq_len="5000", colour="red")
    assert not at.exception
    notice = at.warning[0].value.replace("\\", "")  # as displayed, Markdown escapes gone
    assert "learning_rate must be a number (1e-07 … 10), got 'fast'" in notice
    assert "unknown setting 'colour' ignored" in notice
    assert "seq_len = 5000 is out of range" in notice
    assert at.query_params["learning_rate"] == "0.001"


def test_stop_halts_and_does_not_restart_until_asked():
    at = open_app(epochs="3")
    at.button[0].click().run()  # Stop
    assert any("Stopped" in i.value for i in at.info)
    at.button[1].click().run()  # Run again
    assert not at.info and any("finished" in c for c in captions(at))


BROKEN_BADGE = {"missing_values": "violet", "outliers": "orange", "spurious_feature": "orange"}


@pytest.mark.parametrize("slug", [m.slug for m in MODES])
def test_failure_page_runs_broken_and_fix_side_by_side(slug):
    mode = get_mode(slug)
    broken, fixed = mode.preset_names(mode.pairs[0])
    at = open_app(f"pages/{slug}.py")
    assert not any("Epoch" in c for c in captions(at))  # no clock before the run is asked
    assert sum("Not run yet" in c for c in captions(at)) == 2
    at.button(key=f"{slug}_run").click().run()
    assert not at.exception
    badges = " ".join(m.value for m in at.markdown if "-badge[" in m.value)
    assert f":{BROKEN_BADGE.get(slug, 'red')}-badge[" in badges and ":green-badge[" in badges
    assert sum("finished" in c or "diverged" in c for c in captions(at)) == 2
    assert ran(get_preset(broken).config) and ran(get_preset(fixed).config)
    # a Doctor panel under each side: the broken side names its mode, the fixed is healthy
    doctor = texts(at)
    assert "Doctor" in doctor and f"· {slug}" in doctor and "· healthy" in doctor
    # phones stack the two runs: the story never points left or right
    assert not re.search(r"\((left|right)\)|(left|right)-hand|on the (left|right)", mode.story)


def test_playground_apply_fix_sets_the_knobs_and_keeps_before_after():
    at = open_app(learning_rate="1e-05")
    assert "· lr_too_small" in texts(at)
    fix = at.button(key="pg_fix_0")
    assert fix.label == "Apply fix: Learning rate 1e-05 → 0.001"  # the knob's own words
    fix.click().run()
    assert not at.exception
    # the fix applies: URL and widget change, the knob is marked, the next run keeps it
    assert at.query_params["learning_rate"] == "0.001"
    lr = at.select_slider(key="pg_learning_rate")
    assert lr.value == 1e-3 and "changed by the fix" in lr.label
    page = texts(at)
    assert "**Before / after the fix** · lr_too_small" in page
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert any(":red-badge[sine: flat]" in b for b in badges)  # before
    # the run after the fix is the Playground's own run, beside the run before it
    assert sum(":green-badge[sine: learning]" in b for b in badges) == 1
    assert "**After: Learning rate 1e-05 → 0.001**" in page
    assert ran(ExperimentConfig(learning_rate=1e-3))
    at.slider(key="pg_seq_len").set_value(40).run()  # another knob: the fix stays applied
    assert at.query_params["learning_rate"] == "0.001" and at.query_params["seq_len"] == "40"


def test_apply_fix_opens_the_group_that_holds_the_knob():
    at = open_app(missing_share="0.05", epochs="3")
    assert "· missing_values" in texts(at)
    closed = [e for e in at.expander if e.label == "Fix or break the data"]
    assert closed and not closed[0].proto.expanded
    at.button(key="pg_fix_0").click().run()
    assert at.query_params["impute"] == "true" and at.toggle(key="pg_impute").value
    group = [e for e in at.expander if e.label == "Fix or break the data"][0]
    assert group.proto.expanded
    assert "changed by the fix" in at.toggle(key="pg_impute").label


def test_failure_page_apply_fix_opens_the_playground_with_the_fix():
    at = open_app("pages/missing_values.py")
    at.button(key="missing_values_run").click().run()
    assert "· missing_values" in texts(at)
    fix = at.button(key="missing_values_a_fix_0")
    assert fix.label == "Apply fix: turn on Fill missing inputs"
    fix.click().run()
    assert not at.exception
    assert at.title[0].value == "Playground"
    assert at.query_params["impute"] == "true" and at.query_params["missing_share"] == "0.05"
    assert at.toggle(key="pg_impute").value
    assert "**Before / after the fix** · missing_values" in texts(at)


def test_weak_verdict_is_amber_and_agrees_with_the_doctor():
    """R² 0.45 against persistence 0.89: not 'learning' any more, and the doctor says why."""
    at = open_app(learning_rate="2e-05")
    badges = " ".join(m.value for m in at.markdown if "-badge[" in m.value)
    assert ":yellow-badge[sine: weak]" in badges and "green-badge" not in badges
    assert "· lr_too_small" in texts(at)
    assert at.dataframe[0].value["verdict"][0] == "weak"
    assert ":green-badge[sine: learning]" in " ".join(
        m.value for m in open_app().markdown)  # the default stays learning


def test_a_diverged_run_says_so_instead_of_drawing_a_line():
    at = open_app(missing_share="0.05", epochs="3")
    pred = next(c for c in charts(at) if c[0].get("title", {}).get("text") == "sine — diverged")
    assert pred[0]["title"]["subtitle"] == "diverged — no prediction"
    lines = next(f for f in pred[1].values() if "order" in f)  # the lines' own data
    assert "prediction" not in set(lines["series"])  # no line pinned to the top
    assert {"target", "mean baseline"} <= set(lines["series"])
    texts_drawn = {t for _, fs in charts(at) for f in fs.values() if "text" in f
                   for t in f["text"]}
    assert "no finite loss to plot: it was NaN/inf from epoch 1 on" in texts_drawn
    assert ":violet-badge[sine: diverged — no prediction]" in " ".join(
        m.value for m in at.markdown)


def test_unpredictable_target_gets_no_fix_button():
    at = open_app(noise="6", epochs="5")
    assert "· unpredictable_target" in texts(at)
    assert not [b for b in at.button if b.key and b.key.startswith("pg_fix_")]
    assert any("honest answer" in c for c in captions(at))


def test_lr_finder_suggests_a_rate_and_applies_it():
    at = open_app(learning_rate="1e-05")
    next(b for b in at.button if b.label == "Find a learning rate").click().run()
    assert not at.exception
    use = at.button(key="lr_use")
    assert use.label.startswith("Use the suggestion") and "→" in use.label
    frames = [f for _, fs in charts(at) for f in fs.values()]
    assert any("smoothed loss" in f and len(f) > 20 for f in frames)
    use.click().run()
    lr = at.select_slider(key="pg_learning_rate").value
    assert 1e-4 <= lr <= 0.1 and float(at.query_params["learning_rate"]) == lr
    assert ran(ExperimentConfig(learning_rate=lr))


GOOD_CSV = ("t,y\n" + "".join(f"{i},{(i % 20) / 10:.2f}\n" for i in range(300))).encode()


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.radio(key="data_kind").set_value("Upload a CSV").run()
    at.file_uploader(key="data_file").set_value((name, data, "text/csv"))
    return at.run()


def test_data_page_shows_the_shipped_series_preflight_and_hands_it_to_the_playground():
    at = open_app("pages/data.py")
    assert not at.exception
    assert "public domain" in " ".join(captions(at))
    table = at.dataframe[0].value
    assert table["column"][0] == "co2_ppm" and 50 <= table["season (steps)"][0] <= 54
    assert any("missing values" in w.value for w in at.warning)
    # the series is plotted before any training: the line, its 59 gaps marked
    spec, frames = next(c for c in charts(at) if "co2_ppm" in json.dumps(c[0].get("title")))
    assert "59 gaps" in json.dumps(spec["title"])
    gaps = [layer for layer in layers(spec) if layer["mark"]["type"] == "rule"
            and len(frames.get(layer["data"]["name"], [])) == 59]
    assert gaps  # one pale band per gap, across the plot
    assert max(len(f) for f in frames.values()) == 2284
    at.button[0].click().run()  # Train on this data in the Playground
    assert not at.exception
    assert at.query_params["dataset"] == "csv" and at.query_params["csv_source"] == "co2"
    assert at.query_params["n_steps"] == "2284"
    assert any("Your data: co2 (shipped" in c and "2284 rows" in c for c in captions(at))
    # the first run starts with pre-flight's repairs (gaps filled, changes of the trend
    # modelled), said under the file's name, and it trains rather than diverging
    assert at.query_params["impute"] == "true" and at.query_params["difference"] == "true"
    assert any("Set for your file by pre-flight: Turn on Fill missing inputs; Turn on Model "
               "changes" in c for c in captions(at)), captions(at)
    # the forecast's time axis holds the file's dates
    spec = next(c[0] for c in charts(at) if "co2_ppm" in json.dumps(c[0].get("title")))
    assert '"t", "type": "temporal"' in json.dumps(spec) and '"title": "date"' in json.dumps(spec)
    # knobs that do nothing for a file are not shown
    assert not {"Noise", "Period (steps)", "Series length"} & set(knobs(at))
    assert not any(k.startswith("Feature scale ratio") for k in knobs(at))


def test_data_page_one_click_fix_from_a_warning():
    at = open_app("pages/data.py")
    fix = next(b for b in at.button if b.key and b.key.startswith("data_fix_")
               and "Fill missing inputs" in b.label)
    assert fix.label == "Turn on Fill missing inputs"
    fix.click().run()
    assert not any("missing values" in w.value for w in at.warning)
    assert at.session_state["pg"]["impute"] is True


DECIMAL_COMMA = ("datum;verkauf\n" + "".join(
    f"2024-01-{1 + i % 28:02d} {i // 28:02d}:00;{50 + (i % 12) / 7:.3f}\n".replace(".", ",")
    for i in range(300))).encode()


def test_decimal_comma_upload_is_read_and_named_by_its_file():
    at = upload(open_app("pages/data.py", epochs="2"), "umsatz.csv", DECIMAL_COMMA)
    assert not at.exception and not at.error
    assert any("decimal comma" in m.value for m in at.markdown), [m.value for m in at.markdown]
    assert any("umsatz.csv" in c for c in captions(at))
    table = at.dataframe[0].value
    assert list(table["column"]) == ["verkauf"] and table["std (train)"][0] > 0.3
    at.button[0].click().run()  # train on it
    assert not at.exception
    assert any("Your data: umsatz.csv" in c for c in captions(at))
    assert any("finished" in c for c in captions(at))


def test_uploaded_csv_trains_in_the_playground():
    at = upload(open_app("pages/data.py", epochs="3"), "mine.csv", GOOD_CSV)
    assert not at.exception and not at.error
    at.button[0].click().run()
    assert at.query_params["csv_source"].startswith("upload:")
    assert any("finished" in c for c in captions(at))
    assert any("Your data: mine.csv" in c for c in captions(at))  # its name, not a hash


@pytest.mark.parametrize("data,message", [
    (b"", "the file is empty"),
    (b"\x00\x01\x02binary", "not a CSV text file"),
    (b"a,caf\x81\n1,2\n", "the file is not UTF-8 text"),
    (b"t,y\n", "the file has a header but no data rows"),
    (b"name,city\nann,paris\nbob,rome\n", "the file has no numeric column to predict"),
    (b"y\n1\n2\n3\n", "the file has 3 rows"),
])
def test_bad_upload_shows_one_message_and_keeps_the_session(data, message):
    at = open_app("pages/data.py", learning_rate="0.0002")
    at = upload(at, "bad.csv", data)
    assert not at.exception
    assert message in at.error[0].value.replace("\\", "")
    assert at.session_state["pg"]["learning_rate"] == 0.0002  # nothing else lost


def test_markup_in_file_and_column_names_is_shown_as_text():
    name = "<script>alert('x')</script>.csv"
    data = ("t,<b>sales</b>,<img src=x onerror=alert(1)>\n"
            + "".join(f"{i},{i % 9},{i % 4}\n" for i in range(300))).encode()
    at = upload(open_app("pages/data.py"), name, data)
    assert not at.exception
    shown = [c.value for c in at.caption if "File:" in c.value][0]
    assert "<script>" not in shown and "\\<script\\>" in shown  # escaped Markdown
    targets = at.multiselect[0]  # "Target column(s)"
    # widget options and table cells are plain text in the browser, never HTML
    assert {"<b>sales</b>", "<img src=x onerror=alert(1)>"} <= set(targets.options)
    targets.set_value(["<b>sales</b>"]).run()
    assert list(at.dataframe[0].value["column"]) == ["<b>sales</b>"]


def test_playground_shows_preflight_warnings_and_tips_before_the_run():
    at = open_app(dataset="seasonal", period="200", noise="1.5", horizon="50", n_steps="2000",
                  seq_len="10", epochs="2")
    # a longer window is a tip (blue), not a warning: the doctor's own measurement, which
    # it confirms after the run
    assert "Pre-flight: ok · 1 tip" in tab_labels(at)
    assert any("with the 10-step window but" in i.value.replace("\\", "") for i in at.info)
    fix = at.button(key="pf_fix_0")
    assert fix.label.startswith("Set Sequence length to ")  # one click, the knob's words
    fix.click().run()
    assert at.query_params["seq_len"] != "10" and "Pre-flight: ok" in tab_labels(at)
    assert "Pre-flight: ok" in tab_labels(open_app(epochs="2"))
    # what will go wrong is a warning, counted
    gaps = open_app(missing_share="0.05", epochs="2")
    assert "Pre-flight: 1 warning" in tab_labels(gaps)
    assert any("without Fill missing inputs the loss will be NaN" in w.value for w in gaps.warning)


def test_sweep_page_fills_the_heatmap_and_links_each_cell_to_the_playground():
    at = open_app("pages/sweep.py", epochs="3")
    at.text_input(key="sw_xr").set_value("1e-5,1e-2").run()
    at.text_input(key="sw_yr").set_value("32,64").run()
    at.button[0].click().run()  # Run sweep
    assert not at.exception
    frames = [f for _, fs in charts(at) for f in fs.values() if "verdict" in f]
    cells = frames[-1]
    assert len(cells) == 4 and set(cells["verdict"]) == {"flat", "learning"}
    assert set(cells.loc[cells["verdict"] == "flat", "finding"]) == {"lr_too_small"}
    link = cells.loc[(cells["learning_rate"] == "1e-05") & (cells["batch_size"] == "64"),
                     "url"].iloc[0]
    query = dict(p.split("=", 1) for p in link.split("?", 1)[1].split("&"))
    assert ExperimentConfig.from_dict(query) == ExperimentConfig(
        learning_rate=1e-5, batch_size=64, epochs=3)
    assert "4/4 cells in" in at.get("progress")[0].proto.text
    assert all(ran_cell(ExperimentConfig(learning_rate=lr, batch_size=b, epochs=3))
               for lr in (1e-5, 1e-2) for b in (32, 64))


def ran_cell(config):
    from lstm_lab.jobs import SweepCell
    from ui.live import get_runner

    return get_runner().cached(config, SweepCell("learning_rate", "batch_size")) is not None


def test_sweep_page_bad_range_is_one_message():
    at = open_app("pages/sweep.py")
    at.text_input(key="sw_xr").set_value("1:2:log:11").run()
    at.text_input(key="sw_yr").set_value("1:100:lin:10").run()
    assert not at.exception
    assert "110 cells; at most 100" in at.error[0].value


@pytest.mark.parametrize("query", [
    {"learning_rate": "1.0"}, {"learning_rate": "1e-06"}, {"batch_size": "1"},
    {"batch_size": "256"}, {"dataset": "multiscale", "feature_scale_ratio": "100000.0",
                            "scale_inputs": "false"},
    {"seq_len": "1"}, {"seq_len": "300"}, {"horizon": "100"}, {"noise": "3.0"},
    {"units": "2"}, {"units": "128"}, {"optimizer": "sgd", "learning_rate": "1.0"},
    {"missing_share": "0.5"}, {"outlier_share": "0.2"},
], ids=lambda q: ",".join(f"{k}={v}" for k, v in q.items()))
def test_slider_extremes_end_in_a_result_never_a_traceback(query):
    at = open_app(**{"epochs": "3", **query})
    assert not at.exception and not at.error
    assert any("finished" in c or "diverged" in c for c in captions(at))
    assert "Doctor" in texts(at)


# --- the teaching kit -------------------------------------------------------------
def test_lesson_link_hides_exactly_the_named_controls_and_locks_the_preset():
    full = knobs(open_app())
    at = open_app(preset="window_too_short", lock="true", noise_hide="true", epochs_hide="true",
                  note="Watch the <b>red</b> line")
    assert not at.exception
    shown = knobs(at)
    assert set(shown) == set(full) - {"Noise", "Epochs"}  # exactly those two are gone
    preset = get_preset("window_too_short")
    assert at.query_params["noise"] == "1.5"  # a hidden control keeps its (preset's) value
    assert ExperimentConfig.from_dict(
        {k: v for k, v in at.query_params.items()
         if k in ExperimentConfig().to_dict()}) == preset.config  # the preset is what ran
    locked = {label for label, disabled in shown.items() if disabled}
    assert locked == {"Dataset", "Sequence length", "Horizon (steps ahead)",
                      "Period (steps)", "Series length",
                      "Feature scale ratio"}  # the preset's; the ratio needs the dataset
    assert ":material/lock: The lesson holds these — locked: Dataset, Horizon (steps ahead), "\
           "Noise, Period (steps), Sequence length, Series length." in captions(at)
    assert any("Watch the \\<b\\>red\\</b\\> line" in i.value for i in at.info)  # as text
    assert "Build a lesson link" not in tab_labels(at) and "Import a config" not in tab_labels(at)
    # the address bar names no preset: its values are config fields, its locks knob names
    assert at.query_params["noise_hide"] == "true" and "preset" not in at.query_params
    assert at.query_params["lock"] == "dataset,horizon,n_steps,noise,period,seq_len"


def test_lesson_lock_names_its_knobs_and_hides_the_answer_panels():
    at = open_app(preset="window_too_short", lock="horizon,epochs", seq_len="12",
                  doctor_hide="true", preflight_hide="true", epochs="3")
    assert not at.exception
    disabled = {label for label, off in knobs(at).items() if off}
    assert disabled == {"Horizon (steps ahead)", "Epochs"}
    assert at.slider(key="pg_seq_len").value == 12  # the knob that fixes it stays free
    line = next(c for c in captions(at) if "The lesson holds these" in c)
    assert "locked: Epochs, Horizon (steps ahead)" in line
    assert "hidden: Doctor, Pre-flight check" in line
    assert "Doctor" not in texts(at) and not any("Apply fix" in b.label for b in at.button)
    assert not any(t.startswith("Pre-flight") for t in tab_labels(at))
    assert any("finished" in c for c in captions(at))
    assert at.query_params["lock"] == "epochs,horizon" and at.query_params["doctor_hide"] == "true"
    # the named locks hold: the widget is disabled and the link's value is what runs
    assert at.query_params["horizon"] == "50" and at.query_params["epochs"] == "3"


def test_a_locked_knob_cannot_be_overridden_by_the_link():
    at = open_app(preset="window_too_short", lock="true", seq_len="200", bogus_hide="true")
    assert at.query_params["seq_len"] == "10"
    warning = " ".join(w.value for w in at.warning)
    assert "locked by the lesson" in warning and "cannot hide" in warning


def test_lesson_builder_writes_a_link_that_opens_that_lesson():
    from urllib.parse import parse_qsl, urlsplit

    at = open_app(learning_rate="0.0002")
    at.multiselect(key="lb_hide").set_value(["batch_size", "seed"]).run()
    at.multiselect(key="lb_lockf").set_value(["epochs"]).run()
    at.multiselect(key="lb_panels").set_value(["doctor"]).run()
    at.text_area(key="lb_note").input("Lower the learning rate and watch").run()
    at.checkbox(key="lb_presenter").check().run()
    link = next(c.value for c in at.code if "_hide=" in c.value)
    query = dict(parse_qsl(urlsplit(link).query))
    assert query == {"learning_rate": "0.0002", "batch_size_hide": "true",
                     "seed_hide": "true", "doctor_hide": "true", "lock": "epochs",
                     "presenter": "true", "note": "Lower the learning rate and watch"}
    student = open_app(**query)
    assert set(knobs(at)) - set(knobs(student)) == {"Batch size", "Seed"}
    assert knobs(student)["Epochs"] is True  # locked
    assert student.toggle(key="presenter").value is True
    assert student.query_params["learning_rate"] == "0.0002"


def test_presenter_mode_is_one_toggle_kept_in_the_url_with_thick_lines():
    at = open_app(presenter="true")
    assert at.toggle(key="presenter").value is True
    assert at.query_params["presenter"] == "true"
    spec, _ = charts(at)[0]
    assert line_width(spec, "prediction") >= 4 and spec["config"]["axis"]["labelFontSize"] >= 20
    assert spec["config"]["legend"]["labelFontSize"] >= 20
    assert any("font-size" in h.proto.body for h in at.get("html"))
    at.toggle(key="presenter").set_value(False).run()
    assert "presenter" not in at.query_params
    spec, _ = charts(at)[0]
    assert line_width(spec, "prediction") == 2.5 and spec["config"]["axis"]["labelFontSize"] >= 14


def test_walkthrough_steps_back_and_next_with_a_hidden_answer():
    guide = get_mode("lr_too_small")
    at = open_app("pages/lr_too_small.py", walkthrough="true")
    assert not at.exception

    def texts():
        return " ".join(m.value for m in [*at.markdown, *at.success, *at.caption])

    assert "Step 1 of 4" in at.get("progress")[0].proto.text
    assert len(verdicts(at)) == 1  # the broken run alone
    at.button(key="lr_too_small_next").click().run()
    assert guide.question in texts() and guide.answer not in texts()
    at.button(key="lr_too_small_reveal").click().run()
    assert guide.answer in texts()
    at.button(key="lr_too_small_next").click().run()
    assert [re.search(r"\[\w+: (\w+)", v).group(1) for v in verdicts(at)] == ["flat", "learning"]
    at.button(key="lr_too_small_back").click().run()
    assert guide.answer in texts()  # the step and the revealed answer live in the session
    at.button(key="lr_too_small_next").click().run()
    at.button(key="lr_too_small_next").click().run()
    assert guide.takeaway in texts() and "Step 4 of 4" in at.get("progress")[0].proto.text
    assert at.button(key="lr_too_small_next").disabled


def verdicts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if "flatness" in m.value and "badge[" in m.value]


def test_every_failure_mode_has_a_page_a_walkthrough_and_its_presets():
    from lstm_lab.lesson import PAGES
    from lstm_lab.presets import PRESETS

    for m in MODES:
        assert (ROOT / "pages" / f"{m.slug}.py").exists() and PAGES[m.slug] == m.title
        assert m.question and m.answer and m.takeaway
        for pair in m.pairs:
            broken, fixed = m.preset_names(pair)
            assert PRESETS[broken].mode == PRESETS[fixed].mode == m.slug


def test_finished_run_offers_the_four_exports():
    at = open_app(epochs="3")
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Predictions CSV", "Config JSON", "Chart PNG", "HTML report"]


def test_import_box_loads_a_config_and_refuses_a_bad_one():
    at = open_app()
    at.text_area(key="imp_text").input('{"learning_rate": 0.0005, "seq_len": 30}').run()
    at.button(key="imp_go").click().run()
    assert not at.exception
    assert at.query_params["learning_rate"] == "0.0005" and at.query_params["seq_len"] == "30"
    at.text_area(key="imp_text").input('{"seq_len": -3').run()
    at.button(key="imp_go").click().run()
    assert any("cannot be loaded" in e.value for e in at.error)
    assert at.query_params["seq_len"] == "30"  # nothing lost


def test_charts_redraw_less_often_the_longer_the_queue():
    """With nobody waiting a running panel redraws every tick; with runs queued behind it,
    less often (the server's Python renders every session), never slower than once a second."""
    from ui.live import redraw_gap

    gaps = [redraw_gap(waiting, 0.15) for waiting in range(12)]
    assert gaps[0] == 0.15
    assert gaps == sorted(gaps) and gaps[1] > gaps[0]
    assert max(gaps) == 1.0


def test_paired_runs_share_one_loss_scale_and_say_their_verdict_by_the_title():
    """Broken and fixed side by side: one y range for both loss curves (on two ranges the
    lower loss can be drawn higher), and each chart's title names its verdict."""
    at = open_app("pages/lr_too_small.py")
    at.button(key="lr_too_small_run").click().run()
    assert not at.exception
    specs = [spec for spec, _ in charts(at)]
    losses = [s["encoding"]["y"]["scale"] for s in specs
              if s.get("encoding", {}).get("y", {}).get("field") == "loss"]
    assert len(losses) == 2 and losses[0]["domain"] == losses[1]["domain"]
    assert losses[0]["type"] == "log"
    titles = [s["title"]["text"] for s in specs if "layer" in s]
    assert titles == ["sine — flat", "sine — learning"]


def test_a_lesson_link_saved_before_the_presets_were_renamed_still_opens_its_preset():
    at = open_app(preset="tiny-lr", lock="true", epochs="3")
    assert not at.exception and not at.warning  # no "unknown preset" notice
    assert at.query_params["learning_rate"] == "1e-05" and "preset" not in at.query_params
    assert at.select_slider(key="pg_learning_rate").disabled  # the preset's knob, locked
