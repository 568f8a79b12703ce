"""Shape bug: the article's own example 1, a broadcast that trains the model to the mean."""

from pages._live import require_app

require_app()

import streamlit as st

from pages._live import failure_page, preset

st.title("Shape bug")
failure_page(
    "one output vs a whole window", preset("shape_broadcast"), preset("shape_broadcast_fixed"),
    """
**What you see:** the model outputs one value per window, but is trained against a *whole
window* of 100 targets (left): the prediction is a flat line. With one target per window
(right) the same model follows the sine.

**Why:** Keras' losses broadcast a `(batch, 1)` prediction against a `(batch, 100, 1)`
target without a word. The loss then averages over the 100 steps, and the best single number
for 100 different values is their mean — here one full period of the sine, so about zero.
This is what the article's first code example does: it runs, and it trains a flat line.

**In the lab:** the engine refuses targets whose shape does not match the model's output
with a plain error; this page opts in (`shape_bug`) only to show the mistake.
""",
    key="shape",
)
