"""Feature scaling: columns far apart in size, with and without standardising."""

from pages._live import require_app

require_app()

import streamlit as st

from pages._live import RATIO_OPTIONS, failure_page, preset

st.title("Feature scaling")
ratio = st.select_slider("Feature scale ratio (largest / smallest column), both runs",
                         RATIO_OPTIONS, value=1e4, format_func=lambda x: f"{x:g}")
broken = preset("unscaled_inputs").replace(feature_scale_ratio=ratio)
failure_page(
    "raw columns", broken, broken.replace(scale_inputs=True),
    """
**What you see:** three columns predicted together — a large sine, a small sine and pure
noise; unscaled (left) every chart goes flat, standardised (right) both sines are learned.

**Why:** the loss is dominated by the largest column, so the small one's errors hardly count;
and, further than the article says, the large one goes flat too, because Adam (about one
learning rate per step) cannot grow the output layer to values in the thousands.

**Fix:** standardise every column with statistics from the training span only.
The noise column stays flat on both sides, correctly: there is nothing in it to predict.
""",
    key="scale",
)
