"""Playground: every knob in the sidebar; any change starts a new run."""

from pages._live import require_app

require_app()

import streamlit as st

from pages._doctor import doctor_panel, lr_finder, show_fix
from pages._live import (BATCH_OPTIONS, LR_OPTIONS, RATIO_OPTIONS, UNITS_OPTIONS, Panel,
                         build_config, log_options, md_escape, run_live, show_preflight,
                         show_problems, start_playground)
from lstm_lab import views
from lstm_lab.config import DATASETS, OPTIMIZERS
from pages._live import CSV_FIELDS

st.title("Playground")

start_playground()  # first visit in this session: the widgets start from the link's config
show_problems(st.session_state.pg_problems)
start = st.session_state.pg

with st.sidebar:
    st.header("Knobs")
    v = {}
    v["dataset"] = st.selectbox("Dataset", DATASETS, key="pg_dataset")
    v["learning_rate"] = st.select_slider(
        "Learning rate (log scale)", log_options(LR_OPTIONS, start["learning_rate"]),
        key="pg_learning_rate", format_func=lambda x: f"{x:g}")
    v["batch_size"] = st.select_slider(
        "Batch size", log_options(BATCH_OPTIONS, start["batch_size"]), key="pg_batch_size")
    v["feature_scale_ratio"] = st.select_slider(
        "Feature scale ratio (multiscale, log scale)",
        log_options(RATIO_OPTIONS, start["feature_scale_ratio"]),
        key="pg_feature_scale_ratio", format_func=lambda x: f"{x:g}")
    v["seq_len"] = st.slider("Sequence length (window)", 1, max(300, start["seq_len"]),
                             key="pg_seq_len")
    v["horizon"] = st.slider("Horizon (steps ahead)", 1, max(100, start["horizon"]),
                             key="pg_horizon")
    v["noise"] = st.slider("Noise", 0.0, max(3.0, start["noise"]), step=0.05, key="pg_noise")
    v["units"] = st.select_slider("LSTM units", log_options(UNITS_OPTIONS, start["units"]),
                                  key="pg_units")
    v["epochs"] = st.slider("Epochs", 1, max(100, start["epochs"]), key="pg_epochs")
    v["scale_inputs"] = st.toggle("Standardise columns (fit on the training span)",
                                  key="pg_scale_inputs")
    v["seed"] = st.number_input("Seed", 0, 2**31 - 1, step=1, key="pg_seed")
    with st.expander("Data fixes"):
        v["impute"] = st.toggle("Fill missing inputs (last value seen)", key="pg_impute")
        v["remove_outliers"] = st.toggle("Remove spikes (beyond 5 robust σ)",
                                         key="pg_remove_outliers")
        v["difference"] = st.toggle("Model changes, not levels (trends)", key="pg_difference")
    with st.expander("Break it"):
        v["missing_share"] = st.slider("Missing inputs (share)", 0.0, 0.5, step=0.01,
                                       key="pg_missing_share")
        v["outlier_share"] = st.slider("Glitch spikes (share)", 0.0, 0.2, step=0.005,
                                       key="pg_outlier_share", format="%.3f")
        v["spurious_feature"] = st.toggle("Add a spurious input", key="pg_spurious_feature")
        v["shape_bug"] = st.toggle("Shape bug (article's example 1)", key="pg_shape_bug")
    with st.expander("More"):
        v["optimizer"] = st.selectbox("Optimizer", OPTIMIZERS, key="pg_optimizer")
        v["period"] = st.number_input("Period (steps)", 2, 10_000, key="pg_period")
        v["n_steps"] = st.number_input("Series length", 100, 20_000, step=100, key="pg_n_steps")
        v["test_fraction"] = st.slider("Test fraction", 0.05, 0.5, step=0.05,
                                       key="pg_test_fraction")

# settings without a widget here (your data's file and columns) come from the link or
# the Data page
config = build_config({**start, **v, **{k: start[k] for k in CSV_FIELDS}})
if config is None:
    st.stop()
if config.dataset == "csv":
    st.caption(f"Your data: {md_escape(config.csv_source)}, {config.n_steps} rows — set "
               "it up on the **Data** page; the series length follows the file.")
st.query_params.from_dict(views.config_to_query(config))

left, right, _ = st.columns([1, 1, 3])
stop = left.button("Stop training", help="halt the run in flight")
again = right.button("Run again", help="start this config again")
with st.expander("Share this run"):
    st.caption("The link holds the whole config: opening it reruns the same numbers.")
    st.code(views.share_link(st.context.url, config), language=None, wrap_lines=True)

def use_learning_rate(lr: float) -> None:
    st.session_state.pg_learning_rate = lr


show_preflight(config)
with st.expander("Learning-rate range test"):
    lr_finder(config, on_apply=use_learning_rate)

key = config.to_json()
if stop:
    st.session_state.pg_stopped = key
if again:
    st.session_state.pop("pg_stopped", None)
panel = Panel(config, memo="pg_last")
if st.session_state.get("pg_stopped") == key:
    panel.draw()
    st.info("Stopped. Change a knob or press **Run again** to train.")
else:
    result = run_live([panel])[0]
    doctor_panel(result, "pg")
    show_fix(result, "pg")
