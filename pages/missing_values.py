"""Missing values: one gap in an input window turns the whole loss into NaN."""

from pages._live import require_app

require_app()

import streamlit as st

from pages._live import failure_page, preset

st.title("Missing values")
share = st.select_slider("Share of input values missing, both runs",
                         [0.001, 0.01, 0.02, 0.05, 0.1, 0.2], value=0.05,
                         format_func=lambda x: f"{100 * x:g} %")
broken = preset("missing_values").replace(missing_share=share)
failure_page(
    "gaps left in", broken, broken.replace(impute=True),
    """
**What you see:** with gaps (NaN) in the inputs (left) training stops at the first epoch: the
loss is NaN and there is no prediction to draw. With the gaps filled (right) the model
learns as if nothing had happened.

**Why:** a NaN in any window makes that batch's loss NaN, its gradient NaN, and one update
with a NaN gradient turns every weight NaN. Even 0.1 % of gaps is enough, because with a
50-step window most batches contain one.

**Fix:** fill each gap with the last value seen (forward fill). It uses only the past, so
it never lets the future leak into the inputs; the targets the model is scored on are left
as recorded.
""",
    key="missing",
)
