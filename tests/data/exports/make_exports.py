"""Write the real-world export test set: one daily series, saved as spreadsheets and data
portals save it (``python tests/data/exports/make_exports.py`` rewrites the files).

The bytes are what the programs write: Excel's UTF-8 BOM and CRLF lines, German Excel's
``;`` with decimal commas and dot thousands, US Excel's quoted ``"1,234.56"``, French
no-break-space thousands, Swiss apostrophes, a units row, a total row, a newest-first
portal download, Windows-1252 bytes, trailing empty columns. ``truth()`` is the series
they all hold; tests/test_exports.py reads each file and compares it with the truth, or
checks the refusal names what to change.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DAYS = pd.date_range("2023-03-01", "2024-02-29", freq="D")  # 366 days, a leap day at the end
GAPS = (40, 41, 200)  # rows where the visitors' count is missing (an empty cell)


def truth() -> pd.DataFrame:
    """The daily series every file holds: visitors (weekly and yearly seasons, thousands),
    revenue (two decimals, thousands), temperature (one decimal, negative in winter)."""
    rng = np.random.default_rng(7)
    t = np.arange(len(DAYS))
    week = np.array([0.9, 1.0, 1.0, 1.05, 1.15, 1.4, 1.3])[DAYS.day_of_week]
    year = 1 + 0.25 * np.sin(2 * np.pi * (t - 30) / 365.25)
    visitors = np.round(14000 * week * year + rng.normal(0, 400, len(t))).astype(float)
    visitors[list(GAPS)] = np.nan
    revenue = np.round(visitors * 0.83 + rng.normal(0, 50, len(t)), 2)
    revenue[list(GAPS)] = np.round(14000 * 0.83, 2)
    temp = np.round(9 - 10 * np.cos(2 * np.pi * (t + 60) / 365.25) + rng.normal(0, 2, len(t)), 1)
    return pd.DataFrame({"date": DAYS, "visitors": visitors, "revenue": revenue, "temp": temp})


def _de(x: float, decimals: int) -> str:
    """1234.5 -> '1.234,50' (German Excel)."""
    if np.isnan(x):
        return ""
    return f"{x:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _fr(x: float, decimals: int) -> str:
    return "" if np.isnan(x) else f"{x:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")


def _ch(x: float, decimals: int) -> str:
    return "" if np.isnan(x) else f"{x:,.{decimals}f}".replace(",", "'")


def _us(x: float, decimals: int) -> str:
    return "" if np.isnan(x) else f"{x:,.{decimals}f}"


def _plain(x: float, decimals: int) -> str:
    return "" if np.isnan(x) else f"{x:.{decimals}f}"


def _write(name: str, text: str, encoding: str = "utf-8", bom: bool = False) -> None:
    data = text.encode(encoding)
    (HERE / name).write_bytes(b"\xef\xbb\xbf" + data if bom else data)


def _rows(df, date_fmt, num, sep, quote=False, nl="\n"):
    out = []
    for _, r in df.iterrows():
        cells = [r["date"].strftime(date_fmt), num(r["visitors"], 0), num(r["revenue"], 2),
                 num(r["temp"], 1)]
        if quote:
            cells = [f'"{c}"' for c in cells]
        out.append(sep.join(cells))
    return nl.join(out) + nl


def main() -> None:
    df = truth()
    # German Excel, "CSV UTF-8 (durch Trennzeichen getrennt)": BOM, CRLF, ';', 31.01.2024
    _write("de_excel_semicolon.csv", "Datum;Besucher;Umsatz (€);Temperatur (°C)\r\n" +
           _rows(df, "%d.%m.%Y", _de, ";", nl="\r\n"), bom=True)
    # US Excel: ',' with thousands commas quoted, 1/31/2024 without leading zeros
    us = []
    for _, r in df.iterrows():
        d = r["date"]
        us.append(f'{d.month}/{d.day}/{d.year},"{_us(r["visitors"], 0)}",'
                  f'"{_us(r["revenue"], 2)}",{_plain(r["temp"], 1)}')
    _write("us_excel_comma.csv", "Date,Visitors,Revenue ($),Temp (°C)\r\n" +
           "\r\n".join(us) + "\r\n", bom=True)
    # a UK data portal: dd/mm/yyyy, plain numbers, newest first
    _write("uk_portal_newest_first.csv", "date,visitors,revenue,temp\n" +
           _rows(df.iloc[::-1], "%d/%m/%Y", _plain, ","))
    # French Excel: ';', every field quoted, no-break-space thousands, 31/01/2024
    _write("fr_semicolon_quoted.csv", '"Date";"Visiteurs";"Recettes";"Température"\n' +
           _rows(df, "%d/%m/%Y", _fr, ";", quote=True))
    # Swiss: ';', 31.01.2024, apostrophe thousands with a decimal point
    _write("ch_apostrophe.csv", "Datum;Besucher;Umsatz;Temperatur\n" +
           _rows(df, "%d.%m.%Y", _ch, ";"))
    # a logger: ISO timestamps with times, a units row under the header
    _write("logger_units_row.csv", "time,visitors,revenue,temp\n,count,EUR,°C\n" +
           _rows(df, "%Y-%m-%d 00:00:00", _plain, ","))
    # a report: a total row under the data, trailing empty columns (Excel's ';;')
    body = _rows(df, "%d.%m.%Y", _de, ";").replace("\n", ";;\n")
    total = _de(float(np.nansum(df["visitors"])), 0)
    _write("de_total_row_empty_columns.csv", "Datum;Besucher;Umsatz;Temperatur;;\n" + body +
           f"Summe;{total};;;;\n")
    # Excel's plain "CSV" on a German Windows: Windows-1252 bytes (° and €)
    _write("de_windows1252.csv", "Datum;Besucher;Umsatz (€);Temperatur (°C)\r\n" +
           _rows(df, "%d.%m.%Y", _de, ";", nl="\r\n"), encoding="cp1252")
    # rows in time order, dates in two forms (an export appended to an older one)
    half = len(df) // 2
    _write("mixed_date_forms.csv", "date,visitors,revenue,temp\n" +
           _rows(df.iloc[:half], "%Y-%m-%d", _plain, ",") +
           _rows(df.iloc[half:], "%d.%m.%Y", _plain, ","))
    # the same series sorted by visitors (a pivot's "sort descending"): rows out of order
    _write("sorted_by_value.csv", "date,visitors,revenue,temp\n" +
           _rows(df.sort_values("revenue", ascending=False), "%Y-%m-%d", _plain, ","))
    # refused: day-first and month-first values in one column (two exports pasted together)
    _write("day_and_month_first.csv", "date,visitors,revenue,temp\n" +
           _rows(df.iloc[:half], "%d/%m/%Y", _plain, ",") +
           _rows(df.iloc[half:], "%m/%d/%Y", _plain, ","))
    # refused: thousands commas in a tab-separated file, no value decides the mark
    tab = "\n".join(f"{d:%Y-%m-%d}\t{int(v):,}" for d, v in
                    zip(df["date"], df["visitors"].fillna(14000))) + "\n"
    _write("tab_ambiguous_comma.tsv.csv", "date\tvisitors\n" + tab)


if __name__ == "__main__":
    main()
