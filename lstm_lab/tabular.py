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

from .config import ConfigError, ExperimentConfig
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
    time: pd.Series | None
    notes: tuple[str, ...] = ()
    non_numeric: tuple[str, ...] = ()
    name: str = ""

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


def load_table(source: str, time_column: str = "", allow_paths: bool = True) -> Table:
    """Read and check the file behind ``source`` (cached per file version)."""
    path = resolve(source, allow_paths)
    stat = path.stat()
    if stat.st_size > MAX_BYTES:
        raise DataError(_too_big(stat.st_size))
    return _load_cached(str(path), stat.st_mtime_ns, stat.st_size, time_column)


@functools.lru_cache(maxsize=16)
def _load_cached(path: str, mtime: int, size: int, time_column: str) -> Table:
    return parse_csv(Path(path).read_bytes(), time_column, name=Path(path).name)


def parse_csv(data: bytes, time_column: str = "", name: str = "") -> Table:
    """Parse CSV bytes into a :class:`Table`, or raise DataError saying what is wrong."""
    if len(data) > MAX_BYTES:
        raise DataError(_too_big(len(data)))
    if not data.strip():
        raise DataError("the file is empty")
    if b"\x00" in data[:8192]:
        raise DataError("this is not a CSV text file (it contains binary data)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(f"the file is not UTF-8 text (byte 0x{data[err.start]:02x} at "
                        f"position {err.start}): save it as UTF-8 CSV and upload again") from None
    try:
        # header=None and text cells: the header is checked as written (pandas would
        # rename a repeated name) and every cell converts in one place below
        sep = _delimiter(text)
        cells = pd.read_csv(io.StringIO(text), sep=sep, engine="python",
                            header=None, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, TypeError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise DataError(f"the file could not be read as CSV: {first}") from None
    header = [str(c).strip() for c in cells.iloc[0]]
    if any(not h for h in header):
        raise DataError("a column has no name in the header row")
    if len(header) != len(set(header)):
        raise DataError("two columns have the same name: rename one")
    frame = cells.iloc[1:].reset_index(drop=True)
    frame.columns = header
    frame = frame.replace({"": None, "NA": None, "NaN": None, "nan": None, "null": None})
    if frame.empty:
        raise DataError("the file has a header but no data rows")
    notes: list[str] = []
    time = None
    if time_column:
        frame, time, more = _order_by_time(frame, time_column)
        notes += more
    non_numeric = []
    for col in frame.columns:
        converted, how = _numbers(frame[col], col, sep)
        if how:
            notes.append(how)
        bad = frame[col].notna() & converted.isna()
        if bad.mean() > 0.5:  # mostly text: a label or date column, not a series
            non_numeric.append(col)
        else:
            if bad.any():
                notes.append(f"column {col!r}: {int(bad.sum())} non-numeric cells read as "
                             "missing")
            frame[col] = converted.astype(float)
    if len(frame) > MAX_ROWS:
        notes.append(f"kept the last {MAX_ROWS} of {len(frame)} rows")
        frame = frame.iloc[-MAX_ROWS:].reset_index(drop=True)
        time = time.iloc[-MAX_ROWS:].reset_index(drop=True) if time is not None else None
    return Table(frame, time, tuple(notes), tuple(non_numeric), name)


# Numbers written with a decimal comma (50,691 · 1.234,5 · 1 234,5) or with thousands
# commas (1,234.5), as spreadsheets in many locales save them.
_DECIMAL_COMMA = re.compile(r"^[+-]?(\d{1,3}([.\s\u00a0']\d{3})+|\d+),\d+$|"
                            r"^[+-]?\d{1,3}([.\s\u00a0']\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_AMBIGUOUS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")  # 1,234: one thousand or 1.234?


def _numbers(cells: pd.Series, name: str, sep: str) -> tuple[pd.Series, str]:
    """A column's cells as floats, and a note if they were written in a locale's style.

    Plain numbers first; a column that is mostly not plain numbers is tried as decimal-comma
    numbers, then as thousands-comma numbers. A comma followed by exactly three digits
    (``50,691``) can be either: the separator decides -- a semicolon file is written where
    the comma is the decimal mark, a comma file must quote a thousands comma. In a tab- or
    bar-separated file one line says what to change.
    """
    plain = pd.to_numeric(cells, errors="coerce")
    given = cells.dropna().astype(str).str.strip()
    if not len(given) or plain.notna().sum() >= 0.5 * len(given):
        return plain, ""
    styles = {
        "decimal commas": (_DECIMAL_COMMA,
                           lambda t: re.sub(r"[.\s\u00a0']", "", t).replace(",", ".")),
        "thousands commas": (_THOUSANDS_COMMA, lambda t: t.replace(",", "")),
    }
    order = list(styles)
    if given.str.match(_AMBIGUOUS).all():
        if sep not in ";,":
            raise DataError(f"column {name!r} has values like {given.iloc[0]!r}: is the comma "
                            "a decimal mark or a thousands separator? Save the file with '.' "
                            "as the decimal mark and no thousands separators")
        order = ["decimal commas"] if sep == ";" else ["thousands commas"]
    share = {style: given.str.match(styles[style][0]).mean() for style in order}
    style = max(order, key=share.get)  # the reading that makes the most cells numbers
    if share[style] < 0.5:
        return plain, ""
    pattern, clean = styles[style]
    text = cells.astype("string").str.strip()
    fixed = text.where(~text.str.match(pattern).fillna(False), text.map(clean, na_action="ignore"))
    example = given[given.str.match(pattern)].iloc[0]
    return (pd.to_numeric(fixed, errors="coerce"),
            f"column {name!r}: read {style} ({example} → {clean(example)})")


def guess_time_column(table: Table) -> str:
    """The first column if it looks like a time axis (dates, or strictly increasing
    numbers with a time-like name), else "" -- a default the user can change."""
    if not len(table.frame.columns):
        return ""
    first = table.frame.columns[0]
    col = table.frame[first]
    if first in table.non_numeric:
        parsed = pd.to_datetime(col, errors="coerce", format="mixed")
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


def _order_by_time(frame: pd.DataFrame, column: str):
    if column not in frame.columns:
        raise DataError(f"no column {column!r} for the time axis; columns are: "
                        f"{', '.join(map(repr, frame.columns))}")
    stamps = pd.to_datetime(frame[column], errors="coerce", format="mixed")
    if stamps.isna().all():
        stamps = pd.to_numeric(frame[column], errors="coerce")
    if stamps.isna().any():
        raise DataError(f"time column {column!r}: {int(stamps.isna().sum())} values are not "
                        "dates or numbers")
    notes = []
    if not stamps.is_monotonic_increasing:
        order = np.argsort(stamps.to_numpy(), kind="stable")
        frame, stamps = frame.iloc[order], stamps.iloc[order]
        notes.append(f"rows were not in time order: sorted by {column!r}")
    dup = stamps.duplicated(keep="last").to_numpy()
    if dup.any():
        notes.append(f"{int(dup.sum())} rows with a repeated time in {column!r} dropped "
                     "(the last one kept)")
        frame, stamps = frame[~dup], stamps[~dup]
    frame = frame.drop(columns=[column]).reset_index(drop=True)
    return frame, stamps.reset_index(drop=True), notes


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

    table = load_table(config.csv_source, config.time_column)
    targets, used = columns(table, config.target_columns, config.input_columns)
    values = table.frame[used].to_numpy(dtype=np.float64)  # (T, F)
    if len(values) != config.n_steps:
        raise DataError(f"n_steps is {config.n_steps} but the file has {len(values)} rows",
                        "n_steps")
    split = config.n_train_steps
    periods = tuple(dominant_period(values[:split, j]).steps if name in targets else None
                    for j, name in enumerate(used))
    return Series(values, tuple(used), periods, (True,) * len(used),
                  tuple(range(len(targets))))


def fit_config(config: ExperimentConfig, allow_paths: bool = True) -> ExperimentConfig:
    """For a csv config: n_steps set to the file's rows, and the file checked against the
    window, horizon and test span. Other configs are returned unchanged."""
    if config.dataset != "csv":
        return config
    table = load_table(config.csv_source, config.time_column, allow_paths)
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
