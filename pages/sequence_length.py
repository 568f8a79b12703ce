"""Sequence length: a window too short to see the season, when it matters."""

from pages._live import require_app

require_app()

import streamlit as st

from pages._live import failure_page, preset

st.title("Sequence length")
broken = preset("short-window")
seq = st.slider("Window of the right-hand run", 5, 300, value=200)
failure_page(
    "10-step window", broken, broken.replace(seq_len=seq),
    """
**What you see.** A noisy seasonal series (pattern of 400 steps, noise σ 1.5), predicted 50
steps ahead. With a 10-step window (left) the prediction is nearly flat; with 200 steps
(right) it follows the season.

**Why.** Ten noisy points cannot tell where in the season you are, so the best guess is the
average. A long window averages the noise away and locates the phase.

**Where the article is off.** Its example predicts *one* step ahead with little noise; there
even a 5-step window reaches R² ≈ 0.99 (preset `article-window`), because the last few points
already say where a smooth curve goes next. The window only matters when the answer lies
further away than what the window shows. With this much noise, no model can beat R² ≈ 0.49.
""",
    key="seq",
)
