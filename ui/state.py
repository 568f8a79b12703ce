"""Session and URL state: the lesson a link started, presenter mode, the Playground's config.

The Playground's controls are widgets keyed ``pg_<field>``; ``st.session_state.pg`` holds
the config the session started from (the link's, or one handed over by the Data page, a
sweep cell or an applied fix). The config that runs is built from both, validated and
written back to the URL, so the address bar always reruns what is on screen.
"""

from __future__ import annotations

import re

import streamlit as st

from lstm_lab import ConfigError, ExperimentConfig, charts, views
from lstm_lab.lesson import Lesson, split_query

# settings without a Playground control: your data's file and columns
CSV_FIELDS = ("csv_source", "target_columns", "input_columns", "time_column", "date_order",
              "decimal_mark")


def md_escape(text: str) -> str:
    """Show user-supplied text literally in Markdown (Streamlit never renders its HTML)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", str(text))


def show_problems(problems: list[str]) -> None:
    if problems:
        st.warning("Some settings in the link were not used (defaults, or the lesson's "
                   "values, stand in for them):\n\n"
                   + "\n".join(f"- {md_escape(p)}" for p in problems))


# --- the lesson ------------------------------------------------------------------------
def start_lesson() -> None:
    """Once per session (app.py): the lesson keys of the link that opened the lab."""
    if "lesson" in st.session_state:
        return
    found, _, problems = split_query(st.query_params.to_dict())
    st.session_state.lesson = found
    st.session_state.lesson_problems = problems
    st.session_state.presenter = found.presenter
    # the page the link opened: it stays in the menu when the lesson hides the others
    st.session_state.lesson_page = (st.context.url or "").rstrip("/").rsplit("/", 1)[-1]


def lesson() -> Lesson:
    return st.session_state.get("lesson") or Lesson()


def shown(field: str) -> bool:
    """False for a control the lesson link hides (its value stays the link's)."""
    return field not in lesson().hide


def locked(field: str) -> bool:
    """True for a control the lesson holds (greyed out)."""
    return field in lesson().locked


def panel_shown(name: str) -> bool:
    """False for a panel the lesson hides (doctor, preflight, lr_find)."""
    return name not in lesson().hide_panels


def lesson_query() -> dict[str, str]:
    """The lesson keys to keep in the URL, with presenter mode as it is now. A preset an
    old link named is written as the knobs it locks (its values are in the config)."""
    keys = lesson().resolved().to_query()
    keys.pop("presenter", None)
    if presenter_on():
        keys["presenter"] = "true"
    return keys


# --- presenter mode ----------------------------------------------------------------------
def presenter_on() -> bool:
    """Presenter mode (large type, thick lines, wide charts), kept in the URL."""
    return bool(st.session_state.get("presenter"))


def chart_style() -> charts.Style:
    return charts.PRESENTER if presenter_on() else charts.NORMAL


def keep_presenter_in_url() -> None:
    if presenter_on():
        st.query_params["presenter"] = "true"
    elif "presenter" in st.query_params:
        del st.query_params["presenter"]


# --- the Playground's config -------------------------------------------------------------
def config_from_url() -> tuple[ExperimentConfig, list[str]]:
    """The Playground's config from the link: the lesson's preset (or the defaults),
    the link's config keys on top, preset-locked fields held at the preset's values."""
    current = lesson()
    _, params, _ = split_query(st.query_params.to_dict())
    base = current.base()
    config, problems = views.config_from_query(params, base=base)
    asked, preset = config.to_dict(), base.to_dict()
    held = sorted(k for k in current.preset_locked if k in params and asked[k] != preset[k])
    if held:
        problems.append(f"locked by the lesson (kept at the preset's values): {', '.join(held)}")
    return current.apply_lock(config), problems


def start_playground(force: ExperimentConfig | None = None) -> None:
    """The Playground's session state: from the link on the first visit, or ``force``d
    (the Data page, a sweep cell, a fix from a failure page hand over a config)."""
    if "pg" in st.session_state and force is None:
        # back from another page: Streamlit dropped the state of the knobs it did not
        # draw there; they come back at the values the Playground last ran
        for k, v in st.session_state.get("pg_current", st.session_state.pg).items():
            st.session_state.setdefault(f"pg_{k}", v)
        return
    if force is None:
        config, problems = config_from_url()
    else:
        config, problems = force, []
    st.session_state.pg = config.to_dict()
    st.session_state.pg_problems = problems
    for k, v in st.session_state.pg.items():
        if k not in CSV_FIELDS:
            st.session_state[f"pg_{k}"] = v
    st.session_state.pg_current = dict(st.session_state.pg)
    st.session_state.pg_changed = {}


def build_config(values: dict) -> ExperimentConfig | None:
    """Validate the controls' values (locked knobs held); show why and return None if
    they clash."""
    from lstm_lab.tabular import fit_config

    start = st.session_state.get("pg", {})
    values = {**values, **{k: start[k] for k in lesson().locked if k in start}}
    try:
        return fit_config(ExperimentConfig.from_dict(values), allow_paths=False)
    except ConfigError as err:
        st.error(f"These settings cannot run: {md_escape(err)}")
        return None


def sync_url(config: ExperimentConfig) -> None:
    """The address bar holds the whole config (and the lesson's keys): a link reruns it.
    The config is also kept as the Playground's current one, for the other pages."""
    st.session_state.pg_current = config.to_dict()
    st.query_params.from_dict({**views.config_to_query(config), **lesson_query()})


def playground_config() -> ExperimentConfig:
    """The config the Playground last ran (or starts from): the Data and Sweep pages'
    other knobs."""
    start_playground()
    return ExperimentConfig.from_dict(st.session_state.get("pg_current", st.session_state.pg))


# --- fixes applied to the knobs ------------------------------------------------------------
def apply_patch(before: ExperimentConfig, patch: dict, code: str) -> None:
    """Set the Playground's knobs to ``before`` with ``patch`` applied (a widget callback,
    so it may set widget values). The changed knobs are remembered, to highlight them and
    open the group holding them, and so is the before / after pair."""
    after = before.replace(**patch)
    start_playground(force=after)
    old = before.to_dict()
    st.session_state.pg_changed = {k: (old[k], v) for k, v in after.to_dict().items()
                                   if k in patch}
    st.session_state.pg_fix = (before.to_json(), after.to_json(), code)
    st.session_state.pg_scroll = True  # the next run brings the changed knob into view


def changed(field: str) -> bool:
    """True while a knob still holds the value the last applied fix gave it."""
    old_new = st.session_state.get("pg_changed", {}).get(field)
    return old_new is not None and st.session_state.get(f"pg_{field}") == old_new[1]
