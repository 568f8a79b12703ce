"""Pre-flight report: what is in the data, and what will go wrong with this config,
before any training.

Works for every dataset (synthetic ones report what their generator made, including
the failure knobs' gaps and spikes). Each warning is a plain sentence that names the knob
that fixes it in the app's own words (:data:`lstm_lab.text.LABELS`), with that fix as a
config patch -- the app turns it into a one-click button, the CLI into flags.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from . import signals
from .config import ConfigError, ExperimentConfig
from .data import _corrupt, generate, season_window
from .text import label

SCALE_WARN = 100.0  # column spreads further apart than this need scaling


@dataclass(frozen=True)
class ColumnReport:
    name: str
    role: str  # "target" or "input"
    missing_share: float
    std: float | None  # training span
    outliers: int  # beyond 5 robust σ of the training span
    worst_z: float
    period: int | None  # dominant period in steps, estimated from the data (targets only)
    period_strength: float
    # the main cycle the generator made (a generated series only; None for a file): the
    # season a window fix covers, which a noisy estimate only approximates
    season: int | None = None


@dataclass(frozen=True)
class Advice:
    """One warning: the sentence, and the config patch that acts on it (None if none)."""

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
    warnings: list[Advice]  # against the current config

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
    notes, non_numeric = [], []
    if config.dataset == "csv":
        from .tabular import config_table

        table = config_table(config)
        notes, non_numeric = list(table.notes), list(table.non_numeric)
    counts, worst = signals.robust_outliers(values, ref=values[:split])
    cols = []
    for j, name in enumerate(series.names):
        target = j in series.targets
        col = values[:, j]
        period = signals.dominant_period(col[:split]) if target else signals.Period(None, 0.0)
        std = float(np.nanstd(col[:split])) if np.isfinite(col[:split]).any() else None
        cols.append(ColumnReport(name, "target" if target else "input",
                                 float(np.isnan(col).mean()), std, int(counts[j]),
                                 float(worst[j]), period.steps, period.strength,
                                 series.season(j) if target else None))
    stds = [c.std for c in cols if c.std]
    ratio = max(stds) / min(stds) if stds else None
    report = Preflight(len(values), split, len(values) - split, cols, non_numeric, ratio,
                       notes, [])
    return Preflight(**{**report.__dict__, "warnings": _warnings(config, report, values)})


def _fix(c: ExperimentConfig, **patch) -> dict | None:
    """``patch`` if the config still validates with it, else None (no button offered)."""
    try:
        c.replace(**patch)
    except ConfigError:
        return None
    return patch


def _short_window(c: ExperimentConfig, col: ColumnReport) -> Advice | None:
    """A window under a third of the season rarely sees enough of it (half a season still
    works one step ahead, as the default sine shows). The season is the generator's where
    known -- the same one the doctor's fix covers -- else the estimate from the data."""
    found = col.period if col.period and col.period_strength > 0.2 else None
    season = col.season or found
    if col.role != "target" or not season or 3 * c.seq_len >= season:
        return None
    window = season_window(c, season)
    estimate = (f" (estimated from the noisy data: {col.period})"
                if col.season and col.period and col.period != col.season else "")
    return Advice(
        f"window {c.seq_len} is shorter than the {season}-step season of '{col.name}'"
        f"{estimate}: a window of {'one season' if window == season else 'as much of it as fits'} "
        f"({label('seq_len')} {window}) lets the model see the whole pattern",
        _fix(c, seq_len=window))


def _warnings(c: ExperimentConfig, r: Preflight, values: np.ndarray) -> list[Advice]:
    out = []
    for col in r.columns:
        # a window under a third of the season rarely sees enough of it (half a season
        # still works one step ahead, as the default sine shows)
        short = _short_window(c, col)
        if short:
            out.append(short)
        if col.missing_share > 0 and not c.impute:
            out.append(Advice(f"'{col.name}' has {100 * col.missing_share:.1f} % missing values: "
                              f"without {label('impute')} the loss will be NaN",
                              _fix(c, impute=True)))
        if col.outliers and col.worst_z > 20 and not c.remove_outliers:
            out.append(Advice(f"'{col.name}' has {col.outliers} spikes (up to "
                              f"{col.worst_z:,.0f} robust σ): turn on {label('remove_outliers')}",
                              _fix(c, remove_outliers=True)))
    if r.scale_ratio and r.scale_ratio > SCALE_WARN and not c.scale_inputs:
        big = max(r.columns, key=lambda x: x.std or 0)
        small = min(r.columns, key=lambda x: x.std or np.inf)
        out.append(Advice(f"column '{big.name}' is {r.scale_ratio:,.0f}× larger than "
                          f"'{small.name}' and {label('scale_inputs')} is off",
                          _fix(c, scale_inputs=True)))
    split = c.n_train_steps
    for j, col in enumerate(r.columns):
        if col.role != "target" or c.difference:
            continue
        train, test = values[:split, j], values[split:, j]
        lo, hi = np.nanmin(train), np.nanmax(train)
        outside = np.mean((test < lo) | (test > hi)) if np.isfinite(test).any() else 0.0
        if outside > 0.25:
            out.append(Advice(f"{100 * outside:.0f} % of the test span of '{col.name}' lies "
                              "outside its training range (a trend): the model cannot output "
                              f"levels it never saw — turn on {label('difference')}",
                              _fix(c, difference=True)))
    return out
