"""The doctor for your own Keras model -- the public entry point.

>>> from lstm_lab.keras import Doctor
>>> doc = Doctor(x_train, y_train, validation_data=(x_val, y_val))
>>> model.fit(x_train, y_train, epochs=20, callbacks=[doc])
>>> doc.findings[0].code, doc.findings[0].fix     # most likely cause, the line to change
>>> print(doc.report())                             # or just `doc.report()` in Jupyter

or, in one call, ``report = lstm_lab.diagnose_fit(model, x, y, validation_data=..., epochs=20)``.

The code lives in the doctor package (:mod:`lstm_lab.doctor.keras_fit` measures a Keras fit,
:mod:`lstm_lab.doctor.rules` judges it with the lab's rules); this module only names what a
user imports. ``keras`` and ``tf`` are the lab's own imports (TensorFlow with its start-up
banner hidden), re-exported for examples and tests.
"""

from .doctor.keras_fit import Doctor, diagnose_fit
from .doctor.problems import DoctorInputError, DoctorWarning
from .doctor.report import Report
from .model import keras, tf

__all__ = ["Doctor", "DoctorInputError", "DoctorWarning", "Report", "diagnose_fit"]
