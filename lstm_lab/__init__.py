"""LSTM Lab: see why a small LSTM collapses to one flat prediction, and what fixes it.

The public API -- the app, the CLI and the tests import only these names.
"""

from .config import ConfigError, ExperimentConfig, describe
from .train import EpochReport, ExperimentResult, TargetResult, run_experiment

__all__ = [
    "ConfigError",
    "EpochReport",
    "ExperimentConfig",
    "ExperimentResult",
    "TargetResult",
    "describe",
    "run_experiment",
]
