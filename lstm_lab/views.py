"""What a live view draws, as plain data: no Streamlit, no Keras.

The app turns these tables into charts; keeping the arithmetic here keeps the pages
thin and lets the tests check exactly what a chart is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from .charts import domain_of
from .config import RULES, ConfigError, ExperimentConfig, coerce
from .data import prepare
from .series import Series
from .train import TargetResult, score_targets


@dataclass(frozen=True)
class Preview:
    """The test span of a config before any training: targets, baselines, axes.

    y_test : (n_test, n_targets) original units; baselines : name -> same shape.
    """

    config: ExperimentConfig
    series: Series
    test_index: np.ndarray
    y_test: np.ndarray
    baselines: dict[str, np.ndarray]

    @property
    def t(self) -> np.ndarray:
        """(n_test,) the time axis: the file's dates (datetime64), else the step index."""
        times = self.series.times
        return self.test_index if times is None else times[self.test_index]

    @property
    def target_names(self) -> tuple[str, ...]:
        return tuple(self.series.names[c] for c in self.series.targets)

    def domain(self, j: int) -> tuple[float, float]:
        """A fixed y range for target j: targets and baselines with a 15 % margin."""
        return domain_of(self.y_test[:, j], *(b[:, j] for b in self.baselines.values()))

    def score(self, predictions: np.ndarray, diverged: bool = False):
        """(targets, overall verdict) for predictions (n_test, n_targets) of any epoch."""
        return score_targets(self.series, self.y_test, self.baselines, predictions, diverged)


def preview(config: ExperimentConfig) -> Preview:
    data = prepare(config.validate())
    return Preview(config, data.series, data.test_index, data.y_test_raw, data.baselines)


@dataclass(frozen=True)
class ColumnView:
    """One column of a data file as the Data page plots it, before any training.

    t : (n,) time of each row (dates, or row numbers); values : (n,) as recorded (NaN for a
    gap); spikes : (n,) bool, beyond 5 robust σ of the training span; split : first test row.
    """

    name: str
    role: str  # "target" or "input"
    t: np.ndarray
    values: np.ndarray
    spikes: np.ndarray
    split: int

    @property
    def gaps(self) -> int:
        return int(np.isnan(self.values).sum())


def data_view(config: ExperimentConfig) -> list[ColumnView]:
    """Every column a csv config uses, targets first, with its gaps and spikes."""
    from .signals import ROBUST_Z, robust_z
    from .tabular import columns, config_table

    table = config_table(config)
    targets, used = columns(table, config.target_columns, config.input_columns)
    t = (table.time.to_numpy() if table.time is not None else np.arange(len(table.frame)))
    split = config.n_train_steps
    out = []
    for name in used:
        values = table.frame[name].to_numpy(dtype=np.float64)  # (n,)
        spikes = robust_z(values[:, None], values[:split, None])[:, 0] > ROBUST_Z
        out.append(ColumnView(name, "target" if name in targets else "input", t, values,
                              spikes, split))
    return out


def target_table(targets: list[TargetResult]) -> pd.DataFrame:
    """One row per target: verdict, flatness and R² beside the baselines' R²."""
    rows = []
    for t in targets:
        row: dict[str, Any] = {"target": t.name, "verdict": t.verdict,
                               "flatness": t.scores.flatness, "R²": t.scores.r2}
        for name, s in t.baselines.items():
            row[f"R² {name}"] = s.r2
        rows.append(row)
    return pd.DataFrame(rows)


def preflight_table(report) -> pd.DataFrame:
    """One row per column of a pre-flight report, as the Data page shows it."""
    return pd.DataFrame([{
        "column": c.name, "role": c.role, "missing %": round(100 * c.missing_share, 2),
        "std (train)": c.std, "spikes > 5 robust σ": c.outliers,
        "season (steps)": c.period, "autocorrelation": round(c.period_strength, 2),
        "longer cycle (steps)": c.long_period}
        for c in report.columns])


def nearest_option(value: float, options: list[float]) -> float:
    """The option closest to ``value`` on a log scale (for a log slider)."""
    return min(options, key=lambda o: abs(np.log(o) - np.log(value)))


def axis_label(v: float) -> str:
    """How a sweep axis value is written on the heatmap (and sent back by a click)."""
    return f"{v:g}"


def picked_cell(cells, selection: dict, x_field: str, y_field: str):
    """The cell a heatmap click selected ({x_field: label, y_field: label}), or None."""
    want = (str(selection.get(x_field)), str(selection.get(y_field)))
    return next((c for c in cells if (axis_label(c.x), axis_label(c.y)) == want), None)


def sweep_frame(cells, x_field: str, y_field: str, root_url: str = "", *,
                findings: bool = True, extra: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per finished cell: axis values (as labels), verdict, numbers, the doctor's
    top code (blank with ``findings=False``: a lesson that hides the doctor), and the link
    that opens the cell's exact config in the Playground (``extra`` keys appended)."""
    rows = [{
        x_field: axis_label(c.x), y_field: axis_label(c.y), "verdict": c.verdict,
        "R²": None if c.r2 is None else round(c.r2, 3),
        "flatness": None if c.flatness is None else round(c.flatness, 3),
        "best baseline R²": None if c.best_baseline_r2 is None else round(c.best_baseline_r2, 3),
        "finding": c.finding if findings else "",
        "label": cell_label(c.verdict, c.finding if findings else None),
        "url": share_link(root_url, c.config, extra)} for c in cells]
    columns = [x_field, y_field, "verdict", "R²", "flatness", "best baseline R²", "finding",
               "label", "url"]
    return pd.DataFrame(rows, columns=columns)


def cell_label(verdict: str, finding: str | None) -> str:
    """What a sweep cell says: its verdict in a word (the colour is not the only cue), and
    under it the doctor's finding where there is one."""
    return verdict if finding in (None, "healthy") else f"{verdict}\n{finding}"


def eta_text(done: int, total: int, elapsed: float) -> str:
    if not done:
        return f"0/{total} cells"
    left = elapsed / done * (total - done)
    return f"{done}/{total} cells — about {left:.0f} s left" if done < total else \
        f"{total}/{total} cells in {elapsed:.1f} s"


def config_from_query(params: Mapping[str, Any], base: ExperimentConfig | None = None):
    """A config from URL query parameters, keeping every value that is valid.

    Returns ``(config, problems)``: each unknown key or bad value is left out with a
    one-line reason; if the kept values still clash (say, a window longer than the
    series), the defaults are used and that reason is added.
    """
    base = base or ExperimentConfig()
    values, problems = base.to_dict(), []
    for key, raw in params.items():
        text = raw[-1] if isinstance(raw, list) else raw
        if key not in RULES:
            problems.append(f"unknown setting {key!r} ignored")
            continue
        try:
            candidate = {**values, key: coerce(key, text)}
            ExperimentConfig(**candidate).check_field(key)
            if key == "csv_source" and candidate[key]:  # never a server path from a link
                from .tabular import resolve

                resolve(candidate[key], allow_paths=False)
            values = candidate
        except (ConfigError, TypeError) as err:
            problems.append(str(err))
    try:
        from .tabular import fit_config

        return fit_config(ExperimentConfig(**values).validate(), allow_paths=False), problems
    except ConfigError as err:
        return base, problems + [f"{err} -- using the defaults"]


def config_to_query(config: ExperimentConfig) -> dict[str, str]:
    """The full config as query-string values (round-trips through config_from_query)."""
    return {k: _text(v) for k, v in config.to_dict().items()}


def share_link(base_url: str | None, config: ExperimentConfig,
               extra: Mapping[str, str] | None = None) -> str:
    """A link that reopens this exact run: the page's URL plus the full config (and
    ``extra`` keys, such as a lesson's, after it)."""
    return f"{base_url or ''}?{urlencode({**config_to_query(config), **(extra or {})})}"


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, float) else str(v)
