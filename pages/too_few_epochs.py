"""Too few epochs: stopped while the loss was still falling."""

from pages._live import require_app

require_app()

import streamlit as st

from pages._live import failure_page, preset

st.title("Too few epochs")
failure_page(
    "2 epochs", preset("too_few_epochs"), preset("too_few_epochs_fixed"),
    """
**What you see:** batches of 256 windows for 2 epochs (left) are only 6 weight updates: the
prediction is a faint, flat copy of the sine and the loss curve is still heading down when it
ends. 100 epochs of the same run (right) learn it.

**Why:** nothing is wrong with the learning rate — each update moves the weights a healthy
amount — there were just too few of them. Large batches make this easy to miss: an epoch
looks like a lot of data but is only a handful of steps.

**Fix:** train longer (or use smaller batches, which means more steps per epoch). The Doctor
tells this apart from a too-small learning rate by the size of each update.
""",
    key="epochs",
)
