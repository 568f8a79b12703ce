"""Sequence length: a window too short to see the season, when it matters."""

from pages._live import require_app

require_app()

import streamlit as st

from pages._live import failure_page, preset

st.title("Sequence length")
broken = preset("window_too_short")
seq = st.slider("Window of the right-hand run", 5, 300, value=200)
failure_page(
    "10-step window", broken, broken.replace(seq_len=seq),
    """
**What you see:** a noisy seasonal series (400-step pattern, noise σ 1.5) predicted 50 steps
ahead — flat with a 10-step window (left), following the season with 200 steps (right).

**Why:** ten noisy points cannot tell where in the season you are, so the best guess is the
average; a long window averages the noise away and locates the phase.

**Fix:** a window that covers a good part of the season; with this much noise no model can beat
R² ≈ 0.49, and 200 steps get most of it.

**Where the article is off:** its example predicts *one* step ahead with little noise, where even
a 5-step window reaches R² ≈ 0.99 (preset `article_window`): the window only matters when the
answer lies further away than what the window shows.
""",
    key="seq",
)
