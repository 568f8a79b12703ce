"""How a spreadsheet wrote its numbers and dates: inferred from the values, never assumed.

A German Excel export writes ``31.01.2024`` and ``1.234,5``; a US one ``1/31/2024`` and
``1,234.5``; a Swiss one ``1'234.50``; a French one ``1 234,5``. Reading them with one
fixed convention scrambles them silently (``31.01.2024`` month-first fails, and
``18.277`` becomes eighteen). This module decides, from the cells themselves, which
reading is meant -- and says what it decided in one line, so the user can overrule it.

Pure functions on pandas Series of text cells; :mod:`lstm_lab.tabular` applies them.

Numbers: the *decimal mark* of the whole file is decided from evidence only one reading
explains (``3,5`` has two digits after a comma: a decimal comma; ``1.234,5`` both marks;
``1,234,567`` a thousands comma). A cell like ``18.277`` is ambiguous on its own: the
rest of the file decides it, and when nothing does, the separator (a ``;`` file is
written where the comma is the decimal mark).

Dates: ``YYYY…`` is year first (ISO stays ISO); otherwise a first field above 12
anywhere means day first, a second field above 12 month first. When no value decides it,
the reading that puts the rows in order wins, then the separator's custom (``.`` and
``-`` day first, ``/`` month first) -- and the line says the order was a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import DATE_ORDERS, DECIMAL_MARKS  # noqa: F401  (the config's choices)
ORDER_WORDS = {"dmy": "day-first", "mdy": "month-first", "ymd": "year-first"}

# thousands separators people's spreadsheets write: the other mark, a space, a no-break
# space (French Excel), a narrow no-break space, an apostrophe (Swiss), a right quote
_SPACES = " \u00a0\u202f'\u2019"


class FormatError(ValueError):
    """Cells that no reading makes consistent (one line, for the user)."""


# --- numbers ------------------------------------------------------------------------------
_SIGN = r"^[+-]?"
# evidence for a decimal comma / a decimal point (each regex only one reading explains)
_COMMA_DECIMAL = [
    re.compile(_SIGN + r"\d+,(\d{1,2}|\d{4,})$"),            # 3,5 · 12,25 · 0,1234
    re.compile(_SIGN + r"0,\d+$"),                           # 0,275
    re.compile(_SIGN + r"\d{4,},\d+$"),                      # 1234,5
    re.compile(_SIGN + r"\d{1,3}(\.\d{3})+,\d+$"),           # 1.234,5
    re.compile(_SIGN + r"\d{1,3}(\.\d{3}){2,}$"),            # 1.234.567
    re.compile(_SIGN + r"\d{1,3}([ \u00a0\u202f'\u2019]\d{3})+,\d+$"),  # 1 234,5
    re.compile(_SIGN + r",\d+$"),                            # ,5
]
_POINT_DECIMAL = [
    re.compile(_SIGN + r"\d+\.(\d{1,2}|\d{4,})$"),
    re.compile(_SIGN + r"0\.\d+$"),
    re.compile(_SIGN + r"\d{4,}\.\d+$"),
    re.compile(_SIGN + r"\d{1,3}(,\d{3})+\.\d+$"),           # 1,234.5
    re.compile(_SIGN + r"\d{1,3}(,\d{3}){2,}$"),             # 1,234,567
    re.compile(_SIGN + r"\d{1,3}([ \u00a0\u202f'\u2019]\d{3})+\.\d+$"),  # 1'234.50
    re.compile(_SIGN + r"\.\d+$"),
    re.compile(_SIGN + r"\d+(\.\d+)?[eE][+-]?\d+$"),         # 1.5e-3
]
_AMBIGUOUS = re.compile(_SIGN + r"[1-9]\d{0,2}[.,]\d{3}$")  # 18.277 · 1,234


@dataclass(frozen=True)
class NumberStyle:
    """The decimal mark of a file, how it was decided, and one cell that shows it."""

    decimal: str  # "." or ","
    how: str  # "evidence", "separator" (a guess), "plain" (no mark at all), "chosen"
    example: str = ""  # a cell that shows the style ("1.234,5"), "" if none

    @property
    def words(self) -> str:
        """``decimal comma, dot thousands`` -- what the format line says."""
        mark = "decimal comma" if self.decimal == "," else "decimal point"
        if not self.example:
            return mark
        sep = _thousands_of(self.example, self.decimal)
        if sep:
            mark += ", " + {".": "dot", ",": "comma", "'": "apostrophe", "\u2019": "apostrophe"
                            }.get(sep, "space") + " thousands"
        return mark


def _thousands_of(cell: str, decimal: str) -> str:
    body = cell.lstrip("+-").split(decimal)[0]
    found = re.search(r"\d([^\d])\d{3}(?!\d)", body)
    return found.group(1) if found else ""


def infer_decimal(cells: pd.DataFrame, sep: str, chosen: str = "auto") -> NumberStyle:
    """The decimal mark of the file's cells (columns of text; None for empty cells).

    ``chosen`` "." or "," is the user's override: kept, with an example cell. Otherwise the
    mark most cells only one reading explains wins; with no such cell, an ambiguous one
    (``18.277``) follows the separator: ``;`` → decimal comma, else decimal point.
    """
    given = pd.Series(np.ravel(cells.to_numpy(dtype=object)), dtype=object).dropna()
    given = given.astype(str).str.strip()
    given = given[given.str.contains(r"\d", regex=True)]
    comma = sum(int(given.str.match(p).sum()) for p in _COMMA_DECIMAL)
    point = sum(int(given.str.match(p).sum()) for p in _POINT_DECIMAL)
    ambiguous = given[given.str.match(_AMBIGUOUS)]
    if chosen in (".", ","):
        decimal, how = chosen, "chosen"
    elif comma or point:
        decimal, how = ("," if comma > point else "."), "evidence"
    elif len(ambiguous):
        decimal, how = ("," if sep == ";" else "."), "separator"
    else:
        return NumberStyle(".", "plain")
    # the example the line quotes: a grouped number if there is one (it shows both marks)
    grouped = given[given.str.contains(r"\d[., \u00a0\u202f'\u2019]\d{3}", regex=True)
                    & given.map(lambda c: _number_pattern(decimal).match(c) is not None)]
    marked = given[given.str.contains(re.escape(decimal), regex=True)]
    # a plain 12.5 needs no example; a decimal comma or a grouped number is worth showing
    example = grouped.iloc[0] if len(grouped) else (
        marked.iloc[0] if len(marked) and decimal == "," else "")
    return NumberStyle(decimal, how, example)


def _number_pattern(decimal: str) -> re.Pattern:
    """A number written with ``decimal`` as its mark: plain, or grouped in threes by the
    other mark or a space/apostrophe."""
    other = "," if decimal == "." else "."
    d, groups = re.escape(decimal), re.escape(other) + _SPACES
    return re.compile(_SIGN + rf"(\d{{1,3}}([{groups}]\d{{3}})+|\d+)?({d}\d+)?([eE][+-]?\d+)?$")


def to_numbers(cells: pd.Series, decimal: str) -> pd.Series:
    """Text cells as floats under ``decimal``; a cell the style does not explain is NaN.

    ``inf``/``nan`` words and plain integers read as pandas reads them.
    """
    text = cells.astype("string").str.strip()
    pattern = _number_pattern(decimal)
    fits = text.str.match(pattern).fillna(False) & text.str.contains(r"\d", regex=True).fillna(False)
    other = "," if decimal == "." else "."
    strip = "[" + re.escape(other + _SPACES) + "]"
    clean = text.where(~fits, text.str.replace(strip, "", regex=True).str.replace(
        decimal, ".", regex=False))
    words = text.str.lower().isin(["inf", "-inf", "+inf", "nan", "infinity", "-infinity"])
    out = pd.to_numeric(clean.where(fits | words), errors="coerce")
    return out.astype(float)


# --- dates --------------------------------------------------------------------------------
# day/month/year in any order with one separator, optionally followed by a time
_DATE = re.compile(r"^\s*(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})(?:[ T,]+(.*))?$")


@dataclass(frozen=True)
class DateStyle:
    """How a time column's dates were read."""

    order: str  # "dmy", "mdy", "ymd"; "" when the column holds no numeric dates
    how: str  # "evidence", "order" (the reading that sorts), "custom" (a guess), "chosen"
    forms: int = 1  # how many different date forms the column mixes

    @property
    def words(self) -> str:
        return ORDER_WORDS.get(self.order, "as written")


def _fields(cells: pd.Series) -> pd.DataFrame:
    """The numeric date fields of each cell (a, sep, b, c, time); NaN where no match."""
    return cells.astype("string").str.extract(_DATE.pattern)


def infer_date_order(cells: pd.Series, chosen: str = "auto") -> DateStyle:
    """The field order of a column of date texts (see the module's docstring)."""
    f = _fields(cells.dropna())
    matched = f[0].notna()
    forms = _forms(cells.dropna())
    if chosen in ("dmy", "mdy", "ymd"):
        return DateStyle(chosen, "chosen", forms)
    if not matched.any():
        return DateStyle("", "evidence", forms)
    short = f[matched & (f[0].str.len() < 4)]  # not year-first
    if not len(short):
        return DateStyle("ymd", "evidence", forms)
    a, b = short[0].astype(int), short[2].astype(int)
    day_first, month_first = bool((a > 12).any()), bool((b > 12).any())
    if day_first and month_first:
        first = short[0][a > 12].index[0]
        second = short[2][b > 12].index[0]
        raise FormatError(
            f"the dates mix day-first ({cells[first]}) and month-first ({cells[second]}) "
            "values: save the column in one date format (e.g. YYYY-MM-DD)")
    if day_first or month_first:
        return DateStyle("dmy" if day_first else "mdy", "evidence", forms)
    # nothing decides it: the reading that puts the rows in order, then the custom
    readings = {o: parse_dates(cells, o) for o in ("dmy", "mdy")}
    ordered = [o for o, d in readings.items() if d.notna().all() and
               (d.is_monotonic_increasing or d.is_monotonic_decreasing)]
    if len(ordered) == 1:
        return DateStyle(ordered[0], "order", forms)
    seps = short[1]
    custom = "mdy" if (seps == "/").mean() > 0.5 else "dmy"
    return DateStyle(custom, "custom", forms)


def _forms(cells: pd.Series) -> int:
    """How many date forms a column mixes (separator and year-first-or-not)."""
    f = _fields(cells)
    ok = f[0].notna()
    kinds = set(zip(f[1][ok], f[0][ok].str.len() >= 4))
    return len(kinds) + int((~ok).any())


def parse_dates(cells: pd.Series, order: str) -> pd.Series:
    """Date texts as timestamps under ``order`` (NaT where a cell is not a date).

    Year-first cells are always read year-first (``2024/01/09`` is 9 January whatever the
    rest of the column does); numeric cells in ``order``; any other text (``31 Jan 2024``,
    ``Jan 31, 2024``) by pandas' parser, day-first where the order is.
    """
    text = cells.astype("string").str.strip()
    out = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns]")
    f = _fields(text)
    numeric = f[0].notna()
    year_first = numeric & (f[0].str.len() >= 4)
    rest = numeric & ~year_first
    if rest.any() and order in ("dmy", "mdy"):
        day, month = (f[0], f[2]) if order == "dmy" else (f[2], f[0])
        year = f[3].astype(int)
        year = year.where(f[3].str.len() > 2, 2000 + year - 100 * (year > 68))  # 24 → 2024
        iso = (year.astype(str).str.zfill(4) + "-" + month.str.zfill(2) + "-" +
               day.str.zfill(2) + " " + f[4].fillna("")).str.strip()
        out[rest] = _to_datetime(iso[rest])
    if year_first.any():
        iso = (f[0] + "-" + f[2].str.zfill(2) + "-" + f[3].str.zfill(2) + " " +
               f[4].fillna("")).str.strip()
        out[year_first] = _to_datetime(iso[year_first])
    other = ~numeric & text.notna()
    if other.any():
        out[other] = _to_datetime(text[other], dayfirst=(order == "dmy"))
    return out


def _to_datetime(text: pd.Series, dayfirst: bool = False) -> pd.Series:
    with np.errstate(all="ignore"):
        return pd.to_datetime(text, errors="coerce", format="mixed", dayfirst=dayfirst) \
            .astype("datetime64[ns]")
