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
    "diagnose_fit",
]


def __getattr__(name: str):
    # `diagnose_fit` lives with the Keras callback; importing it here would load
    # TensorFlow on every `import lstm_lab` (the app's pages and the CLI's --help).
    if name == "diagnose_fit":
        from .keras import diagnose_fit

        return diagnose_fit
    raise AttributeError(f"module 'lstm_lab' has no attribute {name!r}")
