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
    seasons : the main cycle of each column as its generator made it (the cycle a window
        must cover), None where it is not known -- a loaded file's periods are only
        estimates, so it has none. A seasonal series' season can be shorter than its
        period: a slower, weaker wave on top makes the whole pattern repeat later.
    times : (n_steps,) datetime64 -- the dates of a file's rows, drawn on every time axis
        of a run on it; None for a generated series (its axis counts steps)
    """

    values: np.ndarray
    names: tuple[str, ...]
    periods: tuple[int | None, ...]
    predictable: tuple[bool, ...]
    targets: tuple[int, ...]
    seasons: tuple[int | None, ...] = ()
    times: np.ndarray | None = None

    def season(self, j: int) -> int | None:
        """Column ``j``'s known main cycle in steps (None: not known, only estimable)."""
        return self.seasons[j] if self.seasons else None
