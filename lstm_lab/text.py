"""Numbers and knobs in words: one formatter for every screen, CLI line and report.

:data:`LABELS` holds the app's own name for each config field -- the label of its control
on the Playground -- so that a finding, a pre-flight warning and the knob it points at use
the same words.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

LABELS = {
    "dataset": "Dataset",
    "csv_source": "Your data file",
    "target_columns": "Target column(s)",
    "input_columns": "Extra input columns",
    "time_column": "Time column",
    "date_order": "Dates written",
    "decimal_mark": "Decimal mark",
    "n_steps": "Series length",
    "noise": "Noise",
    "period": "Period (steps)",
    "feature_scale_ratio": "Feature scale ratio",
    "scale_inputs": "Standardise columns",
    "seq_len": "Sequence length",
    "horizon": "Horizon (steps ahead)",
    "units": "LSTM units",
    "learning_rate": "Learning rate",
    "optimizer": "Optimizer",
    "batch_size": "Batch size",
    "epochs": "Epochs",
    "seed": "Seed",
    "test_fraction": "Test fraction",
    "missing_share": "Missing inputs (share)",
    "impute": "Fill missing inputs",
    "outlier_share": "Glitch spikes (share)",
    "remove_outliers": "Remove spikes",
    "difference": "Model changes, not levels",
    "spurious_feature": "Spurious input",
    "shape_bug": "Shape bug",
}


def num(x: float | None, digits: int = 3) -> str:
    """A score or measurement: ``digits`` decimals, thousands separated from 1000 on,
    "n/a" for a missing or non-finite value."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.{digits}f}"


def value(v: Any) -> str:
    """A config value as a person types it: true/false, 1e-05, 32, text."""
    if isinstance(v, bool):
        return str(v).lower()
    return f"{v:g}" if isinstance(v, float) else str(v)


def label(field: str) -> str:
    return LABELS.get(field, field.replace("_", " "))


def change(field: str, new: Any, old: Any = None) -> str:
    """One knob's change in the app's words: "turn on Fill missing inputs",
    "Learning rate 1e-05 → 0.001" (or "set Learning rate to 0.001" without ``old``)."""
    if isinstance(new, bool):
        return f"turn {'on' if new else 'off'} {label(field)}"
    if old is not None:
        return f"{label(field)} {value(old)} → {value(new)}"
    return f"set {label(field)} to {value(new)}"


def patch_words(patch: Mapping[str, Any], before: Mapping[str, Any] | None = None) -> str:
    """A config patch in the app's words, e.g. "turn on Fill missing inputs"."""
    return ", ".join(change(k, v, None if before is None else before.get(k))
                     for k, v in patch.items())


def action(patch: Mapping[str, Any], before: Mapping[str, Any] | None = None) -> str:
    """:func:`patch_words` as a button says it: "Turn on Fill missing inputs"."""
    words = patch_words(patch, before)
    return words[:1].upper() + words[1:]
