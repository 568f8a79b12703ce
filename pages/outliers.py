"""Outliers: rare glitch spikes inflate the scaler and drown the signal."""

from pages._live import require_app

require_app()

import streamlit as st

from pages._live import failure_page, preset

st.title("Outliers")
share = st.select_slider("Share of input values hit by a ±1000σ glitch, both runs",
                         [0.002, 0.005, 0.01, 0.02, 0.05], value=0.01,
                         format_func=lambda x: f"{100 * x:g} %")
broken = preset("outliers").replace(outlier_share=share)
failure_page(
    "glitches left in", broken, broken.replace(remove_outliers=True),
    """
**What you see:** a sensor that now and then writes a value a thousand times too large
(left): the prediction is a poor, damped guess, worse than repeating the last value.
With the glitches removed (right) the sine is learned.

**Why:** the standard scaler's σ is computed from all values, so a few huge spikes inflate
it ~100×; the real signal becomes a ripple of ±0.01 in model units while the spikes sit at
±10. Every window that contains a spike pulls the weights towards fitting it.

**Fix:** on the training span, mark values beyond median ± 5 robust σ (from the median
absolute deviation, which the spikes barely move) and replace them by the last good value.
""",
    key="outliers",
)
