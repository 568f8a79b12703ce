"""The Doctor panel (findings + Apply fix) and the learning-rate range test, as UI.

UI only: findings come from `lstm_lab.doctor`, the range test runs in the runner's
workers, chart tables from `lstm_lab.views`.
"""

from __future__ import annotations

import time

import streamlit as st

from lstm_lab import ExperimentConfig, charts, views
from lstm_lab.config import format_value
from lstm_lab.doctor import diagnose
from pages._live import LR_OPTIONS, Panel, get_runner, md_escape, run_live

ICON = {"healthy": ":material/check_circle:", "unpredictable_target": ":material/info:"}


@st.cache_data(max_entries=256, show_spinner=False)
def get_findings(key: str, _result) -> list:
    """Findings of one finished run; ``key`` identifies it (config + how it ended)."""
    return diagnose(_result)


def doctor_panel(result, key: str) -> None:
    """Findings with their evidence; a fix button per finding; before/after once clicked."""
    if result is None:
        return
    run_key = f"{result.config.to_json()}|{result.epochs_run}|{result.stopped}"
    findings = get_findings(run_key, result)
    with st.container(border=True):
        st.markdown(":material/stethoscope: **Doctor**")
        for i, f in enumerate(findings):
            icon = ICON.get(f.code, ":material/warning:")
            st.markdown(f"{icon} **{md_escape(f.title)}** — `{f.code}` "
                        f"(confidence {f.confidence:.2f})")
            st.markdown("\n".join(f"- {md_escape(line)}" for line in f.evidence))
            if f.fix:
                label = "Apply fix: " + ", ".join(f"{k} → {format_value(v)}" for k, v in f.fix.items())
                if st.button(label, key=f"{key}_fix_{i}", type="primary" if i == 0 else
                             "secondary"):
                    st.session_state[f"{key}_fix"] = (result.config.to_json(), f.fix, f.code)
            elif f.code == "unpredictable_target":
                st.caption("No fix offered: the flat line is the honest answer here.")


def show_fix(result, key: str) -> None:
    """Before / after of the fix last applied from ``doctor_panel(result, key)``, if any."""
    pending = st.session_state.get(f"{key}_fix")
    if result is not None and pending and pending[0] == result.config.to_json():
        before_after(result.config, pending[1], pending[2])


def before_after(config: ExperimentConfig, patch: dict, code: str) -> None:
    """The run as it was and the run with the patch, side by side, both live."""
    fixed = config.replace(**patch)
    st.markdown(f"#### Before / after the `{code}` fix")
    left, right = st.columns(2)
    with left:
        a = Panel(config, "Before", height=180)
    with right:
        b = Panel(fixed, "After: " + ", ".join(f"{k} = {format_value(v)}" for k, v in patch.items()),
                  height=180)
    run_live([a, b])
    if b.result is not None:
        with right:
            verdict = b.result.verdict
            st.markdown(f"After the fix the verdict is **{verdict}**.")


def lr_finder(config: ExperimentConfig, on_apply) -> None:
    """A button that runs the range test in a worker, its chart, and 'use the suggestion'."""
    key = config.replace(learning_rate=1e-3).to_json()  # the test ignores the run's LR
    if st.button("Find a learning rate", help="one pass with the learning rate rising "
                 "from 1e-6 to 10 (fastai's lr_find); suggests a tenth of the best"):
        st.session_state.lr_find = (key, _run_range_test(config))
    saved = st.session_state.get("lr_find")
    if not saved or saved[0] != key:
        return
    found = saved[1]
    if isinstance(found, str):
        st.error(found)
        return
    st.altair_chart(charts.lr_find_chart(found), width="stretch")
    if found.suggestion is None:
        st.warning("The loss never fell during the test: no learning rate helps here — "
                   "look at the data (the Doctor's findings) instead.")
        return
    snapped = views.nearest_option(found.suggestion, LR_OPTIONS)
    st.button(f"Use learning rate {snapped:g} (suggested {found.suggestion:g})",
              on_click=on_apply, args=(snapped,))


def _run_range_test(config: ExperimentConfig):
    handle = get_runner().submit(config, task="lr_find")
    try:
        with st.spinner("Running the range test…"):
            for kind, payload in handle.events(timeout=0.2):
                if kind == "done":
                    return payload
                if kind == "error":
                    return f"The range test failed: {payload}"
                time.sleep(0)
    finally:
        handle.cancel()
    return "The range test did not finish."
