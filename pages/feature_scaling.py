"""Feature scaling: columns far apart in size, with and without standardising."""

from pages._live import require_app

require_app()

import streamlit as st

from pages._live import RATIO_OPTIONS, failure_page, preset

st.title("Feature scaling")
ratio = st.select_slider("Feature scale ratio (largest / smallest column), both runs",
                         RATIO_OPTIONS, value=1e4, format_func=lambda x: f"{x:g}")
broken = preset("unscaled").replace(feature_scale_ratio=ratio)
failure_page(
    "raw columns", broken, broken.replace(scale_inputs=True),
    """
**What you see.** Three columns: a large sine, a small sine and pure noise, predicted
together. Unscaled (left), every chart goes flat; standardised on the training span
(right), both sines are learned.

**Why.** The loss is dominated by the largest column, so the small one's errors hardly
count — and, more than the article says, the large one goes flat too: its values are in the
thousands, and Adam, moving each weight by about one learning rate per step, cannot grow the
output layer that far in 20 epochs. Large raw inputs also saturate the LSTM's gates.

**What fixes it.** Standardise every column with statistics from the training span only.
The noise column stays flat on both sides — correctly: there is nothing to predict.
""",
    key="scale",
)
