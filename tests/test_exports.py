"""Real-world exports (issue 24): each file of tests/data/exports is read right -- every value
and every date of the series it holds, in time order -- or refused with one line that says
what to change. The files are the bytes spreadsheets and portals write (make_exports.py)."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_lab import ExperimentConfig
from lstm_lab.tabular import DataError, fit_config, guess_time_column, parse_csv

HERE = Path(__file__).resolve().parent / "data" / "exports"
sys.path.insert(0, str(HERE))
from make_exports import GAPS, truth  # noqa: E402

# file -> (words the format line must hold, words a note must hold or "")
READ = {
    "de_excel_semicolon.csv": ("dates read day-first: 01.03.2023 … 29.02.2024; decimal comma, "
                               "dot thousands (12.273 → 12\u2009273)", ""),
    "de_windows1252.csv": ("day-first", "read as Windows-1252"),
    "de_total_row_empty_columns.csv": ("decimal comma, dot thousands", "is a total"),
    "us_excel_comma.csv": ("dates read month-first: 3/1/2023 … 2/29/2024; decimal point, "
                           "comma thousands", ""),
    "uk_portal_newest_first.csv": ("dates read day-first: 01/03/2023 … 29/02/2024",
                                   "newest first: its 366 rows were reversed"),
    "fr_semicolon_quoted.csv": ("day-first: 01/03/2023 … 29/02/2024; decimal comma, space "
                                "thousands", ""),
    "ch_apostrophe.csv": ("day-first: 01.03.2023 … 29.02.2024; decimal point, apostrophe "
                          "thousands", ""),
    "logger_units_row.csv": ("year-first", "read as units and left out"),
    "mixed_date_forms.csv": ("2023-03-01 … 29.02.2024 (2 forms, in time order)", ""),
    "sorted_by_value.csv": ("year-first", "sorted by 'date', 322 of 366 rows moved (the first: "
                                             "row 2, 2023-07-08)"),
}
REFUSED = {
    "day_and_month_first.csv": "mix day-first (13/03/2023) and month-first (08/31/2023) "
                               "values: save the column in one date format",
    "tab_ambiguous_comma.tsv.csv": "can be read two ways: is the mark a decimal mark or a "
                                   "thousands separator? Choose the decimal mark",
}


def test_the_set_covers_every_file_written():
    assert {p.name for p in HERE.glob("*.csv")} == set(READ) | set(REFUSED)


@pytest.mark.parametrize("name", sorted(READ))
def test_an_export_is_read_right_with_its_dates_in_order(name):
    data = (HERE / name).read_bytes()
    time = guess_time_column(parse_csv(data))
    assert time, "the date column is offered as the time axis"
    table = parse_csv(data, time, name=name)
    line, note = READ[name]
    assert line in table.format_line, table.format_line
    assert not note or any(note in n for n in table.notes), table.notes
    want = truth()
    assert list(table.time) == list(want["date"]), "every date, in time order"
    got = table.frame.iloc[:, :3].to_numpy(dtype=float)  # visitors, revenue, temp
    expect = want[["visitors", "revenue", "temp"]].to_numpy(dtype=float)
    np.testing.assert_allclose(got, expect, rtol=0, atol=1e-9, equal_nan=True)
    assert np.isnan(got[list(GAPS), 0]).all()


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_an_export_no_reading_explains_is_refused_saying_what_to_change(name):
    data = (HERE / name).read_bytes()
    with pytest.raises(DataError, match=None) as err:
        parse_csv(data, guess_time_column(parse_csv(data)) if "tab" not in name else "date")
    assert REFUSED[name] in str(err.value)


def test_each_reading_can_be_overruled():
    de = (HERE / "de_excel_semicolon.csv").read_bytes()
    # month-first on day-first dates: the line says which values fail and what to do
    with pytest.raises(DataError, match="read month-first \\(choose another date order\\?\\)"):
        parse_csv(de, "Datum", date_order="mdy")
    # the decimal point on a decimal-comma file: 10.089,26 is no number, the rest is kept
    point = parse_csv(de, "Datum", decimal_mark=".")
    assert "decimal point" in point.format_line
    # ambiguous dates (every day 1): both orders sort, the separator's custom decides, and
    # the other order can be chosen
    text = "Datum;Wert\n" + "".join(f"01.{m:02d}.2023;{m}\n" for m in range(1, 13))
    guess = parse_csv(text.encode(), "Datum")
    assert "a guess" in guess.format_line and guess.time.iloc[1] == pd.Timestamp("2023-02-01")
    chosen = parse_csv(text.encode(), "Datum", date_order="mdy")
    assert chosen.time.iloc[1] == pd.Timestamp("2023-01-02")


def test_a_chosen_order_against_the_rows_order_is_refused_not_sorted():
    # every day <= 12: month-first reads, but scrambles a file that is in day-first order
    rows = pd.date_range("2024-01-01", "2024-12-12", freq="D")
    rows = rows[rows.day <= 12]
    text = "date,v\n" + "".join(f"{d:%d/%m/%Y},{i}\n" for i, d in enumerate(rows))
    with pytest.raises(DataError, match="read month-first puts the rows out of order, read "
                                        "day-first they are in order: choose day-first"):
        parse_csv(text.encode(), "date", date_order="mdy")
    assert list(parse_csv(text.encode(), "date").frame["v"]) == list(range(len(rows)))


@pytest.mark.parametrize("name", ["de_excel_semicolon.csv", "us_excel_comma.csv"])
def test_an_export_becomes_a_config_the_playground_can_train(name, tmp_path):
    path = tmp_path / name
    path.write_bytes((HERE / name).read_bytes())
    time = guess_time_column(parse_csv(path.read_bytes()))
    config = fit_config(ExperimentConfig(dataset="csv", csv_source=str(path), time_column=time))
    assert config.n_steps == 366


def test_the_cli_says_how_it_read_the_file_and_takes_the_overrides(capsys):
    from lstm_lab.cli import main

    path = str(HERE / "de_excel_semicolon.csv")
    assert main(["preflight", "--csv", path, "--time-col", "Datum"]) == 0
    out = capsys.readouterr().out
    assert "read as: dates read day-first: 01.03.2023 … 29.02.2024; decimal comma" in out
    assert main(["preflight", "--csv", path, "--time-col", "Datum", "--decimal-mark", "."]) == 0
    assert "read as: dates read day-first: 01.03.2023 … 29.02.2024; decimal point" in \
        capsys.readouterr().out
