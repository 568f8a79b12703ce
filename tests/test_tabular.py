"""Your own data: CSV parsing, bad files, columns, the shipped series and pre-flight."""

import numpy as np
import pytest

from conftest import TINY, cli_json
from lstm_lab import ConfigError, ExperimentConfig, run_experiment
from lstm_lab.cli import main
from lstm_lab.preflight import preflight
from lstm_lab.tabular import (MAX_BYTES, DataError, fit_config, load_table, parse_csv,
                              resolve, store_upload)


def csv_file(tmp_path, text: str | bytes, name="data.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return str(path)


def sine_csv(n=400, period=40, extra="") -> str:
    t = np.arange(n)
    y = np.sin(2 * np.pi * t / period) + 0.1 * np.random.default_rng(0).normal(size=n)
    rows = "\n".join(f"{i},{v:.5f},{2 * v + 1:.5f}{extra}" for i, v in zip(t, y))
    return "t,y,x" + ("," + "label" if extra else "") + "\n" + rows + "\n"


@pytest.mark.parametrize("data,message", [
    (b"", "the file is empty"),
    (b"   \n\n", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV text file (it contains binary data)"),
    # not UTF-8, and not Windows-1252 either (0x81 is unassigned there)
    (b"t,caf\x81\n1,2\n", "the file is not UTF-8 text (byte 0x81"),
    (b"t,y\n", "the file has a header but no data rows"),
    (b"y,y\n1,2\n", "two columns have the same name"),
    (b"a,b\n1,2\n3\n4,5,6,7\n", "could not be read as CSV"),
])
def test_bad_files_give_one_clear_message(data, message):
    with pytest.raises(DataError, match=None) as err:
        parse_csv(data)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_file_over_the_limit_is_refused():
    with pytest.raises(DataError, match="the limit is 10 MB"):
        parse_csv(b"y\n" + b"1\n" * (MAX_BYTES // 2 + 1))
    with pytest.raises(DataError, match="the limit is 10 MB"):
        store_upload(b"0" * (MAX_BYTES + 1))


@pytest.mark.parametrize("targets,inputs,message", [
    ("sales", "", "no column 'sales'; numeric columns are: 't', 'y', 'x'"),
    ("label", "", "column 'label' is not numeric (for example 'a')"),
    ("y", "empty", "column 'empty' has no values at all"),
])
def test_bad_column_choices(tmp_path, targets, inputs, message):
    text = "t,y,x,label,empty\n" + "".join(f"{i},{i % 7},{i},a,\n" for i in range(300))
    cfg = ExperimentConfig(dataset="csv", csv_source=csv_file(tmp_path, text),
                           target_columns=targets, input_columns=inputs)
    with pytest.raises(DataError) as err:
        fit_config(cfg)
    assert message in str(err.value)


def test_too_few_rows_for_window_horizon_and_test(tmp_path):
    path = csv_file(tmp_path, "y\n" + "".join(f"{i % 5}\n" for i in range(120)))
    with pytest.raises(DataError, match="the file has 120 rows; window 100 \\+ horizon 1 "
                                        "\\+ a test span need at least 126"):
        fit_config(ExperimentConfig(dataset="csv", csv_source=path, seq_len=100))


def test_unsorted_and_duplicated_timestamps_are_sorted_and_said(tmp_path):
    text = "date,y\n2020-01-03,3\n2020-01-01,1\n2020-01-02,2\n2020-01-02,2.5\n"
    table = parse_csv(text.encode(), time_column="date")
    assert list(table.frame["y"]) == [1.0, 2.5, 3.0]
    assert any("sorted by 'date', 1 of 4 rows moved (the first: row 2, 2020-01-03)" in n
               for n in table.notes), table.notes
    assert any("1 rows with a repeated time" in n for n in table.notes)
    with pytest.raises(DataError, match="time column 'date': 1 values are not dates"):
        parse_csv(b"date,y\n2020-01-01,1\nsoon,2\n", time_column="date")


def test_markup_and_control_characters_in_names_are_kept_as_plain_text():
    table = parse_csv("<script>alert(1)</script>,b\x07ell\n1,2\n3,4\n".encode())
    assert table.numeric == ["<script>alert(1)</script>", "b\x07ell"]


def test_links_cannot_name_server_paths():
    with pytest.raises(DataError, match="unknown data source '/etc/passwd'"):
        resolve("/etc/passwd", allow_paths=False)
    with pytest.raises(DataError, match="no longer on this server"):
        resolve("upload:0123456789abcdef", allow_paths=False)
    assert resolve("co2", allow_paths=False).name == "mauna_loa_co2_weekly.csv"


def test_upload_is_stored_by_content_and_reads_back():
    source = store_upload(sine_csv().encode())
    assert source.startswith("upload:") and store_upload(sine_csv().encode()) == source
    assert load_table(source, allow_paths=False).numeric == ["t", "y", "x"]


def test_shipped_co2_preflight_finds_the_yearly_season():
    cfg = fit_config(ExperimentConfig(dataset="csv", csv_source="co2", time_column="date",
                                      seq_len=12))
    report = preflight(cfg)
    assert report.rows == cfg.n_steps == 2284
    col = report.columns[0]
    assert col.name == "co2_ppm" and abs(col.period - 52) <= 2 and col.period_strength > 0.5
    assert 0.02 < col.missing_share < 0.03  # 59 weeks without data
    text = " ".join(w.text for w in report.warnings)
    assert [w.fix for w in report.warnings] == [{"impute": True}, {"difference": True}]
    assert "missing values ('co2_ppm' 2.6 %)" in text
    assert "outside its training range (a trend)" in text
    # one step ahead a 12-week window does as well as a year: no tip (the doctor agrees)
    assert report.tips == []
    # 26 weeks ahead it does not: a tip, on the doctor's own measurement (a linear model
    # on a year of past weeks gains R²), for the season found in the data
    far = preflight(cfg.replace(horizon=26))
    assert [w.fix for w in far.tips] == [{"seq_len": col.period}]
    assert "with the 12-step window but" in far.tips[0].text


@pytest.mark.parametrize("dataset,period,expected", [
    ("sine", 100, 100), ("sine", 37, 37), ("seasonal", 60, 60), ("multiscale", 80, 80)])
def test_preflight_finds_the_generator_period(dataset, period, expected):
    report = preflight(ExperimentConfig(dataset=dataset, period=period))
    assert abs(report.columns[0].period - expected) <= 0.05 * expected + 1


def test_preflight_warns_about_unscaled_columns():
    report = preflight(ExperimentConfig(dataset="multiscale", feature_scale_ratio=1e4,
                                        scale_inputs=False))
    scale = [w for w in report.warnings if "larger than 'small'" in w.text]
    assert len(scale) == 1 and scale[0].fix == {"scale_inputs": True}
    assert scale[0].text.endswith("and Standardise columns is off")  # the knob's own name
    assert not preflight(ExperimentConfig()).warnings  # the healthy default: nothing to say


def test_csv_run_through_the_cli_matches_the_library(tmp_path):
    path = csv_file(tmp_path, sine_csv())
    run = cli_json("--csv", path, "--target", "y", "--inputs", "x", "--time-col", "t",
                   "--epochs", "3", "--seq-len", "10", "--units", "8")
    assert run["config"]["n_steps"] == 400 and run["preflight"]["rows"] == 400
    assert [c["name"] for c in run["preflight"]["columns"]] == ["y", "x"]
    cfg = ExperimentConfig.from_dict(run["config"])
    assert run_experiment(cfg).to_dict()["targets"] == run["targets"]
    assert run["findings"]


def test_cli_bad_csv_is_one_line_exit_2(tmp_path, capsys):
    assert main(["preflight", "--csv", csv_file(tmp_path, b"")]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "lstm_lab: error: the file is empty"


def test_cli_preflight_prints_the_report(capsys):
    assert main(["preflight", "--csv", "co2", "--time-col", "date", "--seq-len", "12",
                 "--horizon", "26"]) == 0
    out = capsys.readouterr().out
    assert "rows 2284" in out and "warning: missing values ('co2_ppm' 2.6 %)" in out
    assert "tip: a linear model on 'co2_ppm' reaches R²" in out and "--seq-len 51" in out


def test_gaps_in_the_target_drop_those_windows_and_impute_trains(tmp_path):
    lines = sine_csv().splitlines()
    lines[100] = lines[100].split(",")[0] + ",,1"  # y missing at t=99
    path = csv_file(tmp_path, "\n".join(lines) + "\n")
    cfg = fit_config(ExperimentConfig(dataset="csv", csv_source=path, target_columns="y",
                                      impute=True, **{**TINY, "n_steps": 100}))
    result = run_experiment(cfg)
    assert not result.diverged and 99 + cfg.horizon not in set(result.test_index)


def test_co2_short_window_vs_one_year(preset_runs):
    short = preset_runs("co2_short_window")["targets"][0]
    year = preset_runs("co2")["targets"][0]
    assert year["r2"] > 0.95 and short["r2"] < year["r2"] - 0.15
    # last year's value does better than the 8-week window: weak, not learning
    assert short["verdict"] == "weak" and year["verdict"] == "learning"


def test_time_column_is_guessed_only_when_it_looks_like_time():
    from lstm_lab.tabular import guess_time_column

    assert guess_time_column(parse_csv(b"week,v\n1,5\n2,3\n3,4\n")) == "week"
    assert guess_time_column(parse_csv(b"date,v\n2020-01-01,5\n2020-01-08,3\n")) == "date"
    assert guess_time_column(parse_csv(b"price,v\n1,5\n2,3\n3,4\n")) == ""
    assert guess_time_column(parse_csv(b"week,v\n3,5\n2,3\n")) == ""


@pytest.mark.parametrize("text,values,line", [
    # a semicolon file with only "50,691": the separator decides, and the line says so
    ("d;p\n1;50,691\n2;51,691\n", [50.691, 51.691], "decimal comma (50,691 → 50.691): "
     "a guess from the ';' separator"),
    ("d;p\n1;50,691\n2;51,2\n", [50.691, 51.2], "decimal comma (50,691 → 50.691)"),
    ("d;p\n1;1.234,5\n2;2.000,25\n", [1234.5, 2000.25], "decimal comma, dot thousands"),
    ("d;p\n1;1 234,5\n2;12,5\n", [1234.5, 12.5], "decimal comma, space thousands"),
    # dot thousands in a decimal-comma file: 18.277 is eighteen thousand (issue 24)
    ("d;p;q\n1;18.277;3,5\n2;950;4,25\n", [18277.0, 950.0], "decimal comma, dot thousands"),
    ('d,p\n1,"1,234.5"\n2,"2,000"\n', [1234.5, 2000.0], "decimal point, comma thousands"),
    ("d;p\n1;1'234.50\n2;999.5\n", [1234.5, 999.5], "apostrophe thousands"),
    ("d,p\n1,50.5\n2,51\n", [50.5, 51.0], ""),  # plain numbers: nothing to say
])
def test_numbers_in_a_locales_style_are_read_and_said_in_one_line(text, values, line):
    table = parse_csv(text.encode())
    assert list(table.frame["p"]) == values
    assert (not line and not table.format_line) or (line and line in table.format_line), \
        table.format_line


def test_the_decimal_mark_can_be_overruled():
    text = b"d;p\n1;50,691\n2;51,691\n"
    assert list(parse_csv(text, decimal_mark=".").frame["p"]) == [50691.0, 51691.0]
    assert "decimal point" in parse_csv(text, decimal_mark=".").format_line


def test_a_comma_that_could_be_either_is_one_line_naming_the_fix():
    with pytest.raises(DataError, match="decimal mark or a thousands separator.*Choose the "
                                        "decimal mark"):
        parse_csv(b"d\tp\n1\t1,234\n2\t2,000\n")
    # ... and choosing it reads the file
    assert list(parse_csv(b"d\tp\n1\t1,234\n2\t2,000\n", decimal_mark=",").frame["p"]) \
        == [1.234, 2.0]


def test_an_upload_keeps_its_file_name_for_the_screens():
    from lstm_lab.tabular import source_name

    source = store_upload(b"t,y\n1,2\n2,3\n", "my <sales>.csv")
    assert source_name(source) == "my <sales>.csv"
    assert source_name("co2").startswith("co2 (shipped")
