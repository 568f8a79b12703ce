"""Your own series: read a CSV safely, pick its columns, and turn it into a Series.

A CSV is only ever *parsed* (pandas ``read_csv`` on decoded text): never unpickled,
evaluated or written anywhere but a private temp folder. Every problem with a file
raises :class:`DataError` with one line a student can act on.

Sources (the config's ``csv_source``):

* a shipped series by name, e.g. ``co2`` (see :data:`SHIPPED`);
* ``upload:<16 hex digits>`` -- a file stored by :func:`store_upload` (the app);
* a path on disk (the CLI).
"""

from __future__ import annotations

import bisect
import csv
import functools
import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import csvformat
from .config import DATE_ORDERS, DECIMAL_MARKS, ConfigError, ExperimentConfig
from .series import Series

MAX_BYTES = 10 * 1024 * 1024  # the same limit as server.maxUploadSize in .streamlit/
MAX_ROWS = 20_000  # ExperimentConfig's n_steps limit: longer files keep their last rows
UPLOAD_DIR = Path(tempfile.gettempdir()) / "lstm_lab_uploads"
_UPLOAD = re.compile(r"^upload:([0-9a-f]{16})$")


class DataError(ConfigError):
    """A data file that cannot be used as it is (one line, for the user)."""

    def __init__(self, message: str, field: str = "csv_source"):
        super().__init__(message, field)


@dataclass(frozen=True)
class Shipped:
    path: Path
    title: str
    source: str
    licence: str
    target: str
    time: str


_HERE = Path(__file__).resolve().parent / "datasets"
SHIPPED = {
    "co2": Shipped(
        _HERE / "mauna_loa_co2_weekly.csv",
        "Mauna Loa weekly atmospheric CO₂ (ppm), March 1958 – December 2001",
        "Keeling, C.D. and T.P. Whorf (2004), Scripps Institution of Oceanography / CDIAC, "
        "as distributed with statsmodels (statsmodels.datasets.co2); 59 weeks without data",
        "public domain (U.S. government / CDIAC data; statsmodels: 'This is public domain.')",
        target="co2_ppm",
        time="date",
    ),
}


@dataclass(frozen=True)
class Table:
    """A parsed file: its columns, the time column if any, and notes on what was changed."""

    frame: pd.DataFrame  # rows in time order, numeric columns as float
    time: pd.Series | None  # datetime64 (dates) or float (numbers); None: no time column
    notes: tuple[str, ...] = ()
    non_numeric: tuple[str, ...] = ()
    name: str = ""
    # what was inferred, in one line: "dates read day-first: 31.01.2024 … 29.02.2024;
    # decimal comma, dot thousands (18.277 → 18 277)"; "" when there was nothing to infer
    format_line: str = ""

    @property
    def numeric(self) -> list[str]:
        return [c for c in self.frame.columns if c not in self.non_numeric]


# --- reading ---------------------------------------------------------------------------
def store_upload(data: bytes, name: str = "") -> str:
    """Keep an uploaded file in a private temp folder; returns its ``csv_source``.

    ``name`` (the file's name on the user's machine) is kept beside it as text, so that
    screens can say ``sales.csv`` rather than ``upload:3fa9…``; it is never used as a path.
    """
    if len(data) > MAX_BYTES:
        raise DataError(_too_big(len(data)))
    digest = hashlib.sha256(data).hexdigest()[:16]
    UPLOAD_DIR.mkdir(mode=0o700, exist_ok=True)
    _write_private(UPLOAD_DIR / f"{digest}.csv", data, replace=False)
    if name:
        clean = re.sub(r"[\x00-\x1f\x7f]", "", name)[:200]
        _write_private(UPLOAD_DIR / f"{digest}.name", clean.encode("utf-8"), replace=True)
    return f"upload:{digest}"


def _write_private(path: Path, data: bytes, replace: bool) -> None:
    """Write atomically (a reader never sees half a file)."""
    if path.exists() and not replace:
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def source_name(source: str) -> str:
    """How a screen names a ``csv_source``: the uploaded file's own name, a shipped
    series' short title, or a path's file name."""
    if source in SHIPPED:
        return f"{source} (shipped: {SHIPPED[source].title.split(',')[0]})"
    m = _UPLOAD.match(source)
    if m:
        side = UPLOAD_DIR / f"{m.group(1)}.name"
        return side.read_text(encoding="utf-8") if side.exists() else "an uploaded file"
    return Path(source).name or source


def resolve(source: str, allow_paths: bool = True) -> Path:
    """The file behind a ``csv_source``; paths only where ``allow_paths`` (not from URLs)."""
    if source in SHIPPED:
        return SHIPPED[source].path
    m = _UPLOAD.match(source)
    if m:
        path = UPLOAD_DIR / f"{m.group(1)}.csv"
        if not path.exists():
            raise DataError("that uploaded file is no longer on this server: upload it again")
        return path
    if not source:
        raise DataError("dataset csv needs a file: pick a shipped series or upload a CSV")
    if not allow_paths:
        raise DataError(f"unknown data source {source!r}: use a shipped series "
                        f"({', '.join(SHIPPED)}) or upload the file")
    path = Path(source)
    if not path.is_file():
        raise DataError(f"no such file: {source}")
    return path


def load_table(source: str, time_column: str = "", allow_paths: bool = True, *,
               date_order: str = "auto", decimal_mark: str = "auto") -> Table:
    """Read and check the file behind ``source`` (cached per file version and reading)."""
    path = resolve(source, allow_paths)
    stat = path.stat()
    if stat.st_size > MAX_BYTES:
        raise DataError(_too_big(stat.st_size))
    return _load_cached(str(path), stat.st_mtime_ns, stat.st_size, time_column, date_order,
                        decimal_mark)


def config_table(config: ExperimentConfig, allow_paths: bool = True) -> Table:
    """The table of a csv config, read the way the config says (time column, date order,
    decimal mark)."""
    return load_table(config.csv_source, config.time_column, allow_paths,
                      date_order=config.date_order, decimal_mark=config.decimal_mark)


@functools.lru_cache(maxsize=16)
def _load_cached(path: str, mtime: int, size: int, time_column: str, date_order: str,
                 decimal_mark: str) -> Table:
    return parse_csv(Path(path).read_bytes(), time_column, name=Path(path).name,
                     date_order=date_order, decimal_mark=decimal_mark)


def _decode(data: bytes) -> tuple[str, str]:
    """The file's text and a note when it was not UTF-8 (Excel's "CSV" on Windows writes
    cp1252: ``°C`` as byte 0xb0)."""
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as err:
        position, byte = err.start, data[err.start]
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise DataError(f"the file is not UTF-8 text (byte 0x{byte:02x} at position "
                        f"{position}): save it as UTF-8 CSV and upload again") from None
    return text, ("the file is not UTF-8: read as Windows-1252 (Excel's \"CSV\"); save it "
                  "as \"CSV UTF-8\" if a name looks wrong")


def parse_csv(data: bytes, time_column: str = "", name: str = "", *,
              date_order: str = "auto", decimal_mark: str = "auto") -> Table:
    """Parse CSV bytes into a :class:`Table`, or raise DataError saying what is wrong.

    ``date_order`` (auto, dmy, mdy, ymd) and ``decimal_mark`` (auto, ".", ",") overrule
    what :mod:`~lstm_lab.csvformat` infers from the values; ``Table.format_line`` says what
    was used.
    """
    if len(data) > MAX_BYTES:
        raise DataError(_too_big(len(data)))
    if not data.strip():
        raise DataError("the file is empty")
    if b"\x00" in data[:8192]:
        raise DataError("this is not a CSV text file (it contains binary data)")
    if decimal_mark not in DECIMAL_MARKS or date_order not in DATE_ORDERS:
        raise DataError(f"decimal mark must be one of {DECIMAL_MARKS} and date order one of "
                        f"{DATE_ORDERS}")
    text, decoded = _decode(data)
    try:
        # header=None and text cells: the header is checked as written (pandas would
        # rename a repeated name) and every cell converts in one place below
        sep = _delimiter(text)
        cells = pd.read_csv(io.StringIO(text), sep=sep, engine="python",
                            header=None, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, TypeError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise DataError(f"the file could not be read as CSV: {first}") from None
    # Excel's trailing separators (";;") make empty columns without a name: not data
    empty = [j for j in cells.columns if not str(cells[j].iloc[0]).strip()
             and not cells[j].iloc[1:].astype(str).str.strip().any()]
    cells = cells.drop(columns=empty)
    header = [str(c).strip() for c in cells.iloc[0]]
    if any(not h for h in header):
        raise DataError("a column has no name in the header row")
    if len(header) != len(set(header)):
        raise DataError("two columns have the same name: rename one")
    frame = cells.iloc[1:].reset_index(drop=True)
    frame.columns = header
    frame = frame.apply(lambda col: col.str.strip())
    frame = frame.replace({"": None, "NA": None, "NaN": None, "nan": None, "null": None,
                           "N/A": None, "#N/A": None, "-": None})
    if frame.empty:
        raise DataError("the file has a header but no data rows")
    notes: list[str] = [decoded] if decoded else []
    frame, more = _units_and_totals(frame, time_column)
    notes += more
    if time_column and time_column not in frame.columns:
        raise DataError(f"no column {time_column!r} for the time axis; columns are: "
                        f"{', '.join(map(repr, frame.columns))}")
    value_cols = [c for c in frame.columns if c != time_column]
    style = csvformat.infer_decimal(frame[value_cols], sep, decimal_mark)
    if style.how == "separator" and sep not in ";,":
        example = frame[value_cols].stack().astype(str).str.strip()
        example = example[example.str.match(csvformat._AMBIGUOUS)].iloc[0]
        raise DataError(f"values like {example!r} can be read two ways: is the mark a decimal "
                        "mark or a thousands separator? Choose the decimal mark, or save the "
                        "file with '.' as the decimal mark and no thousands separators")
    time, dates = None, ""
    if time_column:
        frame, time, dates, more = _order_by_time(frame, time_column, date_order)
        notes += more
    non_numeric = []
    for col in frame.columns:
        converted = csvformat.to_numbers(frame[col], style.decimal)
        bad = frame[col].notna() & converted.isna()
        if bad.mean() > 0.5:  # mostly text: a label or date column, not a series
            non_numeric.append(col)
        else:
            if bad.any():
                first = frame[col][bad].iloc[0]
                notes.append(f"column {col!r}: {int(bad.sum())} cells are not numbers (e.g. "
                             f"{first!r}): read as missing")
            frame[col] = converted.astype(float)
    if len(frame) > MAX_ROWS:
        notes.append(f"kept the last {MAX_ROWS} of {len(frame)} rows")
        frame = frame.iloc[-MAX_ROWS:].reset_index(drop=True)
        time = time.iloc[-MAX_ROWS:].reset_index(drop=True) if time is not None else None
    numbers = ""
    # a plain decimal point is what everyone expects: said only when it was in doubt
    if style.decimal == "," or style.example or style.how in ("separator", "chosen"):
        numbers = style.words
        if style.example:
            value = csvformat.to_numbers(pd.Series([style.example]), style.decimal).iloc[0]
            numbers += f" ({style.example} → {_g(value)})"
        if style.how == "separator":
            numbers += f": a guess from the '{sep}' separator, no value decides it"
    line = "; ".join(x for x in (dates, numbers) if x)
    return Table(frame, time, tuple(notes), tuple(non_numeric), name, line)


def _g(x: float) -> str:
    """A number for the format line, grouped with thin spaces (neither mark)."""
    return f"{x:,.10g}".replace(",", "\u2009")


# a row a spreadsheet adds under the data: a total, an average
_TOTAL = re.compile(r"^(total|totals|sum|summe|gesamt|insgesamt|totale|totaal|somme|suma|"
                    r"average|mean|mittelwert|durchschnitt|moyenne|grand total|σ|∑)\b", re.I)


def _units_and_totals(frame: pd.DataFrame, time_column: str):
    """Leave out a units row under the header and total rows under the data, with notes.

    A units row holds no digit at all where the rows below hold numbers (``°C``, ``kWh``,
    ``[m/s]``); a total row starts with a word such as Total, Summe or Average.
    """
    notes = []
    first = frame.iloc[0].dropna().astype(str)
    if len(frame) > 2 and len(first) and not first.str.contains(r"\d", regex=True).any():
        below = frame.iloc[1:].stack().astype(str)
        if below.str.contains(r"\d", regex=True).mean() > 0.5:
            notes.append(f"row 2 has no numbers ({', '.join(map(repr, first.iloc[:4]))}): "
                         "read as units and left out")
            frame = frame.iloc[1:].reset_index(drop=True)
    lead = time_column if time_column in frame.columns else frame.columns[0]
    while len(frame) > 2:
        cell = frame[lead].iloc[-1]
        cells = frame.iloc[-1].dropna().astype(str)
        if (cell is not None and _TOTAL.match(str(cell))) or \
                (cell is None and len(cells) and any(_TOTAL.match(c) for c in cells)):
            notes.append(f"the last row ({', '.join(map(repr, cells.iloc[:3]))}) is a "
                         "total, not a time step: left out")
            frame = frame.iloc[:-1].reset_index(drop=True)
        else:
            break
    return frame, notes


def guess_time_column(table: Table) -> str:
    """The first column if it looks like a time axis (dates, or strictly increasing
    numbers with a time-like name), else "" -- a default the user can change."""
    if not len(table.frame.columns):
        return ""
    first = table.frame.columns[0]
    col = table.frame[first]
    if first in table.non_numeric:
        try:
            style = csvformat.infer_date_order(col)
        except csvformat.FormatError:
            return first  # dates in mixed forms: choosing the column says what to change
        parsed = csvformat.parse_dates(col, style.order or "mdy")
        return first if parsed.notna().mean() > 0.9 else ""
    timeish = re.search(r"(time|date|day|week|month|year|^t$|step|index)", first, re.I)
    increasing = col.notna().all() and bool((np.diff(col.to_numpy()) > 0).all())
    return first if timeish and increasing else ""


def _delimiter(text: str) -> str:
    """Comma, semicolon, tab or bar, as the first lines use it (comma when unsure)."""
    try:
        return csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _order_by_time(frame: pd.DataFrame, column: str, date_order: str = "auto"):
    """Rows in time order, the time column as stamps, the format line's dates part, notes.

    Never reorders in silence: a sort says how many rows moved and the first of them; an
    order that looks deliberate where the dates do not parse cleanly (mixed forms, or an
    order chosen against the one that keeps the rows in order) is refused instead.
    """
    cells = frame[column]
    n = len(cells)
    numbers = csvformat.to_numbers(cells, ".")
    style = csvformat.DateStyle("", "evidence")
    if numbers.notna().all():  # steps, years, seconds: a numeric time axis
        stamps = numbers
    else:
        try:
            style = csvformat.infer_date_order(cells, date_order)
        except csvformat.FormatError as err:
            raise DataError(f"time column {column!r}: {err}") from None
        stamps = csvformat.parse_dates(cells, style.order or "mdy")
    if stamps.isna().any():
        bad = cells[stamps.isna()]
        read = (f" read {style.words} (choose another date order?)" if style.how == "chosen"
                else "")
        raise DataError(f"time column {column!r}: {int(stamps.isna().sum())} values are not "
                        f"dates or numbers{read} (e.g. {bad.iloc[0]!r} in row "
                        f"{bad.index[0] + 2})")
    notes = []
    if not stamps.is_monotonic_increasing:
        if style.forms > 1:
            raise DataError(f"time column {column!r} writes its dates in {style.forms} forms "
                            f"and its rows are not in time order under one reading: save the "
                            "column in one date format (e.g. YYYY-MM-DD) and upload again")
        if style.how == "chosen" and style.order in ("dmy", "mdy"):
            other = "mdy" if style.order == "dmy" else "dmy"
            alt = csvformat.parse_dates(cells, other)
            if alt.notna().all() and alt.is_monotonic_increasing:
                raise DataError(
                    f"time column {column!r} read {csvformat.ORDER_WORDS[style.order]} puts "
                    f"the rows out of order, read {csvformat.ORDER_WORDS[other]} they are in "
                    f"order: choose {csvformat.ORDER_WORDS[other]} dates")
        order = np.argsort(stamps.to_numpy(), kind="stable")
        if stamps.is_monotonic_decreasing:
            notes.append(f"the file runs newest first: its {n} rows were reversed into time "
                         "order")
        else:
            moved = _out_of_place(stamps.to_numpy())
            first = int(np.argmax(moved))
            notes.append(f"rows were not in time order: sorted by {column!r}, "
                         f"{int(moved.sum())} of {n} rows moved (the first: row {first + 2}, "
                         f"{cells.iloc[first]})")
        frame, stamps, cells = frame.iloc[order], stamps.iloc[order], cells.iloc[order]
    dup = stamps.duplicated(keep="last").to_numpy()
    if dup.any():
        notes.append(f"{int(dup.sum())} rows with a repeated time in {column!r} dropped "
                     "(the last one kept)")
        frame, stamps, cells = frame[~dup], stamps[~dup], cells[~dup]
    dates = ""
    if style.order:
        dates = f"dates read {style.words}: {cells.iloc[0]} … {cells.iloc[-1]}"
        if style.forms > 1:
            dates += f" ({style.forms} forms, in time order)"
        if style.how == "order":
            dates += " (no day above 12: the reading that keeps the rows in order)"
        elif style.how == "custom":
            dates += " (a guess: no value above 12 decides it)"
    frame = frame.drop(columns=[column]).reset_index(drop=True)
    return frame, stamps.reset_index(drop=True), dates, notes


def _out_of_place(values: np.ndarray) -> np.ndarray:
    """(n,) bool: the fewest rows that must move to put ``values`` in order -- those off
    its longest non-decreasing run (one row moved from the top to the bottom is one moved
    row, not n)."""
    tails: list = []  # tails[k]: the smallest last value of a run of length k + 1
    tail_at: list[int] = []  # ... and its row
    back = np.full(len(values), -1)
    for i, v in enumerate(values):
        k = bisect.bisect_right(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_at.append(i)
        else:
            tails[k], tail_at[k] = v, i
        back[i] = tail_at[k - 1] if k else -1
    keep = np.zeros(len(values), dtype=bool)
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        keep[i] = True
        i = back[i]
    return ~keep


def _too_big(n: int) -> str:
    return f"the file is {n / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB"


# --- columns ---------------------------------------------------------------------------
def split_names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def columns(table: Table, targets: str, inputs: str) -> tuple[list[str], list[str]]:
    """The target and input column names a config asks for, checked against the table.

    ``targets`` empty: the first numeric column. ``inputs`` empty: the targets alone.
    Targets are always inputs too (the model reads each target's own past).
    """
    numeric = table.numeric
    want_t = split_names(targets) or numeric[:1]
    want_i = split_names(inputs)
    if not numeric:
        raise DataError("the file has no numeric column to predict")
    for name in want_t + want_i:
        if name not in table.frame.columns:
            raise DataError(f"no column {name!r}; numeric columns are: "
                            f"{', '.join(map(repr, numeric))}")
        if name in table.non_numeric:
            raise DataError(f"column {name!r} is not numeric (for example "
                            f"{table.frame[name].dropna().iloc[0]!r}): it cannot be "
                            "predicted or used as an input")
        if table.frame[name].isna().all():
            raise DataError(f"column {name!r} has no values at all")
    used = want_t + [n for n in want_i if n not in want_t]
    return want_t, used


def series_for(config: ExperimentConfig):
    """The Series of a ``dataset="csv"`` config (rows must equal ``n_steps``: see fit_config)."""
    from .signals import dominant_period

    table = config_table(config)
    targets, used = columns(table, config.target_columns, config.input_columns)
    values = table.frame[used].to_numpy(dtype=np.float64)  # (T, F)
    if len(values) != config.n_steps:
        raise DataError(f"n_steps is {config.n_steps} but the file has {len(values)} rows",
                        "n_steps")
    split = config.n_train_steps
    periods = tuple(dominant_period(values[:split, j]).steps if name in targets else None
                    for j, name in enumerate(used))
    dated = table.time is not None and np.issubdtype(table.time.dtype, np.datetime64)
    return Series(values, tuple(used), periods, (True,) * len(used),
                  tuple(range(len(targets))),
                  times=table.time.to_numpy(dtype="datetime64[ns]") if dated else None)


def fit_config(config: ExperimentConfig, allow_paths: bool = True) -> ExperimentConfig:
    """For a csv config: n_steps set to the file's rows, and the file checked against the
    window, horizon and test span. Other configs are returned unchanged."""
    if config.dataset != "csv":
        return config
    table = config_table(config, allow_paths)
    columns(table, config.target_columns, config.input_columns)
    rows = len(table.frame)
    test = max(5, int(np.ceil(5 / config.test_fraction)))  # n_test_steps >= 5
    need = config.seq_len + config.horizon + max(test, 10)
    if rows < max(need, 100):
        raise DataError(f"the file has {rows} rows; window {config.seq_len} + horizon "
                        f"{config.horizon} + a test span need at least {max(need, 100)}")
    try:
        return config.replace(n_steps=rows)
    except ConfigError as err:
        raise DataError(str(err), err.field) from None
