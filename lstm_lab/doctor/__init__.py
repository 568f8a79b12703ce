"""The doctor: name the cause of a failed run, with the numbers that support it.

One set of rules, two front ends. The modules, each importing only the ones listed before
it (``tests/test_imports.py`` holds them to it):

- :mod:`.problems` -- :class:`DoctorInputError`, :class:`DoctorWarning`: how the doctor says
  what it could not read.
- :mod:`.measures` -- :class:`Measurements`, the one record the rules read, and the
  measurements both front ends take alike.
- :mod:`.rules` -- :class:`Finding`, the codes, the thresholds and the rules;
  :func:`judge` turns measurements into findings, most likely first.
- :mod:`.lab` -- the lab front end: :func:`diagnose` (a lab run's findings) and
  :func:`measure`.
- :mod:`.fit_data` -- a user's fit data (arrays, frames, ``tf.data``) read into a bounded
  sample, and what the data alone tells.
- :mod:`.report` -- :class:`Report`, the Keras front end's text/HTML report.
- :mod:`.trials` -- after a Keras fit, the leading findings' fixes tried on clones of the
  model against a control, and the findings ranked by what the fixes did (loads Keras).
- :mod:`.keras_fit` -- the Keras front end: the callback :class:`Doctor` and
  :func:`diagnose_fit` (public as :mod:`lstm_lab.keras`). It loads TensorFlow, so this
  package does not import it: ``from lstm_lab.doctor import Doctor`` loads it on first use.

The names below are what the app, the CLI and the tests import from ``lstm_lab.doctor``.
"""

from .lab import diagnose, measure
from .measures import Measurements, grad_share, spurious_columns, still_falling
from .problems import DoctorInputError, DoctorWarning
from .rules import (CODES, ENOUGH_UPDATES, HEALTHY_STEP, LAB_CODES, RULES, SLOW_UPDATE, Finding,
                    healthy_line, judge)

__all__ = [
    "CODES", "ENOUGH_UPDATES", "HEALTHY_STEP", "LAB_CODES", "RULES", "SLOW_UPDATE",
    "DoctorInputError", "DoctorWarning", "Finding", "Measurements",
    "diagnose", "grad_share", "healthy_line", "judge", "measure", "spurious_columns",
    "still_falling",
    "Doctor", "Report", "diagnose_fit",
]


def __getattr__(name: str):
    # The Keras front end loads TensorFlow; the app's pages and the CLI import this package
    # for the lab's findings only.
    if name in ("Doctor", "Report", "diagnose_fit"):
        from . import keras_fit

        return getattr(keras_fit, name)
    raise AttributeError(f"module 'lstm_lab.doctor' has no attribute {name!r}")
