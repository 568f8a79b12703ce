"""Learning rate: too small freezes the network, too large saturates it."""

from pages._live import require_app

require_app()

import streamlit as st

from pages._live import LR_OPTIONS, failure_page, preset

st.title("Learning rate")
broken = preset("tiny-lr")
lr = st.select_slider("Learning rate of the right-hand run", LR_OPTIONS[: LR_OPTIONS.index(1e-2) + 1],
                      value=1e-3, format_func=lambda x: f"{x:g}")
failure_page(
    "learning rate 1e-5", broken, broken.replace(learning_rate=lr),
    """
**What you see.** On the left, Adam at learning rate 1e-5 nudges the weights by about 0.1 %
per epoch: after 20 epochs the prediction is a squashed, nearly flat copy of the sine
(flatness ≈ 0.2). On the right, 1e-3 learns it in a few epochs.

**Why.** Each step moves a weight by roughly one learning rate, so the network never travels
far from its random start, whose output barely depends on the input.

**What fixes it.** A larger rate (slide the knob), or many more epochs. Far too large
(learning rate 3, preset `huge-lr`) fails the other way: the gates saturate and the line
sticks to one wrong value.

**Where the article is off.** Its test for "constant" (every prediction within 1e-4 of the
first) says the left run is *not* constant. Flatness, the spread of the prediction against
the target's, shows what your eyes see.
""",
    key="lr",
)
