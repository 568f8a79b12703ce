"""Your data: pick the shipped CO₂ record or upload a CSV, choose its columns, see the series
(gaps and spikes marked) and the pre-flight check, then train on it in the Playground."""

import streamlit as st

from lstm_lab import ConfigError, ExperimentConfig, charts, text, views
from lstm_lab.preflight import first_run, preflight
from lstm_lab.tabular import (MAX_BYTES, SHIPPED, fit_config, guess_time_column, load_table,
                              store_upload)
from ui.navigation import require_app
from ui.panels import plain
from ui.state import apply_patch, chart_style, md_escape, panel_shown, playground_config, \
    start_playground

require_app()
SHIP = SHIPPED["co2"]
kind = st.radio("Series", ["Mauna Loa CO₂, weekly (shipped)", "Upload a CSV"],
                horizontal=True, key="data_kind")


def fail(message: str) -> None:
    """One clear line; the rest of the session (Playground settings, runs) is untouched."""
    st.error(md_escape(message))
    st.stop()


if kind.startswith("Upload"):
    f = st.file_uploader(f"CSV file (at most {MAX_BYTES // 2**20} MB; comma, semicolon, tab "
                         "or bar separated; decimal commas are read too)", type=["csv", "txt"],
                         key="data_file")
    if f is None:
        st.info("Upload a CSV: one row per time step, one column per series; an optional "
                "time column. The file is only parsed as CSV text, never executed.")
        st.stop()
    try:
        source = store_upload(f.getvalue(), f.name)
    except ConfigError as err:
        fail(str(err))
    st.caption(f"File: **{md_escape(f.name)}**")
else:
    source = "co2"
    st.caption(f"{md_escape(SHIP.title)}. Source: {md_escape(SHIP.source)}. "
               f"Licence: {md_escape(SHIP.licence)}.")

try:
    raw = load_table(source, allow_paths=False)
except ConfigError as err:
    fail(str(err))

names = list(raw.frame.columns)
default_time = guess_time_column(raw) or "(none)"
pick = st.columns(3)
time_col = pick[0].selectbox("Time column (rows are sorted by it)", ["(none)", *names],
                             index=(["(none)", *names]).index(default_time),
                             key=f"data_time_{source}")
time_col = "" if time_col == "(none)" else time_col
# how the file writes its dates and numbers: read from the values, said in one line, and
# each choice can be overruled (a wrong guess must never scramble the series in silence)
DATES = {"auto": "read from the values", "dmy": "day first (31.01.2024)",
         "mdy": "month first (01/31/2024)", "ymd": "year first (2024-01-31)"}
MARKS = {"auto": "read from the values", ".": "point (1,234.5)", ",": "comma (1.234,5)"}
fmt = st.columns([2, 1, 1], vertical_alignment="bottom")
date_order = fmt[1].selectbox("Dates written", list(DATES), format_func=DATES.get,
                              key=f"data_dates_{source}", disabled=not time_col)
decimal_mark = fmt[2].selectbox("Decimal mark", list(MARKS), format_func=MARKS.get,
                                key=f"data_decimal_{source}")
try:
    table = load_table(source, time_col, allow_paths=False, date_order=date_order,
                       decimal_mark=decimal_mark)
except ConfigError as err:
    fmt[0].error(md_escape(str(err)))
    st.stop()
fmt[0].markdown("**Read as:** " + md_escape(table.format_line or "plain numbers") +
                ("" if time_col else " — no time column: rows in the file's order"))
numeric = table.numeric
if not numeric:
    fail("the file has no numeric column to predict" + (
        f" (not numbers: {', '.join(table.non_numeric)})" if table.non_numeric else ""))
targets = pick[1].multiselect("Target column(s) — what to predict", numeric,
                              default=numeric[:1], key=f"data_targets_{source}_{time_col}")
inputs = pick[2].multiselect("Extra input columns (optional)",
                             [c for c in numeric if c not in targets],
                             key=f"data_inputs_{source}_{time_col}")
if not targets:
    st.info("Choose at least one target column.")
    st.stop()

knobs = playground_config()
try:
    config = fit_config(ExperimentConfig.from_dict({
        **knobs.to_dict(), "dataset": "csv", "csv_source": source, "time_column": time_col,
        "date_order": date_order, "decimal_mark": decimal_mark,
        "target_columns": ",".join(targets), "input_columns": ",".join(inputs)}),
        allow_paths=False)
except ConfigError as err:
    fail(str(err))


# the first run on the user's file starts with pre-flight's repairs (fill gaps, clip
# spikes, a window that sees the season): it trains, rather than "diverged"
report = preflight(config)
repaired, repairs = first_run(config, report)


def hand_over() -> None:
    start_playground(force=repaired)
    old = config.to_dict()
    st.session_state.pg_changed = {k: (old[k], v) for k, v in repaired.to_dict().items()
                                   if old[k] != v}
    st.session_state.pg_repairs = (repaired.to_json(), [r.split(":")[0] for r in repairs])


if st.button("Train on this data in the Playground", type="primary", on_click=hand_over,
             icon=":material/play_arrow:"):
    st.switch_page("pages/playground.py")
if repairs:
    st.caption("Training starts with pre-flight's repairs: " +
               "; ".join(md_escape(r.split(":")[0]) for r in repairs) + ".")

for note in table.notes:
    st.info(md_escape(note))
st.markdown(f"**{report.rows} rows** — {report.train_rows} for training, {report.test_rows} "
            "held out for the test (after the dashed line).")
columns = views.data_view(config)
for v in columns[:6]:
    st.altair_chart(charts.column_chart(v.name, v.role, v.t, v.values, v.spikes, v.split,
                                        chart_style()), width="stretch")
if len(columns) > 6:
    st.caption(f"{len(columns) - 6} more columns are used but not drawn.")

if not panel_shown("preflight"):  # the lesson hides it: its warnings name the fix
    st.stop()
st.subheader("Pre-flight check")
st.caption(f"Against the Playground's current knobs: window {config.seq_len}, horizon "
           f"{config.horizon}, test fraction {config.test_fraction:g}.")
st.dataframe(views.preflight_table(report), hide_index=True)
if report.non_numeric:
    st.caption("Not numeric, left out: " + ", ".join(md_escape(n) for n in report.non_numeric))
if report.scale_ratio:
    st.caption(f"Largest / smallest column spread: {report.scale_ratio:,.1f}×")
for i, (w, show) in enumerate([(w, st.warning) for w in report.warnings] +
                              [(w, st.info) for w in report.tips]):
    show(plain(w.text) if show is st.warning else "Tip: " + plain(w.text))
    if w.fix:
        st.button(text.action(w.fix), key=f"data_fix_{i}", on_click=apply_patch,
                  args=(config, w.fix, "preflight"))
if not report.warnings:
    st.success("No warnings: this config suits the data.")
