"""Exports of a finished run parse back: CSV, JSON (same numbers on rerun), PNG, HTML."""

import io
import json
import re
import struct

import numpy as np
import pandas as pd
import pytest

from conftest import TINY, cli_json
from lstm_lab import ConfigError, ExperimentConfig, run_experiment
from lstm_lab.cli import main
from lstm_lab.doctor import diagnose
from lstm_lab.export import (chart_png, config_json, load_config, predictions_csv,
                             report_html)


@pytest.fixture(scope="module")
def result():
    return run_experiment(ExperimentConfig(**TINY, seed=5))


def test_predictions_csv_parses_back_to_the_run(result):
    frame = pd.read_csv(io.StringIO(predictions_csv(result)))
    assert list(frame.columns) == ["time", "target_name", "target", "prediction",
                                   *(f"{b}_baseline" for b in result.baselines)]
    assert len(frame) == len(result.test_index)
    np.testing.assert_array_equal(frame["time"], result.test_index)
    np.testing.assert_array_equal(frame["prediction"], result.predictions[:, 0])  # exact
    np.testing.assert_array_equal(frame["target"], result.y_test[:, 0])
    np.testing.assert_array_equal(frame["mean_baseline"], result.baselines["mean"][:, 0])


def test_multi_target_predictions_have_one_block_per_target():
    r = run_experiment(ExperimentConfig(**TINY, dataset="multiscale"))
    frame = pd.read_csv(io.StringIO(predictions_csv(r)))
    assert len(frame) == len(r.test_index) * len(r.target_names)
    assert tuple(frame["target_name"].unique()) == r.target_names
    for j, name in enumerate(r.target_names):
        np.testing.assert_array_equal(frame[frame.target_name == name]["prediction"],
                                      r.predictions[:, j])


def test_config_json_loads_back_and_reruns_to_the_same_numbers(result):
    text = config_json(result.config)
    assert json.loads(text) == result.config.to_dict()
    again = run_experiment(load_config(text))
    assert load_config(text) == result.config
    np.testing.assert_array_equal(again.predictions, result.predictions)
    assert again.targets[0].scores == result.targets[0].scores


@pytest.mark.parametrize("text,message", [
    ("", "empty"),
    ("   \n", "empty"),
    ("{", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('{"learning_rate": -1}', "learning_rate"),
    ('{"learning_rat": 0.1}', "unknown config field"),
    ('{"seq_len": 5000}', "seq_len"),
])
def test_a_bad_config_file_is_one_clear_message(text, message):
    with pytest.raises(ConfigError, match=message):
        load_config(text)


def test_chart_png_is_a_png_of_a_readable_size(result):
    png = chart_png(result)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert width >= 800 and 300 <= height <= width
    with pytest.raises(ConfigError, match="target 3 does not exist"):
        chart_png(result, target=3)


def test_report_is_one_offline_page_with_charts_numbers_and_findings():
    r = run_experiment(ExperimentConfig(**{**TINY, "learning_rate": 1e-5}))
    findings = diagnose(r)
    page = report_html(r, findings, title="<script>alert(1)</script> lesson")
    assert page.count("<svg") == 2  # prediction + loss charts, inline
    assert "<script" not in page.lower()  # the title is escaped; the page has no script
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing fetched
    assert f">{r.verdict}<" in page and f"{r.targets[0].scores.r2:.3f}" in page
    assert findings[0].code in page and findings[0].evidence[0].split()[0] in page
    assert json.loads(re.search(r"<pre>(.*?)</pre>", page, re.S).group(1)
                      .replace("&quot;", '"')) == r.config.to_dict()


def test_cli_report_writes_every_export_and_the_config_reruns(tmp_path, capsys):
    out = {k: tmp_path / name for k, name in
           (("html", "r.html"), ("png", "c.png"), ("csv", "p.csv"), ("json", "c.json"))}
    code = main(["report", "--preset", "lr_too_small", "--epochs", "3", "-o", str(out["html"]),
                 "--png", str(out["png"]), "--predictions", str(out["csv"]),
                 "--save-config", str(out["json"])])
    assert code == 0 and "verdict: " in capsys.readouterr().out
    assert "<svg" in out["html"].read_text() and out["png"].read_bytes()[:4] == b"\x89PNG"
    frame = pd.read_csv(out["csv"])
    rerun = cli_json("--config", str(out["json"]))
    assert rerun["config"] == json.loads(out["json"].read_text())
    r2 = 1 - ((frame.target - frame.prediction) ** 2).sum() / (
        (frame.target - frame.target.mean()) ** 2).sum()
    assert rerun["targets"][0]["r2"] == pytest.approx(r2, abs=1e-9)  # same numbers


@pytest.mark.parametrize("argv,message", [
    (["run", "--config", "/no/such/file.json"], "cannot read the config file"),
    (["run", "--config", "x.json", "--preset", "lr_too_small"], "not both"),
    (["report", "--preset", "lr_too_small"], "required: -o/--output"),
])
def test_cli_config_and_report_errors_are_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_report_with_the_doctor_hidden_says_nothing_of_the_finding():
    from lstm_lab.export import report_html

    result = run_experiment(ExperimentConfig(**{**TINY, "learning_rate": 1e-6}))
    shown = report_html(result, diagnose(result))
    hidden = report_html(result, None, doctor_shown=False)
    assert "lr_too_small" in shown and "The doctor" in shown
    assert "lr_too_small" not in hidden and "doctor" not in hidden.lower()
