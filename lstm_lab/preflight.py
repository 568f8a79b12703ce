"""Pre-flight report: what is in the data, and what will go wrong with this config,
before any training.

Works for every dataset (synthetic ones report what their generator made, including
the failure knobs' gaps and spikes). Each warning is a plain sentence that names the knob
that fixes it in the app's own words (:data:`lstm_lab.text.LABELS`), with that fix as a
config patch -- the app turns it into a one-click button, the CLI into flags.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from . import signals
from .config import ConfigError, ExperimentConfig
from .data import _corrupt, generate, season_window
from .text import action, label

SCALE_WARN = 100.0  # column spreads further apart than this need scaling


@dataclass(frozen=True)
class ColumnReport:
    name: str
    role: str  # "target" or "input"
    missing_share: float
    std: float | None  # training span
    outliers: int  # beyond 5 robust σ of the training span
    worst_z: float
    # the dominant short season in steps, estimated from the data (every column: an input
    # can be as seasonal as the target), and a longer cycle on top of it if one is found
    period: int | None
    period_strength: float
    # the main cycle the generator made (a generated series only; None for a file): the
    # season a window fix covers, which a noisy estimate only approximates
    season: int | None = None
    long_period: int | None = None


@dataclass(frozen=True)
class Advice:
    """One warning or tip: the sentence, and the config patch that acts on it (None if
    none). A warning is what will go wrong (a NaN loss, spikes, columns 10 000× apart, a
    trend); a tip what may help (a longer window): the doctor confirms it after a run."""

    text: str
    fix: dict | None = None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Preflight:
    rows: int
    train_rows: int
    test_rows: int
    columns: list[ColumnReport]
    non_numeric: list[str]
    scale_ratio: float | None  # largest / smallest training-span std among used columns
    notes: list[str]  # what loading changed (sorted rows, dropped duplicates, ...)
    warnings: list[Advice]  # against the current config: what will go wrong
    tips: list[Advice] = field(default_factory=list)  # what may help (not counted as warnings)
    format_line: str = ""  # a file's: how its dates and numbers were read (see tabular.Table)

    def to_dict(self) -> dict:
        d = asdict(self)
        for c in d["columns"]:
            for k in ("missing_share", "std", "worst_z", "period_strength"):
                if c[k] is not None:
                    c[k] = round(float(c[k]), 4)
        if d["scale_ratio"] is not None:
            d["scale_ratio"] = round(d["scale_ratio"], 2)
        return d


def preflight(config: ExperimentConfig) -> Preflight:
    """Inspect the config's series as the model would read it (before any repair)."""
    config.validate()
    series = generate(config)
    split = config.n_train_steps
    values = _corrupt(config, series.values.astype(np.float64), split)  # (T, F)
    notes, non_numeric, line = [], [], ""
    if config.dataset == "csv":
        from .tabular import config_table

        table = config_table(config)
        notes, non_numeric = list(table.notes), list(table.non_numeric)
        line = table.format_line
        notes += _calendar_notes(table.time, split)
    counts, worst = signals.robust_outliers(values, ref=values[:split])
    cols = []
    for j, name in enumerate(series.names):
        target = j in series.targets
        col = values[:, j]
        short, long = signals.seasons(col[:split], max_period=split // 2)
        std = float(np.nanstd(col[:split])) if np.isfinite(col[:split]).any() else None
        cols.append(ColumnReport(name, "target" if target else "input",
                                 float(np.isnan(col).mean()), std, int(counts[j]),
                                 float(worst[j]), short.steps, short.strength,
                                 series.season(j) if target else None, long.steps))
    stds = [c.std for c in cols if c.std]
    ratio = max(stds) / min(stds) if stds else None
    report = Preflight(len(values), split, len(values) - split, cols, non_numeric, ratio,
                       notes, [])
    return Preflight(**{**report.__dict__, "warnings": _warnings(config, report, values),
                        "tips": _window_tips(config, report, values), "format_line": line})


def _calendar_notes(time, split: int) -> list[str]:
    """Daily dates: the calendar's seasons, and whether the file is long enough to measure
    the year (an autocorrelation sees periods up to half the training span)."""
    if time is None or not np.issubdtype(np.asarray(time).dtype, np.datetime64) or len(time) < 3:
        return []
    step = pd.Series(time).diff().median()
    if step != pd.Timedelta(days=1):
        return []
    years = (time.iloc[-1] - time.iloc[0]).days / 365.25
    if split // 2 >= 365:
        return [f"daily dates over {years:.1f} years: a week is 7 steps, a year 365"]
    return [f"daily dates over {years:.1f} years: a week is 7 steps; a yearly cycle (365 "
            f"steps) needs a training span of two years to be measured here"]


def first_run(config: ExperimentConfig, report: Preflight | None = None
              ) -> tuple[ExperimentConfig, list[str]]:
    """The config a first run on a user's file starts from, and what was changed.

    Every repair pre-flight's warnings ask for (fill gaps, clip spikes, standardise, model
    the changes of a trend) is applied, and a window long enough for the season where a
    linear model shows it helps -- so that the first thing a practitioner sees on their
    own data is a run that trains, not "diverged". Returns (config, one line per change).
    ``report``: this config's :func:`preflight`, where the caller has it already.
    """
    report = report or preflight(config)
    patch: dict = {}
    said = []
    for w in report.warnings + report.tips:
        if not w.fix or any(k in patch for k in w.fix):
            continue
        if _fix(config, **{**patch, **w.fix}) is not None:
            patch.update(w.fix)
            said.append(f"{action(w.fix)}: {w.text}")
    return (config.replace(**patch) if patch else config), said


def _fix(c: ExperimentConfig, **patch) -> dict | None:
    """``patch`` if the config still validates with it, else None (no button offered)."""
    try:
        c.replace(**patch)
    except ConfigError:
        return None
    return patch


def _window_tips(c: ExperimentConfig, r: Preflight, values: np.ndarray) -> list[Advice]:
    """A longer window, where the doctor's own rule says it helps: a linear model on one
    season of past steps beats the current window by :data:`signals.WINDOW_GAIN` of R² on
    the test span (the same measurement, season and window the doctor's
    ``window_too_short`` uses). One tip, for the target that gains most."""
    split = c.n_train_steps
    best = None
    for j, col in enumerate(r.columns):
        if col.role != "target":
            continue
        y = values[:, j]
        mu, sd = np.nanmean(y[:split]), np.nanstd(y[:split])
        y = (y - mu) / sd if sd > 0 else y - mu  # model units, as the doctor measures
        found = signals.dominant_period(y[:split], max_period=split // 2)
        season = col.season or found.steps
        long = season_window(c, season)
        if long <= c.seq_len:
            continue
        now = signals.linear_probe_r2(y, split, c.seq_len, c.horizon)
        then = signals.linear_probe_r2(y, split, long, c.horizon)
        if then is None:
            continue
        gain = then - (now if now is not None else 0.0)
        if gain >= signals.WINDOW_GAIN and (best is None or gain > best[0]):
            best = (gain, col, season, long, now, then)
    if best is None:
        return []
    _, col, season, long, now, then = best
    of = f" (one {season}-step season)" if season and long == season else ""
    return [Advice(
        f"a linear model on '{col.name}' reaches R² {_r2(now)} with the {c.seq_len}-step "
        f"window but {_r2(then)} with {long} steps{of}: {label('seq_len')} {long} may let "
        "the model see the whole pattern", _fix(c, seq_len=long))]


def _r2(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _warnings(c: ExperimentConfig, r: Preflight, values: np.ndarray) -> list[Advice]:
    """What will go wrong with this config; one warning (one button) per fix."""
    out = []
    gaps = [col for col in r.columns if col.missing_share > 0]
    if gaps and not c.impute:
        each = ", ".join(f"'{col.name}' {100 * col.missing_share:.1f} %" for col in gaps)
        out.append(Advice(f"missing values ({each}): without {label('impute')} the loss "
                          "will be NaN", _fix(c, impute=True)))
    spiky = [col for col in r.columns if col.outliers and col.worst_z > 20]
    if spiky and not c.remove_outliers:
        each = ", ".join(f"'{col.name}' {col.outliers} (up to {col.worst_z:,.0f} robust σ)"
                         for col in spiky)
        out.append(Advice(f"spikes ({each}): turn on {label('remove_outliers')}",
                          _fix(c, remove_outliers=True)))
    if r.scale_ratio and r.scale_ratio > SCALE_WARN and not c.scale_inputs:
        big = max(r.columns, key=lambda x: x.std or 0)
        small = min(r.columns, key=lambda x: x.std or np.inf)
        out.append(Advice(f"column '{big.name}' is {r.scale_ratio:,.0f}× larger than "
                          f"'{small.name}' and {label('scale_inputs')} is off",
                          _fix(c, scale_inputs=True)))
    split = c.n_train_steps
    trend = []
    for j, col in enumerate(r.columns):
        if col.role != "target" or c.difference:
            continue
        train, test = values[:split, j], values[split:, j]
        lo, hi = np.nanmin(train), np.nanmax(train)
        outside = np.mean((test < lo) | (test > hi)) if np.isfinite(test).any() else 0.0
        if outside > 0.25:
            trend.append(f"{100 * outside:.0f} % of the test span of '{col.name}'")
    if trend:
        out.append(Advice(f"{' and '.join(trend)} lies outside its training range (a trend): "
                          "the model cannot output levels it never saw — turn on "
                          f"{label('difference')}", _fix(c, difference=True)))
    return out
