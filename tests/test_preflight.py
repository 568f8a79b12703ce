"""Pre-flight agrees with the doctor, reads seasons as a calendar has them, and the first run
on a user's file trains (issue 24, items 3 and 5)."""

import sys
from pathlib import Path

import numpy as np
import pytest

from lstm_lab import ExperimentConfig, run_experiment, signals
from lstm_lab.presets import PRESETS
from lstm_lab.preflight import first_run, preflight
from lstm_lab.tabular import fit_config, guess_time_column, parse_csv

EXPORTS = Path(__file__).resolve().parent / "data" / "exports"
sys.path.insert(0, str(EXPORTS))
from test_exports import READ  # noqa: E402


def csv_config(tmp_path, name: str, **knobs) -> ExperimentConfig:
    path = tmp_path / name
    path.write_bytes((EXPORTS / name).read_bytes())
    time = guess_time_column(parse_csv(path.read_bytes()))
    return fit_config(ExperimentConfig(dataset="csv", csv_source=str(path), time_column=time,
                                       **knobs))


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_no_warning_on_a_run_the_doctor_finds_healthy(name, preset_runs):
    """Every preset (the shipped CO₂ series among them): where the doctor, after the run,
    finds nothing to fix, pre-flight raised no warning before it."""
    found = preset_runs(name)["findings"]
    findings = [f["code"] for f in found]
    report = preflight(PRESETS[name].config)
    if findings == ["healthy"]:
        assert report.warnings == [], (findings, report.warnings)
    # a tip to lengthen the window is the doctor's own measurement: where the doctor names
    # the window, pre-flight said so before the run, with the same window
    if findings[0] == "window_too_short":
        assert [t.fix for t in report.tips] == [found[0]["fix"]], (report.tips, found[0])


def test_daily_data_names_the_week_and_mentions_the_year():
    rng = np.random.default_rng(0)
    t = np.arange(3 * 366)
    week = np.array([0.9, 1, 1, 1.05, 1.15, 1.4, 1.3])[t % 7]
    y = 14000 * week * (1 + 0.25 * np.sin(2 * np.pi * t / 365.25)) + rng.normal(0, 400, len(t))
    short, long = signals.seasons(y[: int(0.8 * len(t))])
    assert short.steps == 7 and short.strength > 0.8
    assert long.steps is not None and abs(long.steps - 365) <= 10
    # the lab's own series keep their one period (no short season under them)
    for preset in ("default", "window_too_short", "co2"):
        from lstm_lab.data import generate

        c = PRESETS[preset].config
        col = generate(c).values[: c.n_train_steps, 0]
        assert signals.seasons(col)[0] == signals.dominant_period(col)


def test_a_daily_file_reports_its_week_on_every_seasonal_column_and_the_year_it_cannot_see(
        tmp_path):
    config = csv_config(tmp_path, "de_excel_semicolon.csv", target_columns="Besucher",
                        input_columns="Umsatz (€)")
    report = preflight(config)
    period = {c.name: c.period for c in report.columns}
    assert period == {"Besucher": 7, "Umsatz (€)": 7}, period  # the input is seasonal too
    assert any("a week is 7 steps; a yearly cycle (365 steps) needs a training span of two "
               "years" in n for n in report.notes), report.notes


def test_one_warning_and_one_button_per_fix(tmp_path):
    text = "t,a,b\n" + "".join(f"{i},{'' if i in (5, 50) else i % 9},"
                               f"{'' if i == 70 else i % 4}\n" for i in range(200))
    path = tmp_path / "gaps.csv"
    path.write_text(text)
    config = fit_config(ExperimentConfig(dataset="csv", csv_source=str(path),
                                         target_columns="a", input_columns="b"))
    fixes = [w.fix for w in preflight(config).warnings]
    assert fixes.count({"impute": True}) == 1, fixes
    assert "'a' 1.0 %, 'b' 0.5 %" in preflight(config).warnings[0].text


def test_the_first_run_on_a_file_with_gaps_trains_with_the_repairs_said(tmp_path):
    config = csv_config(tmp_path, "de_excel_semicolon.csv", epochs=3)
    before = run_experiment(config)
    assert before.diverged  # the gaps reach the loss
    repaired, said = first_run(config)
    assert repaired.impute and said and said[0].startswith("Turn on Fill missing inputs: "
                                                           "missing values ('Besucher' 0.8 %)")
    after = run_experiment(repaired)
    assert not after.diverged and np.isfinite(after.predictions).all()


@pytest.mark.parametrize("name", sorted(READ))
def test_no_first_run_on_an_export_diverges(name, tmp_path):
    repaired, _ = first_run(csv_config(tmp_path, name, epochs=2))
    result = run_experiment(repaired)
    assert not result.diverged, name
    assert result.test_times is not None and len(result.test_times) == len(result.test_index)


def test_the_files_dates_reach_the_charts_the_csv_and_the_report(tmp_path):
    from lstm_lab import charts, views
    from lstm_lab.export import predictions_frame, report_html

    config, _ = first_run(csv_config(tmp_path, "de_excel_semicolon.csv", epochs=2))
    result = run_experiment(config)
    frame = predictions_frame(result)
    assert list(frame.columns[:2]) == ["time", "date"]
    assert str(frame["date"].iloc[-1].date()) == "2024-02-29"  # the file's last day
    assert frame["date"].is_monotonic_increasing
    spec = charts.preview_forecast(views.preview(config), 0).spec(result.predictions[:, 0])
    x = spec["layer"][1]["encoding"]["x"]
    assert x["type"] == "temporal" and x["title"] == "date"
    # the report's chart (an SVG drawn by vl-convert) names its time scale and its dates
    page = report_html(result)
    assert "X-axis titled 'date' for a time scale" in page
    assert "2024" in page.split("X-axis titled 'date'")[1][:200]
