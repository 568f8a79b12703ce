"""Learning rate: too small freezes the network, too large saturates it."""

from pages._live import require_app

require_app()

import streamlit as st

from pages._live import LR_OPTIONS, failure_page, preset

st.title("Learning rate")
broken = preset("lr_too_small")
lr = st.select_slider("Learning rate of the right-hand run",
                      LR_OPTIONS[: LR_OPTIONS.index(1e-2) + 1],
                      value=1e-3, format_func=lambda x: f"{x:g}")
failure_page(
    "learning rate 1e-5", broken, broken.replace(learning_rate=lr),
    """
**What you see:** at learning rate 1e-5 (left) the prediction stays a squashed, nearly flat
copy of the sine, while 1e-3 (right) follows it within a few epochs.

**Why:** Adam moves each weight by about one learning rate per step, so after 20 epochs the
network has barely left its random start (weights changed by about 3 %).

**Fix:** raise the rate with the knob — but not too far: at learning rate 3 (preset `lr_too_large`)
the gates saturate and the line sticks to one wrong value.

**The article's own test** for "constant" (every prediction within 1e-4 of the first) calls the
left run *not* constant; the flatness score — spread of prediction over spread of target —
shows what your eyes see.
""",
    key="lr",
)
