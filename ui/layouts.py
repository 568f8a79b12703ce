"""Whole screens: the Playground, a failure page (broken | fixed), the guided walkthrough.

Laid out for a 1280×720 projector first: the knobs and the live chart (the Playground),
or the run button and both charts (a failure page), are on the first screen without
scrolling; stories, tools and details follow below. On a phone the columns stack: knobs
right above the chart, the broken run above the fixed one, each labelled.
"""

from __future__ import annotations

import streamlit as st

from lstm_lab import ExperimentConfig, text
from lstm_lab.config import DATASETS, OPTIMIZERS, describe
from lstm_lab.modes import LR_OPTIONS, RATIO_OPTIONS, STEPS, FailureMode, Pair, get_mode
from lstm_lab.numbers import fix_note, knob_note
from lstm_lab.presets import get_preset
from lstm_lab.tabular import source_name
from ui.live import Panel, run_live
from ui.navigation import require_app
from ui.panels import before_after, doctor_panel, export_panel, findings_of, import_box, \
    lesson_builder, lesson_locks_line, lr_finder, preflight_label, preflight_panel, share_box
from ui.state import CSV_FIELDS, apply_patch, build_config, changed, lesson, locked, \
    md_escape, panel_shown, show_problems, shown, start_playground, sync_url

BATCH_OPTIONS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
UNITS_OPTIONS = (2, 4, 8, 16, 32, 64, 128)
MISSION = ("learning_rate", "batch_size", "feature_scale_ratio", "seq_len")
# collapsed groups under the mission knobs: (title, fields)
GROUPS = (("More knobs", ("epochs", "horizon", "noise", "units", "scale_inputs", "seed",
                         "optimizer", "period", "n_steps", "test_fraction")),
          ("Fix or break the data", ("impute", "remove_outliers", "difference", "missing_share",
                                     "outlier_share", "spurious_feature", "shape_bug")))
NOT_FOR_CSV = ("noise", "feature_scale_ratio", "period", "n_steps")  # the file sets these
ONE_COLUMN = ("sine", "seasonal")  # series with one column: no ratio between columns
IDLE = "Not run yet — press ▶ Run both. Runs done before on this server replay quickly."


# --- the Playground -------------------------------------------------------------------------
def _options(options, field: str) -> list:
    """A slider's option list that also holds the knob's current value (from a link or a
    fix), so no value is ever refused or snapped."""
    return sorted(set(options) | {st.session_state[f"pg_{field}"]})


class Knobs:
    """The Playground's controls, keyed ``pg_<field>``: left out where the lesson hides
    them or the data makes them meaningless, greyed out where it locks them, highlighted
    while they hold the value an applied fix gave them."""

    def __init__(self, dataset: str):
        self.values: dict = {}
        self.csv = dataset == "csv"
        self.multiscale = dataset == "multiscale"
        self.one_column = dataset in ONE_COLUMN

    def add(self, field: str, widget, *args, note: str = "", off: bool = False, **kwargs):
        if not shown(field) or (self.csv and field in NOT_FOR_CSV) or field in self.values:
            return  # hidden, meaningless for a file, or already drawn higher up
        label = text.label(field) + note
        if changed(field):
            label = f":orange-background[{label}] :material/arrow_back: changed by the fix"
        self.values[field] = widget(label, *args, key=f"pg_{field}", help=describe(field),
                                    disabled=locked(field) or off, **kwargs)

    def mission(self) -> None:
        """The four knobs of the lab's question, always on the first screen."""
        g = "{:g}".format
        self.add("learning_rate", st.select_slider, _options(LR_OPTIONS, "learning_rate"),
                 format_func=g, note=" (log scale)")
        self.add("batch_size", st.select_slider, _options(BATCH_OPTIONS, "batch_size"))
        # Never greyed out: on a one-column series, moving the ratio switches to the
        # three-column series with raw columns (a callback, before the widgets exist), and
        # the scaling that cancels the ratio sits right under it.
        self.add("feature_scale_ratio", st.select_slider,
                 _options(RATIO_OPTIONS, "feature_scale_ratio"), format_func=g,
                 on_change=_ratio_moved, off=self.one_column and locked("dataset"))
        if not self.one_column:  # the scaling that undoes the ratio, right under it
            if st.session_state.get("pg_ratio_note") and self.multiscale:
                st.caption(st.session_state.pg_ratio_note)
            self.add("scale_inputs", st.toggle)
        self.add("seq_len", st.slider, 1, max(300, st.session_state.pg_seq_len))

    def group(self, field: str) -> None:
        s = st.session_state
        widgets = {
            "horizon": (st.slider, (1, max(100, s.pg_horizon)), {}),
            "epochs": (st.slider, (1, max(100, s.pg_epochs)), {}),
            "noise": (st.slider, (0.0, max(3.0, s.pg_noise)), {"step": 0.05}),
            "units": (st.select_slider, (_options(UNITS_OPTIONS, "units"),), {}),
            "scale_inputs": (st.toggle, (), {}),
            "seed": (st.number_input, (0, 2**31 - 1), {"step": 1}),
            "impute": (st.toggle, (), {}),
            "remove_outliers": (st.toggle, (), {}),
            "difference": (st.toggle, (), {}),
            "missing_share": (st.slider, (0.0, 0.5), {"step": 0.01}),
            "outlier_share": (st.slider, (0.0, 0.2), {"step": 0.005, "format": "%.3f"}),
            "spurious_feature": (st.toggle, (), {}),
            "shape_bug": (st.toggle, (), {}),
            "optimizer": (st.selectbox, (OPTIMIZERS,), {}),
            "period": (st.number_input, (2, 10_000), {}),
            "n_steps": (st.number_input, (100, 20_000), {"step": 100}),
            "test_fraction": (st.slider, (0.05, 0.5), {"step": 0.05}),
        }
        widget, args, kwargs = widgets[field]
        self.add(field, widget, *args, **kwargs)

    def groups(self) -> None:
        for title, fields in GROUPS:
            # a fix that changed a knob in here opens the group (a new key: a new expander)
            opened = any(changed(f) for f in fields)
            with st.expander(title, expanded=opened,
                             key=f"pg_group_{title.split()[0].lower()}{'_open' * opened}"):
                if title.startswith("Fix"):
                    st.caption("Fixes first, then faults to inject into what the model reads.")
                for field in fields:
                    self.group(field)


def _ratio_moved() -> None:
    """The ratio knob moved on a one-column series: it needs columns of different sizes,
    so the series becomes the three-column one, raw (standardising would undo the ratio)."""
    s = st.session_state
    if s.get("pg_dataset") in ONE_COLUMN and not locked("dataset"):
        s.pg_dataset = "multiscale"
        if not locked("scale_inputs"):
            s.pg_scale_inputs = False
        s.pg_ratio_note = ("The ratio needs columns of different sizes: switched to the "
                           "*multiscale* series (a large sine, a small sine, noise), raw.")


def playground() -> None:
    """The four mission knobs beside the live prediction chart; every other tool below."""
    require_app()
    start_playground()  # first visit in this session: the widgets start from the link
    show_problems(st.session_state.pg_problems)
    start = st.session_state.pg
    knob_col, out = st.columns([1, 3], gap="medium")
    with knob_col:
        knobs = Knobs(st.session_state.get("pg_dataset", start["dataset"]))
        knobs.add("dataset", st.selectbox, DATASETS,
                  on_change=lambda: st.session_state.pop("pg_ratio_note", None))
        knobs.mission()
        knobs.groups()
        lesson_locks_line()
    config = build_config({**start, **knobs.values, **{k: start[k] for k in CSV_FIELDS}})
    if config is None:
        st.stop()
    sync_url(config)
    key = config.to_json()
    with out:
        if config.dataset == "csv":
            st.caption(f"Your data: {md_escape(source_name(config.csv_source))}, "
                       f"{config.n_steps} rows — set it up on **Your data**.")
            repairs = st.session_state.get("pg_repairs")
            if repairs and repairs[0] == key:  # said while the knobs are as handed over
                st.caption("Set for your file by pre-flight: " +
                           "; ".join(md_escape(r) for r in repairs[1]))
        row = st.container(horizontal=True, vertical_alignment="center")
        status = row.empty()  # the run's status line, beside its buttons
        row.space("stretch")
        skip = row.empty()  # "Skip to the end" while a run done before replays
        if row.button("Stop training", icon=":material/stop:", help="halt the run in flight"):
            st.session_state.pg_stopped = key
        # Run again trains anew, live (same seed, same numbers), never a replay
        again = row.button("Run again", icon=":material/replay:", help="train this config again")
        if again:
            st.session_state.pop("pg_stopped", None)
        fix = st.session_state.get("pg_fix")
        before = None
        if fix is not None and fix[1] == key:
            # the fix's run is this one: it trains as "After", beside the run before the
            # fix, on the first screen where the chart was
            before, after_title = before_after(ExperimentConfig.from_json(fix[0]), config,
                                               fix[2])
            with after_title:
                panel = Panel(config, "After: " + md_escape(text.patch_words(
                    _changes(before.config, config), before.config.to_dict())),
                    memo="pg_last", height=190, status=status, skip=skip,
                    loss_scale=before.loss_scale)
        else:
            panel = Panel(config, memo="pg_last", height=250, status=status, skip=skip)
        doctor_box = st.container()
    export_box = _tools(config)
    if st.session_state.pop("pg_scroll", False):
        scroll_to_knob(next(iter(st.session_state.get("pg_changed", {})), None))
    if st.session_state.get("pg_stopped") == key:
        panel.draw()
        with out:
            st.info("Stopped. Change a knob or press **Run again** to train.")
        return
    result = run_live([panel] + ([before] if before is not None else []), fresh=again)[0]
    with doctor_box:
        doctor_panel(result, "pg")
    with export_box:
        export_panel(result, "pg")


def _changes(before: ExperimentConfig, after: ExperimentConfig) -> dict:
    old = before.to_dict()
    return {k: v for k, v in after.to_dict().items() if old[k] != v}


def scroll_to_knob(field: str | None) -> None:
    """After Apply fix the page was left scrolled at the doctor: bring the changed knob
    (and with it the before / after, at the top of the run's column) into view. Our own
    fixed script; the field name is one of the config's."""
    if field is None or field not in ExperimentConfig().to_dict():
        return
    st.html(f"""<script>
(function find(tries) {{
  const el = window.parent.document.querySelector('.st-key-pg_{field}')
          || document.querySelector('.st-key-pg_{field}');
  if (el) {{ el.scrollIntoView({{block: 'center'}}); return; }}
  if (tries > 0) setTimeout(() => find(tries - 1), 100);
}})(30);
</script>""", unsafe_allow_javascript=True, width="content")


def _tools(config: ExperimentConfig):
    """The secondary tools, in tabs under the run; returns the export tab (filled once
    the run ends)."""
    names = ["Share & export"]
    if panel_shown("preflight"):
        names.insert(0, preflight_label(config))
    if panel_shown("lr_find"):
        names.append("Learning-rate range test")
    teacher = not lesson().active  # students on a lesson link get the lesson, not tools
    if teacher:
        names += ["Import a config", "Build a lesson link"]
    tabs = dict(zip(names, st.tabs(names)))
    for name, tab in tabs.items():
        with tab:
            if name.startswith("Pre-flight"):
                preflight_panel(config)
            elif name == "Learning-rate range test":
                lr_finder(config)
            elif name == "Import a config":
                import_box()
            elif name == "Build a lesson link":
                lesson_builder(config)
            else:
                share_box(config)
    return tabs["Share & export"]


# --- a failure page ------------------------------------------------------------------------
def _to_playground(config: ExperimentConfig, patch: dict, code: str) -> None:
    """A fix button on a failure page: the Playground opens with the fix on its knobs."""
    apply_patch(config, patch, code)
    st.session_state.goto_playground = True


def _configs(mode: FailureMode, pair: Pair) -> tuple[ExperimentConfig, ExperimentConfig]:
    """The pair's broken and fixed configs, with the page's knob applied."""
    broken_name, fixed_name = mode.preset_names(pair)
    broken, fixed = get_preset(broken_name).config, get_preset(fixed_name).config
    knob = mode.knob
    if knob is not None:
        value = st.session_state.get(f"{mode.slug}_knob", knob.value)
        fixed = fixed.replace(**{knob.field: value})
        if knob.both:
            broken = broken.replace(**{knob.field: value})
    return broken, fixed


def failure_page(slug: str) -> None:
    """One failure mode: its run button and knob, the broken and the fixed run side by
    side (stacked on a phone), the story, then each run's details and doctor."""
    require_app()
    if st.session_state.pop("goto_playground", False):
        st.switch_page("pages/playground.py")
    mode = get_mode(slug)
    controls = st.columns([1.1, 2, 1.3], vertical_alignment="bottom")
    pair = mode.pairs[0]
    if len(mode.pairs) > 1:  # a radio wraps on a phone where a segmented control is cut
        labels = [p.label for p in mode.pairs]
        chosen = controls[1].radio("Broken run", labels, horizontal=True, key=f"{slug}_pair")
        pair = mode.pairs[labels.index(chosen)]
    elif mode.knob is not None:
        k = mode.knob
        controls[1].select_slider(k.label, k.options, value=k.value, format_func=k.text,
                                  key=f"{slug}_knob")
    broken, fixed = _configs(mode, pair)
    walk = controls[2].toggle("Guided walkthrough", key=f"{slug}_walk",
                              value=lesson().walkthrough,
                              help="four steps, with a question for the class")
    if walk:
        walkthrough(mode, pair, broken, fixed)
        return
    if controls[0].button("Run both", icon=":material/play_arrow:", type="primary",
                          key=f"{slug}_run"):
        st.session_state[f"{slug}_on"] = True
    side_by_side(mode, pair, broken, fixed, run=bool(st.session_state.get(f"{slug}_on")))


def side_by_side(mode: FailureMode, pair: Pair, broken: ExperimentConfig,
                 fixed: ExperimentConfig, run: bool, story: bool = True) -> None:
    """Broken and fixed, both live with the same seed: charts first, then the story, then
    each run's loss, scores, doctor and exports."""
    heads = st.columns(2, gap="medium")
    if story:
        with st.expander("What you see, why, and the fix", expanded=True):
            st.markdown(mode.story)
            note = knob_note(mode, pair, broken, fixed)
            if note:
                st.caption(md_escape(note))
    details = st.columns(2, gap="medium")
    idle = None if run else IDLE
    scale: dict = {}  # one loss range for both: the lower loss is drawn lower
    with heads[0]:
        a = Panel(broken, f":red[Broken] — {md_escape(pair.label)}", details=details[0],
                  idle=idle, height=230, loss_scale=scale)
    with heads[1]:
        b = Panel(fixed, f":green[Fixed] — {md_escape(pair.fixed_label)}", details=details[1],
                  idle=idle, height=230, loss_scale=scale)
    if not run:
        a.draw()
        b.draw()
        return
    run_live([a, b])
    for col, panel, side in ((details[0], a, "a"), (details[1], b, "b")):
        with col:
            doctor_panel(panel.result, f"{mode.slug}_{side}", apply=_to_playground)
            if side == "a":
                _fix_note(mode, pair, panel.result, broken, fixed)
            with st.expander("Export this run", icon=":material/download:"):
                export_panel(panel.result, f"{mode.slug}_{side}")


def _fix_note(mode: FailureMode, pair: Pair, result, broken: ExperimentConfig,
              fixed: ExperimentConfig) -> None:
    """Under the broken run's Doctor: why its fix differs from the fixed run, where it does."""
    if result is None or not panel_shown("doctor"):
        return
    top = findings_of(result)[0]
    patch = top.fix if top.code == mode.slug and isinstance(top.fix, dict) else None
    note = fix_note(mode, pair, patch, broken, fixed)
    if note:
        st.caption(md_escape(note))


# --- the guided walkthrough -------------------------------------------------------------------
def walkthrough(mode: FailureMode, pair: Pair, broken: ExperimentConfig,
                fixed: ExperimentConfig) -> None:
    """Four steps with Back / Next; the step and the revealed answer live in the session."""
    step_key, shown_key = f"{mode.slug}_step", f"{mode.slug}_revealed"
    step = st.session_state.setdefault(step_key, 1)
    # one compact row -- Back, the step bar, Next -- so the chart keeps the projector screen
    row = st.container(horizontal=True, vertical_alignment="center")
    row.button("Back", icon=":material/chevron_left:", key=f"{mode.slug}_back",
               disabled=step == 1, on_click=_move, args=(step_key, -1))
    row.progress(step / len(STEPS), text=f"Step {step} of {len(STEPS)}: {STEPS[step - 1]}")
    row.button("Next", icon=":material/chevron_right:", key=f"{mode.slug}_next",
               disabled=step == len(STEPS), type="primary", on_click=_move,
               args=(step_key, 1))
    if step < 3:
        # the words beside the chart, not above it: the chart keeps the projector screen
        chart_col, words = st.columns([2, 1], gap="medium")
        if step == 1:
            words.markdown(f"**{md_escape(pair.label)}** — watch the prediction (red) "
                           "against the target (dark) while it trains.")
        else:
            words.markdown(f"**Question for the class:** "
                           f"{mode.say(mode.question_template, pair)}")
            if st.session_state.get(shown_key):
                words.success(mode.say(mode.answer_template, pair))
            else:
                words.button("Reveal the answer", key=f"{mode.slug}_reveal",
                             help="let the class answer first: the answer stays hidden "
                             "until asked",
                             on_click=lambda: st.session_state.update({shown_key: True}))
        with chart_col:
            _alone(broken, pair)
    else:
        if step == 4:
            st.success(f"**Takeaway:** {mode.takeaway}")
        side_by_side(mode, pair, broken, fixed, run=True, story=False)


def _move(step_key: str, by: int) -> None:
    st.session_state[step_key] = min(max(st.session_state[step_key] + by, 1), len(STEPS))


def _alone(config: ExperimentConfig, pair: Pair) -> None:
    """The broken run on its own (live; a run done before replays at its trained pace)."""
    run_live([Panel(config, f":red[Broken] — {md_escape(pair.label)}", height=230)])
