"""Playground: every knob in the sidebar; any change starts a new run."""

from pages._live import require_app

require_app()

import streamlit as st

from pages._doctor import doctor_panel, lr_finder, show_fix
from pages._lesson import export_panel, import_box, lesson_builder
from pages._live import (BATCH_OPTIONS, CSV_FIELDS, LR_OPTIONS, RATIO_OPTIONS, UNITS_OPTIONS,
                         Panel, build_config, lesson, lesson_query, log_options, md_escape,
                         off, run_live, show_preflight, show_problems, shown,
                         start_playground)
from lstm_lab import views
from lstm_lab.config import DATASETS, OPTIMIZERS

st.title("Playground")

start_playground()  # first visit in this session: the widgets start from the link's config
show_problems(st.session_state.pg_problems)
start = st.session_state.pg

v = {}


def knob(field: str, widget, *args, **kwargs) -> None:
    """The control of one config field -- left out if the lesson link hides it (its value
    stays the link's), greyed out if the lesson's preset locks it."""
    if shown(field):
        v[field] = widget(*args, key=f"pg_{field}", disabled=off(field), **kwargs)


def g(x) -> str:
    return f"{x:g}"


with st.sidebar:
    st.header("Knobs")
    knob("dataset", st.selectbox, "Dataset", DATASETS)
    knob("learning_rate", st.select_slider, "Learning rate (log scale)",
         log_options(LR_OPTIONS, start["learning_rate"]), format_func=g)
    knob("batch_size", st.select_slider, "Batch size",
         log_options(BATCH_OPTIONS, start["batch_size"]))
    knob("feature_scale_ratio", st.select_slider, "Feature scale ratio (multiscale, log scale)",
         log_options(RATIO_OPTIONS, start["feature_scale_ratio"]), format_func=g)
    knob("seq_len", st.slider, "Sequence length (window)", 1, max(300, start["seq_len"]))
    knob("horizon", st.slider, "Horizon (steps ahead)", 1, max(100, start["horizon"]))
    knob("noise", st.slider, "Noise", 0.0, max(3.0, start["noise"]), step=0.05)
    knob("units", st.select_slider, "LSTM units", log_options(UNITS_OPTIONS, start["units"]))
    knob("epochs", st.slider, "Epochs", 1, max(100, start["epochs"]))
    knob("scale_inputs", st.toggle, "Standardise columns (fit on the training span)")
    knob("seed", st.number_input, "Seed", 0, 2**31 - 1, step=1)
    with st.expander("Data fixes"):
        knob("impute", st.toggle, "Fill missing inputs (last value seen)")
        knob("remove_outliers", st.toggle, "Remove spikes (beyond 5 robust σ)")
        knob("difference", st.toggle, "Model changes, not levels (trends)")
    with st.expander("Break it"):
        knob("missing_share", st.slider, "Missing inputs (share)", 0.0, 0.5, step=0.01)
        knob("outlier_share", st.slider, "Glitch spikes (share)", 0.0, 0.2, step=0.005,
             format="%.3f")
        knob("spurious_feature", st.toggle, "Add a spurious input")
        knob("shape_bug", st.toggle, "Shape bug (article's example 1)")
    with st.expander("More"):
        knob("optimizer", st.selectbox, "Optimizer", OPTIMIZERS)
        knob("period", st.number_input, "Period (steps)", 2, 10_000)
        knob("n_steps", st.number_input, "Series length", 100, 20_000, step=100)
        knob("test_fraction", st.slider, "Test fraction", 0.05, 0.5, step=0.05)

# settings without a widget here (your data's file and columns) come from the link or
# the Data page
config = build_config({**start, **v, **{k: start[k] for k in CSV_FIELDS}})
if config is None:
    st.stop()
if config.dataset == "csv":
    st.caption(f"Your data: {md_escape(config.csv_source)}, {config.n_steps} rows — set "
               "it up on the **Data** page; the series length follows the file.")
st.query_params.from_dict({**views.config_to_query(config), **lesson_query()})

left, right, _ = st.columns([1, 1, 3])
stop = left.button("Stop training", help="halt the run in flight")
again = right.button("Run again", help="start this config again")
with st.expander("Share this run"):
    st.caption("The link holds the whole config: opening it reruns the same numbers.")
    st.code(views.share_link(st.context.url, config), language=None, wrap_lines=True)
if not lesson().active:  # students on a lesson link get the lesson, not its builder
    import_box()
    lesson_builder(config)

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
    export_panel(result, "pg")
    show_fix(result, "pg")
