"""Experiment configuration: one frozen dataclass, validated in one place.

Every knob of the lab lives in :class:`ExperimentConfig`. Values arrive from three
places -- Python code, JSON (exports, URLs) and text (CLI flags, query strings) --
and all of them pass through :func:`ExperimentConfig.validate`, so a student sees
the same plain message whichever door the bad value came through.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any

DATASETS = ("sine", "multiscale", "seasonal", "csv")
OPTIMIZERS = ("adam", "sgd")
# how a file writes its dates and numbers (lstm_lab.csvformat: "auto" reads it from the values)
DATE_ORDERS = ("auto", "dmy", "mdy", "ymd")
DECIMAL_MARKS = ("auto", ".", ",")


class ConfigError(ValueError):
    """A config value is out of range or inconsistent with another one.

    ``field`` names the offending field (or ``None`` for a problem with the whole
    input, such as an unknown key); ``str(err)`` is a one-line message.
    """

    def __init__(self, message: str, field: str | None = None, value: Any = None):
        super().__init__(message)
        self.field = field
        self.value = value


@dataclass(frozen=True)
class _Rule:
    """How one field is checked: its type, its range or choices, and what it means."""

    kind: type
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None


# One row per field. Ranges are wide enough for every failure demo (LR 1e-7 shows a
# frozen network, 10 shows divergence) and narrow enough that a run stays tiny.
RULES: dict[str, _Rule] = {
    "dataset": _Rule(str, "which series: a synthetic one, or csv (your own file)",
                     choices=DATASETS),
    # --- your own data (dataset csv); names are comma-separated column names
    "csv_source": _Rule(str, "a shipped series (co2), an uploaded file, or a CSV path (CLI)",
                        high=500),
    "target_columns": _Rule(str, "columns to predict (empty: the first numeric one)", high=500),
    "input_columns": _Rule(str, "extra input columns (empty: the targets' own past)", high=500),
    "time_column": _Rule(str, "column to sort rows by (empty: the file's order)", high=200),
    "date_order": _Rule(str, "how the time column's dates are written: auto (read from the "
                        "values), dmy (31.01.2024), mdy (01/31/2024) or ymd (2024-01-31)",
                        choices=DATE_ORDERS),
    "decimal_mark": _Rule(str, "the file's decimal mark: auto (read from the values), "
                          "'.' (1,234.5) or ',' (1.234,5)", choices=DECIMAL_MARKS),
    "n_steps": _Rule(int, "length of the generated series", 100, 20_000),
    "noise": _Rule(float, "std of the Gaussian noise added to the signal", 0.0, 10.0),
    "period": _Rule(int, "period of the main cycle, in steps", 2, 10_000),
    "feature_scale_ratio": _Rule(
        float, "largest / smallest feature amplitude (multiscale)", 1.0, 1e5
    ),
    "scale_inputs": _Rule(bool, "standardise every column on the training span"),
    "seq_len": _Rule(int, "window length the LSTM sees", 1, 1_000),
    "horizon": _Rule(int, "how many steps ahead to predict", 1, 500),
    "units": _Rule(int, "LSTM hidden units", 1, 512),
    "learning_rate": _Rule(float, "optimizer step size", 1e-7, 10.0),
    "optimizer": _Rule(str, "adam (adaptive steps) or sgd (plain steps)", choices=OPTIMIZERS),
    "batch_size": _Rule(int, "windows per gradient step", 1, 1_024),
    "epochs": _Rule(int, "passes over the training windows", 1, 1_000),
    "seed": _Rule(int, "seed for data, initial weights and shuffling", 0, 2**31 - 1),
    "test_fraction": _Rule(float, "share of the series held out at the end", 0.05, 0.5),
    # --- failure knobs: each corrupts what the model reads (never what it is scored on)
    "missing_share": _Rule(float, "share of input values replaced by NaN (sensor gaps)", 0.0, 0.5),
    "impute": _Rule(bool, "fill missing inputs: carry the last value forward (causal)"),
    "outlier_share": _Rule(float, "share of input values hit by a ±1000σ glitch spike", 0.0, 0.2),
    "remove_outliers": _Rule(bool, "replace inputs beyond median ± 5 robust σ (training span) by the last good value"),
    "difference": _Rule(bool, "model step-to-step changes and add them to the last value "
                        "(for series with a trend)"),
    "spurious_feature": _Rule(bool, "add an input that copies the target in training only"),
    "shape_bug": _Rule(
        bool, "reproduce the article's example 1: train the last-step output against the "
        "whole window, silently broadcast"),
}

@dataclass(frozen=True)
class ExperimentConfig:
    """All knobs of one experiment. The defaults train a healthy model in seconds.

    Attributes are documented in :data:`RULES` (``describe(field)`` returns the text).
    """

    dataset: str = "sine"
    csv_source: str = ""
    target_columns: str = ""
    input_columns: str = ""
    time_column: str = ""
    date_order: str = "auto"
    decimal_mark: str = "auto"
    n_steps: int = 1000
    noise: float = 0.2
    period: int = 100
    feature_scale_ratio: float = 1.0
    scale_inputs: bool = True
    seq_len: int = 50
    horizon: int = 1
    units: int = 32
    learning_rate: float = 1e-3
    optimizer: str = "adam"
    batch_size: int = 32
    epochs: int = 20
    seed: int = 0
    test_fraction: float = 0.2
    missing_share: float = 0.0
    impute: bool = False
    outlier_share: float = 0.0
    remove_outliers: bool = False
    difference: bool = False
    spurious_feature: bool = False
    shape_bug: bool = False

    # --- derived sizes -------------------------------------------------------------
    @property
    def n_test_steps(self) -> int:
        """Steps at the end of the series whose values are only ever targets in test."""
        return int(round(self.n_steps * self.test_fraction))

    @property
    def n_train_steps(self) -> int:
        return self.n_steps - self.n_test_steps

    @property
    def n_train_windows(self) -> int:
        """Windows whose inputs *and* target lie inside the training span."""
        return self.n_train_steps - self.seq_len - self.horizon + 1

    # --- validation ----------------------------------------------------------------
    def validate(self) -> "ExperimentConfig":
        """Check every field, then the fields against each other.

        Returns ``self`` so that ``cfg = ExperimentConfig(...).validate()`` reads well.

        Raises
        ------
        ConfigError
            Naming the field, the value and the allowed range or the reason.
        """
        for name in RULES:
            self.check_field(name)
        if self.n_train_windows < 1:
            raise ConfigError(
                f"seq_len + horizon = {self.seq_len} + {self.horizon} leaves no training "
                f"window: the training span has only {self.n_train_steps} steps "
                f"(n_steps {self.n_steps} minus the test fraction). "
                "Use a shorter window or horizon, or a longer series.",
                "seq_len",
                self.seq_len,
            )
        if self.shape_bug and self.difference:
            raise ConfigError("shape_bug reproduces a mistake on levels; turn difference off "
                              "to show it", "shape_bug", self.shape_bug)
        return self

    def check_field(self, name: str) -> None:
        """Validate one field alone (ConfigError if bad); cross-field rules are not checked."""
        _check_field(name, getattr(self, name), RULES[name])

    # --- JSON round trip -------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ExperimentConfig":
        """Build and validate a config from a dict; missing keys keep their defaults.

        Values may be native JSON values or strings (query strings, CLI flags).
        """
        if not isinstance(data, dict):
            raise ConfigError(f"a config must be a JSON object, not {type(data).__name__}")
        unknown = sorted(set(data) - set(RULES))
        if unknown:
            raise ConfigError(
                f"unknown config field(s): {', '.join(map(str, unknown))}. "
                f"Known fields: {', '.join(RULES)}.",
                unknown[0],
            )
        values = {name: coerce(name, value) for name, value in data.items()}
        return cls(**values).validate()

    @classmethod
    def from_json(cls, text: str) -> "ExperimentConfig":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ConfigError(f"the config is not valid JSON: {err.msg} (line {err.lineno})")
        return cls.from_dict(data)

    def replace(self, **changes: Any) -> "ExperimentConfig":
        """A validated copy with some fields changed (values coerced as in from_dict)."""
        return ExperimentConfig.from_dict({**self.to_dict(), **changes})


def describe(name: str) -> str:
    """One-line description of a field with its allowed values."""
    rule = RULES[name]
    return f"{rule.help} ({_allowed(rule)})"


def coerce(name: str, value: Any) -> Any:
    """Turn ``value`` (native or text) into the field's type, or raise ConfigError.

    Ranges are not checked here; :meth:`ExperimentConfig.validate` does that.
    """
    rule = RULES[name]
    if isinstance(value, str):
        return _parse_text(name, value.strip(), rule)
    if rule.kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if rule.kind is int and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _parse_text(name: str, text: str, rule: _Rule) -> Any:
    if rule.kind is str:
        return text
    if rule.kind is bool:
        lowered = text.lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        raise ConfigError(f"{name} must be true or false, got {text!r}", name, text)
    try:
        number = float(text)
    except ValueError:
        raise ConfigError(
            f"{name} must be a number ({_allowed(rule)}), got {text!r}", name, text
        ) from None
    if rule.kind is int:
        if not number.is_integer():
            raise ConfigError(f"{name} must be a whole number, got {text!r}", name, text)
        return int(number)
    return number


def _check_field(name: str, value: Any, rule: _Rule) -> None:
    # bool is a subclass of int: reject True where a number is expected, and vice versa.
    ok_type = (
        isinstance(value, bool)
        if rule.kind is bool
        else isinstance(value, rule.kind) and not isinstance(value, bool)
    )
    if rule.kind is float and isinstance(value, int) and not isinstance(value, bool):
        ok_type = True
    if not ok_type:
        raise ConfigError(
            f"{name} must be {_kind_name(rule.kind)}, got {value!r} "
            f"({type(value).__name__}): {rule.help}",
            name,
            value,
        )
    if rule.choices is not None and value not in rule.choices:
        raise ConfigError(
            f"{name} must be one of {', '.join(rule.choices)}, got {value!r}", name, value
        )
    if rule.kind is str and rule.choices is None:  # free text: bounded, printable
        if len(value) > rule.high:
            raise ConfigError(f"{name} is too long ({len(value)} characters; at most "
                              f"{rule.high:g})", name, value)
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            raise ConfigError(f"{name} contains control characters", name, value)
        return
    if rule.kind is float and not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {value!r}", name, value)
    if rule.low is not None and not (rule.low <= value <= rule.high):
        raise ConfigError(
            f"{name} = {value!r} is out of range: allowed {_allowed(rule)} ({rule.help})",
            name,
            value,
        )


def _allowed(rule: _Rule) -> str:
    if rule.choices:
        return "one of " + ", ".join(rule.choices)
    if rule.kind is str:
        return f"text, at most {rule.high:g} characters"
    if rule.kind is bool:
        return "true or false"
    return f"{_fmt(rule.low)} … {_fmt(rule.high)}"


def _fmt(x: float | None) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _kind_name(kind: type) -> str:
    return {bool: "true or false", int: "a whole number", float: "a number", str: "text"}[kind]
