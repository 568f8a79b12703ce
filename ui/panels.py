"""The panels around a run: the doctor (Apply fix), before / after, the pre-flight check,
the learning-rate range test, share / export / import, and the lesson-link builder.

UI only: findings from :mod:`lstm_lab.doctor`, warnings from :mod:`lstm_lab.preflight`,
links from :mod:`lstm_lab.lesson`, files from :mod:`lstm_lab.export`; knobs are named in
the app's own words (:mod:`lstm_lab.text`).
"""

from __future__ import annotations

import re
import time
from typing import Callable

import streamlit as st

from lstm_lab import ConfigError, ExperimentConfig, charts, text, views
from lstm_lab.doctor import diagnose
from lstm_lab.jobs import LR_FIND, Done, Failed
from lstm_lab.lesson import CONTROLS, NOTE_MAX, PAGES, PANELS, Lesson, app_root, clean_note, \
    lesson_link
from lstm_lab.modes import BY_SLUG, LR_OPTIONS
from lstm_lab.numbers import rate_advice
from lstm_lab.presets import PRESETS
from ui.live import Panel, get_runner, run_live
from ui.state import apply_patch, chart_style, lesson, lesson_query, locked, md_escape, \
    panel_shown, start_playground

ICON = {"healthy": ":material/check_circle:", "unpredictable_target": ":material/info:"}
# apply(config, patch, code): what a fix button does with the finding's patch
Apply = Callable[[ExperimentConfig, dict, str], None]


@st.cache_data(max_entries=256, show_spinner=False)
def get_findings(key: str, _result) -> list:
    """Findings of one finished run; ``key`` identifies it (config + how it ended)."""
    return diagnose(_result)


def findings_of(result) -> list:
    """The Doctor's findings for a finished run (computed once per run)."""
    return get_findings(f"{result.config.to_json()}|{result.epochs_run}|{result.stopped}",
                        result)


@st.cache_data(max_entries=128, show_spinner=False)
def get_preflight(config_json: str):
    from lstm_lab.preflight import preflight

    return preflight(ExperimentConfig.from_json(config_json))


def plain(line: str) -> str:
    """A finding's or warning's sentence for Markdown: names the core quoted in backticks
    are shown in quotes, and everything is escaped (column names come from user files)."""
    return md_escape(re.sub(r"`([^`]*)`", r"'\1'", line))


def fix_button(config: ExperimentConfig, patch: dict, code: str, key: str, apply: Apply,
               primary: bool = False, verb: str = "Apply fix") -> None:
    """One click applies ``patch`` to the knobs (greyed out where the lesson locks one)."""
    held = [text.label(k) for k in patch if locked(k)]
    st.button(f"{verb}: {text.patch_words(patch, config.to_dict())}", key=key,
              type="primary" if primary else "secondary", disabled=bool(held),
              help=f"locked by the lesson: {', '.join(held)}" if held else
              "sets these knobs and reruns; the run before the fix stays beside it",
              on_click=apply, args=(config, patch, code))


# --- the doctor ------------------------------------------------------------------------------
def doctor_panel(result, key: str, apply: Apply = apply_patch) -> None:
    """Findings with their evidence, and a fix button per finding."""
    if result is None or not panel_shown("doctor"):
        return
    findings = findings_of(result)
    with st.container(border=True):
        st.markdown(":material/stethoscope: **Doctor**")
        for i, f in enumerate(findings):
            icon = ICON.get(f.code, ":material/warning:")
            st.markdown(f"{icon} **{plain(f.title)}** · {md_escape(f.code)} "
                        f"(confidence {f.confidence:.2f})")
            st.markdown("\n".join(f"- {plain(line)}" for line in f.evidence))
            if f.fix:
                fix_button(result.config, f.fix, f.code, f"{key}_fix_{i}", apply,
                           primary=i == 0)
            elif f.code == "unpredictable_target":
                st.caption("No fix offered: the flat line is the honest answer here.")


def before_after(before: ExperimentConfig, after: ExperimentConfig, code: str):
    """The heading and two columns: the run before the fix (a Panel, returned) and a
    container for the run after it, which the caller fills with its live panel."""
    st.markdown(f"**Before / after the fix** · {md_escape(code)}")
    left, right = st.columns(2)
    with left:
        a = Panel(before, "Before", height=190, loss_scale={})  # shared with "After"
    return a, right


# --- before the run ----------------------------------------------------------------------------
def preflight_panel(config: ExperimentConfig, apply: Apply = apply_patch) -> None:
    """The pre-flight warnings for this config, each with its one-click fix."""
    report = get_preflight(config.to_json())
    if not report.warnings:
        st.caption("Nothing found in the data that this config would trip on.")
    # warnings in amber (what will go wrong), tips in blue (what may help): a tip on a run
    # the doctor finds healthy is advice, not an alarm; one button per fix
    for i, (w, show) in enumerate([(w, st.warning) for w in report.warnings] +
                                  [(w, st.info) for w in report.tips]):
        show(plain(w.text) if show is st.warning else "Tip: " + plain(w.text))
        if w.fix:  # "Turn on Fill missing inputs", "Set Sequence length to 185"
            st.button(text.action(w.fix), key=f"pf_fix_{i}",
                      disabled=any(locked(k) for k in w.fix),
                      on_click=apply, args=(config, w.fix, "preflight"))


def preflight_label(config: ExperimentConfig) -> str:
    report = get_preflight(config.to_json())
    n, tips = len(report.warnings), len(report.tips)
    if not n:
        return "Pre-flight: ok" + (f" · {tips} tip" if tips else "")
    return f"Pre-flight: {n} warning{'s' * (n != 1)}"


def lr_finder(config: ExperimentConfig) -> None:
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
        st.error(md_escape(found))
        return
    st.altair_chart(charts.lr_find_chart(found, chart_style()), width="stretch")
    if found.suggestion is None:
        st.warning("The loss never fell during the test: no learning rate helps here — "
                   "look at the data (the Doctor's findings) instead.")
        return
    snapped = views.nearest_option(found.suggestion, list(LR_OPTIONS))
    fix_button(config, {"learning_rate": snapped}, "lr_find", "lr_use", apply_patch,
               verb=f"Use the suggestion ({found.suggestion:g})")
    ran = get_runner().cached(config)  # the run at this config, once it has finished
    if ran is not None and panel_shown("doctor"):
        advice = rate_advice(found.suggestion, found.best_lr, findings_of(ran),
                             config.learning_rate, len(found.lrs))
        if advice:
            st.caption(md_escape(advice))


def _run_range_test(config: ExperimentConfig):
    handle = get_runner().submit(config, task=LR_FIND)
    try:
        with st.spinner("Running the range test…"):
            for event in handle.events(timeout=0.2):
                if isinstance(event, Done):
                    return event.result
                if isinstance(event, Failed):
                    return f"The range test failed: {event.message}"
                time.sleep(0)
    finally:
        handle.cancel()
    return "The range test did not finish."


# --- share, export, import ----------------------------------------------------------------------
def share_box(config: ExperimentConfig) -> None:
    st.caption("The link holds the whole config: opening it reruns the same numbers.")
    # the lesson's keys travel with it: what the lesson hides stays hidden for whoever
    # opens the link
    link = views.share_link(app_root(st.context.url), config, lesson_query())
    st.code(link, language=None, wrap_lines=True)


def export_panel(result, key: str) -> None:
    """Downloads of a finished run: predictions CSV, config JSON, chart PNG, HTML report.
    The PNG and the report are made only when their button is pressed."""
    if result is None or not result.history:
        st.caption("Exports appear once a run has finished an epoch.")
        return
    from lstm_lab import export

    doctor = panel_shown("doctor")  # a lesson that hides the doctor hides it here too

    def report() -> str:
        return export.report_html(result, diagnose(result) if doctor else None,
                                  doctor_shown=doctor)

    row = st.container(horizontal=True)
    row.download_button("Predictions CSV", export.predictions_csv(result), "predictions.csv",
                        "text/csv", key=f"{key}_x_csv", on_click="ignore")
    row.download_button("Config JSON", export.config_json(result.config), "config.json",
                        "application/json", key=f"{key}_x_json", on_click="ignore")
    row.download_button("Chart PNG", lambda: export.chart_png(result), "chart.png",
                        "image/png", key=f"{key}_x_png", on_click="ignore")
    row.download_button("HTML report", report, "lstm-lab-report.html", "text/html",
                        key=f"{key}_x_html", on_click="ignore")
    st.caption("The config JSON loads back on the Playground (Import a config) or with "
               "`python -m lstm_lab run --config config.json`: same numbers.")


def import_box() -> None:
    """Paste or upload a config JSON; a valid one becomes the Playground's settings."""
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


# --- the lesson-link builder --------------------------------------------------------------------
def lesson_builder(config: ExperimentConfig) -> None:
    """For the instructor: a page, hidden or locked controls and panels, a note -> one link."""
    st.caption("A link for your class: it opens a page with the controls you choose hidden "
               "(they keep their values) or locked, panels that would give the answer away "
               "hidden, a note, and presenter mode.")
    page = st.selectbox("Page", list(PAGES), format_func=PAGES.get, key="lb_page")
    preset, lock, hide, lock_fields, walk = "", False, [], [], False
    if page == "":
        left, right = st.columns(2)
        preset = left.selectbox("Start from", ["", *PRESETS], key="lb_preset",
                                format_func=lambda p: p or "these settings")
        lock = left.checkbox("Lock the knobs this preset sets", key="lb_lock",
                             disabled=not preset)
        lock_fields = right.multiselect("Lock these knobs (at this link's values)", CONTROLS,
                                        key="lb_lockf", format_func=text.label)
        hide = right.multiselect("Hide these controls", CONTROLS, key="lb_hide",
                                 format_func=text.label)
    elif page in BY_SLUG:
        walk = st.checkbox("Open as a guided walkthrough", key="lb_walk")
    panels = st.multiselect("Hide these panels (they could give the answer away)",
                            list(PANELS), key="lb_panels", format_func=PANELS.get)
    note = st.text_area("Note for the class", max_chars=NOTE_MAX, key="lb_note")
    left, right = st.columns(2)
    presenter = left.checkbox("Presenter mode", key="lb_presenter")
    hiding = bool(hide or panels)
    menu = right.checkbox("Keep the *Failure modes* menu", key="lb_menu", value=False,
                          disabled=not hiding,
                          help="a lesson that hides something leaves it out of the menu: "
                          "those pages name the answer")
    built = Lesson(hide=frozenset(hide), preset=preset, lock=lock and bool(preset),
                   lock_fields=frozenset(lock_fields), hide_panels=frozenset(panels),
                   note=clean_note(note), presenter=presenter, walkthrough=walk,
                   menu_hide=False if (hiding and menu) else None)
    link = lesson_link(app_root(st.context.url), page, built, None if preset else config)
    st.code(link, language=None, wrap_lines=True)
    st.caption("The link names no preset or failure mode: a preset travels as its settings.")


def lesson_locks_line() -> None:
    """Says which controls and panels the lesson holds, so nobody wonders why."""
    current = lesson()
    parts = []
    if current.locked:
        parts.append("locked: " + ", ".join(sorted(text.label(k) for k in current.locked)))
    if current.hide_panels:
        parts.append("hidden: " + ", ".join(PANELS[p] for p in sorted(current.hide_panels)))
    if parts:
        st.caption(":material/lock: The lesson holds these — " + "; ".join(parts) + ".")
