"""Huge learning rate: saturated gates (Adam) or a loss that explodes (SGD)."""

from pages._live import require_app

require_app()

import streamlit as st

from pages._live import failure_page, preset

st.title("Huge learning rate")
kind = st.radio("Optimizer", ["Adam at learning rate 3", "plain SGD at learning rate 1"],
                horizontal=True)
name = "lr_too_large" if kind.startswith("Adam") else "lr_too_large_sgd"
broken = preset(name)
failure_page(
    kind, broken, preset(f"{name}_fixed"),
    """
**What you see:** with Adam at learning rate 3 (left) the weights are thrown far from where
they started and the prediction sticks to one wrong value; with plain SGD at rate 1 the loss
overflows to NaN within two epochs — the lab shows that as a *diverged* result, not a crash.

**Why:** each step overshoots the minimum it aims at. Adam's steps are about one learning
rate per weight, so the gates' inputs grow until every sigmoid and tanh is pinned at 0 or ±1:
the cell no longer responds to its input, and one constant comes out. SGD's steps grow with
the gradient, which grows with the overshoot: a feedback loop to infinity.

**Fix:** a learning rate ten times smaller (right). The *Find a learning rate* test on the
Playground finds a safe one in a second.
""",
    key=f"huge_{name}",
)
