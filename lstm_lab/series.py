"""The Series record: a multivariate series and what is known about it.

Its own module so that the generators (:mod:`lstm_lab.data`) and the CSV reader
(:mod:`lstm_lab.tabular`) both build one without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Series:
    """A generated (or loaded) multivariate series and what is known about it.

    Attributes
    ----------
    values : ndarray of shape (n_steps, n_features)
    names : column names, length n_features
    periods : known period of each column in steps, or None where unknown / aperiodic
    predictable : False for a column known to be pure noise (flat is then correct)
    targets : indices of the columns the model predicts
    """

    values: np.ndarray
    names: tuple[str, ...]
    periods: tuple[int | None, ...]
    predictable: tuple[bool, ...]
    targets: tuple[int, ...]
