"""Spurious feature: an input that predicts the target only in the training span."""

from pages._live import require_app

require_app()

import streamlit as st

from pages._live import failure_page, preset

st.title("Spurious feature")
failure_page(
    "with the spurious input", preset("spurious_feature"), preset("spurious_feature_fixed"),
    """
**What you see:** an extra input column that, in the training span, equals the value the
model must predict (left). Training loss drops to almost nothing — and on the test span the
prediction is noise. Without that column (right) the model learns the sine itself.

**Why:** the easiest way to lower the training loss is to copy the column that already holds
the answer. In the test span the column is unrelated noise (the pattern — "sales always rose
on Mondays" — stopped holding), and the model has nothing else to go on. The Doctor shows
the evidence: the column's correlation with the target in training vs test, and the share
of the input gradient it takes.

**Fix:** drop the column. In real data: check every input's relation to the target on a
held-out span before trusting it.
""",
    key="spurious",
)
