"""Classroom pieces: the lesson-link builder, the guided walkthrough, export and import.

UI only: links, texts and files all come from `lstm_lab` (lesson, walkthroughs, export).
"""

from __future__ import annotations

import streamlit as st

from lstm_lab import ConfigError, ExperimentConfig, views
from lstm_lab.lesson import CONTROLS, NOTE_MAX, PAGES, Lesson, clean_note, lesson_link
from lstm_lab.presets import PRESETS
from lstm_lab.walkthroughs import STEPS, Walkthrough
from pages._live import Panel, md_escape, run_live, side_by_side, start_playground

FAILURE_PAGES = ("learning_rate", "huge_lr", "feature_scaling", "sequence_length",
                 "too_few_epochs", "missing_values", "outliers", "spurious_feature",
                 "shape_bug")


def lesson_builder(config: ExperimentConfig) -> None:
    """For the instructor: pick a page, hidden controls, a preset, a note -> one link."""
    with st.expander("Build a lesson link", icon=":material/school:"):
        st.caption("A link for your class: it opens a page with the controls you choose "
                   "hidden (they keep their values), optionally a preset whose knobs are "
                   "locked, a note, and presenter mode.")
        page = st.selectbox("Page", list(PAGES), format_func=PAGES.get, key="lb_page")
        preset, lock, hide, walk = "", False, [], False
        if page == "":
            preset = st.selectbox("Start from", ["", *PRESETS], key="lb_preset",
                                  format_func=lambda p: p or "these settings")
            lock = st.checkbox("Lock the knobs this preset sets", key="lb_lock",
                               disabled=not preset)
            hide = st.multiselect("Hide these controls", CONTROLS, key="lb_hide",
                                  format_func=lambda f: f.replace("_", " "))
        elif page in FAILURE_PAGES:
            walk = st.checkbox("Open as a guided walkthrough", key="lb_walk")
        note = st.text_area("Note for the class", max_chars=NOTE_MAX, key="lb_note")
        presenter = st.checkbox("Presenter mode", key="lb_presenter")
        built = Lesson(hide=frozenset(hide), preset=preset, lock=lock and bool(preset),
                       note=clean_note(note), presenter=presenter, walkthrough=walk)
        link = lesson_link(views.app_root(st.context.url), page, built,
                           None if preset else config)
        st.code(link, language=None, wrap_lines=True)


# --- the guided walkthrough ------------------------------------------------------------
def walkthrough(title: str, broken: ExperimentConfig, fixed: ExperimentConfig,
                guide: Walkthrough, key: str) -> None:
    """Four steps with Back / Next; the step and the revealed answer live in the session."""
    step_key, shown_key = f"{key}_step", f"{key}_revealed"
    step = st.session_state.setdefault(step_key, 1)
    st.progress(step / len(STEPS), text=f"Step {step} of {len(STEPS)}: {STEPS[step - 1]}")
    back, nxt, _ = st.columns([1, 1, 4])
    back.button("◀ Back", key=f"{key}_back", disabled=step == 1,
                on_click=_move, args=(step_key, -1))
    nxt.button("Next ▶", key=f"{key}_next", disabled=step == len(STEPS), type="primary",
               on_click=_move, args=(step_key, 1))
    if step == 1:
        st.markdown(f"**{md_escape(title)}** — watch the prediction (red) against the "
                    "target (dark) while it trains.")
        _alone(broken, title)
    elif step == 2:
        st.markdown(f"**Question for the class:** {guide.question}")
        if st.button("Reveal the answer", key=f"{key}_reveal"):
            st.session_state[shown_key] = True
        if st.session_state.get(shown_key):
            st.success(guide.answer)
        else:
            st.caption("Let the class answer first; the answer stays hidden until asked.")
        _alone(broken, title)
    elif step == 3:
        side_by_side(title, broken, fixed, key, run=True)
    else:
        st.success(f"**Takeaway:** {guide.takeaway}")
        side_by_side(title, broken, fixed, key, run=True)


def _move(step_key: str, by: int) -> None:
    st.session_state[step_key] = min(max(st.session_state[step_key] + by, 1), len(STEPS))


def _alone(config: ExperimentConfig, title: str) -> None:
    """The broken run on its own (live; a run done before replays at once)."""
    run_live([Panel(config, "Broken: " + title, height=220)])


# --- export and import -------------------------------------------------------------------
def export_panel(result, key: str) -> None:
    """Downloads of a finished run: predictions CSV, config JSON, chart PNG, HTML report.
    The PNG and the report are made only when their button is pressed."""
    if result is None or not result.history:
        return
    from lstm_lab import export

    def report() -> str:
        from lstm_lab.doctor import diagnose

        return export.report_html(result, diagnose(result))

    with st.expander("Export this run", icon=":material/download:"):
        cols = st.columns(4)
        cols[0].download_button("Predictions CSV", export.predictions_csv(result),
                                "predictions.csv", "text/csv", key=f"{key}_x_csv",
                                on_click="ignore")
        cols[1].download_button("Config JSON", export.config_json(result.config),
                                "config.json", "application/json", key=f"{key}_x_json",
                                on_click="ignore")
        cols[2].download_button("Chart PNG", lambda: export.chart_png(result), "chart.png",
                                "image/png", key=f"{key}_x_png", on_click="ignore")
        cols[3].download_button("HTML report", report, "lstm-lab-report.html", "text/html",
                                key=f"{key}_x_html", on_click="ignore")
        st.caption("The config JSON loads back on the Playground (Import a config) or with "
                   "`python -m lstm_lab run --config config.json`: same numbers.")


def import_box() -> None:
    """Paste or upload a config JSON; a valid one becomes the Playground's settings."""
    with st.expander("Import a config", icon=":material/upload:"):
        st.text_area("Config JSON", key="imp_text", height=120,
                     placeholder='{"learning_rate": 0.001, "seq_len": 50}')
        st.file_uploader("…or a config.json file", type=["json"], key="imp_file")
        st.button("Load this config", key="imp_go", on_click=_import)
        if st.session_state.get("imp_error"):
            st.error(f"This config cannot be loaded: {md_escape(st.session_state.imp_error)}")


def _import() -> None:
    """Button callback (before the widgets exist, so it may set their values)."""
    from lstm_lab.export import load_config

    upload = st.session_state.get("imp_file")
    raw = upload.getvalue().decode("utf-8", "replace") if upload else st.session_state.imp_text
    try:
        config = load_config(raw)
    except ConfigError as err:
        st.session_state.imp_error = str(err)
        return
    st.session_state.imp_error = None
    start_playground(force=config)
