"""Sweep: a phase diagram of collapse over any two knobs, filled in live."""

import time

import streamlit as st

from lstm_lab import ConfigError, charts, views
from lstm_lab.dask_runner import DaskRunner
from lstm_lab.lesson import app_root
from lstm_lab.sweep import NUMERIC, LocalBackend, grid, parse_axis, run_sweep
from ui.live import get_runner
from ui.navigation import require_app
from ui.state import chart_style, lesson_query, md_escape, panel_shown, playground_config, \
    start_playground

require_app()
base = playground_config()
st.caption("Every other knob comes from the Playground. Ranges: `low:high:log:count`, "
           "`low:high:lin:count` or a list `a,b,c`; at most 10 × 10 cells. Click a cell to "
           "open its exact config in the Playground.")
left, right = st.columns(2)
x_field = left.selectbox("Across", NUMERIC, index=NUMERIC.index("learning_rate"), key="sw_x")
x_text = left.text_input("Across: values", "1e-5:1e-1:log:5", key="sw_xr")
y_field = right.selectbox("Down", NUMERIC, index=NUMERIC.index("batch_size"), key="sw_y")
y_text = right.text_input("Down: values", "8,32,128", key="sw_yr")

try:
    x, y = parse_axis(f"{x_field}={x_text}"), parse_axis(f"{y_field}={y_text}")
    cells = grid(base, x, y)
except ConfigError as err:
    st.error(md_escape(str(err)))
    st.stop()

key = f"{base.to_json()}|{x}|{y}"
row = st.container(horizontal=True)
if row.button("Run sweep", icon=":material/play_arrow:", type="primary"):
    st.session_state.sw_run = key
if row.button("Stop sweep", icon=":material/stop:"):
    st.session_state.sw_run = None
runner = get_runner()  # the Dask cluster when LSTM_LAB_DASK_SCHEDULER is set and answers
st.caption(f"{len(cells)} cells; backend: " + (f"Dask at {md_escape(runner.address)}"
           if isinstance(runner, DaskRunner) else "this server's worker pool"))

progress, chart = st.empty(), st.empty()
root = app_root(st.context.url)
# a lesson's hidden doctor stays hidden in the cells, and its keys travel in their links
lesson_keys = dict(findings=panel_shown("doctor"), extra=lesson_query())


def draw(done: list, selectable: bool) -> None:
    frame = views.sweep_frame(done, x.field, y.field, root, **lesson_keys)
    xs, ys = [views.axis_label(v) for v in x.values], [views.axis_label(v) for v in y.values]
    layered = charts.sweep_chart(frame, x.field, y.field, xs, ys, chart_style(),
                                 selectable=selectable)
    if not selectable:  # redrawn while cells arrive: a plain chart
        chart.altair_chart(layered, width="stretch")
        return
    event = chart.altair_chart(layered, width="stretch", on_select="rerun", key="sw_chart",
                               selection_mode="cell")
    picked = event.selection.get("cell") if event else None
    if picked:  # a click on a cell: open its exact config in the Playground
        cell = views.picked_cell(done, picked[0], x.field, y.field)
        if cell is not None:
            start_playground(force=cell.config)
            st.switch_page("pages/playground.py")


saved = st.session_state.get("sw_cells")
done = list(saved[1]) if saved and saved[0] == key else []
running = st.session_state.get("sw_run") == key and len(done) < len(cells)
if done or running:
    draw(done, selectable=not running)
else:
    chart.info(f"Press **Run sweep** to fill the {len(y.values)} × {len(x.values)} grid: one "
               "cell per run, coloured by its verdict, with the doctor's finding written in "
               "it.", icon=":material/grid_on:")


def progress_text(n: int, total: int, elapsed: float) -> str:
    """The progress line, from the first second: what the sweep waits for, and the clock."""
    if not n and runner.warming():
        return f"0/{total} cells — starting the training workers, {elapsed:.0f} s"
    if not n:
        return f"0/{total} cells — training the first cells, {elapsed:.0f} s"
    if n == total:  # eta_text says how long it took
        return views.eta_text(n, total, elapsed)
    return f"{views.eta_text(n, total, elapsed)} · {elapsed:.0f} s"


if running:
    backend = LocalBackend(runner)
    t0 = time.monotonic()
    ticked = [0.0]

    def on_tick(n, total):  # twice a second: the clock moves while no cell has ended
        now = time.monotonic()
        if now - ticked[0] >= 0.5:
            ticked[0] = now
            progress.progress(n / total, text=progress_text(n, total, now - t0))

    def on_cell(cell, n, total):
        done.append(cell)
        st.session_state.sw_cells = (key, list(done))
        progress.progress(n / total, text=progress_text(n, total, time.monotonic() - t0))
        draw(done, selectable=False)

    done.clear()
    try:
        run_sweep(base, x, y, backend, on_cell=on_cell, on_tick=on_tick)
    except (ConfigError, RuntimeError) as err:
        st.error(md_escape(f"The sweep failed: {err}"))
        st.stop()
    st.session_state.sw_took = time.monotonic() - t0
    st.rerun()  # redraw the finished grid as a clickable chart
if done:
    took = st.session_state.get("sw_took")
    text = (f"{len(done)}/{len(cells)} cells" + (f" in {took:.1f} s" if took and
            len(done) == len(cells) else "") + (" — stopped" if len(done) < len(cells) else ""))
    progress.progress(len(done) / len(cells), text=text)
if done and len(done) == len(cells):
    with st.expander("Cells as a table"):
        st.dataframe(views.sweep_frame(done, x.field, y.field, root, **lesson_keys)
                     .drop(columns=["label"]),
                     hide_index=True, column_config={"url": st.column_config.LinkColumn(
                         "open", display_text="Playground")})
