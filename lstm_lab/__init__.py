"""LSTM Lab: see why a small LSTM collapses to one flat prediction, and what fixes it.

The public API -- what the README documents and a notebook or script may rely on:

- this module's names: :class:`ExperimentConfig` (and :class:`ConfigError`, :func:`describe`),
  :func:`run_experiment` and its results (:class:`ExperimentResult`, :class:`EpochReport`,
  :class:`TargetResult`), and :func:`diagnose_fit` (a Keras fit with the doctor attached);
- :mod:`lstm_lab.keras`: the Keras callback ``Doctor`` and its ``Report``,
  ``DoctorWarning`` and ``DoctorInputError``;
- :func:`lstm_lab.doctor.diagnose` (a lab run's findings) and :class:`lstm_lab.doctor.Finding`;
- the ``lstm-lab`` command (:mod:`lstm_lab.cli`, also ``python -m lstm_lab``).

Everything else is internal: the app (``app.py``, ``pages/``, ``ui/``), the CLI, the
benchmarks and the tests import the submodules they need directly -- ``charts``, ``views``,
``text``, ``presets``, ``modes``, ``lesson``, ``numbers``, ``preflight``, ``runner``,
``jobs``, ``dask_runner``, ``sweep``, ``replay``, ``export``, ``tabular``, ``data``,
``model``, ``metrics``, ``signals``, ``lr_find``, ``doctor.*`` -- and those may change
between versions without notice. ``tests/test_imports.py`` keeps their layers free of
import circles and the core free of the UI (no Streamlit here).
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
