"""About: what the lab shows and how to read it."""

import streamlit as st

from ui.navigation import require_app

require_app()
st.markdown(
    """
A small LSTM that predicts **one value for every input** is a common complaint. The lab
trains such a network live, epoch by epoch, and shows *why* it goes flat and *what* fixes it.

**Reading the charts**

* dark — the true values over the test span (the last 20 % of the series, never trained on);
* red — the network's prediction after the latest epoch (both named at their line ends);
* pale dashed blue — the **mean baseline** (always predict the training mean): a flat line by
  construction, and what a collapsed network converges to;
* pale dotted green — the **persistence baseline** (repeat the last value seen), drawn under
  the target it almost equals.

**The numbers**

* **flatness** = spread of the prediction / spread of the target. Under 0.3 the verdict is
  **flat**.
* **R²**: 1 is perfect, 0 is no better than the mean baseline, below 0 is worse.
* **verdict**: *learning* (beats the mean and keeps up with the best naive baseline, not
  flat), *weak* (beats the mean, but repeating the last value — or last season's — does
  clearly better: R² more than 0.05 below it), *unstable* (not flat but no better than the
  mean), *flat*, *diverged* (the loss became NaN or infinite: no prediction to draw).
  The **Doctor** examines every run that is not *learning*; a *learning* run is *healthy*.

**Pages**: the *Playground* has every knob; each failure-mode page shows one failure beside
its fix, with the same seed, so the only difference is the knob that matters. *Your data*
brings a CSV; *Sweep* draws a phase diagram over two knobs.

The same experiments run from the command line: `python -m lstm_lab run --preset lr_too_small`.
"""
)
